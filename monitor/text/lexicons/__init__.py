"""Complaint lexicons, one data file per language, and the matcher that scores a text against them.

File format (``<code>.txt``, UTF-8): ``# comment`` lines, ``[section]`` headers, then one term per line with an
optional weight after the last space. ``word*`` matches any word starting with ``word`` (stems for inflected
languages); several words form a phrase; ``_`` in a phrase stands for any one word. Terms are matched after
lower-casing and folding diacritics, so ``pessimo`` finds ``péssimo``.

Flag sections: ``[legal]`` threats of legal action ("sue", "lawsuit", "small claims"); ``[legal_context]`` legal
words that count only in a complaint ("my lawyer"); ``[regulator]`` regulators, ombudsmen and consumer bodies in
general words (named bodies are in ``monitor/text/regulators.txt``); ``[fraud]`` reports of fraud, scams, theft
and unauthorised charges; ``[fraud_guards]`` words that turn a nearby fraud word into praise of protection
("fraud protection", "blocked a fraudulent payment"). A negated legal or fraud term ("not a scam") counts for nothing,
and a flag-section term weighted 0 only keeps its words from being read as that flag ("food court", "consumer
protection act").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from monitor.text.words import CLAUSE_BREAK, WordSet, fold, is_unspaced, split_unspaced, tokenize, unstretched

__all__ = ["COMPANIONS", "LANGUAGES", "Lexicon", "TextScore", "fold", "load", "plan", "score_text", "tokenize"]

# Languages with a lexicon file; "common" (emoji, emoticons) is applied to every text.
LANGUAGES: tuple[str, ...] = (
    *("en", "sk", "ro", "fi", "tr", "he", "ru", "de", "pt", "es", "ar"),
    *("fr", "id", "ms", "tl", "vi", "th", "hi"),
)
# Lexicons of a language in a script it is not detected in: Hindi typed in Latin letters reads as English or
# as nothing to a language model, so these are applied beside the detected language instead of for it.
COMPANIONS: tuple[str, ...] = ("hi-Latn",)
# Reviews mix languages: after a language's own lexicon come the ones its reviewers borrow from. English is the
# usual loan language; Hinglish is read as English, Indonesian, Malay, Tagalog or nothing by the language model;
# Malay and Indonesian share most words and the model confuses them. Vietnamese gets no English: its syllables
# fold onto English function words ("nó", it, would read as the negator "no").
_MIXED_WITH: dict[str, tuple[str, ...]] = {
    "en": ("hi-Latn",),
    "id": ("ms", "en", "hi-Latn"),
    "ms": ("id", "en", "hi-Latn"),
    "tl": ("en", "hi-Latn"),
    "hi": ("hi-Latn", "en"),
    "vi": (),
}
# Lexicons never tried as a guess on text of unknown language: folded Vietnamese syllables match English words.
_NOT_GUESSED = frozenset({"en", "vi"})

# Sections whose terms are matched in the text; the rest are word sets used around a match.
_MATCH_SECTIONS = (
    *("negative", "positive", "expected"),
    *("legal", "legal_context", "regulator", "fraud", "abuse", "profanity"),
)
_WORD_SECTIONS = (
    *("negators", "negators_after", "intensifiers", "contrast", "targets", "clitics", "neutral"),
    "fraud_guards",
)
_DEFAULT_WEIGHT = {
    "negative": 2.0,
    "positive": 2.0,
    "expected": 2.0,
    "legal": 2.0,
    "legal_context": 0.5,
    "regulator": 0.5,
    "fraud": 3.0,
    "abuse": 2.0,
    "profanity": 1.0,
}

_BOUNDARIES = frozenset(".!?;,:…()") | {CLAUSE_BREAK}
_NEGATION_WINDOW = 3
_AFTER_WINDOW = 2
_INTENSIFIER_WINDOW = 2
_TARGET_WINDOW = 3
_GUARD_WINDOW = 3
_FLAG_SECTIONS = frozenset({"legal", "legal_context", "regulator", "fraud"})
_MEMO_LIMIT = 200_000
# Stems this short collide across languages ("pickup" is not Slovak "pič*"); a language that was only guessed
# matches plain-ASCII words by exact form or by longer stems.
_GUESSED_MIN_STEM = 5

NEGATOR, NEGATOR_AFTER, INTENSIFIER, CONTRAST, TARGET, GUARD = 1, 2, 4, 8, 16, 32
_ROLE_BITS = (
    (NEGATOR, "negators"),
    (NEGATOR_AFTER, "negators_after"),
    (INTENSIFIER, "intensifiers"),
    (CONTRAST, "contrast"),
    (TARGET, "targets"),
    (GUARD, "fraud_guards"),
)


def plan(code: str | None) -> tuple[list[str], list[str]]:
    """The lexicons to score a text of language ``code`` with, in order, and those to try only as a guess.

    A known language gets its own lexicon and those of the languages its reviews mix in (English by default);
    unknown or undecided text gets English and Hinglish, and every other lexicon as a guess.
    """
    if code in LANGUAGES:
        return [code, *_MIXED_WITH.get(code, ("en",))], []
    return ["en", *_MIXED_WITH["en"]], [other for other in LANGUAGES if other not in _NOT_GUESSED]


@dataclass(frozen=True, slots=True)
class _Term:
    section: str
    weight: float
    label: str
    key_length: int
    rest: tuple[tuple[str, bool], ...]


@dataclass(slots=True)
class Lexicon:
    """One language's terms, compiled for fast lookup."""

    code: str
    exact: dict[str, list[_Term]] = field(default_factory=dict)
    prefix: dict[str, list[_Term]] = field(default_factory=dict)
    prefix_lengths: tuple[int, ...] = ()
    words: dict[str, WordSet] = field(default_factory=dict)
    clitics: tuple[str, ...] = ()
    # Every word of the lexicon in a script written without spaces (Thai): what such text is cut into.
    unspaced: frozenset[str] = frozenset()
    _memo: dict[str, tuple[tuple[_Term, ...], int]] = field(default_factory=dict)

    def info(self, word: str) -> tuple[tuple[_Term, ...], int]:
        """Candidate terms for ``word`` and its word-set roles as a bit mask, memoised (review words repeat)."""
        found = self._memo.get(word)
        if found is None:
            found = self._info(word)
            for shorter in () if found[0] or found[1] else unstretched(word):
                # "baaad", "ghatiyaaa", "زبااااله": letters held for emphasis, read as one or two letters.
                found = self._info(shorter)
                if found[0] or found[1]:
                    break
            if len(self._memo) > _MEMO_LIMIT:
                self._memo.clear()
            self._memo[word] = found
        return found

    def _info(self, word: str) -> tuple[tuple[_Term, ...], int]:
        roles = 0
        for bit, section in _ROLE_BITS:
            if self.has(section, word):
                roles |= bit
        return tuple(self.candidates(word)), roles

    def candidates(self, word: str) -> list[_Term]:
        """Terms whose first word matches ``word`` (exactly, by stem, or once a clitic is stripped)."""
        found = self._lookup(word)
        if not found and self.clitics:
            # Hebrew and Arabic attach "and", "the", "to", "in" to the next word; strip up to two of them.
            for clitic in self.clitics:
                if word.startswith(clitic) and len(word) - len(clitic) >= 2:
                    stripped = word[len(clitic) :]
                    found = self._lookup(stripped) or self._strip_once_more(stripped)
                    if found:
                        break
        return found

    def _strip_once_more(self, word: str) -> list[_Term]:
        for clitic in self.clitics:
            if word.startswith(clitic) and len(word) - len(clitic) >= 2:
                found = self._lookup(word[len(clitic) :])
                if found:
                    return found
        return []

    def _lookup(self, word: str) -> list[_Term]:
        found = list(self.exact.get(word, ()))
        for length in self.prefix_lengths:
            if length <= len(word):
                found.extend(self.prefix.get(word[:length], ()))
        return found

    def has(self, section: str, word: str) -> bool:
        """Whether ``word`` (folded) belongs to a word-set section such as ``negators``."""
        words = self.words.get(section)
        if words is None:
            return False
        if word in words:
            return True
        for clitic in self.clitics:
            if word.startswith(clitic) and len(word) - len(clitic) >= 2 and word[len(clitic) :] in words:
                return True
        return False


