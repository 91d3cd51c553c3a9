"""The steps the web app and the API take on tasks, each in its own transaction, acting as the signed-in person."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from monitor.core.channels import PUBLIC_REPLY_AND_PRIVATE_MESSAGE, PUBLIC_REPLY_ONLY, UNKNOWN_CHANNEL
from monitor.core.errors import NotFound, WorkflowError
from monitor.crawl.reply_posting import task_channel
from monitor.store.db import session_scope, utcnow
from monitor.store.models import Company, ReviewRevision
from monitor.store.task_models import OutreachTask
from monitor.store.template_models import ReplyTemplate
from monitor.store.user_models import AppUser, Principal
from responders.checker.check import CheckResult, check_reply
from responders.guidance.playbook import Guidance
from responders.guidance.task_guidance import task_guidance
from responders.outreach.deadlines import BusinessCalendar, calendar_for, parse_due
from responders.outreach.draft_context import draft_context
from responders.outreach.views import ReviewView, TaskDetail, task_detail
from responders.outreach.workflow import (
    assign_task,
    claim_task,
    close_task,
    dismiss_task,
    get_task,
    log_contact,
    snooze_task,
)

__all__ = [
    "TaskPage",
    "assign",
    "business_clock",
    "business_hours_between",
    "check_draft",
    "claim",
    "close",
    "dismiss",
    "log",
    "review_json",
    "snooze",
    "task_json",
    "task_page",
]


@dataclass
class TaskPage:
    """Everything the task page shows: the detail, the guidance, templates and each review's revisions."""

    detail: TaskDetail
    guidance: Guidance
    templates: dict[str, ReplyTemplate] = field(default_factory=dict)
    revisions: dict[int, list[ReviewRevision]] = field(default_factory=dict)
    channel: str = UNKNOWN_CHANNEL  # how the reviewer can be reached (`monitor.core.channels`)

    @property
    def public_reply(self) -> bool:
        """Whether the reviewer is reached by a public reply on the site (which the product may post)."""
        return self.channel in (PUBLIC_REPLY_ONLY, PUBLIC_REPLY_AND_PRIVATE_MESSAGE)

    @property
    def timezone(self) -> str:
        """The company's time zone name."""
        return self.detail.calendar.timezone


def task_page(engine: Engine, task_id: int, now: datetime | None = None) -> TaskPage:
    """Load one task with everything shown about it; NotFound for an unknown id."""
    now = now or utcnow()
    with Session(engine) as session:
        detail = task_detail(session=session, task_id=task_id, now=now)
        channel = task_channel(session, task_id)
        guidance = task_guidance(session, detail, channel=channel)
        views = detail.reviews + detail.other_reviews
        ids = {v.reply.template_id for v in views if v.reply is not None and v.reply.template_id}
        templates = {t.id: t for t in session.exec(select(ReplyTemplate).where(col(ReplyTemplate.id).in_(ids)))}
        revisions: dict[int, list[ReviewRevision]] = {}
        linked = [v.review.id for v in detail.reviews]
        for revision in session.exec(
            select(ReviewRevision)
            .where(col(ReviewRevision.review_id).in_(linked))
            .order_by(col(ReviewRevision.observed_at), col(ReviewRevision.id))
        ).all():
            revisions.setdefault(revision.review_id, []).append(revision)
    return TaskPage(detail, guidance, templates, revisions, channel)


def _template_json(template: ReplyTemplate | None) -> dict[str, Any] | None:
    if template is None:
        return None
    return {
        "id": template.id,
        "kind": template.kind,
        "size": template.size,
        "skeleton": template.skeleton,
        "family": template.family_id,
    }


def review_json(view: ReviewView, templates: dict[str, ReplyTemplate]) -> dict[str, Any]:
    """A review with its source and the company's reply (and the template it matched) as JSON values."""
    r, rep = view.review, view.reply
    return {
        "id": r.id,
        "source": view.source,
        "url": r.url,
        "author": r.author_name,
        "rating": r.rating,
        "rating_scale": r.rating_scale,
        "title": r.title,
        "body": r.body,
        "language": r.language,
        "published_at": r.published_at.isoformat() if r.published_at else None,
        "flags": [f for f in r.flags.split(",") if f],
        "reply": None
        if rep is None
        else {
            "text": rep.text,
            "published_at": rep.published_at.isoformat() if rep.published_at else None,
            "template": bool(rep.template_id),
            "template_detail": _template_json(templates.get(rep.template_id or "")),
        },
    }


def task_json(view: TaskPage) -> dict[str, Any]:
    """The whole task page as JSON values."""
    detail = view.detail
    data = detail.listing.as_json()
    data["timezone"] = view.timezone
    data["reviews"] = [review_json(v, view.templates) for v in detail.reviews]
    data["other_reviews"] = [review_json(v, view.templates) for v in detail.other_reviews]
    data["follow_ups"] = [
        {"due_at": f.due_at.isoformat(), "done_at": f.done_at.isoformat() if f.done_at else None, "note": f.note}
        for f in detail.follow_ups
    ]
    data["events"] = [
        {"at": e.at.isoformat(), "actor": e.actor, "kind": e.kind, "note": e.note, "data": e.data}
        for e in detail.events
    ]
    data["guidance"] = view.guidance.as_dict()
    return data


