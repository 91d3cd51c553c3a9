"""The matcher that scores a text against the lexicons of its language: negation, intensity, contrast, flags."""

from __future__ import annotations

from dataclasses import dataclass, field

from monitor.text.lexicons.lexicon import (
    CONTRAST,
    DENIAL,
    DETERMINER,
    DIRECTION,
    DOUBT,
    ESCALATION,
    GUARD,
    INTENSIFIER,
    LICENSING,
    MOTION,
    NAME,
    NEGATOR,
    NEGATOR_AFTER,
    TARGET,
    Term,
    vocabulary,
)
from monitor.text.lexicons.normal import normalise_text
from monitor.text.lexicons.plans import Plan, Word, compiled_plan
from monitor.text.words import CLAUSE_BREAK, is_unspaced, masked_spans, split_unspaced, tokenize

__all__ = ["TextScore", "escalates_to", "score_text"]

_PUNCTUATION = frozenset(".!?;,:…()")
_BOUNDARIES = _PUNCTUATION | {CLAUSE_BREAK}
# Where a sentence ends: a question and its answer are two sentences.
_SENTENCE_ENDS = frozenset(".!?…")
_NEGATION_WINDOW = 3
_AFTER_WINDOW = 2
_INTENSIFIER_WINDOW = 2
_TARGET_WINDOW = 3
_GUARD_WINDOW = 3
# A word of complaint this far before a body's name, or this far after it (verb-final languages: "BDDK'ya
# şikayet ettim"), in the same clause: "I will report you to the FCA", not "regulated by the FCA".
_ESCALATION_BEFORE = 10
_ESCALATION_AFTER = 4
# Between a verb of motion and the preposition that leads to the body: "take [this matter] to the ombudsman".
_MOTION_OBJECT = 3
# How far before a fraud word "I thought" or "it seemed" still governs it.
_DOUBT_WINDOW = 5
_FLAG_SECTIONS = frozenset({"legal", "legal_context", "regulator", "authority", "fraud"})


@dataclass(slots=True)
class TextScore:
    """What the lexicons found in one text: weighted complaint and praise, and the flagged terms."""

    negative: float = 0.0
    positive: float = 0.0
    complaint_terms: list[str] = field(default_factory=list)
    praise_terms: list[str] = field(default_factory=list)
    legal_terms: list[str] = field(default_factory=list)
    legal_context_terms: list[str] = field(default_factory=list)
    # Complaint bodies named, and authorities named beside a word of complaint: the complaints to a regulator.
    regulator_terms: list[str] = field(default_factory=list)
    # Every regulator or authority named in general words, complained to or not ("regulated by the central bank").
    regulator_mentions: list[str] = field(default_factory=list)
    fraud_terms: list[str] = field(default_factory=list)
    # Fraud words next to "protection", "blocked", "detected": praise of a safeguard, not a report.
    guarded_fraud_terms: list[str] = field(default_factory=list)
    abuse_terms: list[str] = field(default_factory=list)
    # What the lawyer and court words added to ``negative``: they count only beside a complaint of other words.
    legal_context_weight: float = 0.0

    @property
    def complaint(self) -> float:
        """Net complaint strength: complaint weight minus praise weight."""
        return self.negative - self.positive


def _matches(term: Term, folded: list[str], start: int) -> bool:
    for offset, (word, is_prefix) in enumerate(term.rest, start=1):
        index = start + offset
        if index >= len(folded):
            return False
        token = folded[index]
        if word == "_":
            continue
        if not (token.startswith(word) if is_prefix else token == word):
            return False
    return True


def _best_terms(candidates: tuple[Term, ...], folded: list[str], start: int) -> tuple[int, list[Term]]:
    """The longest phrase starting at ``start``; among equals, the most specific key wins."""
    best_span = 0
    best: list[Term] = []
    best_key = -1
    for term in candidates:
        if term.rest and not _matches(term, folded, start):
            continue
        span = 1 + len(term.rest)
        if span > best_span or (span == best_span and term.key_length > best_key):
            best_span, best, best_key = span, [term], term.key_length
        elif span == best_span and term.key_length == best_key:
            best.append(term)
    return best_span, best


