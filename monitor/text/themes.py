"""Complaint themes in review text: words read by their stem, phrases, and whether a review mentions a theme.

This is the one theme matcher: the digest counts themes with it and the thank-you follow-ups find the reviewers
to thank with it, so both always agree on which reviews are about a theme. A theme is a word or a phrase; a
review mentions it when the review's words, reduced to their stems in the review's language, contain the
theme's stems side by side within one sentence ("late delivery" finds "Late deliveries!" but not "the delivery
was late" or "late. Delivery").
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import snowballstemmer

from monitor.text.words import fold

__all__ = [
    "STEMMERS",
    "UNKNOWN_LANGUAGE",
    "Token",
    "find",
    "mentions",
    "phrases",
    "review_text",
    "stem",
    "stemmer_name",
    "theme_key",
    "tokens",
]

# ISO 639-1 code -> Snowball algorithm. Keyed by code rather than by the supported set, so a language added to
# `monitor.text.languages.SUPPORTED` is stemmed as soon as it is supported; a code missing here (Slovak, Hebrew,
# Tagalog, Vietnamese, Thai, ...) or an algorithm missing from the installed snowballstemmer is not stemmed.
STEMMERS: dict[str, str] = {
    "ar": "arabic",
    "ca": "catalan",
    "cs": "czech",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "eo": "esperanto",
    "es": "spanish",
    "et": "estonian",
    "eu": "basque",
    "fa": "persian",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    # Malay and Indonesian share their affixes (me-, ber-, di-, -kan, -an), which is all the stemmer removes.
    "ms": "indonesian",
    "nb": "norwegian",
    "ne": "nepali",
    "nl": "dutch",
    "no": "norwegian",
    "pl": "polish",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}

# A review too short or too mixed for language identification is read as English, as negativity scoring reads it.
UNKNOWN_LANGUAGE = "en"


def _marks() -> str:
    """The combining marks as a character-class body: `\\w` leaves them out although they are part of words."""
    ranges: list[list[int]] = []
    for code in range(0x300, 0x10000):
        if unicodedata.category(chr(code)) in ("Mn", "Mc", "Me"):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges)


# A word: letters and digits with their combining marks (Devanagari vowel signs, Thai vowels, Arabic and Hebrew
# vowel points), apostrophes inside. Underscores are read as spaces (see `tokens`), so `\\w` needs no exception.
_PART = rf"\w[\w{_marks()}]*"
_WORD = re.compile(rf"{_PART}(?:['’]{_PART})*")
# What may stand between two words of one phrase: spaces (not a line break) and at most one hyphen.
_JOINING = re.compile(r"[^\S\r\n]*(?:[-‐‑][^\S\r\n]*)?")
_SENTENCE_END = frozenset(".!?…")

_local = threading.local()


@dataclass(frozen=True, slots=True)
class Token:
    """One word of a review: its stem (what themes are counted and matched by) and how it was written."""

    key: str  # the stem, lower-cased and with diacritics folded
    word: str  # lower-cased as written, for showing a theme the way reviewers write it
    start: int  # offset in the text, for quoting
    joined: bool  # continues the previous word's phrase: only spaces or a hyphen between them


def stemmer_name(language: str | None) -> str | None:
    """The Snowball algorithm for a language code ("pt-BR" reads as "pt"), or None when there is none."""
    code = re.split(r"[-_]", (language or UNKNOWN_LANGUAGE).strip().lower(), maxsplit=1)[0]
    name = STEMMERS.get(code)
    return name if name in _available() else None


@cache
def _available() -> frozenset[str]:
    return frozenset(snowballstemmer.algorithms())


def _stemmer(name: str) -> Any:
    # Snowball stemmers keep state while stemming a word: one per thread, since the scheduler runs jobs in threads.
    stemmers: dict[str, Any] = _local.__dict__.setdefault("stemmers", {})
    if name not in stemmers:
        stemmers[name] = snowballstemmer.stemmer(name)
    return stemmers[name]


@lru_cache(maxsize=100_000)
def _key(word: str, name: str | None) -> str:
    # Stem before folding: the stemmers know their language's diacritics; folding after lets "nao" meet "não".
    return fold(str(_stemmer(name).stemWord(word)) if name else word)


def _normal(word: str) -> str:
    # Accents typed as combining marks ("e" + U+0301) are stemmed as the precomposed letter ("é").
    return (word if word.isascii() else unicodedata.normalize("NFC", word)).lower().replace("’", "'")


def stem(word: str, language: str | None) -> str:
    """A word's theme key in a language: its stem, lower-cased and folded."""
    return _key(_normal(word), stemmer_name(language))


def tokens(text: str, language: str | None) -> list[Token]:
    """The words of a text with their stems in `language` (None: not identified), in order."""
    name = stemmer_name(language)
    found: list[Token] = []
    end = 0
    plain = text.replace("_", " ")  # same length: offsets stay those of `text`
    for match in _WORD.finditer(plain):
        word = _normal(match.group())
        joined = bool(found) and _JOINING.fullmatch(plain, end, match.start()) is not None
        found.append(Token(key=_key(word, name), word=word, start=match.start(), joined=joined))
        end = match.end()
    return found


@lru_cache(maxsize=4_096)
def theme_key(theme: str, language: str | None) -> tuple[str, ...]:
    """The stems a theme is matched by in a language ("Late deliveries" -> ("late", "deliveri") in English)."""
    return tuple(token.key for token in tokens(theme, language))


def find(words: Sequence[Token], key: tuple[str, ...]) -> Token | None:
    """The first word where `key` starts as one phrase (side by side, within a sentence), or None."""
    size = len(key)
    if not size:
        return None
    for at in range(len(words) - size + 1):
        if all(words[at + i].key == key[i] and (i == 0 or words[at + i].joined) for i in range(size)):
            return words[at]
    return None


def mentions(text: str, language: str | None, theme: str) -> bool:
    """Whether a review text in `language` mentions a theme (a word or phrase, in any inflection the stemmer knows)."""
    return find(tokens(text, language), theme_key(theme, language)) is not None


def phrases(
    words: Sequence[Token], *, skip: Callable[[Token], bool], longest: int = 3
) -> Iterator[tuple[tuple[str, ...], str, int]]:
    """Every run of up to `longest` joined words that `skip` keeps: (stems, words as written, offset)."""
    for at, first in enumerate(words):
        if skip(first):
            continue
        key, written = [first.key], [first.word]
        yield (first.key,), first.word, first.start
        for token in words[at + 1 : at + longest]:
            if not token.joined or skip(token):
                break
            key.append(token.key)
            written.append(token.word)
            yield tuple(key), " ".join(written), first.start


def review_text(title: str | None, body: str) -> str:
    """A review's title and body as one text, the title ending a sentence so no phrase spans the two."""
    title = (title or "").strip()
    if not title:
        return body
    return f"{title}{'' if title[-1] in _SENTENCE_END else '.'}\n{body}"
