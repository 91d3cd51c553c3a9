"""Words as the text layer sees them: tokens, folding (case, diacritics, letter variants) and word sets.

Every matcher of review or reply text should see the same words: "pessimo" finds "péssimo", "khong" finds
"không", and a Thai sentence written without spaces is cut into the words a lexicon knows.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "CLAUSE_BREAK",
    "MASKS",
    "WordSet",
    "fits_masked",
    "fold",
    "is_masked",
    "is_unspaced",
    "masked_spans",
    "segment",
    "split_unspaced",
    "tokenize",
    "unstretched",
]

# Letters whose plain form is not their Unicode decomposition, or that users of one script interchange.
_SPECIAL_FOLDS: dict[str, str | None] = {
    "đ": "d",
    "ł": "l",
    "ø": "o",
    "ı": "i",
    "ß": "ss",
    "œ": "oe",
    "’": "'",
    "ʼ": "'",
    "`": "'",
    "ё": "е",
    # Arabic: hamza carriers and final forms vary freely in user text.
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ة": "ه",
    "ى": "ي",
    "ـ": None,
    "\ufe0f": None,
    "\u200d": None,
    "\u200c": None,
}


def _fold_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    # Every lower-case Latin letter with diacritics (Vietnamese stacks two: "ệ", "ữ") folds to its base letter.
    for code in (*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)):
        char = chr(code)
        if char != char.lower():
            continue
        base = "".join(part for part in unicodedata.normalize("NFKD", char) if not unicodedata.combining(part))
        if base != char and base.isascii() and base.isalpha():
            table[code] = base
    for char, replacement in _SPECIAL_FOLDS.items():
        table[ord(char)] = replacement
    # Combining accents left after composition, Hebrew niqqud and cantillation, Arabic harakat and emoji skin
    # tones carry no meaning for matching.
    for code in range(0x0300, 0x0370):
        table[code] = None
    for code in range(0x0591, 0x05C8):
        if chr(code) not in "׀׃׆":
            table[code] = None
    for code in (*range(0x064B, 0x0653), *range(0x1F3FB, 0x1F400)):
        table[code] = None
    return table


_FOLD = _fold_table()
_FOLDED: dict[str, str] = {}
_FOLD_MEMO_LIMIT = 200_000  # distinct words remembered; cleared when full, so memory stays bounded
_FOLD_MEMO_LONGEST = 40  # words, not whole texts, are worth remembering


def _mark_class() -> str:
    """A regex character class of the combining marks of the scripts reviews are written in (BMP up to U+1DFF)."""
    ranges: list[tuple[int, int]] = []
    for code in range(0x0300, 0x1E00):
        if unicodedata.category(chr(code)).startswith("M"):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    parts = [f"\\u{low:04x}" if low == high else f"\\u{low:04x}-\\u{high:04x}" for low, high in ranges]
    # The zero-width non-joiner sits inside Persian and Indic words.
    return "[" + "".join(parts) + "\\u200c\\ufe00-\\ufe0e]"


_MARKS = _mark_class()
# A word is letters or digits, each followed by its combining marks (Devanagari vowel signs, Thai tone marks,
# Hebrew niqqud), joined by inner apostrophes; anything else that is not a space is a token of its own.
_LETTER = rf"[^\W_]{_MARKS}*"
_TOKEN = re.compile(rf"(?:{_LETTER})+(?:['’](?:{_LETTER})+)*|[^\w\s]")
# The same tokens for ASCII text, which has no combining marks or curly apostrophes: letters as a plain range
# instead of a class tried with its marks after every letter make most reviews' tokens twice as fast to find.
_ASCII_TOKEN = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z0-9]+)*|[^A-Za-z0-9_\s]")
# Characters that sites and reviewers put in place of the letters of a swear word ("****ing", "f@#k", "sh*t").
MASKS = "*#@$%"
_MASK_SPLIT = re.compile(r"[*#@$%]+")
_INNER_MASK = re.compile(r"[^\W\d_][*#@$%]+[^\W\d_]")
_LONGEST_MASK = 7  # "b*******" is "bullshit"; ten masks in a row hide a phone or account number
# A letter written three times or more in a row, for emphasis.
_STRETCH = re.compile(r"([^\W\d_])\1{2,}")
# Stands for the clause boundary a space marks between two runs of Thai; never produced by ``tokenize``.
CLAUSE_BREAK = "\n"
# Scripts written without spaces between words; their runs are cut with a vocabulary.
_UNSPACED = re.compile("[\u0e00-\u0e7f]")
# Thai vowels written before the consonant they follow in speech: a word never ends on one.
_LEADING_VOWELS = frozenset("\u0e40\u0e41\u0e42\u0e43\u0e44")


def fold(word: str) -> str:
    """Lower-case a word and strip the diacritics users often leave out."""
    found = _FOLDED.get(word)
    if found is None:
        # Memoised: review words repeat, and every analysis stage folds every word.
        found = word
        if not word.isascii():
            # Lexicon files and texts may spell one letter precomposed or decomposed ("ड़", "ड" + nukta).
            found = unicodedata.normalize("NFC", word)
        found = found.replace("İ", "i").lower().translate(_FOLD)
        if len(word) <= _FOLD_MEMO_LONGEST:
            if len(_FOLDED) >= _FOLD_MEMO_LIMIT:
                _FOLDED.clear()
            _FOLDED[word] = found
    return found


def unstretched(word: str) -> tuple[str, ...]:
    """A word with letters repeated three times or more written twice, then once ("goood": "good", "god")."""
    if _STRETCH.search(word) is None:
        return ()
    return _STRETCH.sub(r"\1\1", word), _STRETCH.sub(r"\1", word)


def tokenize(text: str, whole: Sequence[tuple[int, int]] = ()) -> list[str]:
    """Words, single punctuation marks and single emoji, in order, as written (accents composed).

    ``whole`` are spans of ``text`` (from ``masked_spans``) kept as one token each, in order.
    """
    tokens: list[str] = []
    at = 0
    for start, end in whole:
        tokens += _plain_tokens(text[at:start])
        tokens.append(text[start:end])
        at = end
    return tokens + _plain_tokens(text[at:]) if whole else _plain_tokens(text)


def _plain_tokens(text: str) -> list[str]:
    if text.isascii():
        return _ASCII_TOKEN.findall(text)
    # Text typed with combining accents ("te" + U+0323 U+0302) reads as the precomposed "tệ".
    return _TOKEN.findall(unicodedata.normalize("NFC", text))


def masked_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` holds words written with masking characters for letters ("****ing", "f*ck", "bull***t")."""
    spans: list[tuple[int, int]] = []
    if not any(mask in text for mask in MASKS):
        return spans  # five substring tests are some forty times faster than a regex scan for a class
    end = 0
    # From each run of masks out over the letters and masks around it: a search from every letter of the text
    # for a run that may follow costs a long review a tenth of a millisecond.
    for run in _MASK_SPLIT.finditer(text):
        start, stop = run.span()
        if start < end or stop - start > _LONGEST_MASK:
            continue  # a later run of a word already read ("f*ck*ng"), or a masked number
        before = text[start - 1] if start else " "
        after = text[stop] if stop < len(text) else " "
        if not (before.isalpha() or after.isalpha()):
            continue  # masks alone ("****"), or beside digits
        end = stop
        while start > 0 and _is_mask_word_char(text[start - 1]):
            start -= 1
        while end < len(text) and _is_mask_word_char(text[end]):
            end += 1
        # Beside a digit or an underscore the run is part of a number or a name ("S$7", "**********74").
        if (start > 0 and _is_word_char(text[start - 1])) or (end < len(text) and _is_word_char(text[end])):
            continue
        if is_masked(text[start:end]):
            spans.append((start, end))
    return spans