class _Context:
    """Each word's role (negator, intensifier, contrast, target) in any language in play, and boundaries."""

    def __init__(self, roles: list[int], folded: list[str]) -> None:
        self.roles = roles
        self.folded = folded

    def negated(self, start: int, end: int) -> bool:
        for index in range(start - 1, max(-1, start - 1 - _NEGATION_WINDOW), -1):
            if self.folded[index] in _BOUNDARIES or self.roles[index] & CONTRAST:
                break
            if self.roles[index] & NEGATOR:
                return True
        for index in range(end, min(len(self.folded), end + _AFTER_WINDOW)):
            if self.folded[index] in _BOUNDARIES or self.roles[index] & CONTRAST:
                break
            if self.roles[index] & NEGATOR_AFTER:
                return True
        return False

    def intensified(self, start: int) -> bool:
        for index in range(start - 1, max(-1, start - 1 - _INTENSIFIER_WINDOW), -1):
            if self.folded[index] in _BOUNDARIES:
                break
            if self.roles[index] & INTENSIFIER:
                return True
        return False

    def near_target(self, start: int, end: int) -> bool:
        low = max(0, start - _TARGET_WINDOW)
        high = min(len(self.folded), end + _TARGET_WINDOW)
        return any(self.roles[index] & TARGET for index in range(low, high))

    def guarded(self, start: int, end: int) -> bool:
        """Whether a safeguard word ("protection", "blocked") that is not itself negated sits beside the span."""
        before = range(start - 1, max(-1, start - 1 - _GUARD_WINDOW), -1)
        after = range(end, min(len(self.folded), end + _GUARD_WINDOW))
        for side in (before, after):
            for index in side:
                if self.folded[index] in _BOUNDARIES:
                    break
                if self.roles[index] & GUARD and not self.negated(index, index + 1):
                    return True
        return False

    def escalated(self, start: int, end: int) -> bool:
        """Whether the span is a body the text complains to, not one merely named: see ``escalates_to``."""
        return escalates_to(self.roles, self.folded, start, end)

    def doubted(self, start: int, end: int) -> bool:
        """Whether the span is a suspicion the text takes back: "I thought it was a scam but it's legit"."""
        for index in range(start - 1, max(-1, start - 1 - _DOUBT_WINDOW), -1):
            if self.folded[index] in _BOUNDARIES or self.roles[index] & CONTRAST:
                return False
            if self.roles[index] & DOUBT:
                break
        else:
            return False
        # The contrast that takes it back, in the same sentence or opening the next one.
        index = end
        while index < len(self.folded) and self.folded[index] not in _SENTENCE_ENDS:
            if self.roles[index] & CONTRAST:
                return True
            index += 1
        while index < len(self.folded) and self.folded[index] in _SENTENCE_ENDS:
            index += 1
        return index < len(self.folded) and bool(self.roles[index] & CONTRAST)

    def denied(self, end: int) -> bool:
        """Whether the span ends a question the writer answers no to at once: "Is it a scam? No."."""
        index = end
        while index < len(self.folded) and self.folded[index] not in _SENTENCE_ENDS:
            index += 1
        if index == len(self.folded) or self.folded[index] != "?":
            return False
        while index < len(self.folded) and self.folded[index] in _SENTENCE_ENDS:
            index += 1
        if index == len(self.folded) or not self.roles[index] & DENIAL:
            return False
        # A bare answer: "No." or "No, it's legit", not "No refund, no reply".
        return index + 1 == len(self.folded) or self.folded[index + 1] in _BOUNDARIES

    def last_contrast(self) -> int:
        for index in range(len(self.roles) - 1, -1, -1):
            if self.roles[index] & CONTRAST:
                return index
        return -1