def _calendar(session: Session, task_id: int) -> BusinessCalendar:
    task = get_task(session=session, task_id=task_id)
    company = session.get(Company, task.company_id)
    assert company is not None
    return calendar_for(company)


def claim(engine: Engine, task_id: int, who: Principal, expiry_minutes: int) -> OutreachTask:
    """Claim a task as `who`."""
    with session_scope(engine) as session:
        return claim_task(session=session, task_id=task_id, actor=who.name, now=utcnow(), expiry_minutes=expiry_minutes)


def assign(engine: Engine, task_id: int, who: Principal, assignee: str) -> OutreachTask:
    """Hand a task to an enabled user (a manager's step)."""
    with session_scope(engine) as session:
        user = session.exec(select(AppUser).where(AppUser.name == assignee.strip())).first()
        if user is None or user.disabled:
            raise NotFound(f"no active user named {assignee!r}")
        return assign_task(session=session, task_id=task_id, actor=who.name, assignee=user.name, now=utcnow())


def _until(text: str, now: datetime, calendar: BusinessCalendar) -> datetime:
    value = text.strip()
    try:
        day = date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        day = None
    try:
        if day is not None:
            moment = calendar.at(day, calendar.hours[0])  # a day means: from its opening time
            if moment <= now:
                raise ValueError(f"{text!r} is in the past")
            return moment
        return parse_due(value, now, calendar)
    except (ValueError, OverflowError) as exc:
        raise WorkflowError(f"until: {exc}") from None


def snooze(engine: Engine, task_id: int, who: Principal, until: str, note: str = "") -> OutreachTask:
    """Move a task's next due time to `until` (a date or a time, in the company's zone)."""
    now = utcnow()
    with session_scope(engine) as session:
        moment = _until(until, now, _calendar(session, task_id))
        return snooze_task(session=session, task_id=task_id, actor=who.name, until=moment, now=now, note=note)


def dismiss(engine: Engine, task_id: int, who: Principal, reason: str) -> OutreachTask:
    """Close a task as not_actionable with a reason (a manager's step)."""
    with session_scope(engine) as session:
        return dismiss_task(session=session, task_id=task_id, actor=who.name, reason=reason, now=utcnow())


def log(
    engine: Engine,
    task_id: int,
    who: Principal,
    *,
    note: str,
    contacted: bool,
    waiting: bool,
    follow_up_due: str | None,
) -> OutreachTask:
    """Log a note, a contact, waiting, or a promised follow-up on a task `who` holds."""
    now = utcnow()
    with session_scope(engine) as session:
        due = None
        if follow_up_due and follow_up_due.strip():
            try:
                due = parse_due(follow_up_due, now, _calendar(session, task_id))
            except (ValueError, OverflowError) as exc:
                raise WorkflowError(f"follow-up due: {exc}") from None
        return log_contact(
            session=session,
            task_id=task_id,
            actor=who.name,
            note=note,
            now=now,
            contacted=contacted,
            waiting=waiting,
            follow_up_due=due,
        )


def close(engine: Engine, task_id: int, who: Principal, outcome: str, note: str) -> OutreachTask:
    """Close a task `who` holds with its outcome."""
    with session_scope(engine) as session:
        return close_task(session=session, task_id=task_id, actor=who.name, outcome=outcome, note=note, now=utcnow())


def check_draft(
    engine: Engine,
    text: str,
    *,
    task_id: int | None = None,
    name: str | None = None,
    language: str = "auto",
    review_text: str | None = None,
) -> CheckResult:
    """Check a reply draft; a task supplies the reviewer's name, language, review and the company's templates."""
    known: list[str] = []
    recent: list[str] = []
    if task_id is not None:
        with Session(engine) as session:
            context = draft_context(session=session, task_id=task_id)
        name = name or context.reviewer_name
        language = context.language if language == "auto" and context.language else language
        known, recent = context.templates, context.recent_replies
        review_text = review_text or context.review_text
    return check_reply(
        text, name=name, language=language, review_text=review_text, known_templates=known, recent_replies=recent
    )


_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def business_hours_between(start: datetime, end: datetime, calendar: BusinessCalendar) -> float:
    """Business hours from `start` to `end` (negative when `end` is earlier); counted over at most two years."""
    if end < start:
        return -business_hours_between(end, start, calendar)
    total = 0.0
    day = calendar.local(start).date()
    last = min(calendar.local(end).date(), day + timedelta(days=730))
    while day <= last:
        if calendar.is_business_day(day):
            opens, closes = calendar.open_interval(day)
            begin, finish = max(opens, start), min(closes, end)
            if finish > begin:
                total += (finish - begin).total_seconds() / 3600
        day += timedelta(days=1)
    return total


def business_clock(view: TaskPage, now: datetime) -> str:
    """The deadline's clock in words: business hours left or overdue, and the company's working week."""
    calendar = view.detail.calendar
    start, end = calendar.hours
    days = ", ".join(_DAY_NAMES[d] for d in sorted(calendar.days))
    week = f"business hours {start:02d}:00-{end:02d}:00 {days}, {calendar.timezone}"
    due = view.detail.listing.task.due_at
    if due is None:
        return f"nothing due ({week})"
    hours = business_hours_between(now, due, calendar)
    if due <= now:
        return f"overdue by {-hours:.1f} business hours ({week})"
    return f"{hours:.1f} business hours left ({week})"
