"""Is this reviewer unhappy? Rating on the site's own scale, complaint language, and the flags that change outreach.

Text is scored offline with the per-language lexicons in ``monitor.text.lexicons`` (stems, negation, intensity,
emoji) and the named bodies of ``monitor.text.regulators``; the language comes from ``monitor.text.language`` when
the caller does not know it. Flags: ``legal`` (a threat of legal action), ``regulator`` (a complaint to a
regulator, ombudsman or consumer body), ``fraud`` (the reviewer reports fraud, a scam or theft) and ``abuse``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from monitor.text.language import detect_language
from monitor.text.lexicons import TextScore, fold, normalise_text, plan, score_text, tokenize
from monitor.text.regulators import find_regulators

__all__ = [
    "FLAGS",
    "HOLD_FLAGS",
    "URGENT_FLAGS",
    "Verdict",
    "assess",
    "complaint_strength",
    "is_high_rating",
    "review_text",
    "score_review_text",
    "stored_flags",
]

FLAGS: frozenset[str] = frozenset({"legal", "regulator", "fraud", "abuse"})
# A threat to sue or to go to a regulator stops all contact until someone has cleared the case.
HOLD_FLAGS: frozenset[str] = frozenset({"legal", "regulator"})
# Someone should look today: the holds, and a customer who reports fraud or a scam.
URGENT_FLAGS: frozenset[str] = frozenset({"legal", "regulator", "fraud"})

# Net complaint weight at which unrated text, or a middling rating, counts as a complaint.
_COMPLAINT_AT = 1.0
# Where complaint strength reaches about two thirds of its maximum.
_STRENGTH_SCALE = 3.0
_HOLD_BONUS = 0.25
_FRAUD_BONUS = 0.2
_ABUSE_BONUS = 0.15
# 4 of 5 stars and up, scaled to the site's scale: a happy rating that words alone never overrule.
_HIGH_SHARE = 0.8
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
    full = review_text(text, title)
    return _score(full, language or detect_language(full))


def _score(full: str, code: str | None, tokens: list[str] | None = None) -> TextScore:
    # The language's lexicon and those of the languages its reviews mix in; every lexicon as a guess when the
    # language is unknown or too short to tell.
    languages, guessed = plan(code)
    return score_text(full, languages, guessed=guessed, tokens=tokens)


def review_text(text: str | None, title: str | None = None) -> str:
    """The text a review is judged on: its title and body, as ``assess`` reads them."""
    body = text or ""
    # Full-width letters and zero-width characters must not hide a word from the lexicons or the language model.
    return normalise_text(f"{title}. {body}" if title else body)


def complaint_strength(complaint: float) -> float:
    """Map a net complaint weight to 0..1, saturating so a long rant does not dwarf a clear one."""
    if complaint <= 0:
        return 0.0
    return 1.0 - math.exp(-complaint / _STRENGTH_SCALE)


def _terms(terms: list[str]) -> str:
    unique = list(dict.fromkeys(terms))
    shown = ", ".join(f"“{term}”" for term in unique[:_MAX_REASON_TERMS])
    return shown + (", …" if len(unique) > _MAX_REASON_TERMS else "")


def is_high_rating(rating: float | None, rating_scale: float = 5) -> bool:
    """Whether a rating is 4 of 5 or better on its scale: never unhappy, held or urgent from its words alone."""
    return rating is not None and rating >= _HIGH_SHARE * rating_scale - 1e-9


def stored_flags(flags: str, rating: float | None, rating_scale: float | None = 5) -> frozenset[str]:
    """The known flags in a review's comma-joined ``flags`` column, as the outreach queue may act on them.

    Legal, regulator and fraud flags of a review rated 4-5 of 5 are dropped: a happy rating is never held or
    rushed from its words alone, whichever rules stored the flags.
    """
    found = {flag.strip() for flag in flags.split(",")} & FLAGS
    if is_high_rating(rating, rating_scale or 5):
        found -= URGENT_FLAGS
    return frozenset(found)


def assess(
    *,
    rating: float | None,
    rating_scale: float = 5,
    text: str | None,
    title: str | None = None,
    language: str | None = None,
    threshold: float = 2.0,
    extra_regulators: Sequence[str] = (),
    detect: bool = True,
) -> Verdict:
    """Judge one review: ``rating`` on a 1..``rating_scale`` scale (or None), ``threshold`` in five-star units.

    A rating at or below the threshold (scaled to the site's scale) is unhappy; one step above it is unhappy
    when the text complains; unrated text is judged by its complaint language alone. A legal threat, a complaint
    to a regulator (``extra_regulators`` adds a company's own bodies to the shipped list) or a fraud report makes
    the review unhappy, except at 4-5 of 5 stars, where the words raise no flag at all; abuse is flagged so the
    outreach guidance can change. ``detect=False`` says the caller has detected the language already (``language``
    None: none was found), as ``review_text`` and ``detect_languages`` do for a batch. A rating that is not a
    number (NaN, infinite) is no rating.
    """
    if not rating_scale > 1:
        raise ValueError(f"rating_scale must be above 1, got {rating_scale}")
    if rating is not None and not math.isfinite(rating):
        # A rating read from an empty spreadsheet cell or a failed conversion is NaN: no rating, not a low one.
        rating = None
    full = review_text(text, title)
    code = language or (detect_language(full) if detect else None)
    # The lexicons and the regulator names read the same words: the text is cut into them once.
    tokens = tokenize(full)
    score = _score(full, code, tokens) if full else TextScore()
    complaint = score.complaint
    low = _low(rating, rating_scale)
    # Lawyers and courts only threaten in a complaint made in other words (or under a low rating), not in "my
    # lawyer uses this app"; outside one they are neither a threat nor a complaint.
    in_context = complaint - score.legal_context_weight > 0 or low
    if not in_context:
        complaint -= score.legal_context_weight
    complains = complaint >= _COMPLAINT_AT
    reasons: list[str] = []
    flags: set[str] = set()

    legal = score.legal_terms + (score.legal_context_terms if in_context else [])
    high = is_high_rating(rating, rating_scale)
    # At 4-5 of 5 no flag is raised from words, so the regulator names are not looked for. A body merely named
    # ("registered with OJK", "FDIC insured") is no complaint: only the bodies the text complains to count.
    named = (
        find_regulators(full, extra_regulators, beside=bool(score.regulator_mentions), tokens=tokens, escalated=True)
        if full and not high
        else []
    )
    # "the Financial Ombudsman Service" is one mention, not also "Ombudsman".
    mentions = named + [term for term in score.regulator_terms if not any(fold(term) in fold(n) for n in named)]
    regulator = mentions if complaint >= 0 or low else []
    # Unrated text reports a fraud only when it reads as a complaint ("helps avoid frauds" is praise).
    fraud = score.fraud_terms if rating is not None or complaint > 0 else []
    held_back: list[str] = []
    if high:
        held_back, legal, regulator, fraud = legal + regulator + fraud, [], [], []
    if legal:
        flags.add("legal")
        reasons.append(f"legal threat: {_terms(legal)}")
    if regulator:
        flags.add("regulator")
        reasons.append(f"complaint to a regulator: {_terms(regulator)}")
    if fraud:
        flags.add("fraud")
        reasons.append(f"fraud or scam reported: {_terms(fraud)}")
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
        if held_back:
            reasons.append(f"no flag at rating {shown}: {_terms(held_back)}")
        rating_part = min(1.0, max(0.0, (rating_scale - rating) / (rating_scale - 1)))
        severity = 0.55 * rating_part + 0.45 * complaint_strength(complaint)
    else:
        unhappy = complains
        severity = complaint_strength(complaint)
    if flags & HOLD_FLAGS:
        unhappy = True
        severity += _HOLD_BONUS
    if "fraud" in flags:
        unhappy = True
        severity += _FRAUD_BONUS
    if "abuse" in flags:
        unhappy = unhappy or rating is None
        severity += _ABUSE_BONUS
    if score.complaint_terms and complaint > 0:
        reasons.append(f"complaint language: {_terms(score.complaint_terms)}")
    if score.praise_terms and complaint < 0:
        reasons.append(f"praise: {_terms(score.praise_terms)}")
    if score.guarded_fraud_terms and not fraud:
        reasons.append(f"fraud words about a safeguard, not a report: {_terms(score.guarded_fraud_terms)}")
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
