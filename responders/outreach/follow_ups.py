"""Thank-you follow-ups: when the company fixes what reviewers complained about, go back and tell them.

A theme becomes fixed when it is listed in the company's `fixed_themes`. Every reviewer whose complaint
mentioned it before that moment gets a thank-you follow-up on their task (reopened if it was closed), once
per theme. Complaints that arrive after the fix are ordinary complaints: the fix evidently did not reach them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from monitor.core.settings import Settings
from monitor.store.models import Company, Review, SourceRow
from monitor.store.task_models import OutreachTask, TaskEvent, TaskFollowUp, TaskReview
from monitor.text.themes import mentions, review_text
from responders.outreach.deadlines import calendar_for, first_contact_due

__all__ = ["LOOKBACK_DAYS", "ThankYouResult", "apply_fixed_themes", "fixed_theme_of", "reviews_mentioning"]

LOOKBACK_DAYS = 180  # complaints older than this are not worth a thank-you any more
EVENT = "theme_fixed"
CLOSED = frozenset({"resolved", "no_response", "not_actionable"})


@dataclass
class ThankYouResult:
    """What applying the fixed themes did."""

    follow_ups: int = 0
    reopened: int = 0


def apply_fixed_themes(*, session: Session, settings: Settings, now: datetime) -> ThankYouResult:
    """Add a thank-you follow-up to each task whose reviewer complained about a theme since marked fixed."""
    result = ThankYouResult()
    for config in settings.companies:
        if not config.fixed_themes:
            continue
        company = session.exec(select(Company).where(Company.name == config.name)).first()
        if company is None or company.id is None:
            continue
        fixed_since: dict[str, str] = dict(company.settings.get("fixed_since") or {})
        for theme in config.fixed_themes:
            fixed_at = datetime.fromisoformat(fixed_since.setdefault(theme, now.isoformat()))
            _thank(session, company, theme, fixed_at, now, result)
        company.settings = {**company.settings, "fixed_since": fixed_since}
        session.add(company)
    session.flush()
    return result


def reviews_mentioning(
    *, session: Session, company_id: int, theme: str, since: datetime
) -> list[tuple[int, int | None]]:
    """Unhappy reviews of a company first seen since `since` that mention `theme`, with their task ids."""
    # The digest's matcher: stems side by side in one sentence, so "late delivery" matches "Late deliveries!"
    # but not "delivery was late", and the digest counts exactly the reviewers thanked here.
    rows = session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types select() for up to four columns
            Review.id, Review.title, Review.body, Review.language, TaskReview.task_id
        )
        .join(SourceRow, col(Review.source_id) == SourceRow.id)
        .outerjoin(TaskReview, col(TaskReview.review_id) == Review.id)
        .where(SourceRow.company_id == company_id, col(Review.unhappy).is_(True), col(Review.first_seen) >= since)
    ).all()
    return [
        (rid or 0, task_id)
        for rid, title, body, language, task_id in rows
        if mentions(review_text(title, body), language, theme)
    ]


def _thank(
    session: Session, company: Company, theme: str, fixed_at: datetime, now: datetime, result: ThankYouResult
) -> None:
    pairs = reviews_mentioning(
        session=session, company_id=company.id or 0, theme=theme, since=fixed_at - timedelta(days=LOOKBACK_DAYS)
    )
    task_ids = sorted({task_id for _, task_id in pairs if task_id is not None})
    if not task_ids:
        return
    done = {
        e.task_id
        for e in session.exec(
            select(TaskEvent).where(col(TaskEvent.task_id).in_(task_ids), TaskEvent.kind == EVENT)
        ).all()
        if e.data.get("theme") == theme
    }
    due = first_contact_due(now, calendar_for(company))
    for task in session.exec(select(OutreachTask).where(col(OutreachTask.id).in_(task_ids))).all():
        if task.id in done or task.complaint_at >= fixed_at:
            continue
        note = f"'{theme}' is fixed: thank the reviewer for raising it and tell them what changed"
        session.add(TaskFollowUp(task_id=task.id or 0, due_at=due, created_by="system", note=note))
        session.add(TaskEvent(task_id=task.id or 0, at=now, kind=EVENT, note=note, data={"theme": theme}))
        if task.status in CLOSED:
            task.status = "claimed" if task.owner else "new"
            task.outcome = None
            task.closed_at = None
            task.reopen_count += 1
            result.reopened += 1
        task.due_at = min(task.due_at, due) if task.due_at else due
        task.needs_attention = bool(task.owner)
        task.updated_at = now
        session.add(task)
        result.follow_ups += 1


def fixed_theme_of(session: Session, task_id: int) -> str | None:
    """The latest fixed theme a task got a thank-you follow-up for, if any."""
    event = session.exec(
        select(TaskEvent)
        .where(TaskEvent.task_id == task_id, TaskEvent.kind == EVENT)
        .order_by(col(TaskEvent.at).desc())
    ).first()
    theme = event.data.get("theme") if event else None
    return str(theme) if theme else None
