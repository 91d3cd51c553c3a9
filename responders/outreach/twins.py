"""One review read through two sources is one review of one reviewer, and never makes two tasks.

A company may watch one store both through its public pages (`google_play`, `app_store`) and through its own
official API (`google_play_api`, `app_store_connect`), or import an export of it: each source stores its own copy of
the same review. Within one company, two reviews of sources of the same store (`identity.store_of`) are *twins*
when they carry the same store review id, or, where the sources show different ids (Apple's public feed and App
Store Connect), when they carry the same reviewer name and the same text of some length.

The queue keeps twins in one task: a twin of a review that already belongs to a task joins that task quietly (it is
neither "another review by this reviewer" nor a reason to reopen a closed task), and twins that arrive before any
task share one reviewer key, the one of the twin stored first, so they land in the same new task.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from monitor.store.models import Review, SourceRow
from monitor.store.task_models import TaskEvent, TaskReview
from responders.outreach.identity import reviewer_key, store_of

__all__ = ["MIN_TEXT_FOR_CONTENT_MATCH", "Twin", "find_twins", "link_twin", "same_review_elsewhere"]

# Shorter texts ("Bad app") are written by many people under one nickname; only a longer one identifies a review.
MIN_TEXT_FOR_CONTENT_MATCH = 20
_CHUNK = 500


@dataclass(frozen=True)
class Twin:
    """What the queue does with a review that has twins: join `task_id`, or else use the shared `key`."""

    key: str
    task_id: int | None = None


def _text(review: Review) -> str:
    return " ".join(review.body.split()).casefold()


def _name(review: Review) -> str:
    return " ".join((review.author_name or "").split()).casefold()


def _content_matchable(review: Review) -> bool:
    return bool(_name(review)) and len(_text(review)) >= MIN_TEXT_FOR_CONTENT_MATCH


def _store_sources(session: Session, company_ids: set[int]) -> dict[int, tuple[SourceRow, str]]:
    """Every source of these companies that shows a store's reviews, with the store."""
    found: dict[int, tuple[SourceRow, str]] = {}
    for source in session.exec(select(SourceRow).where(col(SourceRow.company_id).in_(sorted(company_ids)))).all():
        store = store_of(source)
        if store is not None and source.id is not None:
            found[source.id] = (source, store)
    return found


def same_review_elsewhere(session: Session, reviews: Sequence[tuple[Review, SourceRow]]) -> dict[int, list[Review]]:
    """For each given review of a store source, its twins in the company's other sources of that store."""
    wanted = [(review, source) for review, source in reviews if store_of(source) is not None and review.id is not None]
    if not wanted:
        return {}
    sources = _store_sources(session, {source.company_id for _, source in wanted})
    source_ids = sorted(sources)
    site_ids = sorted({review.site_review_id for review, _ in wanted})
    names = sorted({review.author_name for review, _ in wanted if review.author_name and _content_matchable(review)})
    pool: dict[int, Review] = {}
    for start in range(0, len(site_ids), _CHUNK):
        query = select(Review).where(
            col(Review.source_id).in_(source_ids), col(Review.site_review_id).in_(site_ids[start : start + _CHUNK])
        )
        pool.update({r.id or 0: r for r in session.exec(query).all()})
    for start in range(0, len(names), _CHUNK):
        query = select(Review).where(
            col(Review.source_id).in_(source_ids), col(Review.author_name).in_(names[start : start + _CHUNK])
        )
        pool.update({r.id or 0: r for r in session.exec(query).all()})
    by_id: dict[tuple[int, str, str], list[Review]] = defaultdict(list)
    by_content: dict[tuple[int, str, str, str], list[Review]] = defaultdict(list)
    for other in pool.values():
        source, store = sources[other.source_id]
        by_id[(source.company_id, store, other.site_review_id)].append(other)
        if _content_matchable(other):
            by_content[(source.company_id, store, _name(other), _text(other))].append(other)
    twins: dict[int, list[Review]] = {}
    for review, source in wanted:
        store = sources[source.id or 0][1] if source.id in sources else store_of(source) or ""
        found = {r.id: r for r in by_id[(source.company_id, store, review.site_review_id)]}
        if _content_matchable(review):
            found.update({r.id: r for r in by_content[(source.company_id, store, _name(review), _text(review))]})
        others = [r for r in found.values() if r.source_id != review.source_id]
        if others:
            twins[review.id or 0] = sorted(others, key=lambda r: r.id or 0)
    return twins


def find_twins(
    session: Session, reviews: Sequence[tuple[Review, SourceRow]], has_handles: dict[int, bool]
) -> dict[int, Twin]:
    """What the queue does with each given review that has twins (reviews without twins are left out).

    `has_handles` caches, per source id, whether the source shows reviewer handles at all (as the queue keeps it).
    """
    twins = same_review_elsewhere(session, reviews)
    if not twins:
        return {}
    all_ids = sorted({r.id or 0 for group in twins.values() for r in group} | set(twins))
    tasks = {
        review_id: task_id
        for review_id, task_id in session.exec(
            select(TaskReview.review_id, TaskReview.task_id).where(col(TaskReview.review_id).in_(all_ids))
        ).all()
    }
    given = {review.id or 0: (review, source) for review, source in reviews}
    result: dict[int, Twin] = {}
    for review_id, others in twins.items():
        review, _source = given[review_id]
        task_id = next((tasks[r.id or 0] for r in others if (r.id or 0) in tasks), None)
        first = min([review, *others], key=lambda r: r.id or 0)
        first_source = session.get(SourceRow, first.source_id)
        assert first_source is not None
        if not first.author_handle and first.source_id not in has_handles:
            has_handles[first.source_id] = _source_has_handles(session, first.source_id)
        key = reviewer_key(first, first_source, site_has_handles=has_handles.get(first.source_id, True))
        result[review_id] = Twin(key=key, task_id=task_id)
    return result


def _source_has_handles(session: Session, source_id: int) -> bool:
    found = session.exec(
        select(Review.id).where(Review.source_id == source_id, col(Review.author_handle).is_not(None)).limit(1)
    ).first()
    return found is not None


def link_twin(session: Session, *, task_id: int, review: Review, last_revision_id: int, now: datetime) -> None:
    """Put `review` into the task its twin belongs to, quietly: the reviewer did not write again."""
    session.add(TaskReview(task_id=task_id, review_id=review.id or 0, linked_at=now, last_revision_id=last_revision_id))
    session.add(
        TaskEvent(
            task_id=task_id,
            at=now,
            actor="system",
            kind="review_linked",
            note="the same review, read through another source",
            data={"review_id": review.id, "same_review": True},
        )
    )
