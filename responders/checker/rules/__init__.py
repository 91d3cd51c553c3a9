"""Per-language phrase rules for the reply checker: one module per language, each defining `RULES`."""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from functools import cache

__all__ = ["SUPPORTED", "CompiledRules", "LanguageRules", "WordSet", "rules_for"]

# Languages with a rule module; the order is the tie-break order of the fallback language detector.
# Filipino (tl) comes after English so that an English draft, whose function words Filipino's list also holds,
# stays English; Malay (ms) after Indonesian, whose words it mostly shares.
SUPPORTED: tuple[str, ...] = ("en", "sk", "ro", "fi", "tr", "he", "de", "pt", "ru", "es", "fr", "id", "ms", "tl", "vi")


class WordSet:
    """Words given as one space-separated string; an entry ending in `*` matches any word starting with it."""

    def __init__(self, words: str) -> None:
        entries = words.split()
        self.exact = frozenset(w.casefold() for w in entries if not w.endswith("*"))
        self.prefixes = tuple(w[:-1].casefold() for w in entries if w.endswith("*"))

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        folded = word.casefold()
        return folded in self.exact or folded.startswith(self.prefixes)


@dataclass(frozen=True)
class LanguageRules:
    """The phrase patterns (regular expressions, matched case-insensitively) of one language."""

    code: str
    stopwords: str  # function words: used to detect the language and to find content words
    courtesy: str  # greeting, thanks, apology and vague words that say nothing about the case (WordSet syntax)
    apology: tuple[str, ...]
    thanks: tuple[str, ...]
    blame_shift: tuple[str, ...]
    questions_customer: tuple[str, ...]
    next_step: tuple[str, ...]
    promise: tuple[str, ...]
    qualifier: tuple[str, ...]
    review_change: tuple[str, ...]
    filler: tuple[str, ...]
    # Blame that an apology in the same sentence does not turn into ownership, reported as `blame_shift`:
    # naming another party's fault, denying one's own ("not our fault", "beyond our control") and sending the
    # customer to the third party ("please contact the restaurant").
    deflection: tuple[str, ...] = ()
    # Letters one-letter prefixes can add to a word (Hebrew writes "and", "the", "to" onto the next word).
    clitic_prefixes: str = ""


@dataclass(frozen=True)
class CompiledRules:
    """A language's rules with every pattern compiled once."""

    code: str
    stopwords: WordSet
    courtesy: WordSet
    clitic_prefixes: str
    patterns: dict[str, tuple[re.Pattern[str], ...]]


_PATTERN_FIELDS = (
    "apology",
    "thanks",
    "blame_shift",
    "deflection",
    "questions_customer",
    "next_step",
    "promise",
    "qualifier",
    "review_change",
    "filler",
)


@cache
def rules_for(code: str) -> CompiledRules:
    """Compiled rules of a supported language code; raises KeyError for an unsupported one."""
    if code not in SUPPORTED:
        raise KeyError(code)
    raw: LanguageRules = importlib.import_module(f"{__name__}.{code}").RULES
    patterns = {name: tuple(re.compile(p, re.IGNORECASE) for p in getattr(raw, name)) for name in _PATTERN_FIELDS}
    return CompiledRules(
        code=raw.code,
        stopwords=WordSet(raw.stopwords),
        courtesy=WordSet(raw.courtesy),
        clitic_prefixes=raw.clitic_prefixes,
        patterns=patterns,
    )
