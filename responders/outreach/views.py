"""The outreach queue's read side: the task list in working order and everything shown about one task."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case
from sqlmodel import Session, col, select

from monitor.core.errors import NotFound
from monitor.store.models import Company, CompanyReply, Review, SourceRow
from monitor.store.task_models import OPEN_STATUSES, OutreachTask, TaskEvent, TaskFollowUp, TaskReview
from responders.outreach.deadlines import (
    DUE_SOON_BUSINESS_HOURS,
    BusinessCalendar,
    add_business_hours,
    calendar_for,
    deadline_state,
)
from responders.outreach.identity import reviewer_key

__all__ = ["ReviewView", "TaskDetail", "TaskListing", "list_tasks", "task_detail"]

_CHUNK = 500  # task ids per IN (...) query, well below the bind-parameter limits of SQLite and PostgreSQL


@dataclass
class TaskListing:
    """One row of the task list with what a reader needs next to the task."""

    task: OutreachTask
    company: str
    source: str
    review_ids: list[int]
    due_state: str | None

    def as_json(self) -> dict[str, Any]:
        """The row as plain JSON values."""
        t = self.task
        return {
            "id": t.id,
            "status": t.status,
            "priority": t.priority,
            "priority_label": t.priority_label,
            "due_at": _iso(t.due_at),
            "due_state": self.due_state,
            "first_contact_due": _iso(t.first_contact_due),
            "reviewer": t.reviewer_name,
            "reviewer_handle": t.reviewer_handle,
            "company": self.company,
            "source": self.source,
            "review_ids": self.review_ids,
            "template_reply": t.template_reply,
            "owner": t.owner,
            "needs_attention": t.needs_attention,
            "complaint_at": _iso(t.complaint_at),
            "created_at": _iso(t.created_at),
            "outcome": t.outcome,
            "rating_before": t.rating_before,
            "rating_after": t.rating_after,
            "rating_changed_at": _iso(t.rating_changed_at),
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def list_tasks(
    *,
    session: Session,
    now: datetime,
    statuses: Sequence[str] = OPEN_STATUSES,
    owner: str | None = None,
    overdue: bool = False,
    company: str | None = None,
    limit: int = 50,
) -> list[TaskListing]:
    """Tasks in working order: breached first, then due within 2 business hours, then by priority and due time."""
    companies = {c.id: c for c in session.exec(select(Company)).all()}
    soon = {cid: add_business_hours(now, DUE_SOON_BUSINESS_HOURS, calendar_for(c)) for cid, c in companies.items()}
    due = col(OutreachTask.due_at)
    whens: list[Any] = [(due <= now, 0)]
    whens += [(and_(col(OutreachTask.company_id) == cid, due <= limit_at), 1) for cid, limit_at in soon.items()]
    bucket = case(*whens, else_=2)
    query = select(OutreachTask, SourceRow.name).join(SourceRow, col(OutreachTask.source_id) == SourceRow.id)
    query = query.where(col(OutreachTask.status).in_(list(statuses)))
    if owner is not None:
        query = query.where(OutreachTask.owner == owner)
    if overdue:
        query = query.where(due <= now)
    if company is not None:
        wanted = [cid for cid, c in companies.items() if c.name == company]
        if not wanted:
            known = ", ".join(sorted(c.name for c in companies.values())) or "none"
            raise NotFound(f"no company named {company!r} (known: {known})")
        query = query.where(col(OutreachTask.company_id).in_(wanted))
    query = query.order_by(
        bucket, col(OutreachTask.priority).desc(), due.asc().nulls_last(), col(OutreachTask.id)
    ).limit(limit)
    rows = session.exec(query).all()
    review_ids: dict[int, list[int]] = defaultdict(list)
    task_ids = [t.id for t, _ in rows]
    for start in range(0, len(task_ids), _CHUNK):
        for task_id, review_id in session.exec(
            select(TaskReview.task_id, TaskReview.review_id)
            .where(col(TaskReview.task_id).in_(task_ids[start : start + _CHUNK]))
            .order_by(col(TaskReview.review_id))
        ).all():
            review_ids[task_id].append(review_id)
    listings = []
    for task, source_name in rows:
        # Same rule as deadline_state, with the per-company "soon" limit computed once above.
        if task.due_at is None:
            state = None
        elif task.due_at <= now:
            state = "breached"
        else:
            state = "due_soon" if task.due_at <= soon[task.company_id] else "ok"
        listings.append(
            TaskListing(task, companies[task.company_id].name, source_name, review_ids[task.id or 0], state)
        )
    return listings


@dataclass
class ReviewView:
    """A review shown with a task: the review, its source and the company's reply."""

    review: Review
    source: str
    reply: CompanyReply | None