def _pattern(word: str) -> tuple[str, bool]:
    if word.endswith("*") and len(word) > 1:
        return fold(word[:-1]), True
    return fold(word), False


def parse(code: str, text: str) -> Lexicon:
    """Compile a lexicon file's text; raises ValueError naming the line that is malformed."""
    lexicon = Lexicon(code=code)
    section: str | None = None
    word_sets: dict[str, tuple[set[str], list[str]]] = {name: (set(), []) for name in _WORD_SECTIONS}
    lengths: set[int] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            if section not in _MATCH_SECTIONS and section not in _WORD_SECTIONS:
                raise ValueError(f"lexicon {code}: unknown section [{section}] on line {number}")
            continue
        if section is None:
            raise ValueError(f"lexicon {code}: term before any [section] on line {number}")
        if section in _WORD_SECTIONS:
            exact, prefixes = word_sets[section]
            for word in line.split():
                if section == "clitics":
                    prefixes.append(fold(word))
                elif word.endswith("*"):
                    prefixes.append(fold(word[:-1]))
                else:
                    exact.add(fold(word))
            continue
        parts = line.split()
        weight = _DEFAULT_WEIGHT[section]
        try:
            weight = float(parts[-1])
            parts = parts[:-1]
        except ValueError:
            pass
        if not parts:
            raise ValueError(f"lexicon {code}: weight without a term on line {number}")
        patterns = [_pattern(part) for part in parts]
        first, is_prefix = patterns[0]
        term = _Term(section, weight, " ".join(parts), len(first), tuple(patterns[1:]))
        if is_prefix:
            lexicon.prefix.setdefault(first, []).append(term)
            lengths.add(len(first))
        else:
            lexicon.exact.setdefault(first, []).append(term)
    lexicon.prefix_lengths = tuple(sorted(lengths, reverse=True))
    for name, (exact, prefixes) in word_sets.items():
        lexicon.words[name] = WordSet(frozenset(exact), tuple(prefixes))
    lexicon.unspaced = frozenset(word for word in _all_words(lexicon) if is_unspaced(word))
    lexicon.clitics = tuple(sorted(word_sets["clitics"][1], key=len, reverse=True))
    return lexicon


