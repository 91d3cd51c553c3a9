"""The outreach queue's write path: turns unhappy reviews without a personal response into one task per reviewer.

New reviews are linked to their reviewer's task (see `responders.outreach.identity`) or get a new one; edits of
linked reviews record rating changes and reopen closed tasks. Priority (`responders.outreach.priority`) and deadlines
(`responders.outreach.deadlines`) are set when a task is created and refreshed whenever a review is linked or the
task is reopened.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, or_
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from monitor.core.settings import Settings
from monitor.store.bulk import update_by_id
from monitor.store.models import Company, CompanyReply, Review, ReviewRevision, SourceRow
from monitor.store.task_models import CLOSED_STATUSES, OutreachTask, TaskEvent, TaskReview
from responders.outreach.deadlines import calendar_for, first_contact_due
from responders.outreach.eligibility import EDIT_CHANGES, complaint_time, has_personal_response, is_old_backfill
from responders.outreach.identity import reviewer_key
from responders.outreach.priority import PriorityFacts, task_priority
from responders.outreach.twins import find_twins, link_twin

__all__ = [
    "CLOSING_THE_LOOP_DAYS",
    "QueueUpdate",
    "queue_candidates",
    "rebuild_queue",
    "refresh_priorities",
    "update_queue",
]

CLOSING_THE_LOOP_DAYS = 90
_CHUNK = 500  # reviews per batch: bounds memory and keeps IN (...) lists below bind-parameter limits


@dataclass
class QueueUpdate:
    """What one queue update did."""

    created: int = 0
    linked: int = 0
    reopened: int = 0
    skipped_backfill: int = 0
    rating_changes: int = 0
    task_ids: list[int] = field(default_factory=list)  # tasks created, linked to or reopened

    def add(self, other: QueueUpdate) -> None:
        """Add the counts of `other` (a later chunk of the same run) to these; task ids are not gathered."""
        self.created += other.created
        self.linked += other.linked
        self.reopened += other.reopened
        self.skipped_backfill += other.skipped_backfill
        self.rating_changes += other.rating_changes


@dataclass
class _Candidate:
    review: Review
    source: SourceRow
    reply: CompanyReply | None
    last_revision_id: int


@dataclass
class _Chunk:
    """Everything one batch of reviews needs, loaded with a handful of queries."""

    rows: list[tuple[Review, SourceRow, CompanyReply | None]]
    links: dict[int, TaskReview]
    revisions: dict[int, list[ReviewRevision]]
    companies: dict[int, Company]
    # Rows to insert in bulk once the chunk is worked (task events in the order they happened, new links): one
    # statement each instead of an object per row, which cost a crawl that links many reviews most of its queue time.
    events: list[dict[str, Any]] = field(default_factory=list)
    new_links: list[dict[str, Any]] = field(default_factory=list)

    def write(self, session: Session) -> None:
        """Insert the events and links gathered so far."""
        if self.new_links:
            session.execute(insert(TaskReview), self.new_links)
        if self.events:
            session.execute(insert(TaskEvent), self.events)
        self.new_links, self.events = [], []


def update_queue(*, session: Session, settings: Settings, review_ids: Sequence[int], now: datetime) -> QueueUpdate:
    """Create, link or reopen tasks for the given new or changed reviews; calling it again changes nothing."""
    result = QueueUpdate()
    ids = sorted(set(review_ids))
    has_handles: dict[int, bool] = {}
    companies: dict[int, Company] = {}
    reported: set[int] = set()
    for start in range(0, len(ids), _CHUNK):
        acting = _actionable(session, ids[start : start + _CHUNK])
        if not acting:
            continue
        chunk = _load_chunk(session, acting, companies)
        changed = _follow_linked_reviews(session, chunk, now, result)
        linked, created = _queue_new_reviews(session, settings, chunk, now, result, has_handles)
        chunk.write(session)
        _refresh_priorities(session, changed | linked, now)  # new tasks got theirs when they were built
        for task_id in sorted((changed | linked | created) - reported):
            result.task_ids.append(task_id)
            reported.add(task_id)
    session.flush()
    return result


def _actionable(session: Session, ids: list[int]) -> list[int]:
    """The reviews among `ids` the queue can act on: unhappy ones, and those already in a task.

    A happy review outside every task changes nothing here; most of an imported history is such reviews, and
    loading each with its reply and revisions would cost more than the rest of the queue's work.
    """
    in_task = select(TaskReview.review_id).where(col(TaskReview.review_id).in_(ids))
    found = session.exec(
        select(Review.id).where(
            col(Review.id).in_(ids), or_(col(Review.unhappy).is_(True), col(Review.id).in_(in_task))
        )
    ).all()
    return sorted(review_id for review_id in found if review_id is not None)


def _load_chunk(session: Session, ids: list[int], companies: dict[int, Company]) -> _Chunk:
    rows: list[tuple[Review, SourceRow, CompanyReply | None]] = [
        (review, source, reply)
        for review, source, reply in session.exec(
            select(Review, SourceRow, CompanyReply)
            .join(SourceRow, col(Review.source_id) == SourceRow.id)
            .outerjoin(CompanyReply, col(CompanyReply.review_id) == Review.id)
            .where(col(Review.id).in_(ids))
            # In review order on every database: tasks get their ids in the order their reviews were stored.
            .order_by(col(Review.id))
        ).all()
    ]
    links = {
        link.review_id: link
        for link in session.exec(select(TaskReview).where(col(TaskReview.review_id).in_(ids))).all()
    }
    revisions: dict[int, list[ReviewRevision]] = defaultdict(list)
    for rev in session.exec(
        select(ReviewRevision)
        .where(col(ReviewRevision.review_id).in_(ids))
        .order_by(col(ReviewRevision.review_id), col(ReviewRevision.id))
    ).all():
        revisions[rev.review_id].append(rev)
    missing = {source.company_id for _, source, _ in rows} - set(companies)
    if missing:
        for company in session.exec(select(Company).where(col(Company.id).in_(missing))).all():
            companies[company.id or 0] = company
    return _Chunk(rows=rows, links=links, revisions=revisions, companies=companies)


def _event(task_id: int, kind: str, now: datetime, note: str = "", **data: Any) -> dict[str, Any]:
    """The row of a task event the queue records."""
    return {"task_id": task_id, "at": now, "actor": "system", "kind": kind, "note": note, "data": data}


def _follow_linked_reviews(session: Session, chunk: _Chunk, now: datetime, result: QueueUpdate) -> set[int]:
    """Edits of reviews that already belong to a task: closing-the-loop rating changes, reopening closed tasks."""
    pending = [
        (review, reply, chunk.links[review.id or 0])
        for review, _source, reply in chunk.rows
        if review.id in chunk.links
        and any(rev.id and rev.id > chunk.links[review.id].last_revision_id for rev in chunk.revisions[review.id])
    ]
    if not pending:
        return set()
    task_ids = {link.task_id for _, _, link in pending}
    tasks = {t.id: t for t in session.exec(select(OutreachTask).where(col(OutreachTask.id).in_(task_ids))).all()}
    touched: set[int] = set()
    for review, reply, link in pending:
        task = tasks[link.task_id]
        history = chunk.revisions[review.id or 0]
        for index, rev in enumerate(history):
            if (rev.id or 0) <= link.last_revision_id:
                continue
            changes = set(rev.changes.split(","))
            if not changes & EDIT_CHANGES:
                continue
            before = history[index - 1].rating if index > 0 else None
            if _record_edit(task, review, rev, before, now, result, chunk.events):
                touched.add(task.id or 0)
            if task.status in CLOSED_STATUSES and review.unhappy is True:
                if not has_personal_response(review, reply, history[index:]):
                    reason = "followup" if "followup" in changes else "edited"
                    _reopen(session, task, review, rev.observed_at, reason, now, chunk, result)
                    touched.add(task.id or 0)
            elif task.status not in CLOSED_STATUSES and task.owner:
                task.needs_attention = True
        link.last_revision_id = max(rev.id or 0 for rev in history)
        session.add(link)
    return touched


def _record_edit(
    task: OutreachTask,
    review: Review,
    rev: ReviewRevision,
    before: float | None,
    now: datetime,
    result: QueueUpdate,
    events: list[dict[str, Any]],
) -> bool:
    """An event for an edited review; a rating change within the closing-the-loop window also goes on the task."""
    rating_changed = "rating" in rev.changes.split(",") and before != rev.rating
    contacted = task.first_contacted_at
    in_window = contacted is not None and contacted <= rev.observed_at <= contacted + timedelta(
        days=CLOSING_THE_LOOP_DAYS
    )
    data: dict[str, Any] = {
        "review_id": review.id,
        "rating_before": before,
        "rating_after": rev.rating,
        "changes": rev.changes,
        "observed_at": rev.observed_at.isoformat(),
    }
    if rating_changed and in_window:
        if task.rating_before is None:
            task.rating_before = before
        task.rating_after = rev.rating
        task.rating_changed_at = rev.observed_at
        task.updated_at = now
        result.rating_changes += 1
        note = f"rating changed from {_fmt_rating(before)} to {_fmt_rating(rev.rating)} after contact"
        events.append(_event(task.id or 0, "rating_changed", now, note, **data))
        return True
    if "followup" in rev.changes.split(","):
        note = "the reviewer wrote again in the site's thread: answer them"
    else:
        note = "the reviewer edited the review"
    events.append(_event(task.id or 0, "review_edited", now, note, **data))
    return False


def _fmt_rating(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _reopen(
    session: Session,
    task: OutreachTask,
    review: Review,
    arrived: datetime,
    reason: str,
    now: datetime,
    chunk: _Chunk,
    result: QueueUpdate,
) -> None:
    """A closed task comes back: same owner (told through needs_attention), a fresh first-contact deadline."""
    calendar = calendar_for(chunk.companies[task.company_id])
    due = first_contact_due(arrived, calendar)
    task.status = "claimed" if task.owner else "new"
    task.claimed_at = now if task.owner else None
    task.last_activity_at = now
    task.outcome = None
    task.closed_at = None
    task.waiting_since = None
    task.reopen_count += 1
    task.complaint_at = max(task.complaint_at, arrived)
    task.first_contact_due = due
    task.due_at = due
    task.needs_attention = bool(task.owner)
    task.updated_at = now
    session.add(task)
    what = {"new_review": "posted another review", "followup": "wrote again in the site's thread"}.get(
        reason, "edited their review"
    )
    chunk.events.append(
        _event(task.id or 0, "reopened", now, f"the reviewer {what}", review_id=review.id, reason=reason)
    )
    if task.owner:
        chunk.events.append(
            _event(
                task.id or 0,
                "needs_attention",
                now,
                f"{task.owner}: this task was reopened because the reviewer {what}",
                owner=task.owner,
                review_id=review.id,
            )
        )
    result.reopened += 1


def _queue_new_reviews(
    session: Session,
    settings: Settings,
    chunk: _Chunk,
    now: datetime,
    result: QueueUpdate,
    has_handles: dict[int, bool],
) -> tuple[set[int], set[int]]:
    """Unhappy reviews not yet in the queue: skip old backfill and personal replies, then link (ids) or create (ids)."""
    groups: dict[tuple[int, str], list[_Candidate]] = defaultdict(list)
    # The same review read through another source of the same store joins its task, or shares its reviewer key.
    twins = find_twins(
        session,
        [(r, s) for r, s, _ in chunk.rows if r.id not in chunk.links and r.unhappy is True],
        has_handles,
    )
    joined: set[int] = set()
    for review, source, reply in chunk.rows:
        if review.id in chunk.links or review.unhappy is not True:
            continue
        twin = twins.get(review.id or 0)
        if twin is not None and twin.task_id is not None:
            last = max((rev.id or 0 for rev in chunk.revisions[review.id or 0]), default=0)
            link_twin(session, task_id=twin.task_id, review=review, last_revision_id=last, now=now)
            result.linked += 1
            joined.add(twin.task_id)
            continue
        if is_old_backfill(review, settings.backfill_window_days):
            result.skipped_backfill += 1
            continue
        history = chunk.revisions[review.id or 0]
        if has_personal_response(review, reply, history):
            continue
        if not review.author_handle and source.id not in has_handles:
            has_handles[source.id or 0] = _source_has_handles(session, source.id or 0)
        key = twin.key if twin is not None else None
        key = key or reviewer_key(review, source, site_has_handles=has_handles.get(source.id or 0, True))
        last = max((rev.id or 0 for rev in history), default=0)
        groups[(source.company_id, key)].append(_Candidate(review, source, reply, last))
    if not groups:
        return joined, set()
    existing = _existing_tasks(session, list(groups))
    touched: set[int] = set(joined)
    fresh: dict[tuple[int, str], list[_Candidate]] = {}
    for group_key, candidates in groups.items():
        task = existing.get(group_key)
        if task is None:
            fresh[group_key] = candidates
        else:
            _link(session, task, candidates, now, chunk, result)
            touched.add(task.id or 0)
    created, raced = _create_tasks(session, fresh, now, chunk, result)
    return touched | raced, created


def _source_has_handles(session: Session, source_id: int) -> bool:
    found = session.exec(
        select(Review.id).where(Review.source_id == source_id, col(Review.author_handle).is_not(None)).limit(1)
    ).first()
    return found is not None


def _existing_tasks(session: Session, keys: list[tuple[int, str]]) -> dict[tuple[int, str], OutreachTask]:
    company_ids = {c for c, _ in keys}
    reviewer_keys = {k for _, k in keys}
    rows = session.exec(
        select(OutreachTask).where(
            col(OutreachTask.company_id).in_(company_ids), col(OutreachTask.reviewer_key).in_(reviewer_keys)
        )
    ).all()
    return {(t.company_id, t.reviewer_key): t for t in rows}


def _link(
    session: Session,
    task: OutreachTask,
    candidates: list[_Candidate],
    now: datetime,
    chunk: _Chunk,
    result: QueueUpdate,
) -> None:
    for cand in candidates:
        chunk.new_links.append(
            {
                "task_id": task.id or 0,
                "review_id": cand.review.id or 0,
                "linked_at": now,
                "last_revision_id": cand.last_revision_id,
            }
        )
        chunk.events.append(
            _event(task.id or 0, "review_linked", now, "another review by this reviewer", review_id=cand.review.id)
        )
        result.linked += 1
    newest = max(candidates, key=lambda c: c.review.first_seen)
    if task.status in CLOSED_STATUSES:
        _reopen(session, task, newest.review, newest.review.first_seen, "new_review", now, chunk, result)
    elif task.owner:
        task.needs_attention = True
        chunk.events.append(
            _event(
                task.id or 0,
                "needs_attention",
                now,
                f"{task.owner}: the reviewer posted another review",
                owner=task.owner,
                review_id=newest.review.id,
            )
        )
    task.updated_at = now
    session.add(task)


def _new_task_row(
    group_key: tuple[int, str], candidates: list[_Candidate], now: datetime, chunk: _Chunk
) -> dict[str, Any]:
    """Column values of a new task (plain values: building model objects is the slow part of a large backfill)."""
    company_id, key = group_key
    first = min(candidates, key=lambda c: (c.review.first_seen, c.review.id or 0))
    arrived = first.review.first_seen
    due = first_contact_due(arrived, calendar_for(chunk.companies[company_id]))
    score, label, template = task_priority([(c.review, _templated(c.reply)) for c in candidates], now)
    return {
        "company_id": company_id,
        "source_id": first.source.id or 0,
        "reviewer_key": key,
        "reviewer_name": first.review.author_name,
        "reviewer_handle": first.review.author_handle,
        "status": "new",
        "owner": None,
        "priority": score,
        "priority_label": label,
        "template_reply": template,
        "complaint_at": max(complaint_time(c.review) for c in candidates),
        "first_contact_due": due,
        "due_at": due,
        "needs_attention": False,
        "reopen_count": 0,
        "created_at": now,
        "updated_at": now,
    }


def _create_tasks(
    session: Session,
    fresh: dict[tuple[int, str], list[_Candidate]],
    now: datetime,
    chunk: _Chunk,
    result: QueueUpdate,
) -> tuple[set[int], set[int]]:
    """Insert new tasks in bulk; when another worker created one meanwhile, link to theirs. Returns (new, linked)."""
    if not fresh:
        return set(), set()
    keys = list(fresh)
    try:
        with session.begin_nested():
            ids = _bulk_insert(session, keys, fresh, now, chunk)
        result.created += len(ids)
        return set(ids), set()
    except IntegrityError:
        pass
    created: set[int] = set()
    touched: set[int] = set()
    for group_key in keys:
        try:
            with session.begin_nested():
                new_ids = _bulk_insert(session, [group_key], fresh, now, chunk)
            result.created += 1
            created.update(new_ids)
        except IntegrityError:
            task = _existing_tasks(session, [group_key]).get(group_key)
            if task is None:
                raise
            _link(session, task, fresh[group_key], now, chunk, result)
            touched.add(task.id or 0)
    return created, touched


def _bulk_insert(
    session: Session,
    keys: list[tuple[int, str]],
    fresh: dict[tuple[int, str], list[_Candidate]],
    now: datetime,
    chunk: _Chunk,
) -> list[int]:
    rows = [_new_task_row(k, fresh[k], now, chunk) for k in keys]
    ids = list(
        session.scalars(insert(OutreachTask).returning(col(OutreachTask.id), sort_by_parameter_order=True), rows)
    )
    links: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for task_id, group_key in zip(ids, keys, strict=True):
        for cand in fresh[group_key]:
            links.append(
                {
                    "task_id": task_id,
                    "review_id": cand.review.id,
                    "linked_at": now,
                    "last_revision_id": cand.last_revision_id,
                }
            )
        review_ids = [c.review.id for c in fresh[group_key]]
        events.append(
            {
                "task_id": task_id,
                "at": now,
                "actor": "system",
                "kind": "created",
                "note": "unhappy reviewer without a personal response",
                "data": {"review_ids": review_ids},
            }
        )
    session.execute(insert(TaskReview), links)
    session.execute(insert(TaskEvent), events)
    return [i for i in ids if i is not None]


def refresh_priorities(*, session: Session, review_ids: Sequence[int], now: datetime) -> None:
    """Recompute the priority of the tasks these reviews belong to (their reach or reply changed)."""
    if not review_ids:
        return
    task_ids = set(
        session.exec(select(TaskReview.task_id).where(col(TaskReview.review_id).in_(list(review_ids)))).all()
    )
    _refresh_priorities(session, task_ids, now)


def _refresh_priorities(session: Session, task_ids: set[int], now: datetime) -> None:
    """Recompute priority and the template flag of tasks whose reviews changed; write only those that differ.

    Reads just the columns a priority needs: a reviewer's task can hold many reviews, and loading each as an object
    (with its JSON columns) cost a crawl more than the rest of the queue's work.
    """
    if not task_ids:
        return
    session.flush()
    ids = sorted(task_ids)
    by_task: dict[int, list[tuple[PriorityFacts, bool]]] = defaultdict(list)
    for start in range(0, len(ids), _CHUNK):
        for task_id, *facts, template_id in session.execute(
            sa_select(col(TaskReview.task_id), *_FACT_COLUMNS, col(CompanyReply.template_id))
            .join(Review, col(TaskReview.review_id) == Review.id)
            .outerjoin(CompanyReply, col(CompanyReply.review_id) == Review.id)
            .where(col(TaskReview.task_id).in_(ids[start : start + _CHUNK]))
        ).all():
            by_task[task_id].append((_Facts(*facts), bool(template_id)))
    changes: list[dict[str, Any]] = []
    for start in range(0, len(ids), _CHUNK):
        for task_id, *stored in session.exec(
            select(
                OutreachTask.id, OutreachTask.priority, OutreachTask.priority_label, OutreachTask.template_reply
            ).where(col(OutreachTask.id).in_(ids[start : start + _CHUNK]))
        ).all():
            pairs = by_task.get(task_id or 0)
            if not pairs:
                continue
            fresh = task_priority(pairs, now)
            if fresh != tuple(stored):
                priority, label, template = fresh
                changes.append(
                    {"id": task_id, "priority": priority, "priority_label": label, "template_reply": template}
                )
    update_by_id(session, OutreachTask, changes)


@dataclass(frozen=True, slots=True)
class _Facts:
    """The columns of a review that its task's priority reads (`PriorityFacts`), in `_FACT_COLUMNS` order."""

    flags: str
    rating: float | None
    rating_scale: int | None
    severity: float | None
    helpful_votes: int | None
    site_review_id: str
    body: str
    author_name: str | None
    published_at: datetime | None
    updated_at: datetime | None
    reviewer_followup_at: datetime | None
    first_seen: datetime


