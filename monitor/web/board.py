"""The task board's query: views, filters and keyset paging that stays fast however many tasks there are.

A page never uses OFFSET: the cursor is the sort key of the last row shown, and the next page starts right after
it with an index range scan (`ix_task_board_due`, `ix_task_board_priority`). Tasks without a due time (waiting for
the customer, contacted with nothing promised) sort after those with one, so each order is read in two phases:
rows with a due time by (due_at, id), then rows without one by id.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, exists, false, or_, tuple_
from sqlmodel import Session, col, select

from monitor.store.models import Company, Review, SourceRow
from monitor.store.task_models import CLOSED_STATUSES, OPEN_STATUSES, OutreachTask, TaskReview
from responders.outreach.deadlines import DUE_SOON_BUSINESS_HOURS, add_business_hours, calendar_for

__all__ = [
    "FLAGS",
    "PRIORITY_LABELS",
    "SORTS",
    "STATUSES",
    "VIEWS",
    "BoardFilters",
    "BoardPage",
    "BoardRow",
    "board_page",
    "decode_cursor",
    "encode_cursor",
]

VIEWS = ("all", "mine", "unclaimed", "due_today", "overdue", "breached")
SORTS = ("deadline", "priority")
STATUSES = ("open", "closed", "all")
PRIORITY_LABELS = ("urgent", "high", "normal", "low")
FLAGS = ("legal", "regulator", "fraud", "abuse")
MAX_PAGE = 200
_STATUS_SETS = {"open": OPEN_STATUSES, "closed": CLOSED_STATUSES, "all": OPEN_STATUSES + CLOSED_STATUSES}
_EXCERPT = 280


@dataclass(frozen=True)
class BoardFilters:
    """What the board shows: one view, any filters, one sort order."""

    view: str = "all"
    status: str = "open"
    company: str | None = None
    source: str | None = None
    priority: str | None = None
    language: str | None = None
    flag: str | None = None
    template: bool | None = None  # True: only tasks whose reviewer got a template reply
    rating: int | None = None  # only tasks with a review rated at most this
    q: str | None = None  # words in the reviewer's name or a review
    sort: str = "deadline"

    def __post_init__(self) -> None:
        for name, value, allowed in (
            ("view", self.view, VIEWS),
            ("status", self.status, STATUSES),
            ("sort", self.sort, SORTS),
            ("priority", self.priority, (None, *PRIORITY_LABELS)),
            ("flag", self.flag, (None, *FLAGS)),
        ):
            if value not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(a for a in allowed if a)}, not {value!r}")

    def without_empty(self) -> BoardFilters:
        """The same filters with blank text fields treated as absent."""

        def present(value: str | None) -> str | None:
            return value if value and value.strip() else None

        return replace(
            self,
            company=present(self.company),
            source=present(self.source),
            language=present(self.language),
            q=present(self.q),
        )


@dataclass
class BoardRow:
    """One task on the board, with its newest review and its company's clock."""

    task: OutreachTask
    company: str
    timezone: str
    source: str
    due_state: str | None
    review_count: int
    rating: float | None = None
    rating_scale: int | None = None
    title: str | None = None
    excerpt: str = ""
    language: str | None = None
    flags: list[str] = field(default_factory=list)
    breached: bool = False

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
            "first_contact_breached": self.breached,
            "reviewer": t.reviewer_name,
            "reviewer_handle": t.reviewer_handle,
            "company": self.company,
            "timezone": self.timezone,
            "source": self.source,
            "review_count": self.review_count,
            "rating": self.rating,
            "rating_scale": self.rating_scale,
            "language": self.language,
            "flags": self.flags,
            "title": self.title,
            "excerpt": self.excerpt,
            "template_reply": t.template_reply,
            "owner": t.owner,
            "needs_attention": t.needs_attention,
            "outcome": t.outcome,
        }