def _all_words(lexicon: Lexicon) -> set[str]:
    words = set(lexicon.exact) | set(lexicon.prefix)
    for terms in (*lexicon.exact.values(), *lexicon.prefix.values()):
        for term in terms:
            words.update(word for word, _ in term.rest if word != "_")
    for word_set in lexicon.words.values():
        words.update(word_set.exact)
        words.update(word_set.prefixes)
    return words


@cache
def _vocabulary(codes: tuple[str, ...]) -> frozenset[str]:
    """The unspaced-script words of several lexicons together."""
    return frozenset().union(*(load(code).unspaced for code in codes))


@cache
def load(code: str) -> Lexicon:
    """The compiled lexicon for a language code (or ``common``), read once from the package data."""
    text = resources.files(__name__).joinpath(f"{code}.txt").read_text(encoding="utf-8")
    return parse(code, text)


@dataclass(slots=True)
class TextScore:
    """What the lexicons found in one text: weighted complaint and praise, and the flagged terms."""

    negative: float = 0.0
    positive: float = 0.0
    complaint_terms: list[str] = field(default_factory=list)
    praise_terms: list[str] = field(default_factory=list)
    legal_terms: list[str] = field(default_factory=list)
    legal_context_terms: list[str] = field(default_factory=list)
    regulator_terms: list[str] = field(default_factory=list)
    fraud_terms: list[str] = field(default_factory=list)
    # Fraud words next to "protection", "blocked", "detected": praise of a safeguard, not a report.
    guarded_fraud_terms: list[str] = field(default_factory=list)
    abuse_terms: list[str] = field(default_factory=list)

    @property
    def complaint(self) -> float:
        """Net complaint strength: complaint weight minus praise weight."""
        return self.negative - self.positive


