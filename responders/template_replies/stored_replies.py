"""A company's stored replies as columns, the way classifying them needs them: a million replies in about a
hundred bytes each instead of an object, a datetime and a few strings each.

Replies are mostly copies of a few messages, so each distinct text, source name and template id is held once;
who a reply went to is kept as a 64-bit hash of the reviewer's key (a collision, about one in 10^7 for a million
reviewers, would only lower one template's count of recipients by one), and as a 32-bit code that is the same in
every process (`recipient_code`), which the saved index keeps for its loose replies.
"""

from __future__ import annotations

import math
import zlib
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlmodel import Session, col, select

from monitor.store.models import CompanyReply, Review, SourceRow

__all__ = ["NO_TIME", "StoredReplies", "read_replies", "recipient_code", "recipient_key"]

NO_TIME = np.iinfo(np.int64).min  # `published` of a reply whose time and whose review's time are both unknown
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_READ_CHUNK = 10_000  # replies fetched from the database at a time


def recipient_key(source_id: int, handle: str | None, name: str | None, review_id: int) -> str:
    """Who a reply went to, for counting a template's distinct recipients: the site's handle, else the
    display name on that source, else the review itself. (Looser than the outreach queue's identity, which
    must never merge two people into one task; here a rare merge only lowers a count.)"""
    if handle:
        return f"{source_id}:h:{handle}"
    if name:
        return f"{source_id}:n:{name.strip().lower()}"
    return f"r:{review_id}"


def recipient_code(key: str) -> int:
    """A 32-bit code of a `recipient_key`, the same in every process (Python's `hash` of a string is not)."""
    return zlib.crc32(key.encode("utf-8"))


@dataclass(slots=True)
class StoredReplies:
    """Replies of one company in reply order, one entry per reply in every column."""

    ids: np.ndarray  # int64 reply ids
    review_ids: np.ndarray  # int64
    texts: list[str]
    template_ids: list[str | None]
    rote_scores: np.ndarray  # float64, NaN for none
    published: np.ndarray  # int64 microseconds since 1970 of the reply (else its review), NO_TIME when unknown
    unhappy: list[bool | None]  # the review's verdict (None: not judged yet)
    unhappy_mask: np.ndarray  # bool: the review is unhappy
    recipients: np.ndarray  # int64 hash of `recipient_key`
    sources: list[str]
    codes: np.ndarray  # uint32 `recipient_code` of each reply's recipient

    def __len__(self) -> int:
        return len(self.texts)

    def score(self, row: int) -> float | None:
        """The stored rote score of one reply (None when it has none)."""
        value = float(self.rote_scores[row])
        return None if math.isnan(value) else value

    def first_and_last(self, rows: np.ndarray) -> tuple[datetime | None, datetime | None]:
        """The earliest and latest known time among `rows` (indexes), None when none is known."""
        times = self.published[rows]
        times = times[times != NO_TIME]
        if not times.size:
            return None, None
        return _moment(int(times.min())), _moment(int(times.max()))

    def recipients_of(self, rows: np.ndarray, *, unhappy_only: bool = False) -> int:
        """Distinct recipients among `rows` (indexes), or among those of them whose review is unhappy."""
        picked = self.recipients[rows[self.unhappy_mask[rows]]] if unhappy_only else self.recipients[rows]
        return int(np.unique(picked).size)


def _micros(moment: datetime | None) -> int:
    return NO_TIME if moment is None else (moment - _EPOCH) // _MICROSECOND


def _moment(micros: int) -> datetime:
    return _EPOCH + timedelta(microseconds=micros)


def read_replies(
    session: Session, company_id: int, review_ids: Sequence[int] | None = None, template_ids: Sequence[str] = ()
) -> StoredReplies:
    """The company's replies (of `review_ids`, or in `template_ids`, or all), in reply order."""
    query = (
        select(  # type: ignore[call-overload, misc]  # sqlmodel types select() for up to four columns
            CompanyReply.id,
            CompanyReply.review_id,
            CompanyReply.text,
            CompanyReply.template_id,
            CompanyReply.rote_score,
            CompanyReply.published_at,
            Review.published_at,
            Review.unhappy,
            Review.source_id,
            Review.author_handle,
            Review.author_name,
            SourceRow.name,
        )
        .join(Review, col(CompanyReply.review_id) == Review.id)
        .join(SourceRow, col(Review.source_id) == SourceRow.id)
        .where(SourceRow.company_id == company_id)
    )
    if review_ids is not None:
        query = query.where(col(Review.id).in_(list(review_ids)))
    if template_ids:
        query = query.where(col(CompanyReply.template_id).in_(sorted(template_ids)))
    ids, reviews, published, recipients, codes = array("q"), array("q"), array("q"), array("q"), array("I")
    unhappy: list[bool | None] = []
    texts: list[str] = []
    templates: list[str | None] = []
    scores = array("d")
    sources: list[str] = []
    shared: dict[str, str] = {}
    one = shared.setdefault
    rows = session.exec(query.order_by(col(CompanyReply.id)).execution_options(yield_per=_READ_CHUNK))
    for reply_id, review_id, text, template_id, score, replied, posted, sad, source_id, handle, name, source in rows:
        ids.append(reply_id)
        reviews.append(review_id)
        texts.append(one(text, text))
        templates.append(None if template_id is None else one(template_id, template_id))
        scores.append(math.nan if score is None else score)
        published.append(_micros(replied or posted))
        unhappy.append(sad)
        person = recipient_key(source_id, handle, name, review_id)
        recipients.append(hash(person))
        codes.append(recipient_code(person))
        sources.append(one(source, source))
    return StoredReplies(
        ids=np.frombuffer(ids, dtype=np.int64),
        review_ids=np.frombuffer(reviews, dtype=np.int64),
        texts=texts,
        template_ids=templates,
        rote_scores=np.frombuffer(scores, dtype=np.float64),
        published=np.frombuffer(published, dtype=np.int64),
        unhappy=unhappy,
        unhappy_mask=np.fromiter((flag is True for flag in unhappy), dtype=bool, count=len(unhappy)),
        recipients=np.frombuffer(recipients, dtype=np.int64),
        sources=sources,
        codes=np.frombuffer(codes, dtype=np.uint32),
    )
