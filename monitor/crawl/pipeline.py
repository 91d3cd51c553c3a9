"""What happens after new data is stored: the analysis stages run in one place, in a fixed order.

1. negativity: is each new or changed review's author unhappy, how badly, with legal/regulator/fraud/abuse flags;
2. templates: the company's replies are re-clustered, so each reply knows whether it is a template;
3. queue: unhappy reviewers without a personal response get (or re-open) their outreach task;
4. thank-you follow-ups for reviewers who complained about a theme the company has since fixed.
Each stage reads what the earlier ones wrote, so the order matters.

A crawl runs all stages in the transaction that stores its reviews. An import stores a large file in many
small transactions and analyses once at the end; until then its new and changed reviews are *pending*
(`unhappy` is NULL), which survives a killed import, so the next one finishes the analysis (`mark_pending`,
`classify_pending`, `analyse_pending`). `reassess` re-judges stored reviews after a threshold change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import Any

from sqlalchemy import Row, update
from sqlmodel import Session, col, func, select

from monitor.core.settings import Settings
from monitor.crawl.verdicts import JUDGE_BATCH, Judged, VerdictPrefetch, Work, judge_many
from monitor.store.bulk import update_by_id
from monitor.store.db import utcnow
from monitor.store.models import Company, Review, SourceRow
from monitor.store.repository import UpsertResult
from responders.outreach.follow_ups import apply_fixed_themes
from responders.outreach.queue import QueueUpdate, refresh_priorities, update_queue
from responders.template_replies.store import INCREMENTAL_MAX_BATCH, ClassifyResult, classify_company_replies
from sources.base import states_device_language

__all__ = [
    "AnalysisResult",
    "analyse_new_data",
    "analyse_pending",
    "assess_reviews",
    "classify_pending",
    "judge_ahead",
    "mark_pending",
    "reassess",
]

_CHUNK = 500
_PENDING_CHUNK = 1_000  # pending reviews analysed per transaction after an import


@dataclass
class AnalysisResult:
    """What the analysis stages did after one store."""

    templates: ClassifyResult | None = None
    queue: QueueUpdate | None = None


def analyse_new_data(
    *, session: Session, settings: Settings, source: SourceRow, result: UpsertResult
) -> AnalysisResult:
    """Run every analysis stage on the reviews one store call created or changed."""
    touched = result.new_ids + result.changed_ids
    if result.refreshed_ids:
        refresh_priorities(session=session, review_ids=result.refreshed_ids, now=utcnow())
    if not touched:
        return AnalysisResult()
    assess_reviews(session=session, settings=settings, source=source, review_ids=touched)
    templates = classify_company_replies(session=session, company_id=source.company_id, review_ids=touched)
    now = utcnow()
    queue = update_queue(
        session=session,
        settings=settings,
        review_ids=sorted(set(touched) | set(templates.reclassified_review_ids)),
        now=now,
    )
    apply_fixed_themes(session=session, settings=settings, now=now)
    return AnalysisResult(templates=templates, queue=queue)


def _threshold(settings: Settings, source: SourceRow, session: Session) -> float:
    for company in settings.companies:
        for src in company.sources:
            if src.name == source.name:
                return src.unhappy_threshold if src.unhappy_threshold is not None else company.unhappy_threshold
    stored = session.get(Company, source.company_id)
    value = stored.settings.get("unhappy_threshold") if stored else None
    return float(value) if isinstance(value, int | float) else 2.0


def _regulators(settings: Settings, source: SourceRow) -> tuple[str, ...]:
    """The company's own regulator names from the configuration (the shipped list always applies)."""
    for company in settings.companies:
        if any(src.name == source.name for src in company.sources):
            return company.regulators
    return ()


