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

import multiprocessing
import os
import sys
from collections import defaultdict
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from itertools import chain

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from monitor.core.settings import Settings
from monitor.store.bulk import update_by_id
from monitor.store.db import utcnow
from monitor.store.models import Company, Review, SourceRow
from monitor.store.repository import UpsertResult
from monitor.text.language import detect_languages
from monitor.text.negativity import assess, review_text
from responders.outreach.follow_ups import apply_fixed_themes
from responders.outreach.queue import QueueUpdate, refresh_priorities, update_queue
from responders.template_replies.store import INCREMENTAL_MAX_BATCH, ClassifyResult, classify_company_replies

__all__ = [
    "AnalysisResult",
    "analyse_new_data",
    "analyse_pending",
    "assess_reviews",
    "classify_pending",
    "mark_pending",
    "reassess",
    "verdict_pool",
]

_CHUNK = 500
_BATCH = 100  # reviews judged together: one language-model pass each, and one task for a worker process
_PENDING_CHUNK = 1_000  # pending reviews analysed per transaction after an import
PARALLEL_FROM = 20_000  # reviews from which negativity is judged in worker processes


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


_Judged = tuple[bool, float, str, str | None]  # unhappy, severity, flags, language
_Work = tuple[float | None, int, str, str | None, str | None, float, tuple[str, ...]]


def _regulators(settings: Settings, source: SourceRow) -> tuple[str, ...]:
    """The company's own regulator names from the configuration (the shipped list always applies)."""
    for company in settings.companies:
        if any(src.name == source.name for src in company.sources):
            return company.regulators
    return ()


def _judge_many(work: Sequence[_Work]) -> list[_Judged]:
    """Negativity verdicts as plain values (a top-level function, so worker processes can run it).

    The languages the reviews do not state are detected for the whole batch at once: one model pass instead of
    one a review, the largest single saving of the analysis.
    """
    texts = [review_text(text, title) for _, _, text, title, _, _, _ in work]
    unknown = [position for position, item in enumerate(work) if not item[4]]
    detected = dict(zip(unknown, detect_languages([texts[position] for position in unknown]), strict=True))
    judged: list[_Judged] = []
    for position, (rating, scale, text, title, language, threshold, regulators) in enumerate(work):
        verdict = assess(
            rating=rating,
            rating_scale=scale,
            text=text,
            title=title,
            language=language or detected.get(position),
            threshold=threshold,
            extra_regulators=regulators,
            detect=False,
        )
        judged.append((verdict.unhappy, verdict.severity, ",".join(sorted(verdict.flags)), verdict.language))
    return judged


def assess_reviews(
    *,
    session: Session,
    settings: Settings,
    source: SourceRow,
    review_ids: Sequence[int],
    pool: Executor | None = None,
) -> None:
    """Store the negativity verdict (unhappy, severity, flags, language) on each given review.

    `pool` (worker processes) judges the reviews in parallel; a large import spends most of its time here.
    """
    threshold = _threshold(settings, source, session)
    regulators = _regulators(settings, source)
    for start in range(0, len(review_ids), _CHUNK):
        chunk = review_ids[start : start + _CHUNK]
        # Plain rows in and one multi-row UPDATE out: loading and flushing ORM objects cost more than the verdicts.
        rows = session.execute(
            select(  # type: ignore[call-overload, misc]  # sqlmodel types select() for up to four columns
                Review.id, Review.rating, Review.rating_scale, Review.body, Review.title, Review.language
            ).where(col(Review.id).in_(chunk))
        ).all()
        work: list[_Work] = [
            (r.rating, r.rating_scale or 5, r.body, r.title, r.language, threshold, regulators) for r in rows
        ]
        batches = [work[at : at + _BATCH] for at in range(0, len(work), _BATCH)]
        judged = chain.from_iterable(pool.map(_judge_many, batches) if pool is not None else map(_judge_many, batches))
        verdicts = [
            {"id": row.id, "unhappy": yes, "severity": severity, "flags": flags, "language": row.language or language}
            for row, (yes, severity, flags, language) in zip(rows, judged, strict=True)
        ]
        update_by_id(session, Review, verdicts)


@contextmanager
def verdict_pool(reviews: int) -> Iterator[Executor | None]:
    """Worker processes to judge `reviews` reviews in parallel, or None when there are too few to be worth it.

    Starting the workers costs about a second; judging a review costs milliseconds (language identification).
    """
    workers = os.cpu_count() or 1
    if reviews < PARALLEL_FROM or workers < 2:
        yield None
        return
    # A fork server, not a plain fork: the workers never inherit this process's threads or database handles.
    context = multiprocessing.get_context("forkserver" if sys.platform != "win32" else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_yield_to_others) as pool:
        yield pool


# How much lower than the command the workers run: they keep every core busy for the length of a big import.
WORKER_NICENESS = 10


def _yield_to_others() -> None:
    """Run this worker at a lower priority, so that a command typed meanwhile (a claim) gets a core at once."""
    # A platform or sandbox that forbids it leaves the worker as it is.
    if hasattr(os, "nice"):
        with suppress(OSError):
            os.nice(WORKER_NICENESS)


def mark_pending(*, session: Session, review_ids: Sequence[int]) -> None:
    """Mark reviews as waiting for analysis (negativity and queue), so a later call finishes it even after a kill."""
    ids = list(review_ids)
    for start in range(0, len(ids), _CHUNK):
        session.execute(update(Review).where(col(Review.id).in_(ids[start : start + _CHUNK])).values(unhappy=None))


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


def classify_pending(*, session: Session, company_id: int, now: datetime) -> ClassifyResult:
    """Classify the company's replies after an import; reviews whose reply changed template become pending too."""
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
    result = classify_company_replies(session=session, company_id=company_id, review_ids=review_ids, now=now)
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
        assess_reviews(session=session, settings=settings, source=source, review_ids=ids, pool=pool)
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
