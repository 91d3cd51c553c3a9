"""Complaint themes: words and phrases that this week's unhappy reviews use more often than before.

Reviews are read through the theme matcher of ``monitor.text.themes``: words count by their stem in the review's
language ("refund", "refunds" and "refunded" are one theme, shown as reviewers most often write it), phrases of up
to three words stay together within a sentence, and a fixed theme is counted with the same matcher the thank-you
follow-ups use to find the reviewers to thank.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache, partial

from sqlmodel import Session, col, select

from monitor.digest.model import CompanyDigest, Quote, Theme
from monitor.digest.sections import twin_repeats
from monitor.store.models import Company, Review, SourceRow
from monitor.text.lexicons import fold
from monitor.text.stopwords import theme_stopwords
from monitor.text.themes import UNKNOWN_LANGUAGE, Token, find, phrases, review_text, stem, theme_key, tokens

__all__ = ["LONGEST_PHRASE", "MAX_THEMES", "THEME_BASELINE_DAYS", "THEME_PERIOD_DAYS", "add_themes"]

MAX_THEMES = 8
THEME_PERIOD_DAYS = 7
THEME_BASELINE_DAYS = 28
LONGEST_PHRASE = 3

_MIN_GROWTH = 1.5
_PHRASE_BONUS = 1.5  # a phrase says more than any of its words
_MIN_LETTERS = 3  # shorter words are particles and abbreviations in every language the product reads
_QUOTES = 2

Key = tuple[str, ...]


@dataclass
class _Text:
    """One review as the themes read it: its text, link, words, and the terms it uses (where, as written)."""

    text: str
    url: str | None
    language: str | None
    words: list[Token]
    terms: dict[Key, tuple[int, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Words:
    """Words and stems of one language that never make a theme, or make one only inside a phrase."""

    never: frozenset[str]
    never_stems: frozenset[str]
    phrase_only: frozenset[str]
    phrase_only_stems: frozenset[str]


@cache
def _words_of(language: str | None, own: frozenset[str]) -> _Words:
    # English staples appear in reviews of every language (loan words, app-store English), so they always apply.
    lists = theme_stopwords()
    codes = {UNKNOWN_LANGUAGE, language or UNKNOWN_LANGUAGE}
    never = own.union(*(lists.get((c, "never"), frozenset()) for c in codes))
    phrase_only = frozenset[str]().union(*(lists.get((c, "phrase"), frozenset()) for c in codes))
    return _Words(
        never=frozenset(map(fold, never)),
        never_stems=frozenset(stem(w, language) for w in never),
        phrase_only=frozenset(map(fold, phrase_only)),
        phrase_only_stems=frozenset(stem(w, language) for w in phrase_only),
    )


class _Reader:
    """Reads a company's reviews into theme terms: its own names, numbers and stopwords never make one."""

    def __init__(self, names: Iterable[str]) -> None:
        # The company's own name is in every complaint about it, also written as one word ("Cell C", "cellc").
        spelled = [[token.word for token in tokens(name, None)] for name in names]
        self._own = frozenset(word for words in spelled for word in [*words, "".join(words)] if word)

    def read(self, text: str, url: str | None, language: str | None) -> _Text:
        """The review's words and terms: runs of up to LONGEST_PHRASE kept words; single words that may stand alone."""
        lists = _words_of(language, self._own)
        words = tokens(text, language)

        def skip(token: Token) -> bool:
            return (
                len(token.word) < _MIN_LETTERS
                or any(char.isdigit() for char in token.word)
                or fold(token.word) in lists.never
                or token.key in lists.never_stems
            )

        found = _Text(text=text, url=url, language=language, words=words)
        for key, written, start in phrases(words, skip=skip, longest=LONGEST_PHRASE):
            if len(key) == 1 and (fold(written) in lists.phrase_only or key[0] in lists.phrase_only_stems):
                continue
            found.terms.setdefault(key, (start, written))
        return found