def escalates_to(roles: list[int], folded: list[str], start: int, end: int) -> bool:
    """Whether ``folded[start:end]``, a body's name, is what the text complains or escalates to.

    A word of complaint (``escalation``: "report", "complaint", "escalate", "lodge") in the same clause, up to
    ten words before the name or four after it; or a verb of motion ("take", "go", "write") with the name
    after its preposition ("take this to the FCA", "went to the ombudsman"). ``roles`` are the words' role
    bits. A body merely named ("regulated by the FCA", "FDIC insured", "pay your BSP bills") is not, nor one a
    word of ``licensing`` introduces, whatever the words around it ("I complained about an app regulated by the FCA").
    A space between Thai words is no boundary here: Thai writes "ร้องเรียน ธปท." (complained, Bank of Thailand).
    """
    if _licensed(roles, folded, start, end):
        return False
    for index in range(start - 1, max(-1, start - 1 - _ESCALATION_BEFORE), -1):
        if folded[index] in _PUNCTUATION or roles[index] & CONTRAST:
            break
        if roles[index] & ESCALATION:
            return True
    for index in range(end, min(len(folded), end + _ESCALATION_AFTER)):
        if folded[index] in _PUNCTUATION or roles[index] & CONTRAST:
            break
        if roles[index] & ESCALATION:
            return True
    # The preposition that leads to the name, over its articles: "to the", "à la", "ke". A word that is an article
    # in one language and a preposition in another ("la") is the article after a preposition.
    index = start - 1
    while index >= 0 and roles[index] & DETERMINER and (not roles[index] & DIRECTION or roles[index - 1] & DIRECTION):
        index -= 1
    if index < 0 or not roles[index] & DIRECTION:
        return False
    # "take [this matter] to": the verb, its object between; "going to pay your BSP bills" has no preposition
    # before the name, and "going [to] pay the bills to" a second one.
    for before in range(index - 1, max(-1, index - 2 - _MOTION_OBJECT), -1):
        if folded[before] in _PUNCTUATION or roles[before] & (DIRECTION | CONTRAST):
            return False
        if roles[before] & MOTION:
            return True
    return False


def _licensed(roles: list[int], folded: list[str], start: int, end: int) -> bool:
    """Whether the name is the body a company is registered with or licensed by: "regulated by the FCA"."""
    index = start - 1
    while index >= 0 and roles[index] & DETERMINER and not roles[index] & (DIRECTION | LICENSING):
        index -= 1
    if index >= 0 and roles[index] & LICENSING:
        return True
    if index >= 1 and roles[index] & DIRECTION and roles[index - 1] & LICENSING:
        return True  # "regulated by the FCA", "dikawal oleh BNM"
    # "FDIC insured", "OJK-registered", "BDDK tarafından"; not a preposition of the next phrase ("FCA by email").
    after = end + (end < len(folded) and folded[end] == "-")
    return after < len(folded) and bool(roles[after] & LICENSING) and not roles[after] & DIRECTION


def score_text(
    text: str, languages: list[str], guessed: list[str] | None = None, *, tokens: list[str] | None = None
) -> TextScore:
    """Score ``text`` with the lexicons of ``languages`` (first wins a word), then ``guessed``, then emoji.

    ``guessed`` lexicons are tried when the language is unknown: they match plain-ASCII words only by exact
    form or by stems of five letters or more, so short stems of one language do not fire on another's words.
    ``tokens`` is ``tokenize(text)`` of a text ``normalise_text`` has read, when the caller has it already.
    """
    if tokens is None:
        text = normalise_text(text)
        tokens = tokenize(text)
    score = TextScore()
    if not tokens:
        return score
    guesses = tuple(guessed or ())
    plan = compiled_plan(tuple(languages), guesses)
    masked = [(start, end) for start, end in masked_spans(text) if plan.knows_masked(text[start:end])]
    if masked:
        # "****ing" is one word standing for a swear word, not four asterisks and "ing"; "**great**" stays as it was.
        tokens = tokenize(text, masked)
    if not text.isascii() and is_unspaced(text):
        # Thai has no spaces between words: its runs are cut into the words the lexicons in play know.
        tokens = split_unspaced(tokens, vocabulary((*languages, *guesses, "common")))
    words = plan.words(tokens)
    folded = [word[0] for word in words]
    # Only words some lexicon has a term for can start a match; most words of a review start none.
    hits = [(index, word[2]) for index, word in enumerate(words) if word[2]]
    if hits:
        starts: list[list[tuple[int, tuple[Term, ...]]]] = [[] for _ in plan.lexicons]
        for index, candidates in hits:
            for position, terms in candidates:
                starts[position].append((index, terms))
        _match(score, plan, words, folded, starts, tokens)
    if folded.count("!") >= 2 and score.negative > score.positive:
        # Repeated exclamation marks in a complaint read as anger, not enthusiasm.
        score.negative *= 1.15
    return score


