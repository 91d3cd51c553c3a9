"""Review text as the matchers read it: compatibility forms folded and invisible format characters dropped.

Full-width letters ("ＳＣＡＭ"), ligatures and a zero-width space or soft hyphen inside a word ("law\u200byer")
look like the plain word to a reader and must read as it to the lexicons and the regulator names too.
"""

from __future__ import annotations

import unicodedata
from functools import cache

__all__ = ["normalise_text"]

# NFKC splits the Thai and Lao vowel AM into NIKHAHIT + AA; the lexicons write the one letter, as typists do.
_RECOMPOSE = (("\u0e4d\u0e32", "\u0e33"), ("\u0ecd\u0eb2", "\u0eb3"))
# Blocks that hold format characters (Cf) outside the Basic Multilingual Plane: Kaithi, Egyptian, shorthand
# controls, musical symbols and the emoji tag characters.
_ASTRAL_FORMAT_BLOCKS = (
    range(0x110BD, 0x110CE),
    range(0x13430, 0x13440),
    range(0x1BCA0, 0x1BCA4),
    range(0x1D173, 0x1D17B),
    range(0xE0001, 0xE0080),
)


@cache
def _format_characters() -> dict[int, None]:
    """A translation table deleting every format character: zero-width spaces and joiners, soft hyphens, bidi marks."""
    codes = (*range(0x80, 0x10000), *(code for block in _ASTRAL_FORMAT_BLOCKS for code in block))
    return {code: None for code in codes if unicodedata.category(chr(code)) == "Cf"}


def normalise_text(text: str) -> str:
    """``text`` in NFKC with format characters (Cf) dropped: what every matcher of review words should read."""
    if text.isascii():
        return text  # nothing to fold, and by far the most common case
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
        for split, letter in _RECOMPOSE:
            text = text.replace(split, letter)
    return text.translate(_format_characters())
