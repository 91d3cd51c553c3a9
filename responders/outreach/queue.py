"""The outreach queue: turns unhappy reviews without a personal response into one task per reviewer.

Reviewer identity (who is "the same reviewer"), per company:
- with a site handle (profile id or URL): the normalised handle within the site's namespace. A dedicated adapter's
  namespace is its kind (two Trustpilot pages share consumer ids); a generic adapter (jsonld, css, feed, file) is its
  own namespace, unless a file import names the site it was exported from. A handle that is a profile URL is its own
  namespace, so the same profile URL links across sources.
- without a handle, on a site that gives no handles at all: the case-folded display name within that one source.
  Anonymous placeholders ("Anonymous", "A Google user", ...) never link.
- without a handle on a site that does give handles (an unusual, anonymous review): that review alone.
Display names never link across sources: common names collide.

Priority (0..100, documented in `compute_priority`) and deadlines (`responders.outreach.deadlines`) are set when a
task is created and refreshed whenever a review is linked or the task is reopened.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from monitor.core.errors import NotFound
from monitor.core.settings import Settings
from monitor.store.models import Company, CompanyReply, Review, ReviewRevision, SourceRow
from monitor.store.task_models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    OutreachTask,
    TaskEvent,
    TaskFollowUp,
    TaskReview,
)
from responders.outreach.deadlines import (
    DUE_SOON_BUSINESS_HOURS,
    BusinessCalendar,
    add_business_hours,
    deadline_state,
    first_contact_due,
)

__all__ = [
    "CLOSING_THE_LOOP_DAYS",
    "QueueUpdate",
    "ReviewView",
    "TaskDetail",
    "TaskListing",
    "calendar_for",
    "compute_priority",
    "count_backfill_skipped",
    "has_personal_response",
    "is_old_backfill",
    "list_tasks",
    "normalise_handle",
    "reviewer_key",
    "task_detail",
    "update_queue",
]

CLOSING_THE_LOOP_DAYS = 90
_CHUNK = 500
_GENERIC_KINDS = frozenset({"jsonld", "css", "feed", "file"})
_ANONYMOUS = frozenset(
    {
        "",
        "anonymous",
        "anon",
        "a google user",
        "google user",
        "guest",
        "user",
        "customer",
        "reviewer",
        "unknown",
        "n/a",
        "-",
    }
)
# "followup": the reviewer wrote again in the site's thread; like an edit, it needs an answer.
_EDIT_CHANGES = frozenset({"text", "title", "rating", "followup"})


@dataclass
class QueueUpdate:
    """What one queue update did."""

    created: int = 0
    linked: int = 0
    reopened: int = 0
    skipped_backfill: int = 0
    rating_changes: int = 0
    task_ids: list[int] = field(default_factory=list)  # tasks created, linked to or reopened


# ----- identity -------------------------------------------------------------------------------------------------


def normalise_handle(handle: str) -> str:
    """A handle or profile URL in one canonical spelling: case, scheme, `www.`, query and trailing slash dropped."""
    value = handle.strip().lower()
    value = re.sub(r"^[a-z][a-z0-9+.-]*://", "", value)
    value = value.removeprefix("www.")
    value = value.split("#", 1)[0].split("?", 1)[0]
    return value.rstrip("/")


def _namespace(source: SourceRow) -> str:
    if source.kind not in _GENERIC_KINDS:
        return source.kind
    site = str(source.options.get("format", "")) if source.kind == "file" else ""
    if site and site not in ("auto", "generic"):
        return site
    return f"source{source.id}"


def reviewer_key(review: Review, source: SourceRow, *, site_has_handles: bool) -> str:
    """Who wrote `review`, as a key two reviews share only when they are clearly by the same person."""
    if review.author_handle and review.author_handle.strip():
        handle = normalise_handle(review.author_handle)
        if "/" in handle and "." in handle.split("/", 1)[0]:
            return f"url:{handle}"  # a profile URL names its site itself
        return f"handle:{_namespace(source)}:{handle}"
    name = " ".join((review.author_name or "").split()).casefold()
    if not site_has_handles and name not in _ANONYMOUS:
        return f"name:source{source.id}:{name}"
    return f"review:{review.id}"


# ----- which reviews need outreach ------------------------------------------------------------------------------


def _complaint_time(review: Review) -> datetime:
    times = [t for t in (review.published_at, review.updated_at, review.reviewer_followup_at) if t is not None]
    return max(times) if times else review.first_seen


def _earlier(a: datetime, b: datetime) -> bool:
    """`a` before `b`; a value at exactly midnight UTC is a date without a time, so only dates are compared."""
    if _date_only(a) or _date_only(b):
        return a.date() < b.date()
    return a < b


def _date_only(moment: datetime) -> bool:
    return (moment.hour, moment.minute, moment.second, moment.microsecond) == (0, 0, 0, 0)


def has_personal_response(review: Review, reply: CompanyReply | None, revisions: Sequence[ReviewRevision] = ()) -> bool:
    """Did the company already answer this complaint personally (not with a template, not before the complaint)?

    A reply is older than the complaint when it was published before the review's published/updated time, or when
    the reply was already on the site and a later crawl saw the review's text or rating change. A private reply
    the site reports counts as personal unless it predates the complaint.
    """
    complaint = _complaint_time(review)
    if reply is not None:
        if reply.template_id:
            return False
        replied = reply.published_at or reply.first_seen
        if _earlier(replied, complaint):
            return False
        for rev in revisions:
            edited = bool(_EDIT_CHANGES & set(rev.changes.split(",")))
            if edited and "reply" not in rev.changes.split(",") and rev.observed_at > reply.first_seen:
                return False
        return True
    if review.private_reply:
        return review.private_reply_at is None or not _earlier(review.private_reply_at, complaint)
    return False


def is_old_backfill(review: Review, window_days: int) -> bool:
    """A review first seen in a backfill that was already older than the window then (or has no date)."""
    if not review.seen_in_backfill:
        return False
    if review.published_at is None:
        return True  # an undated review from a history walk: most are old, and it cannot be shown to be recent
    return review.published_at < review.first_seen - timedelta(days=window_days)


def count_backfill_skipped(*, session: Session, company_id: int, window_days: int) -> int:
    """How many unhappy reviews of a company were left out of the queue because they came from an old backfill."""
    rows = session.exec(
        select(Review.published_at, Review.first_seen)
        .join(SourceRow, col(Review.source_id) == SourceRow.id)
        .where(SourceRow.company_id == company_id, col(Review.unhappy).is_(True), col(Review.seen_in_backfill))
    ).all()
    window = timedelta(days=window_days)
    return sum(1 for published, first in rows if published is None or published < first - window)


# ----- priority -------------------------------------------------------------------------------------------------


def compute_priority(
    *,
    severity: float | None,
    rating: float | None,
    rating_scale: int | None,
    complaint_at: datetime,
    now: datetime,
    helpful_votes: int,
    template_reply: bool,
    review_count: int,
    flags: Iterable[str],
) -> tuple[int, str]:
    """Priority 0..100 and its label.

    severity 0..1 (from the negativity stage; from the rating when missing) × 40
    + recency: 15 for a complaint from today, falling linearly to 0 at 30 days
    + reach: 10 × log10(1 + helpful votes) / 2, capped at 10 (100 votes = full)
    + 10 when the company answered with a template
    + 5 per further complaint by the same reviewer, capped at 10
    + 20 for a legal flag, 10 for an abuse flag; the sum is capped at 100.
    Labels: urgent ≥ 70 or any legal flag, high ≥ 50, normal ≥ 25, low below.
    """
    flag_set = {f.strip() for f in flags if f.strip()}
    age_days = max(0.0, (now - complaint_at).total_seconds() / 86400)
    score = 40 * _severity(severity, rating, rating_scale)
    score += 15 * max(0.0, 1 - age_days / 30)
    score += min(10.0, 10 * math.log10(1 + max(0, helpful_votes)) / 2)
    score += 10 if template_reply else 0
    score += min(10, 5 * max(0, review_count - 1))
    score += (20 if "legal" in flag_set else 0) + (10 if "abuse" in flag_set else 0)
    value = max(0, min(100, round(score)))
    if value >= 70 or "legal" in flag_set:
        label = "urgent"
    elif value >= 50:
        label = "high"
    elif value >= 25:
        label = "normal"
    else:
        label = "low"
    return value, label


def _severity(severity: float | None, rating: float | None, scale: int | None) -> float:
    if severity is not None:
        return max(0.0, min(1.0, severity))
    if rating is not None:
        top = scale or 5
        return max(0.0, min(1.0, 1 - (rating - 1) / max(1, top - 1)))
    return 0.5


def _task_priority(reviews: Sequence[tuple[Review, CompanyReply | None]], now: datetime) -> tuple[int, str, bool]:
    flags = {f for r, _ in reviews for f in r.flags.split(",")}
    template = any(rep is not None and rep.template_id for _, rep in reviews)
    worst = max(reviews, key=lambda pair: _severity(pair[0].severity, pair[0].rating, pair[0].rating_scale))[0]
    score, label = compute_priority(
        severity=worst.severity,
        rating=worst.rating,
        rating_scale=worst.rating_scale,
        complaint_at=max(_complaint_time(r) for r, _ in reviews),
        now=now,
        helpful_votes=max((r.helpful_votes or 0) for r, _ in reviews),
        template_reply=template,
        review_count=len(reviews),
        flags=flags,
    )
    return score, label, template


def calendar_for(company: Company) -> BusinessCalendar:
    """The business calendar of a company row."""
    return BusinessCalendar.from_company(company.timezone, company.settings)


# ----- the update -----------------------------------------------------------------------------------------------


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


def update_queue(*, session: Session, settings: Settings, review_ids: Sequence[int], now: datetime) -> QueueUpdate:
    """Create, link or reopen tasks for the given new or changed reviews; calling it again changes nothing."""
    result = QueueUpdate()
    ids = sorted(set(review_ids))
    has_handles: dict[int, bool] = {}
    companies: dict[int, Company] = {}
    reported: set[int] = set()
    for start in range(0, len(ids), _CHUNK):
        chunk = _load_chunk(session, ids[start : start + _CHUNK], companies)
        changed = _follow_linked_reviews(session, chunk, now, result)
        linked, created = _queue_new_reviews(session, settings, chunk, now, result, has_handles)
        _refresh_priorities(session, changed | linked, now)  # new tasks got theirs when they were built
        for task_id in sorted((changed | linked | created) - reported):
            result.task_ids.append(task_id)
            reported.add(task_id)
    session.flush()
    return result


def _load_chunk(session: Session, ids: list[int], companies: dict[int, Company]) -> _Chunk:
    rows: list[tuple[Review, SourceRow, CompanyReply | None]] = [
        (review, source, reply)
        for review, source, reply in session.exec(
            select(Review, SourceRow, CompanyReply)
            .join(SourceRow, col(Review.source_id) == SourceRow.id)
            .outerjoin(CompanyReply, col(CompanyReply.review_id) == Review.id)
            .where(col(Review.id).in_(ids))
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


def _event(task_id: int, kind: str, now: datetime, note: str = "", **data: Any) -> TaskEvent:
    return TaskEvent(task_id=task_id, at=now, actor="system", kind=kind, note=note, data=data)


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
            if not changes & _EDIT_CHANGES:
                continue
            before = history[index - 1].rating if index > 0 else None
            if _record_edit(session, task, review, rev, before, now, result):
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
    session: Session,
    task: OutreachTask,
    review: Review,
    rev: ReviewRevision,
    before: float | None,
    now: datetime,
    result: QueueUpdate,
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
        session.add(_event(task.id or 0, "rating_changed", now, note, **data))
        return True
    if "followup" in rev.changes.split(","):
        note = "the reviewer wrote again in the site's thread: answer them"
    else:
        note = "the reviewer edited the review"
    session.add(_event(task.id or 0, "review_edited", now, note, **data))
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
    session.add(_event(task.id or 0, "reopened", now, f"the reviewer {what}", review_id=review.id, reason=reason))
    if task.owner:
        session.add(
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
    for review, source, reply in chunk.rows:
        if review.id in chunk.links or review.unhappy is not True:
            continue
        if is_old_backfill(review, settings.backfill_window_days):
            result.skipped_backfill += 1
            continue
        history = chunk.revisions[review.id or 0]
        if has_personal_response(review, reply, history):
            continue
        if not review.author_handle and source.id not in has_handles:
            has_handles[source.id or 0] = _source_has_handles(session, source.id or 0)
        key = reviewer_key(review, source, site_has_handles=has_handles.get(source.id or 0, True))
        last = max((rev.id or 0 for rev in history), default=0)
        groups[(source.company_id, key)].append(_Candidate(review, source, reply, last))
    if not groups:
        return set(), set()
    existing = _existing_tasks(session, list(groups))
    touched: set[int] = set()
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
        session.add(
            TaskReview(
                task_id=task.id or 0,
                review_id=cand.review.id or 0,
                linked_at=now,
                last_revision_id=cand.last_revision_id,
            )
        )
        session.add(
            _event(task.id or 0, "review_linked", now, "another review by this reviewer", review_id=cand.review.id)
        )
        result.linked += 1
    newest = max(candidates, key=lambda c: c.review.first_seen)
    if task.status in CLOSED_STATUSES:
        _reopen(session, task, newest.review, newest.review.first_seen, "new_review", now, chunk, result)
    elif task.owner:
        task.needs_attention = True
        session.add(
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
    score, label, template = _task_priority([(c.review, c.reply) for c in candidates], now)
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
        "complaint_at": max(_complaint_time(c.review) for c in candidates),
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
    """Recompute priority and the template flag of tasks whose reviews changed."""
    if not task_ids:
        return
    session.flush()
    by_task: dict[int, list[tuple[Review, CompanyReply | None]]] = defaultdict(list)
    for link, review, reply in session.exec(
        select(TaskReview, Review, CompanyReply)
        .join(Review, col(TaskReview.review_id) == Review.id)
        .outerjoin(CompanyReply, col(CompanyReply.review_id) == Review.id)
        .where(col(TaskReview.task_id).in_(task_ids))
    ).all():
        by_task[link.task_id].append((review, reply))
    for task in session.exec(select(OutreachTask).where(col(OutreachTask.id).in_(task_ids))).all():
        pairs = by_task.get(task.id or 0)
        if not pairs:
            continue
        task.priority, task.priority_label, task.template_reply = _task_priority(pairs, now)
        session.add(task)


# ----- reading the queue ----------------------------------------------------------------------------------------


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
