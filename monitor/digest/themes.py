"""Complaint themes: words and two-word phrases that this week's unhappy reviews use more often than before."""

from __future__ import annotations

import math
import re
from collections import Counter
from datetime import timedelta
from functools import cache
from importlib import resources
from itertools import pairwise

from sqlmodel import Session, col, select

from monitor.digest.model import CompanyDigest, Quote, Theme
from monitor.store.models import Company, Review, SourceRow

__all__ = ["MAX_THEMES", "THEME_BASELINE_DAYS", "THEME_PERIOD_DAYS", "add_themes"]

MAX_THEMES = 8
THEME_PERIOD_DAYS = 7
THEME_BASELINE_DAYS = 28

_WORD = re.compile(r"[^\W\d_]{2,}(?:['’][^\W\d_]+)*")

# One review's text with its link and terms, for quoting the reviews that show a theme.
_Text = tuple[str, str | None, set[str]]


@cache
def _stopwords() -> frozenset[str]:
    """Function words and review staples of the languages the product reads; they never make a theme."""
    text = resources.files("monitor.digest").joinpath("themes_stopwords.txt").read_text(encoding="utf-8")
    return frozenset(word for line in text.splitlines() if not line.lstrip().startswith("#") for word in line.split())


def _terms(text: str) -> set[str]:
    """Words and adjacent-word pairs of a review, lower-cased, stopwords left out."""
    skip = _stopwords()
    words = [w.lower().replace("’", "'") for w in _WORD.findall(text)]
    kept = [w if w not in skip and len(w) > 2 else None for w in words]
    found = {w for w in kept if w}
    found.update(f"{a} {b}" for a, b in pairwise(kept) if a and b)
    return found


def add_themes(session: Session, digest: CompanyDigest, sources: list[SourceRow], company: Company) -> None:
    """Fill the complaint themes of the week that ends with the digest day, and the company's fixed themes."""
    period_start = digest.window_end - timedelta(days=THEME_PERIOD_DAYS)
    baseline_start = period_start - timedelta(days=THEME_BASELINE_DAYS)
    rows = session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types select() for up to four columns
            Review.unhappy, Review.title, Review.body, Review.url, Review.first_seen
        ).where(
            col(Review.source_id).in_([s.id for s in sources if s.id is not None]),
            col(Review.unhappy).is_not(None),
            col(Review.first_seen) >= baseline_start,
            col(Review.first_seen) < digest.window_end,
        )
    ).all()
    # The company's own name is in every complaint about it: never a theme.
    own = {w.lower() for name in [company.name, *(s.name for s in sources)] for w in _WORD.findall(name)}
    period: Counter[str] = Counter()
    baseline: Counter[str] = Counter()
    happy: Counter[str] = Counter()
    period_docs = baseline_docs = happy_docs = 0
    texts: list[_Text] = []
    for unhappy, title, body, url, first_seen in rows:
        text = f"{title}. {body}" if title else body
        found = {t for t in _terms(text) if not (set(t.split()) & own)}
        if not unhappy:
            if first_seen >= period_start:
                happy.update(found)
                happy_docs += 1
        elif first_seen >= period_start:
            period.update(found)
            period_docs += 1
            texts.append((text, url, found))
        else:
            baseline.update(found)
            baseline_docs += 1
    if baseline_docs:
        digest.themes_basis = "weeks"
    elif happy_docs:
        digest.themes_basis, baseline, baseline_docs = "happy", happy, happy_docs
    fixed = [str(t).lower() for t in (company.settings or {}).get("fixed_themes", []) if str(t).strip()]
    digest.themes = _rank_themes(period, baseline, period_docs, baseline_docs, texts, set(fixed))
    digest.fixed_themes = [
        Theme(
            term=term,
            count=period.get(term, 0),
            baseline=baseline.get(term, 0),
            growth=None,
            quotes=_quotes(term, texts),
            fixed=True,
        )
        for term in fixed
    ]


def _rank_themes(
    period: Counter[str],
    baseline: Counter[str],
    period_docs: int,
    baseline_docs: int,
    texts: list[_Text],
    fixed: set[str],
) -> list[Theme]:
    if period_docs == 0:
        return []
    min_count = max(2, math.ceil(period_docs * 0.01))
    scored: list[tuple[float, str, float | None]] = []
    for term, count in period.items():
        if count < min_count or term in fixed:
            continue
        if baseline_docs:
            # Additive smoothing keeps a term first seen this week from an infinite growth rate.
            now_rate = (count + 0.5) / (period_docs + 1)
            before_rate = (baseline.get(term, 0) + 0.5) / (baseline_docs + 1)
            growth = now_rate / before_rate
            if growth < 1.5:
                continue
            score = count * math.log(growth)
        else:
            growth = None
            score = float(count)
        if " " in term:
            score *= 1.5  # a phrase says more than either of its words
        scored.append((score, term, growth))
    scored.sort(key=lambda s: (-s[0], s[1]))
    chosen: list[tuple[str, float | None]] = []
    for _score, term, growth in scored:
        # A word inside a chosen phrase with about the same count adds nothing.
        if any(term in c.split() and period[term] <= period[c] * 1.3 for c, _ in chosen if " " in c):
            continue
        chosen.append((term, growth))
        if len(chosen) == MAX_THEMES:
            break
    return [
        Theme(term=t, count=period[t], baseline=baseline.get(t, 0), growth=g, quotes=_quotes(t, texts))
        for t, g in chosen
    ]


def _quotes(term: str, texts: list[_Text], limit: int = 2) -> tuple[Quote, ...]:
    found: list[Quote] = []
    first = term.split()[0]
    pattern = re.compile(re.escape(first), re.IGNORECASE)
    for text, url, text_terms in texts:
        if term not in text_terms:
            continue
        match = pattern.search(text)
        at = match.start() if match else 0
        begin = max(0, at - 60)
        snippet = " ".join(text[begin : at + 100].split())
        found.append(Quote(text=("…" if begin else "") + snippet + ("…" if at + 100 < len(text) else ""), url=url))
        if len(found) == limit:
            break
    return tuple(found)