def _is_mask_word_char(char: str) -> bool:
    return char.isalpha() or char in MASKS


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def is_masked(word: str) -> bool:
    """Whether a run of letters and masking characters reads as a masked word, not as emphasis or a masked number.

    Masks inside the letters ("f*ck") or two or more at an edge ("****ing", "s***") mask letters; one at an edge is
    emphasis or a currency ("*great*", "S$"); a run longer than any word hides a number or an address.
    """
    runs = _MASK_SPLIT.findall(word)
    if not runs or max(map(len, runs)) > _LONGEST_MASK or not any(char.isalpha() for char in word):
        return False
    inner = _INNER_MASK.search(word) is not None
    return inner or len(word) - len(word.lstrip(MASKS)) >= 2 or len(word) - len(word.rstrip(MASKS)) >= 2


def fits_masked(word: str, key: str, *, whole: bool) -> bool:
    """Whether masked ``word`` can be ``key`` (``whole``) or a word starting with it, a mask standing for a letter."""
    if len(word) < len(key) or (whole and len(word) != len(key)):
        return False
    return all(written == letter or written in MASKS for written, letter in zip(word, key, strict=False))


def is_unspaced(token: str) -> bool:
    """Whether a token is in a script written without spaces between words (Thai)."""
    return _UNSPACED.search(token) is not None