def add_themes(
    session: Session,
    digest: CompanyDigest,
    sources: list[SourceRow],
    company: Company,
    *,
    repeats: Mapping[int, int] | None = None,
) -> None:
    """Fill the complaint themes of the week that ends with the digest day, and the company's fixed themes.

    `repeats` are the twins to skip (`monitor.digest.sections.recent_twin_repeats`), found here when not given.
    """
    period_start = digest.window_end - timedelta(days=THEME_PERIOD_DAYS)
    baseline_start = period_start - timedelta(days=THEME_BASELINE_DAYS)
    where = (
        col(Review.source_id).in_([s.id for s in sources if s.id is not None]),
        col(Review.unhappy).is_not(None),
        col(Review.first_seen) >= baseline_start,
        col(Review.first_seen) < digest.window_end,
    )
    # A review read through two sources of one store is one complaint, not two.
    if repeats is None:
        repeats = twin_repeats(session, {s.id: s for s in sources}, where)
    rows = session.exec(
        select(  # type: ignore[call-overload, misc]  # sqlmodel types select() for up to four columns
            Review.id, Review.unhappy, Review.title, Review.body, Review.url, Review.language, Review.first_seen
        ).where(*where)
    ).all()
    reader = _Reader([company.name, *(s.name for s in sources)])
    period: list[_Text] = []
    baseline: list[_Text] = []
    happy: list[_Text] = []
    for review_id, unhappy, title, body, url, language, first_seen in rows:
        if review_id in repeats or (not unhappy and first_seen < period_start):
            continue  # earlier happy reviews compare with nothing
        text = reader.read(review_text(title, body), url, language)
        (period if unhappy and first_seen >= period_start else baseline if unhappy else happy).append(text)
    if baseline:
        digest.themes_basis = "weeks"
    elif happy:
        digest.themes_basis, baseline = "happy", happy
    fixed = [str(t).strip().lower() for t in (company.settings or {}).get("fixed_themes", []) if str(t).strip()]
    languages = {t.language for t in period} | {None}
    excluded = {theme_key(theme, language) for theme in fixed for language in languages}
    digest.themes = _rank_themes(period, baseline, excluded)
    digest.fixed_themes = [
        Theme(
            term=theme,
            count=sum(_mentions(t, theme) is not None for t in period),
            baseline=sum(_mentions(t, theme) is not None for t in baseline),
            growth=None,
            quotes=_quotes(period, partial(_mentions, theme=theme)),
            fixed=True,
        )
        for theme in fixed
    ]


def _mentions(text: _Text, theme: str) -> int | None:
    """Where the review mentions the theme, by the matcher the thank-you follow-ups use; None if it does not."""
    token = find(text.words, theme_key(theme, text.language))
    return token.start if token else None


def _term_at(text: _Text, key: Key) -> int | None:
    return text.terms[key][0] if key in text.terms else None


def _inside(short: Key, long: Key) -> bool:
    return len(short) < len(long) and any(long[i : i + len(short)] == short for i in range(len(long) - len(short) + 1))


def _rank_themes(period: list[_Text], baseline: list[_Text], excluded: set[Key]) -> list[Theme]:
    if not period:
        return []
    now = Counter(key for t in period for key in t.terms)
    before = Counter(key for t in baseline for key in t.terms)
    min_count = max(2, math.ceil(len(period) * 0.01))
    candidates: dict[Key, tuple[float, float | None]] = {}
    for key, count in now.items():
        if count < min_count or key in excluded:
            continue
        growth: float | None = None
        score = float(count)
        if baseline:
            # Additive smoothing keeps a term first seen this week from an infinite growth rate.
            growth = ((count + 0.5) / (len(period) + 1)) / ((before[key] + 0.5) / (len(baseline) + 1))
            if growth < _MIN_GROWTH:
                continue
            score = count * math.log(growth)
        candidates[key] = (score * (_PHRASE_BONUS if len(key) > 1 else 1.0), growth)
    # A phrase that accounts for most uses of a shorter term stands for it: "debit order", not "debit".
    absorbed = {s for s in candidates for p in candidates if _inside(s, p) and now[p] * 2 > now[s]}
    ranked = sorted((k for k in candidates if k not in absorbed), key=lambda k: (-candidates[k][0], k))
    chosen: list[Key] = []
    for key in ranked:
        # A word of a chosen phrase, or a phrase around a chosen word, would show the same reviews again.
        if any(_inside(key, c) or _inside(c, key) for c in chosen):
            continue
        chosen.append(key)
        if len(chosen) == MAX_THEMES:
            break
    return [
        Theme(
            term=_written(key, period),
            count=now[key],
            baseline=before[key],
            growth=candidates[key][1],
            quotes=_quotes(period, partial(_term_at, key=key)),
        )
        for key in chosen
    ]


def _written(key: Key, texts: list[_Text]) -> str:
    """The way reviewers most often write a term (ties: the shortest, then alphabetical)."""
    forms = Counter(t.terms[key][1] for t in texts if key in t.terms)
    return min(forms, key=lambda form: (-forms[form], len(form), form))


def _quotes(texts: list[_Text], where: Callable[[_Text], int | None]) -> tuple[Quote, ...]:
    found: list[Quote] = []
    for t in texts:
        at = where(t)
        if at is None:
            continue
        begin = max(0, at - 60)
        snippet = " ".join(t.text[begin : at + 100].split())
        found.append(Quote(text=("…" if begin else "") + snippet + ("…" if at + 100 < len(t.text) else ""), url=t.url))
        if len(found) == _QUOTES:
            break
    return tuple(found)