def _match(
    score: TextScore,
    plan: Plan,
    words: list[Word],
    folded: list[str],
    starts: list[list[tuple[int, tuple[Term, ...]]]],
    tokens: list[str],
) -> None:
    """Each lexicon in turn takes the longest phrases it knows among the words no earlier one has taken."""
    context = _Context([word[1] for word in words], folded)
    contrast_at = context.last_contrast()
    consumed = [False] * len(folded)
    for neutral, candidates in zip(plan.neutral, starts, strict=True):
        for index, terms in candidates:
            if consumed[index]:
                continue
            if neutral is not None and tokens[index].lower() in neutral:
                continue
            span, best = _best_terms(terms, folded, index)
            if not best:
                continue
            if span == 1 and context.roles[index] & NAME and _capitalised(tokens[index]):
                # "Sue at the branch was lovely": a capitalised name, unless a phrase ("Sue them") makes it a verb.
                continue
            end = index + span
            for taken in range(index, end):
                consumed[taken] = True
            _apply(score, best, context, index, end, tokens, contrast_at)


def _apply(
    score: TextScore,
    terms: list[Term],
    context: _Context,
    start: int,
    end: int,
    tokens: list[str],
    contrast_at: int,
) -> None:
    phrase = " ".join(tokens[start:end])
    negated = context.negated(start, end)
    boost = 1.5 if context.intensified(start) else 1.0
    if any(len(token) >= 3 and token.isupper() for token in tokens[start:end]):
        boost *= 1.3
    if end <= contrast_at:
        # What comes after "but" is what the reviewer means; what comes before counts less.
        boost *= 0.6
    for term in terms:
        weight = term.weight * boost
        section = term.section
        if section in _FLAG_SECTIONS and not term.weight:
            continue
        if section == "positive":
            if negated:
                score.negative += weight * 0.9
                score.complaint_terms.append(f"not {phrase}")
            elif weight:
                score.positive += weight
                score.praise_terms.append(phrase)
        elif section == "expected":
            if negated:
                score.negative += weight
                score.complaint_terms.append(f"not {phrase}")
        elif section == "negative":
            if negated:
                # "not bad" is faint praise, not a complaint.
                score.positive += weight * 0.4
                score.praise_terms.append(f"not {phrase}")
            elif weight:
                score.negative += weight
                score.complaint_terms.append(phrase)
        elif section in ("legal", "legal_context"):
            if not negated:
                # "I won't sue" and "no lawyer needed" threaten nothing.
                (score.legal_terms if section == "legal" else score.legal_context_terms).append(phrase)
                score.negative += weight
                if section == "legal_context":
                    score.legal_context_weight += weight
        elif section in ("regulator", "authority"):
            score.regulator_mentions.append(phrase)
            # An ombudsman or consumer body named in a complaint is the body complained to; a regulator or an
            # authority only with a word of complaint near it ("licensed by the central bank" is no complaint).
            if section == "regulator" or context.escalated(start, end):
                score.regulator_terms.append(phrase)
                score.negative += weight
        elif section == "fraud":
            if negated or context.doubted(start, end) or context.denied(end):
                # "not a scam", "I thought it was a scam but it's legit", "Is it a scam? No."
                continue
            if context.guarded(start, end):
                score.guarded_fraud_terms.append(phrase)
            else:
                score.fraud_terms.append(phrase)
                score.negative += weight
        elif section == "abuse":
            score.abuse_terms.append(phrase)
            score.negative += weight
        elif section == "profanity":
            score.negative += weight
            if context.near_target(start, end):
                score.abuse_terms.append(phrase)


def _capitalised(token: str) -> bool:
    return token[:1].isupper() and not token.isupper()
