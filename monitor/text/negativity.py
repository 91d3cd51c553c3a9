"""Is this reviewer unhappy? Rating on the site's own scale, complaint language, legal threats and abuse.

Text is scored offline with the per-language lexicons in ``monitor.text.lexicons`` (stems, negation, intensity,
emoji); the language comes from ``monitor.text.language`` when the caller does not know it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from monitor.text.language import detect_language
from monitor.text.lexicons import LANGUAGES, TextScore, score_text

__all__ = ["FLAGS", "Verdict", "assess", "complaint_strength", "score_review_text"]

FLAGS: frozenset[str] = frozenset({"legal", "abuse"})

# Net complaint weight at which unrated text, or a middling rating, counts as a complaint.
_COMPLAINT_AT = 1.0
# Where complaint strength reaches about two thirds of its maximum.
_STRENGTH_SCALE = 3.0
_LEGAL_BONUS = 0.25
_ABUSE_BONUS = 0.15
_MAX_REASON_TERMS = 5


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a review needs outreach, how urgently (severity 0..1), and why."""

    unhappy: bool
    severity: float
    reasons: list[str] = field(default_factory=list)
    flags: frozenset[str] = frozenset()
    language: str | None = None
    complaint: float = 0.0


def score_review_text(text: str, *, title: str | None = None, language: str | None = None) -> TextScore:
    """Lexicon score of a review's title and body in its language, with English as the usual loan language."""
    full = f"{title}. {text}" if title else text
    return _score(full, language or detect_language(full))


def _score(full: str, code: str | None) -> TextScore:
    if code in LANGUAGES:
        return score_text(full, [code] if code == "en" else [code, "en"])
    # Unknown or too short to tell: English first as the most common, every other lexicon as a guess.
    return score_text(full, ["en"], guessed=[other for other in LANGUAGES if other != "en"])


def complaint_strength(complaint: float) -> float:
    """Map a net complaint weight to 0..1, saturating so a long rant does not dwarf a clear one."""
    if complaint <= 0:
        return 0.0
    return 1.0 - math.exp(-complaint / _STRENGTH_SCALE)


def _terms(terms: list[str]) -> str:
    unique = list(dict.fromkeys(terms))
    shown = ", ".join(f"“{term}”" for term in unique[:_MAX_REASON_TERMS])
    return shown + (", …" if len(unique) > _MAX_REASON_TERMS else "")


def assess(
    *,
    rating: float | None,
    rating_scale: float = 5,
    text: str | None,
    title: str | None = None,
    language: str | None = None,
    threshold: float = 2.0,
) -> Verdict:
    """Judge one review: ``rating`` on a 1..``rating_scale`` scale (or None), ``threshold`` in five-star units.

    A rating at or below the threshold (scaled to the site's scale) is unhappy; one step above it is unhappy
    when the text complains; unrated text is judged by its complaint language alone. Legal threats make any
    review unhappy; abuse is flagged so the outreach guidance can change.
    """
    if rating_scale <= 1:
        raise ValueError(f"rating_scale must be above 1, got {rating_scale}")
    body = text or ""
    full = f"{title}. {body}" if title else body
    code = language or detect_language(full)
    score = _score(full, code) if full else TextScore()
    complaint = score.complaint
    complains = complaint >= _COMPLAINT_AT
    reasons: list[str] = []
    flags: set[str] = set()

    if score.legal_terms or (score.legal_context_terms and (complaint > 0 or _low(rating, rating_scale))):
        # Lawyers, courts and police only signal a threat when the review is a complaint, not in
        # "a lawyer friend recommended this app".
        flags.add("legal")
        reasons.append(f"legal threat: {_terms(score.legal_terms + score.legal_context_terms)}")
    if score.abuse_terms:
        flags.add("abuse")
        reasons.append(f"abusive language: {_terms(score.abuse_terms)}")

    unhappy = False
    if rating is not None:
        scale_factor = rating_scale / 5.0
        limit = threshold * scale_factor
        mild_limit = (threshold + 1.0) * scale_factor
        shown = f"{rating:g} of {rating_scale:g}"
        if rating <= limit + 1e-9:
            unhappy = True
            reasons.insert(0, f"rating {shown} is at or below {limit:g}")
        elif rating <= mild_limit + 1e-9 and complains:
            unhappy = True
            reasons.insert(0, f"middling rating {shown} with complaint language")
        elif complains:
            reasons.insert(0, f"complaint language despite rating {shown}")
        rating_part = min(1.0, max(0.0, (rating_scale - rating) / (rating_scale - 1)))
        severity = 0.55 * rating_part + 0.45 * complaint_strength(complaint)
    else:
        unhappy = complains
        severity = complaint_strength(complaint)
    if "legal" in flags:
        unhappy = True
        severity += _LEGAL_BONUS
    if "abuse" in flags:
        unhappy = unhappy or rating is None
        severity += _ABUSE_BONUS
    if score.complaint_terms and complaint > 0:
        reasons.append(f"complaint language: {_terms(score.complaint_terms)}")
    if score.praise_terms and complaint < 0:
        reasons.append(f"praise: {_terms(score.praise_terms)}")
    return Verdict(
        unhappy=unhappy,
        severity=round(min(1.0, max(0.0, severity)), 3),
        reasons=reasons,
        flags=frozenset(flags),
        language=code,
        complaint=round(complaint, 3),
    )


def _low(rating: float | None, rating_scale: float) -> bool:
    """Whether a rating sits in the lower half of its scale (context for lawyer/police mentions)."""
    return rating is not None and rating <= rating_scale / 2
