"""What happens after new data is stored: the analysis stages run in one place, in a fixed order.

1. negativity: is each new or changed review's author unhappy, how badly, with legal/abuse flags;
2. templates: the company's replies are re-clustered, so each reply knows whether it is a template;
3. queue: unhappy reviewers without a personal response get (or re-open) their outreach task;
4. thank-you follow-ups for reviewers who complained about a theme the company has since fixed.
Each stage reads what the earlier ones wrote, so the order matters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from monitor.core.settings import Settings
from monitor.store.db import utcnow
from monitor.store.models import Company, Review, SourceRow
from monitor.store.repository import UpsertResult
from monitor.text.negativity import assess
from responders.outreach.follow_ups import apply_fixed_themes
from responders.outreach.queue import QueueUpdate, refresh_priorities, update_queue
from responders.template_replies.store import ClassifyResult, classify_company_replies

__all__ = ["AnalysisResult", "analyse_new_data", "assess_reviews"]

_CHUNK = 500


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


def assess_reviews(*, session: Session, settings: Settings, source: SourceRow, review_ids: Sequence[int]) -> None:
    """Store the negativity verdict (unhappy, severity, flags, language) on each given review."""
    threshold = _threshold(settings, source, session)
    for start in range(0, len(review_ids), _CHUNK):
        chunk = review_ids[start : start + _CHUNK]
        for review in session.exec(select(Review).where(col(Review.id).in_(chunk))).all():
            verdict = assess(
                rating=review.rating,
                rating_scale=review.rating_scale or 5,
                text=review.body,
                title=review.title,
                language=review.language,
                threshold=threshold,
            )
            review.unhappy = verdict.unhappy
            review.severity = verdict.severity
            review.flags = ",".join(sorted(verdict.flags))
            if not review.language and verdict.language:
                review.language = verdict.language
    session.flush()