def assess_reviews(
    *,
    session: Session,
    settings: Settings,
    source: SourceRow,
    review_ids: Sequence[int],
    pool: Executor | None = None,
    prefetch: VerdictPrefetch | None = None,
) -> None:
    """Store the negativity verdict (unhappy, severity, flags, language) on each given review.

    `pool` (worker processes) judges the reviews in parallel; a large import spends most of its time here.
    Verdicts that `prefetch` judged ahead, while the import was storing, are taken from it instead.
    """
    for rows, work in _work_chunks(session, settings, source, review_ids):
        judged: dict[int, Judged] = {}
        if prefetch is not None:
            for row, item in zip(rows, work, strict=True):
                ahead = prefetch.take(row.id, item)
                if ahead is not None:
                    judged[row.id] = ahead
        left = [(row.id, item) for row, item in zip(rows, work, strict=True) if row.id not in judged]
        batches = [[item for _, item in left[at : at + JUDGE_BATCH]] for at in range(0, len(left), JUDGE_BATCH)]
        results = chain.from_iterable(pool.map(judge_many, batches) if pool is not None else map(judge_many, batches))
        judged.update(zip((review_id for review_id, _ in left), results, strict=True))
        device = states_device_language(source.kind, source.options)
        verdicts = []
        for row in rows:
            unhappy, severity, flags, language = judged[row.id]
            verdicts.append(
                {
                    "id": row.id,
                    "unhappy": unhappy,
                    "severity": severity,
                    "flags": flags,
                    # A device's language stands only for a text too short to tell its own.
                    "language": (language or row.language) if device else (row.language or language),
                }
            )
        update_by_id(session, Review, verdicts)


def judge_ahead(
    *, session: Session, settings: Settings, source: SourceRow, review_ids: Sequence[int], prefetch: VerdictPrefetch
) -> None:
    """Give stored reviews to `prefetch`'s workers to judge ahead of the analysis (as far as its bounds allow)."""
    for rows, work in _work_chunks(session, settings, source, review_ids):
        prefetch.submit([(row.id, item) for row, item in zip(rows, work, strict=True)])


def _work_chunks(
    session: Session, settings: Settings, source: SourceRow, review_ids: Sequence[int]
) -> Iterator[tuple[Sequence[Row[Any]], list[Work]]]:
    """The reviews' rows and what judging each needs, `_CHUNK` reviews at a time."""
    threshold = _threshold(settings, source, session)
    regulators = _regulators(settings, source)
    # A device's language is no statement about the text (a Hinglish review from a phone set to English): the
    # text is judged in the language detected from it, and the device's stands in after (`assess_reviews`).
    stated = not states_device_language(source.kind, source.options)
    for start in range(0, len(review_ids), _CHUNK):
        chunk = review_ids[start : start + _CHUNK]
        # Plain rows in and one multi-row UPDATE out: loading and flushing ORM objects cost more than the verdicts.
        rows = session.execute(
            select(  # type: ignore[call-overload, misc]  # sqlmodel types select() for up to four columns
                Review.id, Review.rating, Review.rating_scale, Review.body, Review.title, Review.language
            ).where(col(Review.id).in_(chunk))
        ).all()
        work: list[Work] = [
            (r.rating, r.rating_scale or 5, r.body, r.title, r.language if stated else None, threshold, regulators)
            for r in rows
        ]
        yield rows, work


def mark_pending(*, session: Session, review_ids: Sequence[int]) -> int:
    """Mark reviews as waiting for analysis (negativity and queue), so a later call finishes it even after a kill.

    Returns how many were not pending before. Reviews still pending (all of a new import's) are not written
    again, which would only hold the write lock longer.
    """
    ids = list(review_ids)
    marked = 0
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        done = session.execute(
            update(Review).where(col(Review.id).in_(chunk), col(Review.unhappy).is_not(None)).values(unhappy=None)
        )
        marked += done.rowcount  # type: ignore[attr-defined]  # an UPDATE's result counts its rows
    return marked


