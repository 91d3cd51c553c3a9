"""Words that never make a complaint theme, per language, read from `themes_stopwords.txt` beside this module.

One home for the lists that the digest's themes and the report's themes both leave out, so both say the same.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from importlib import resources

__all__ = ["StopwordLists", "read_stopwords", "theme_stopwords"]

# (language code, "never" or "phrase"): words that never make a theme, or make one only inside a phrase.
StopwordLists = dict[tuple[str, str], frozenset[str]]


def read_stopwords(text: str) -> StopwordLists:
    """Parse the stopword data: `[xx]` sections never make a theme, `[xx phrase]` ones only inside a phrase."""
    lists: dict[tuple[str, str], set[str]] = defaultdict(set)
    section: tuple[str, str] | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            code, _, kind = line.strip("[]").strip().partition(" ")
            if kind not in ("", "phrase") or not code:
                raise ValueError(f"themes_stopwords.txt line {number}: unknown section {line}")
            section = (code, kind or "never")
            continue
        if section is None:
            raise ValueError(f"themes_stopwords.txt line {number}: words before the first [language] section")
        lists[section].update(word.lower() for word in line.split())
    return {name: frozenset(words) for name, words in lists.items()}


@cache
def theme_stopwords() -> StopwordLists:
    """The shipped lists (read once per process)."""
    text = resources.files("monitor.text").joinpath("themes_stopwords.txt").read_text(encoding="utf-8")
    return read_stopwords(text)
