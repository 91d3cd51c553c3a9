"""The lexicons a text is scored with, in order, and what a written word means to all of them, remembered.

Scoring asks every lexicon in play about every word: a text of unknown language has nineteen of them, so a
200-word review made thousands of lookups. Review words repeat, so a plan remembers, per word as written, its
folded form, its roles in any of the lexicons and each lexicon's candidate terms: one dictionary lookup a word.
"""

from __future__ import annotations

from functools import lru_cache

from monitor.text.lexicons.lexicon import Lexicon, Term, load
from monitor.text.words import WordSet, fold, is_masked

__all__ = ["Plan", "Word", "compiled_plan"]

# A written word: its folded form, its roles (bit mask) in any lexicon of the plan, and the candidate terms of
# the lexicons that have some, as (position in the plan, terms); empty for most words.
Word = tuple[str, int, tuple[tuple[int, tuple[Term, ...]], ...]]

# Stems this short collide across languages ("pickup" is not Slovak "pič*"); a language that was only guessed
# matches plain-ASCII words by exact form or by longer stems.
_GUESSED_MIN_STEM = 5
# Words remembered per plan, cleared when full: a large import's vocabulary, some 200 bytes a word (10 MB).
_WORDS_LIMIT = 50_000
# Plans kept: one per detected language and one for unknown text, with room for other callers' plans.
_PLANS_KEPT = 32


class Plan:
    """The lexicons of a text's language, those only guessed, and "common", with what each word means to them."""

    __slots__ = ("_guessed", "_words", "lexicons", "neutral")

    def __init__(self, languages: tuple[str, ...], guessed: tuple[str, ...]) -> None:
        self.lexicons: tuple[Lexicon, ...] = (*map(load, languages), *map(load, guessed), load("common"))
        self._guessed = (False,) * len(languages) + (True,) * len(guessed) + (False,)
        # Per lexicon, the words that are no term as written, only once folded ("schon", already, not "schön").
        self.neutral: tuple[WordSet | None, ...] = tuple(_neutral(lexicon) for lexicon in self.lexicons)
        self._words: dict[str, Word] = {}

    def words(self, tokens: list[str]) -> list[Word]:
        """What each token means to the plan's lexicons, in order."""
        known = self._words
        return [known.get(token) or self._word(token) for token in tokens]

    def knows_masked(self, word: str) -> bool:
        """Whether a masked word ("****ing") stands for a swear word or insult of one of the plan's lexicons."""
        return bool(self.words([word])[0][2])  # remembered with the plan's other words

    def _word(self, token: str) -> Word:
        folded = fold(token)
        roles = 0
        candidates: list[tuple[int, tuple[Term, ...]]] = []
        masked = is_masked(token)
        for position, (lexicon, guessed) in enumerate(zip(self.lexicons, self._guessed, strict=True)):
            terms, role = (lexicon.unmasked(folded), 0) if masked else lexicon.info(folded)
            roles |= role
            if terms and guessed:
                terms = _guessed_filter(terms, folded)
            if terms:
                candidates.append((position, terms))
        word: Word = (folded, roles, tuple(candidates))
        if len(self._words) >= _WORDS_LIMIT:
            self._words.clear()
        self._words[token] = word
        return word


@lru_cache(maxsize=_PLANS_KEPT)
def compiled_plan(languages: tuple[str, ...], guessed: tuple[str, ...]) -> Plan:
    """The plan for these lexicons, built once."""
    return Plan(languages, guessed)


def _neutral(lexicon: Lexicon) -> WordSet | None:
    neutral = lexicon.words.get("neutral")
    return neutral if neutral is not None and neutral.exact else None


def _guessed_filter(terms: tuple[Term, ...], word: str) -> tuple[Term, ...]:
    if not word.isascii():
        return terms
    return tuple(term for term in terms if term.key_length >= _GUESSED_MIN_STEM or _is_exact(term, word))


def _is_exact(term: Term, word: str) -> bool:
    return len(word) == term.key_length