def _pending_ids(session: Session, company_id: int, after_id: int, limit: int | None) -> list[tuple[int, int]]:
    """(review id, source id) of the company's pending reviews after `after_id`, in id order."""
    query = (
        select(Review.id, Review.source_id)
        .join(SourceRow, col(Review.source_id) == SourceRow.id)
        .where(SourceRow.company_id == company_id, col(Review.unhappy).is_(None), col(Review.id) > after_id)
        .order_by(col(Review.id))
    )
    if limit is not None:
        query = query.limit(limit)
    return [(review_id or 0, source_id) for review_id, source_id in session.exec(query).all()]


def classify_pending(
    *, session: Session, company_id: int, now: datetime, checkpoint: Callable[[], None] | None = None
) -> ClassifyResult:
    """Classify the company's replies after an import; reviews whose reply changed template become pending too.

    `checkpoint` (the import's commit) runs between chunks of a full classification's writes: the imported
    reviews stay pending until their analysis, so a kill in between leaves them for the next run to classify.
    """
    pending = session.exec(
        select(func.count())
        .select_from(Review)
        .join(SourceRow, col(Review.source_id) == SourceRow.id)
        .where(SourceRow.company_id == company_id, col(Review.unhappy).is_(None))
    ).one()
    review_ids: list[int] | None = None
    if pending <= INCREMENTAL_MAX_BATCH:
        # Few new replies: let the template store assign them to known templates instead of re-clustering all.
        review_ids = [review_id for review_id, _ in _pending_ids(session, company_id, 0, None)]
    result = classify_company_replies(
        session=session, company_id=company_id, review_ids=review_ids, now=now, checkpoint=checkpoint
    )
    mark_pending(session=session, review_ids=result.reclassified_review_ids)
    return result


def analyse_pending(
    *,
    session: Session,
    settings: Settings,
    company_id: int,
    now: datetime,
    after_id: int = 0,
    pool: Executor | None = None,
    prefetch: VerdictPrefetch | None = None,
) -> tuple[QueueUpdate, int | None]:
    """Assess and queue the next chunk of pending reviews after `after_id`; the last id done, None when none was left.

    Each chunk is one short transaction for the caller to commit, so other commands can write in between.
    """
    rows = _pending_ids(session, company_id, after_id, _PENDING_CHUNK)
    if not rows:
        return QueueUpdate(), None
    by_source: dict[int, list[int]] = defaultdict(list)
    for review_id, source_id in rows:
        by_source[source_id].append(review_id)
    for source_id, ids in by_source.items():
        source = session.get(SourceRow, source_id)
        assert source is not None
        assess_reviews(session=session, settings=settings, source=source, review_ids=ids, pool=pool, prefetch=prefetch)
    ids = [review_id for review_id, _ in rows]
    return update_queue(session=session, settings=settings, review_ids=ids, now=now), ids[-1]


def reassess(
    *,
    session: Session,
    settings: Settings,
    company_id: int | None,
    since: datetime | None,
    after_id: int = 0,
    pool: Executor | None = None,
) -> tuple[int, int | None]:
    """Re-judge the next chunk of stored reviews with the current thresholds; (verdicts changed, last id or None)."""
    query = select(Review, SourceRow).join(SourceRow, col(Review.source_id) == SourceRow.id)
    if company_id is not None:
        query = query.where(SourceRow.company_id == company_id)
    if since is not None:
        query = query.where(col(Review.published_at) >= since)
    rows = session.exec(query.where(col(Review.id) > after_id).order_by(col(Review.id)).limit(_CHUNK)).all()
    if not rows:
        return 0, None
    before = {review.id: review.unhappy for review, _ in rows}
    by_source: dict[int, tuple[SourceRow, list[int]]] = {}
    for review, source in rows:
        by_source.setdefault(source.id or 0, (source, []))[1].append(review.id or 0)
    for source, ids in by_source.values():
        assess_reviews(session=session, settings=settings, source=source, review_ids=ids, pool=pool)
    changed = sum(1 for review, _ in rows if review.unhappy != before[review.id])
    return changed, rows[-1][0].id
