"""Which unhappy reviews need outreach: personal responses, old backfill and the moment of the complaint."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from sqlmodel import Session, col, select

from monitor.store.models import CompanyReply, Review, ReviewRevision, SourceRow

__all__ = [
    "EDIT_CHANGES",
    "ComplaintTimes",
    "complaint_time",
    "count_backfill_skipped",
    "has_personal_response",
    "is_old_backfill",
]

# "followup": the reviewer wrote again in the site's thread; like an edit, it needs an answer.
EDIT_CHANGES = frozenset({"text", "title", "rating", "followup"})


class ComplaintTimes(Protocol):
    """The times of a review that say when its reviewer last complained (a `Review`, or a row of its columns)."""

    @property
    def published_at(self) -> datetime | None: ...
    @property
    def updated_at(self) -> datetime | None: ...
    @property
    def reviewer_followup_at(self) -> datetime | None: ...
    @property
    def first_seen(self) -> datetime: ...


def complaint_time(review: ComplaintTimes) -> datetime:
    """When the reviewer last complained: the latest of publication, edit and thread follow-up (else first seen)."""
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
    complaint = complaint_time(review)
    if reply is not None:
        if reply.template_id:
            return False
        replied = reply.published_at or reply.first_seen
        if _earlier(replied, complaint):
            return False
        for rev in revisions:
            edited = bool(EDIT_CHANGES & set(rev.changes.split(",")))
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