@dataclass
class BoardPage:
    """One page of the board and the cursor of the next one (None on the last page)."""

    rows: list[BoardRow]
    next_cursor: str | None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def encode_cursor(sort: str, task: OutreachTask) -> str:
    """The opaque cursor that continues after `task` in `sort` order."""
    key = [sort, task.priority, _iso(task.due_at), task.id]
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def decode_cursor(text: str, sort: str) -> tuple[int, datetime | None, int]:
    """(priority, due_at, id) from a cursor made for `sort`; ValueError for anything else."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        kind, priority, due, task_id = json.loads(raw)
        moment = datetime.fromisoformat(due) if due is not None else None
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise ValueError("the page cursor is not valid; start from the first page") from None
    if kind != sort or type(priority) is not int or type(task_id) is not int:
        raise ValueError("the page cursor belongs to another sort order; start from the first page")
    if moment is not None and moment.tzinfo is None:
        raise ValueError("the page cursor is not valid; start from the first page")
    return priority, moment, task_id


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _review_exists(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    """True for tasks with a linked review meeting every condition."""
    return exists(
        select(TaskReview.id)
        .join(Review, col(TaskReview.review_id) == Review.id)
        .where(col(TaskReview.task_id) == col(OutreachTask.id), *conditions)
    )


def _tasks_of_reviews(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    """True for tasks linked to a review meeting every condition, found from the reviews' side.

    For rare matches (a flag, words searched for) the database finds the few reviews by index and then their
    tasks, instead of checking every task of the queue in board order as `_review_exists` makes it do.
    """
    linked = select(TaskReview.task_id).join(Review, col(TaskReview.review_id) == Review.id).where(*conditions)
    return col(OutreachTask.id).in_(linked)


def _end_of_local_day(now: datetime, timezone: str) -> datetime:
    local = now.astimezone(ZoneInfo(timezone))
    return (local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)).astimezone(now.tzinfo)


def _breached(now: datetime) -> ColumnElement[bool]:
    """First contact came late, or has not come and is late now."""
    contacted = col(OutreachTask.first_contacted_at)
    return or_(
        and_(contacted.is_(None), col(OutreachTask.first_contact_due) <= now),
        contacted > col(OutreachTask.first_contact_due),
    )


def _conditions(
    f: BoardFilters, me: str, now: datetime, companies: dict[int, Company], session: Session
) -> list[ColumnElement[bool]]:
    due = col(OutreachTask.due_at)
    where: list[ColumnElement[bool]] = [col(OutreachTask.status).in_(_STATUS_SETS[f.status])]
    if f.view == "mine":
        where.append(col(OutreachTask.owner) == me)
    elif f.view == "unclaimed":
        where.append(col(OutreachTask.status) == "new")
    elif f.view == "overdue":
        where.append(due <= now)
    elif f.view == "breached":
        where.append(_breached(now))
    elif f.view == "due_today":
        ends = [
            and_(col(OutreachTask.company_id) == cid, due < _end_of_local_day(now, c.timezone or "UTC"))
            for cid, c in companies.items()
        ]
        where += [due > now, or_(*ends) if ends else false()]
    if f.company:
        where.append(col(OutreachTask.company_id).in_([cid for cid, c in companies.items() if c.name == f.company]))
    if f.source:
        ids = session.exec(select(SourceRow.id).where(SourceRow.name == f.source)).all()
        where.append(col(OutreachTask.source_id).in_(list(ids)))
    if f.priority:
        where.append(col(OutreachTask.priority_label) == f.priority)
    if f.template is not None:
        where.append(col(OutreachTask.template_reply).is_(f.template))
    if f.language:
        where.append(_review_exists(col(Review.language) == f.language.strip().lower()))
    if f.flag:
        # `flags <> ''` matches the partial index of flagged reviews, a few in a hundred.
        where.append(_tasks_of_reviews(col(Review.flags) != "", col(Review.flags).like(_like(f.flag))))
    if f.rating is not None:
        where.append(_review_exists(col(Review.rating) <= f.rating))
    if f.q:
        pattern = _like(f.q.strip())
        where.append(
            or_(
                col(OutreachTask.reviewer_name).ilike(pattern, escape="\\"),
                col(OutreachTask.reviewer_handle).ilike(pattern, escape="\\"),
                _tasks_of_reviews(
                    or_(col(Review.body).ilike(pattern, escape="\\"), col(Review.title).ilike(pattern, escape="\\"))
                ),
            )
        )
    return where


def _deadline_order(
    session: Session, where: list[ColumnElement[bool]], cursor: tuple[int, datetime | None, int] | None, limit: int
) -> list[OutreachTask]:
    due, tid = col(OutreachTask.due_at), col(OutreachTask.id)
    rows: list[OutreachTask] = []
    if cursor is None or cursor[1] is not None:
        dated = select(OutreachTask).where(*where, due.is_not(None))
        if cursor is not None:
            dated = dated.where(tuple_(due, tid) > tuple_(cursor[1], cursor[2]))
        rows += session.exec(dated.order_by(due, tid).limit(limit)).all()
    if len(rows) < limit:
        undated = select(OutreachTask).where(*where, due.is_(None))
        if cursor is not None and cursor[1] is None:
            undated = undated.where(tid > cursor[2])
        rows += session.exec(undated.order_by(tid).limit(limit - len(rows))).all()
    return rows


def _priority_order(
    session: Session, where: list[ColumnElement[bool]], cursor: tuple[int, datetime | None, int] | None, limit: int
) -> list[OutreachTask]:
    priority = col(OutreachTask.priority)
    rows: list[OutreachTask] = []
    if cursor is not None:
        # The rest of the cursor's priority band, in deadline order; then the lower bands.
        rows = _deadline_order(session, [*where, priority == cursor[0]], cursor, limit)
        where = [*where, priority < cursor[0]]
    if len(rows) < limit:
        rest = select(OutreachTask).where(*where)
        order = (priority.desc(), col(OutreachTask.due_at).asc().nulls_last(), col(OutreachTask.id))
        rows += session.exec(rest.order_by(*order).limit(limit - len(rows))).all()
    return rows


def board_page(
    *,
    session: Session,
    filters: BoardFilters,
    me: str,
    now: datetime,
    cursor: str | None = None,
    limit: int = 50,
) -> BoardPage:
    """One page of tasks matching `filters`, in deadline or priority order, starting after `cursor`."""
    f = filters.without_empty()
    limit = max(1, min(limit, MAX_PAGE))
    key = decode_cursor(cursor, f.sort) if cursor else None
    companies = {c.id or 0: c for c in session.exec(select(Company)).all()}
    where = _conditions(f, me, now, companies, session)
    order = _deadline_order if f.sort == "deadline" else _priority_order
    tasks = order(session, where, key, limit + 1)
    more = len(tasks) > limit
    tasks = tasks[:limit]
    rows = _rows(session, tasks, companies, now)
    return BoardPage(rows, encode_cursor(f.sort, tasks[-1]) if more and tasks else None)


def _rows(session: Session, tasks: list[OutreachTask], companies: dict[int, Company], now: datetime) -> list[BoardRow]:
    if not tasks:
        return []
    ids = [t.id for t in tasks]
    sources: dict[int | None, str] = dict(
        session.exec(
            select(SourceRow.id, SourceRow.name).where(col(SourceRow.id).in_({t.source_id for t in tasks}))
        ).all()
    )
    reviews: dict[int, list[Review]] = defaultdict(list)
    for task_id, review in session.exec(
        select(TaskReview.task_id, Review)
        .join(Review, col(TaskReview.review_id) == Review.id)
        .where(col(TaskReview.task_id).in_(ids))
        .order_by(col(Review.published_at).desc().nulls_last(), col(Review.id).desc())
    ).all():
        reviews[task_id].append(review)
    soon = {
        cid: add_business_hours(now, DUE_SOON_BUSINESS_HOURS, calendar_for(c))
        for cid, c in companies.items()
        if cid in {t.company_id for t in tasks}
    }
    rows = []
    for task in tasks:
        company = companies[task.company_id]
        linked = reviews.get(task.id or 0, [])
        newest = linked[0] if linked else None
        if task.due_at is None:
            state = None
        elif task.due_at <= now:
            state = "breached"
        else:
            state = "due_soon" if task.due_at <= soon[task.company_id] else "ok"
        late = task.first_contacted_at is None and task.first_contact_due <= now
        late = late or (task.first_contacted_at is not None and task.first_contacted_at > task.first_contact_due)
        body = " ".join((newest.body if newest else "").split())
        rows.append(
            BoardRow(
                task=task,
                company=company.name,
                timezone=company.timezone or "UTC",
                source=sources.get(task.source_id, "?"),
                due_state=state,
                review_count=len(linked),
                rating=newest.rating if newest else None,
                rating_scale=newest.rating_scale if newest else None,
                title=newest.title if newest else None,
                excerpt=body if len(body) <= _EXCERPT else body[: _EXCERPT - 1] + "…",
                language=newest.language if newest else None,
                flags=sorted({flag for r in linked for flag in r.flags.split(",") if flag}),
                breached=late,
            )
        )
    return rows