@dataclass(frozen=True, slots=True)
class WordSet:
    """Folded words; an entry given as ``stem*`` matches every word starting with the stem."""

    exact: frozenset[str]
    prefixes: tuple[str, ...]

    @classmethod
    def of(cls, entries: Iterable[str]) -> WordSet:
        """A set from entries as written in a word list (folded here, ``*`` marking stems)."""
        exact: set[str] = set()
        prefixes: list[str] = []
        for entry in entries:
            if entry.endswith("*") and len(entry) > 1:
                prefixes.append(fold(entry[:-1]))
            else:
                exact.add(fold(entry))
        return cls(frozenset(exact), tuple(prefixes))

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        return word in self.exact or word.startswith(self.prefixes)


def _is_mark(char: str) -> bool:
    return unicodedata.category(char).startswith("M")


def segment(run: str, vocabulary: frozenset[str], longest: int) -> list[str]:
    """Cut a run of unspaced script into vocabulary words (longest first, left to right) and the pieces between.

    A word may not start after a leading vowel or end before a combining mark: those belong to the letters
    around them, so "ดี" (good) is not found inside "เดี๋ยว" (moment).
    """
    pieces: list[str] = []
    pending_start = 0
    index = 0
    while index < len(run):
        found = 0
        if index == 0 or run[index - 1] not in _LEADING_VOWELS:
            for length in range(min(longest, len(run) - index), 0, -1):
                end = index + length
                if run[index:end] in vocabulary and (end == len(run) or not _is_mark(run[end])):
                    found = length
                    break
        if found:
            if pending_start < index:
                pieces.append(run[pending_start:index])
            pieces.append(run[index : index + found])
            index += found
            pending_start = index
        else:
            index += 1
    if pending_start < len(run):
        pieces.append(run[pending_start:])
    return pieces


def split_unspaced(tokens: list[str], vocabulary: frozenset[str]) -> list[str]:
    """Tokens with every unspaced-script token cut into vocabulary words (tokens are kept as written).

    Thai puts a space where other scripts put a comma or a full stop, so between two Thai tokens a
    ``CLAUSE_BREAK`` token is inserted: negation and intensity do not reach across it.
    """
    if not any(is_unspaced(token) for token in tokens):
        return tokens
    longest = max((len(word) for word in vocabulary), default=0)
    result: list[str] = []
    previous_unspaced = False
    for token in tokens:
        unspaced = is_unspaced(token)
        if unspaced:
            if previous_unspaced:
                result.append(CLAUSE_BREAK)
            result.extend(segment(token, vocabulary, longest) if longest else [token])
        else:
            result.append(token)
        previous_unspaced = unspaced
    return result