def _matches(term: _Term, folded: list[str], start: int) -> bool:
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


def _best_terms(candidates: tuple[_Term, ...], folded: list[str], start: int) -> tuple[int, list[_Term]]:
    """The longest phrase starting at ``start``; among equals, the most specific key wins."""
    best_span = 0
    best: list[_Term] = []
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

    def last_contrast(self) -> int:
        for index in range(len(self.roles) - 1, -1, -1):
            if self.roles[index] & CONTRAST:
                return index
        return -1


def _guessed_filter(terms: tuple[_Term, ...], word: str) -> tuple[_Term, ...]:
    if not word.isascii():
        return terms
    return tuple(term for term in terms if term.key_length >= _GUESSED_MIN_STEM or _is_exact(term, word))


def _is_exact(term: _Term, word: str) -> bool:
    return len(word) == term.key_length


def score_text(text: str, languages: list[str], guessed: list[str] | None = None) -> TextScore:
    """Score ``text`` with the lexicons of ``languages`` (first wins a word), then ``guessed``, then emoji.

    ``guessed`` lexicons are tried when the language is unknown: they match plain-ASCII words only by exact
    form or by stems of five letters or more, so short stems of one language do not fire on another's words.
    """
    tokens = tokenize(text)
    score = TextScore()
    if not tokens:
        return score
    codes = (*languages, *(guessed or ()), "common")
    if not text.isascii() and is_unspaced(text):
        # Thai has no spaces between words: its runs are cut into the words the lexicons in play know.
        tokens = split_unspaced(tokens, _vocabulary(codes))
    folded = [fold(token) for token in tokens]
    plan = [(load(code), False) for code in languages]
    plan += [(load(code), True) for code in guessed or ()]
    plan.append((load("common"), False))
    infos = [[lexicon.info(word) for word in folded] for lexicon, _ in plan]
    roles = [0] * len(folded)
    for per_lexicon in infos:
        for index, (_, role) in enumerate(per_lexicon):
            roles[index] |= role
    context = _Context(roles, folded)
    contrast_at = context.last_contrast()
    consumed = [False] * len(folded)
    for (lexicon, is_guess), per_lexicon in zip(plan, infos, strict=True):
        neutral = lexicon.words.get("neutral")
        index = 0
        while index < len(folded):
            candidates = per_lexicon[index][0]
            if consumed[index] or not candidates:
                index += 1
                continue
            if neutral is not None and neutral.exact and tokens[index].lower() in neutral:
                index += 1
                continue
            if is_guess:
                candidates = _guessed_filter(candidates, folded[index])
            span, terms = _best_terms(candidates, folded, index)
            if not terms:
                index += 1
                continue
            end = index + span
            for position in range(index, end):
                consumed[position] = True
            _apply(score, terms, context, index, end, tokens, contrast_at)
            index = end
    if folded.count("!") >= 2 and score.negative > score.positive:
        # Repeated exclamation marks in a complaint read as anger, not enthusiasm.
        score.negative *= 1.15
    return score


def _apply(
    score: TextScore,
    terms: list[_Term],
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
        elif section == "regulator":
            score.regulator_terms.append(phrase)
            score.negative += weight
        elif section == "fraud":
            if negated:
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
