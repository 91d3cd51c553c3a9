"""The lexicon files compiled for lookup, and which lexicons a text of each language is scored with."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from monitor.text.words import MASKS, WordSet, fits_masked, fold, is_unspaced, unstretched

__all__ = [
    "COMPANIONS",
    "CONTRAST",
    "DENIAL",
    "DETERMINER",
    "DIRECTION",
    "DOUBT",
    "ESCALATION",
    "GUARD",
    "INTENSIFIER",
    "LANGUAGES",
    "LICENSING",
    "MOTION",
    "NAME",
    "NEGATOR",
    "NEGATOR_AFTER",
    "TARGET",
    "Lexicon",
    "Term",
    "load",
    "parse",
    "plan",
    "vocabulary",
]

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
    *("legal", "legal_context", "regulator", "authority", "fraud", "abuse", "profanity"),
)
# Sections whose one-word terms a masked word can stand for.
_MASKED_SECTIONS = ("profanity", "abuse")
_WORD_SECTIONS = (
    *("negators", "negators_after", "intensifiers", "contrast", "targets", "clitics", "neutral"),
    *("fraud_guards", "names", "escalation", "motion", "directions", "determiners", "licensing", "doubts"),
    "denials",
)
_DEFAULT_WEIGHT = {
    "negative": 2.0,
    "positive": 2.0,
    "expected": 2.0,
    "legal": 2.0,
    "legal_context": 0.5,
    "regulator": 0.5,
    "authority": 0.5,
    "fraud": 3.0,
    "abuse": 2.0,
    "profanity": 1.0,
}

_MEMO_LIMIT = 200_000

NEGATOR, NEGATOR_AFTER, INTENSIFIER, CONTRAST, TARGET, GUARD = 1, 2, 4, 8, 16, 32
NAME, ESCALATION, MOTION, DIRECTION, DETERMINER, DOUBT, DENIAL = 64, 128, 256, 512, 1024, 2048, 4096
LICENSING = 8192
_ROLE_BITS = (
    (NEGATOR, "negators"),
    (NEGATOR_AFTER, "negators_after"),
    (INTENSIFIER, "intensifiers"),
    (CONTRAST, "contrast"),
    (TARGET, "targets"),
    (GUARD, "fraud_guards"),
    (NAME, "names"),
    (ESCALATION, "escalation"),
    (MOTION, "motion"),
    (DIRECTION, "directions"),
    (DETERMINER, "determiners"),
    (LICENSING, "licensing"),
    (DOUBT, "doubts"),
    (DENIAL, "denials"),
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
class Term:
    """One lexicon entry: its section and weight, as written, and the words of a phrase after the first."""

    section: str
    weight: float
    label: str
    key_length: int
    rest: tuple[tuple[str, bool], ...]


@dataclass(slots=True)
class Lexicon:
    """One language's terms, compiled for fast lookup."""

    code: str
    exact: dict[str, list[Term]] = field(default_factory=dict)
    prefix: dict[str, list[Term]] = field(default_factory=dict)
    prefix_lengths: tuple[int, ...] = ()
    words: dict[str, WordSet] = field(default_factory=dict)
    clitics: tuple[str, ...] = ()
    # Every word of the lexicon in a script written without spaces (Thai): what such text is cut into.
    unspaced: frozenset[str] = frozenset()
    _memo: dict[str, tuple[tuple[Term, ...], int]] = field(default_factory=dict)
    # The word sets by role: each exact word's role bits, and each role's stems (built on first use).
    _roles: tuple[dict[str, int], tuple[tuple[int, tuple[str, ...]], ...]] | None = None
    # The one-word swear words and insults, as (key, is a stem, terms), for reading masked words (built on first use).
    _swearing: tuple[tuple[str, bool, tuple[Term, ...]], ...] | None = None

    def unmasked(self, word: str) -> tuple[Term, ...]:
        """The swear word or insult a masked word stands for ("****ing", "f*ck", "a**hole"), the longest that fits.

        Only profanity and abuse terms are read through masks: sites and reviewers mask swearing, nothing else.
        """
        best: tuple[Term, ...] = ()
        longest = 0
        for key, is_stem, terms in self._swearing if self._swearing is not None else self._index_swearing():
            if len(key) <= longest or not fits_masked(word, key, whole=not is_stem):
                continue
            # Masks stand for any letters: "*****ups" fits "idiot" as well as "screw". An insult must show one of
            # its own letters ("id**t", "a**hole", "****head"); fully masked, the word is only swearing.
            if terms[0].section == "abuse" and all(char in MASKS for char in word[: len(key)]):
                continue
            best, longest = terms, len(key)
        return best

    def _index_swearing(self) -> tuple[tuple[str, bool, tuple[Term, ...]], ...]:
        found: list[tuple[str, bool, tuple[Term, ...]]] = []
        for table, is_stem in ((self.exact, False), (self.prefix, True)):
            for key, terms in table.items():
                for section in _MASKED_SECTIONS:
                    single = tuple(t for t in terms if t.section == section and not t.rest and t.weight)
                    if single:
                        found.append((key, is_stem, single))
        self._swearing = tuple(found)
        return self._swearing

    def info(self, word: str) -> tuple[tuple[Term, ...], int]:
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

    def _info(self, word: str) -> tuple[tuple[Term, ...], int]:
        # A role counts when the word or the word without a clitic is in its set, as ``has`` says.
        roles = self._roles_of(word)
        for clitic in self.clitics:
            if word.startswith(clitic) and len(word) - len(clitic) >= 2:
                roles |= self._roles_of(word[len(clitic) :])
        return tuple(self.candidates(word)), roles

    def _roles_of(self, word: str) -> int:
        exact, stems = self._roles or self._index_roles()
        roles = exact.get(word, 0)
        for bit, prefixes in stems:
            if word.startswith(prefixes):
                roles |= bit
        return roles

    def _index_roles(self) -> tuple[dict[str, int], tuple[tuple[int, tuple[str, ...]], ...]]:
        exact: dict[str, int] = {}
        stems: list[tuple[int, tuple[str, ...]]] = []
        for bit, section in _ROLE_BITS:
            words = self.words.get(section)
            if words is None:
                continue
            for member in words.exact:
                exact[member] = exact.get(member, 0) | bit
            if words.prefixes:
                stems.append((bit, words.prefixes))
        self._roles = exact, tuple(stems)
        return self._roles

    def candidates(self, word: str) -> list[Term]:
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

    def _strip_once_more(self, word: str) -> list[Term]:
        for clitic in self.clitics:
            if word.startswith(clitic) and len(word) - len(clitic) >= 2:
                found = self._lookup(word[len(clitic) :])
                if found:
                    return found
        return []

    def _lookup(self, word: str) -> list[Term]:
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
        term = Term(section, weight, " ".join(parts), len(first), tuple(patterns[1:]))
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
def vocabulary(codes: tuple[str, ...]) -> frozenset[str]:
    """The unspaced-script words of several lexicons together."""
    return frozenset().union(*(load(code).unspaced for code in codes))


@cache
def load(code: str) -> Lexicon:
    """The compiled lexicon for a language code (or ``common``), read once from the package data."""
    text = resources.files(__package__ or __name__).joinpath(f"{code}.txt").read_text(encoding="utf-8")
    return parse(code, text)
