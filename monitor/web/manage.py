"""Pages for managers: queue health, what each agent did, templates per company, sources and runs, the digest."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import and_, func, or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from starlette.responses import Response

from monitor.core.errors import MonitorError
from monitor.core.redaction import redact_url, redact_urls
from monitor.digest.build import build_digest, latest_activity_day
from monitor.digest.render import render_html
from monitor.store.db import utcnow
from monitor.store.models import Company, CrawlRun, SourceRow
from monitor.store.task_models import OPEN_STATUSES, OUTCOMES, OutreachTask, TaskEvent
from monitor.store.template_models import ReplyTemplate
from monitor.web.auth import Manager
from monitor.web.render import page
from monitor.web.schemas import ShortText
from responders.template_replies.stats import template_share

__all__ = ["AgentFigures", "QueueHealth", "agent_figures", "queue_health", "router"]

router = APIRouter(prefix="/manage", include_in_schema=False)
RUNS_SHOWN = 30


@dataclass
class QueueHealth:
    """The open queue of one company right now."""

    company: str
    timezone: str
    open: int = 0
    unclaimed: int = 0
    waiting: int = 0
    due_today: int = 0
    overdue: int = 0
    breached: int = 0
    by_priority: dict[str, int] = field(default_factory=dict)


@dataclass
class AgentFigures:
    """What one person did in the period, and the first contacts they made late (or still owe late)."""

    name: str
    claimed: int = 0
    contacted: int = 0
    closed: Counter[str] = field(default_factory=Counter)
    breaches: int = 0
    holding: int = 0


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def queue_health(session: Session, now: datetime) -> list[QueueHealth]:
    """Open, unclaimed, waiting, due today, overdue and breached tasks per company, counted in the database."""
    result = []
    for company in session.exec(select(Company).order_by(Company.name)).all():
        health = QueueHealth(company.name, company.timezone or "UTC")
        mine = and_(col(OutreachTask.company_id) == company.id, col(OutreachTask.status).in_(OPEN_STATUSES))
        local = now.astimezone(ZoneInfo(health.timezone))
        end_of_day = (local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)).astimezone(
            now.tzinfo
        )
        due = col(OutreachTask.due_at)
        counts = {
            "open": mine,
            "unclaimed": and_(mine, col(OutreachTask.status) == "new"),
            "waiting": and_(mine, col(OutreachTask.status) == "waiting_for_customer"),
            "due_today": and_(mine, due > now, due < end_of_day),
            "overdue": and_(mine, due <= now),
            "breached": and_(
                mine, col(OutreachTask.first_contacted_at).is_(None), col(OutreachTask.first_contact_due) <= now
            ),
        }
        for name, condition in counts.items():
            setattr(health, name, session.exec(select(func.count()).select_from(OutreachTask).where(condition)).one())
        health.by_priority = dict(
            session.exec(
                select(OutreachTask.priority_label, func.count()).where(mine).group_by(OutreachTask.priority_label)
            ).all()
        )
        result.append(health)
    return result


def agent_figures(session: Session, since: datetime, now: datetime) -> list[AgentFigures]:
    """Per person since `since`: claims, contacts, closes by outcome, late first contacts; and tasks held now."""
    people: dict[str, AgentFigures] = {}

    def person(name: str) -> AgentFigures:
        return people.setdefault(name, AgentFigures(name))

    for actor, kind, count in session.exec(
        select(TaskEvent.actor, TaskEvent.kind, func.count())
        .where(col(TaskEvent.at) >= since, col(TaskEvent.kind).in_(("claimed", "contacted", "waiting_for_customer")))
        .group_by(TaskEvent.actor, TaskEvent.kind)
    ).all():
        if actor == "system":
            continue
        if kind == "claimed":
            person(actor).claimed += count
        else:
            person(actor).contacted += count
    for actor, data in session.exec(
        select(TaskEvent.actor, TaskEvent.data).where(col(TaskEvent.at) >= since, TaskEvent.kind == "closed")
    ).all():
        if actor != "system":
            person(actor).closed[str((data or {}).get("outcome", "?"))] += 1
    contacted = col(OutreachTask.first_contacted_at)
    late = or_(
        and_(contacted >= since, contacted > col(OutreachTask.first_contact_due)),
        and_(
            contacted.is_(None),
            col(OutreachTask.status).in_(OPEN_STATUSES),
            col(OutreachTask.first_contact_due) <= now,
        ),
    )
    for owner, count in session.exec(
        select(OutreachTask.owner, func.count())
        .where(late, col(OutreachTask.owner).is_not(None))
        .group_by(OutreachTask.owner)
    ).all():
        if owner:
            person(owner).breaches += count
    for owner, count in session.exec(
        select(OutreachTask.owner, func.count())
        .where(col(OutreachTask.status).in_(OPEN_STATUSES), col(OutreachTask.owner).is_not(None))
        .group_by(OutreachTask.owner)
    ).all():
        if owner:
            person(owner).holding += count
    return sorted(people.values(), key=lambda a: a.name.lower())


@router.get("")
def overview(request: Request, me: Manager, days: Annotated[int, Query(ge=1, le=365)] = 30) -> Response:
    """Queue health per company and figures per agent."""
    now = utcnow()
    with Session(_engine(request)) as session:
        health = queue_health(session, now)
        agents = agent_figures(session, now - timedelta(days=days), now)
    return page(
        request, "manage.html.j2", me, title="Queue health", health=health, agents=agents, days=days, outcomes=OUTCOMES
    )


@router.get("/templates")
def templates(request: Request, me: Manager, company: ShortText = "") -> Response:
    """Template replies per company, largest first, with examples."""
    with Session(_engine(request)) as session:
        companies = list(session.exec(select(Company).order_by(Company.name)).all())
        shown = [c for c in companies if not company or c.name == company]
        per_company = []
        for c in shown:
            rows = session.exec(
                select(ReplyTemplate)
                .where(ReplyTemplate.company_id == c.id, col(ReplyTemplate.active).is_(True))
                .order_by(col(ReplyTemplate.size).desc())
                .limit(50)
            ).all()
            shares = template_share(session=session, company_id=c.id)
            per_company.append((c, list(rows), shares[0] if shares else None))
    return page(
        request,
        "manage_templates.html.j2",
        me,
        title="Template replies",
        per_company=per_company,
        companies=[c.name for c in companies],
        company=company,
    )


@router.get("/sources")
def sources(request: Request, me: Manager) -> Response:
    """Each source's latest health, and the recent runs."""
    with Session(_engine(request)) as session:
        rows = session.exec(select(SourceRow, Company.name).join(Company).order_by(Company.name, SourceRow.name)).all()
        latest: dict[int, CrawlRun] = {}
        recent: list[tuple[CrawlRun, str]] = []
        names = {src.id: src.name for src, _ in rows}
        for run in session.exec(select(CrawlRun).order_by(col(CrawlRun.started_at).desc()).limit(500)).all():
            latest.setdefault(run.source_id, run)
            if len(recent) < RUNS_SHOWN:
                recent.append((run, names.get(run.source_id, "?")))
        counts: dict[int, int] = defaultdict(int)
        for source_id, count in session.exec(
            select(CrawlRun.source_id, func.count()).group_by(col(CrawlRun.source_id))
        ).all():
            counts[source_id] = count
    listing = [
        (src, company, latest.get(src.id or 0), counts.get(src.id or 0, 0), redact_url(src.locator))
        for src, company in rows
    ]
    return page(
        request,
        "manage_sources.html.j2",
        me,
        title="Sources and runs",
        listing=listing,
        recent=recent,
        redact=redact_urls,
    )


@router.get("/digest")
def digest(
    request: Request,
    me: Manager,
    day: Annotated[date | None, Query(alias="date", ge=date(1970, 1, 1), le=date(2999, 12, 31))] = None,
    company: ShortText = "",
) -> Response:
    """The daily digest as it is e-mailed, in the browser."""
    with Session(_engine(request)) as session:
        names = [company] if company else None
        chosen = day or latest_activity_day(session)
        if chosen is None:
            raise MonitorError("no reviews stored yet: nothing to put in a digest")
        result = build_digest(session=session, day=chosen, companies=names)
    return HTMLResponse(render_html(result))
