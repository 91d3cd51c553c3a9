"""Word lists of template detection (greetings, sign-offs, ...), kept as text files in `wordlists/`.

Each file holds one entry per line (an entry may contain spaces: "kind regards"); blank lines and lines
starting with ``#`` are skipped. Entries keep their file order, which matters where a list becomes the
alternatives of a regular expression.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

__all__ = ["word_list", "word_set"]

_PACKAGE = "responders.template_replies"


@cache
def word_list(name: str) -> tuple[str, ...]:
    """Entries of `wordlists/<name>.txt` in file order, read once from the package data."""
    text = resources.files(_PACKAGE).joinpath("wordlists").joinpath(f"{name}.txt").read_text(encoding="utf-8")
    entries = (line.strip() for line in text.splitlines())
    return tuple(entry for entry in entries if entry and not entry.startswith("#"))


def word_set(name: str) -> frozenset[str]:
    """Entries of `wordlists/<name>.txt` as a set, for membership tests."""
    return frozenset(word_list(name))