_FACT_COLUMNS = tuple(col(getattr(Review, name)) for name in _Facts.__dataclass_fields__)


def _templated(reply: CompanyReply | None) -> bool:
    """Whether the company answered a review with one of its templates."""
    return reply is not None and bool(reply.template_id)


def queue_candidates(
    *,
    session: Session,
    company_id: int | None = None,
    since: datetime | None = None,
    after_id: int = 0,
    limit: int = _CHUNK,
) -> list[int]:
    """Ids of stored unhappy reviews that belong to no task yet (published since `since`), in id order."""
    linked = select(TaskReview.review_id)
    query = (
        select(Review.id)
        .join(SourceRow, col(Review.source_id) == SourceRow.id)
        .where(col(Review.unhappy).is_(True), col(Review.id) > after_id, col(Review.id).not_in(linked))
    )
    if company_id is not None:
        query = query.where(SourceRow.company_id == company_id)
    if since is not None:
        query = query.where(col(Review.published_at) >= since)
    return [rid for rid in session.exec(query.order_by(col(Review.id)).limit(limit)).all() if rid is not None]


def rebuild_queue(
    *,
    session: Session,
    settings: Settings,
    now: datetime,
    company_id: int | None = None,
    since: datetime | None = None,
    commit: Callable[[], None] | None = None,
) -> QueueUpdate:
    """Look again at every unhappy review not in a task, with the settings as they are now (a larger backfill
    window, another threshold already applied to the reviews); never creates a second task for a reviewer.

    `commit` is called after each chunk, so a long rebuild holds no write lock for long.
    """
    total = QueueUpdate()
    after = 0
    while ids := queue_candidates(session=session, company_id=company_id, since=since, after_id=after):
        total.add(update_queue(session=session, settings=settings, review_ids=ids, now=now))
        after = ids[-1]
        if commit is not None:
            commit()
    return total