@dataclass
class TaskDetail:
    """Everything `tasks show` prints about one task."""

    listing: TaskListing
    reviews: list[ReviewView]
    other_reviews: list[ReviewView]
    events: list[TaskEvent]
    follow_ups: list[TaskFollowUp]
    calendar: BusinessCalendar


def task_detail(*, session: Session, task_id: int, now: datetime) -> TaskDetail:
    """A task with its reviews, the company's replies, the reviewer's other reviews, follow-ups and events."""
    task = session.get(OutreachTask, task_id)
    if task is None:
        raise NotFound(f"no task {task_id} (see `monitor tasks list`)")
    company = session.get(Company, task.company_id)
    source = session.get(SourceRow, task.source_id)
    assert company is not None and source is not None
    linked = [
        ReviewView(review, src.name, reply)
        for _link, review, src, reply in session.exec(
            select(TaskReview, Review, SourceRow, CompanyReply)
            .join(Review, col(TaskReview.review_id) == Review.id)
            .join(SourceRow, col(Review.source_id) == SourceRow.id)
            .outerjoin(CompanyReply, col(CompanyReply.review_id) == Review.id)
            .where(TaskReview.task_id == task_id)
            .order_by(col(Review.published_at).desc().nulls_last(), col(Review.id))
        ).all()
    ]
    events = list(session.exec(select(TaskEvent).where(TaskEvent.task_id == task_id).order_by(col(TaskEvent.id))).all())
    follow_ups = list(
        session.exec(
            select(TaskFollowUp).where(TaskFollowUp.task_id == task_id).order_by(col(TaskFollowUp.due_at))
        ).all()
    )
    calendar = calendar_for(company)
    listing = TaskListing(
        task, company.name, source.name, [v.review.id or 0 for v in linked], deadline_state(task.due_at, now, calendar)
    )
    others = _other_reviews(session, task, {v.review.id for v in linked})
    return TaskDetail(listing, linked, others, events, follow_ups, calendar)


def _other_reviews(session: Session, task: OutreachTask, linked: set[int | None], limit: int = 20) -> list[ReviewView]:
    """The reviewer's reviews that are not part of the task (happy ones, old ones), matched by the same identity."""
    query = (
        select(Review, SourceRow, CompanyReply)
        .join(SourceRow, col(Review.source_id) == SourceRow.id)
        .outerjoin(CompanyReply, col(CompanyReply.review_id) == Review.id)
        .where(SourceRow.company_id == task.company_id)
    )
    if task.reviewer_key.startswith(("handle:", "url:")) and task.reviewer_handle:
        query = query.where(Review.author_handle == task.reviewer_handle)
    elif task.reviewer_key.startswith("name:") and task.reviewer_name:
        query = query.where(Review.source_id == task.source_id, Review.author_name == task.reviewer_name)
    else:
        return []
    found = []
    for review, src, reply in session.exec(query.order_by(col(Review.published_at).desc()).limit(200)).all():
        if review.id in linked:
            continue
        key = reviewer_key(review, src, site_has_handles=task.reviewer_key.startswith(("handle:", "url:")))
        if key == task.reviewer_key:
            found.append(ReviewView(review, src.name, reply))
    return found[:limit]
