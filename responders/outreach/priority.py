"""Task priority: a 0..100 score and its label from severity, recency, reach, template replies and flags."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

from monitor.text.negativity import HOLD_FLAGS, URGENT_FLAGS, stored_flags
from responders.outreach.eligibility import ComplaintTimes, complaint_time
from responders.outreach.twins import MIN_TEXT_FOR_CONTENT_MATCH

__all__ = ["PriorityFacts", "compute_priority", "task_priority"]


class PriorityFacts(ComplaintTimes, Protocol):
    """What a task's priority reads of one of its reviews (a `Review`, or a row of just these columns)."""

    @property
    def flags(self) -> str: ...
    @property
    def rating(self) -> float | None: ...
    @property
    def rating_scale(self) -> int | None: ...
    @property
    def severity(self) -> float | None: ...
    @property
    def helpful_votes(self) -> int | None: ...
    @property
    def site_review_id(self) -> str: ...
    @property
    def body(self) -> str: ...
    @property
    def author_name(self) -> str | None: ...


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
    + 20 for a hold flag (legal threat, complaint to a regulator), 15 for a fraud report, 10 for abuse; capped at 100.
    Labels: urgent ≥ 70 or any hold or fraud flag, high ≥ 50, normal ≥ 25, low below.
    """
    flag_set = {f.strip() for f in flags if f.strip()}
    age_days = max(0.0, (now - complaint_at).total_seconds() / 86400)
    score = 40 * _severity(severity, rating, rating_scale)
    score += 15 * max(0.0, 1 - age_days / 30)
    score += min(10.0, 10 * math.log10(1 + max(0, helpful_votes)) / 2)
    score += 10 if template_reply else 0
    score += min(10, 5 * max(0, review_count - 1))
    score += 20 if flag_set & HOLD_FLAGS else 0
    score += (15 if "fraud" in flag_set else 0) + (10 if "abuse" in flag_set else 0)
    value = max(0, min(100, round(score)))
    if value >= 70 or flag_set & URGENT_FLAGS:
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


def task_priority(reviews: Sequence[tuple[PriorityFacts, bool]], now: datetime) -> tuple[int, str, bool]:
    """Priority, label and template flag of a task from its reviews, each with whether the company answered it with
    a template: its worst review, newest complaint, widest reach and every flag."""
    flags = {f for r, _ in reviews for f in stored_flags(r.flags, r.rating, r.rating_scale)}
    template = any(templated for _, templated in reviews)
    worst = max(reviews, key=lambda pair: _severity(pair[0].severity, pair[0].rating, pair[0].rating_scale))[0]
    score, label = compute_priority(
        severity=worst.severity,
        rating=worst.rating,
        rating_scale=worst.rating_scale,
        complaint_at=max(complaint_time(r) for r, _ in reviews),
        now=now,
        helpful_votes=max((r.helpful_votes or 0) for r, _ in reviews),
        template_reply=template,
        review_count=_complaints(r for r, _ in reviews),
        flags=flags,
    )
    return score, label, template


def _complaints(reviews: Iterable[PriorityFacts]) -> int:
    """Distinct complaints: twins (one store review read through two sources) count once, whatever their ids.

    Twins share the store's review id (Google Play pages and API) or, where the ids differ (the App Store feed and
    App Store Connect), the reviewer's name and the text; see `responders.outreach.twins`.
    """
    seen: set[tuple[str, ...]] = set()
    count = 0
    for review in reviews:
        keys: set[tuple[str, ...]] = {("id", review.site_review_id)}
        text = " ".join(review.body.split())
        if review.author_name and len(text) >= MIN_TEXT_FOR_CONTENT_MATCH:  # short texts are shared by strangers
            keys.add(("text", review.author_name.casefold(), text))
        if not keys & seen:
            count += 1
        seen |= keys
    return count
