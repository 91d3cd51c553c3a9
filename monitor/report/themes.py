"""Top complaint themes per period, and how each one's share of complaints moved against the period before.

Complaints are read with the text layer's theme matcher (`monitor.text.themes`): words count by their stem in
the review's language, phrases of up to three words stay within a sentence. Which words never make a theme
(function words, narration, the company's own name) comes from the caller as word lists in the layout of the
digest's stopword data: `(language, "never")` words never count, `(language, "phrase")` words only inside a
phrase. Without word lists no themes are read.

Reading text is the one part of a report the database cannot do, so at most `budget` complaints are read per
company (their first 1,000 characters), spread evenly over the periods, each period's sample chosen by a fixed
hash of the review id: the same data gives the same themes. Shares are of the complaints read; `themes_read`
says how many that was.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from sqlalchemy import BigInteger, Table, case, cast, func, literal, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from monitor.report.model import Found, Theme, figures_at
from monitor.report.scope import Scope
from monitor.store.models import Review
from monitor.text.lexicons import fold
from monitor.text.themes import UNKNOWN_LANGUAGE, Token, phrases, review_text, stem, tokens

__all__ = [
    "LONGEST_PHRASE",
    "MIN_PER_PERIOD",
    "THEMES_READ",
    "THEMES_SHOWN",
    "ThemeReading",
    "ThemeWords",
    "finish_themes",
    "start_themes",
]

THEMES_READ = 300  # complaints read per company at most, over all periods (reading one takes about half a ms)
MIN_PER_PERIOD = 20  # with fewer per period, themes are read for the whole range only
_READ_CHARACTERS = 1_000  # of each complaint: what it is about is said at the start, and long ones cost the most
THEMES_SHOWN = 5
LONGEST_PHRASE = 3
_MIN_LETTERS = 3
_MIN_MENTIONS = 3
# Knuth's multiplicative hash of the id, modulo 2^32: an order that spreads a period's sample over the period.
_SPREAD = 2_654_435_761
_HASH_RANGE = 2**32
_MARGIN = 50  # complaints kept under a threshold beyond twice the sample, so that no group falls short

ThemeWords = Mapping[tuple[str, str], frozenset[str]]
Key = tuple[str, ...]


@dataclass
class _Sample:
    """What the complaints read in one period say: per term, how many mention it and how they write it."""

    read: int = 0
    mentions: Counter[Key] = field(default_factory=Counter)
    written: dict[Key, Counter[str]] = field(default_factory=dict)


class _Reader:
    """The terms of one review: runs of kept words; a word that is too general only inside a phrase."""

    def __init__(self, words: ThemeWords, own_names: Iterable[str]) -> None:
        self._words = words
        spelled = [[t.word for t in tokens(name, None)] for name in own_names]
        self._own = frozenset(fold(w) for parts in spelled for w in [*parts, "".join(parts)] if w)
        self._by_language: dict[str | None, tuple[frozenset[str], frozenset[str]]] = {}
        self._skips: dict[str | None, dict[str, bool]] = {}

    def _lists(self, language: str | None) -> tuple[frozenset[str], frozenset[str]]:
        """The words (folded, and their stems) that never make a theme, and those that only do in a phrase."""
        if language in self._by_language:
            return self._by_language[language]
        codes = {UNKNOWN_LANGUAGE, language or UNKNOWN_LANGUAGE}
        never = set(self._own)
        phrase_only: set[str] = set()
        for code in codes:
            for word in self._words.get((code, "never"), frozenset()):
                never.update((fold(word), stem(word, language)))
            for word in self._words.get((code, "phrase"), frozenset()):
                phrase_only.update((fold(word), stem(word, language)))
        self._by_language[language] = (frozenset(never), frozenset(phrase_only))
        return self._by_language[language]

    def terms(self, text: str, language: str | None) -> dict[Key, str]:
        """Each term of the text (stems) with how it was first written."""
        never, phrase_only = self._lists(language)
        known = self._skips.setdefault(language, {})

        def skip(token: Token) -> bool:
            # Words repeat across reviews: each one is judged once per language.
            found = known.get(token.word)
            if found is None:
                found = known[token.word] = (
                    len(token.word) < _MIN_LETTERS
                    or any(char.isdigit() for char in token.word)
                    or fold(token.word) in never
                    or token.key in never
                )
            return found

        found: dict[Key, str] = {}
        for key, written, _start in phrases(tokens(text, language), skip=skip, longest=LONGEST_PHRASE):
            if len(key) == 1 and (key[0] in phrase_only or fold(written) in phrase_only):
                continue
            found.setdefault(key, written)
        return found


_Fetched = list[tuple[int, str, str | None, str | None, str | None]]


def _threshold(wanted: int, complaints: int) -> int:
    """A hash value below which a group of `complaints` keeps about twice `wanted` of them, with a margin."""
    if complaints <= wanted:
        return _HASH_RANGE
    return min(_HASH_RANGE, -(-_HASH_RANGE * (2 * wanted + _MARGIN) // complaints))


def _fetch(
    scope: Scope, rows: Table, per_group: int, group: ColumnElement[Any], sizes: Mapping[tuple[int, str], int]
) -> _Fetched:
    """Up to `per_group` complaints of each company and group (a period, or the range and the period before).

    The sample is each group's `per_group` complaints of the lowest hash. Ranking every complaint costs a sort of
    all of them (a second for half a million); with the groups' sizes (`sizes`, the unhappy reviews counted per
    company and group) only those under a hash threshold that keeps about twice as many are ranked. A group that
    the threshold left short, which a well spread hash makes all but impossible, is fetched again without one.
    """
    spread = (cast(rows.c.id, BigInteger) * literal(_SPREAD, BigInteger)) % literal(_HASH_RANGE, BigInteger)
    by_company: dict[int, dict[str, int]] = defaultdict(dict)
    for (company, name), size in sizes.items():
        if size > per_group:
            by_company[company][name] = _threshold(per_group, size)
    fetched = _ranked(scope, rows, per_group, group, spread, _limits(rows.c.company, group, by_company))
    got = Counter((company, name) for company, name, *_ in fetched)
    short = {key for key, size in sizes.items() if got[key] < min(per_group, size)}
    if short:
        fetched = [row for row in fetched if (row[0], row[1]) not in short]
        fetched += [row for row in _ranked(scope, rows, per_group, group, spread, None) if (row[0], row[1]) in short]
    return fetched


def _limits(company: Any, group: ColumnElement[Any], by_company: Mapping[int, Mapping[str, int]]) -> Any:
    """The hash threshold of each row's company and group, or None to rank every complaint."""
    if not by_company:
        return None
    per_company = [
        (company == owner, case(*[(group == name, limit) for name, limit in groups.items()], else_=_HASH_RANGE))
        for owner, groups in by_company.items()
    ]
    return case(*per_company, else_=_HASH_RANGE)


def _ranked(scope: Scope, rows: Table, per_group: int, group: ColumnElement[Any], spread: Any, limit: Any) -> _Fetched:
    ranked = (
        select(
            rows.c.company.label("company"),
            rows.c.id.label("id"),
            group.label("grp"),
            func.row_number().over(partition_by=[rows.c.company, group], order_by=spread).label("rank"),
        )
        .where(rows.c.unhappy == 1, *([] if limit is None else [spread < limit]))
        .subquery()
    )
    query = (
        select(
            ranked.c.company,
            ranked.c.grp,
            col(Review.title),
            func.substr(col(Review.body), 1, _READ_CHARACTERS),
            col(Review.language),
        )
        .join(Review, col(Review.id) == ranked.c.id)
        .where(ranked.c.rank <= per_group)
    )
    return [
        (company, str(name), title, body, language)
        for company, name, title, body, language in scope.connection.execute(query)
    ]


def _read(fetched: _Fetched, readers: Mapping[int, _Reader]) -> dict[tuple[int, str], _Sample]:
    """The terms of every fetched complaint, counted per company and group."""
    samples: dict[tuple[int, str], _Sample] = defaultdict(_Sample)
    for company, name, title, body, language in fetched:
        sample = samples[company, name]
        sample.read += 1
        for key, written in readers[company].terms(review_text(title, body or ""), language).items():
            sample.mentions[key] += 1
            sample.written.setdefault(key, Counter())[written] += 1
    return samples


def _parts(key: Key) -> set[Key]:
    """The shorter terms inside a phrase: ("late", "deliveri") holds ("late",) and ("deliveri",)."""
    return {key[i:j] for i in range(len(key)) for j in range(i + 1, len(key) + 1) if j - i < len(key)}


def _top(counts: Mapping[Key, float], floor: float) -> list[Key]:
    """The most mentioned terms; a phrase that covers most uses of a shorter term stands for it."""
    candidates = {key: n for key, n in counts.items() if n >= floor}
    absorbed = {
        part
        for phrase, n in candidates.items()
        for part in _parts(phrase)
        if part in candidates and n * 2 > candidates[part]
    }
    chosen: list[Key] = []
    for key in sorted((k for k in candidates if k not in absorbed), key=lambda k: (-candidates[k], -len(k), k)):
        # A word of a chosen phrase, or a phrase around a chosen word, would show the same reviews again.
        if any(key in _parts(c) or c in _parts(key) for c in chosen):
            continue
        chosen.append(key)
        if len(chosen) == THEMES_SHOWN:
            break
    return chosen


def _written(key: Key, samples: Iterable[_Sample]) -> str:
    forms: Counter[str] = Counter()
    for sample in samples:
        forms.update(sample.written.get(key, Counter()))
    return min(forms, key=lambda form: (-forms[form], len(form), form)) if forms else " ".join(key)


def _share(sample: _Sample | None, key: Key) -> float | None:
    return sample.mentions[key] / sample.read if sample and sample.read else None


def _period_themes(sample: _Sample, before: _Sample | None) -> list[Theme]:
    floor = max(_MIN_MENTIONS, sample.read * 0.02)
    return [
        Theme(
            term=_written(key, [sample]),
            mentions=sample.mentions[key],
            share=sample.mentions[key] / sample.read,
            previous_share=_share(before, key),
        )
        for key in _top(sample.mentions, floor)
    ]


def _overall(samples: list[tuple[_Sample, int]], before: _Sample | None) -> list[Theme]:
    """Themes of several periods together: each period's sample weighed by its number of complaints."""
    complaints = sum(size for sample, size in samples if sample.read)
    if not complaints:
        return []
    estimated: dict[Key, float] = defaultdict(float)
    for sample, size in samples:
        if sample.read:
            for key, count in sample.mentions.items():
                estimated[key] += count / sample.read * size
    read = [sample for sample, _ in samples]
    floor = max(_MIN_MENTIONS, complaints * 0.02)
    return [
        Theme(
            term=_written(key, read),
            mentions=sum(sample.mentions[key] for sample in read),
            share=estimated[key] / complaints,
            previous_share=_share(before, key),
        )
        for key in _top(estimated, floor)
    ]


@dataclass
class ThemeReading:
    """Complaints fetched for themes, read on another thread while the database counts the rest of the report."""

    companies: list[int]
    keys: list[str]  # the period before first
    overall: str | None
    whole_only: bool  # too many periods for the budget: only the whole range (and the period before) was read
    samples: Future[dict[tuple[int, str], _Sample]]


def start_themes(
    scope: Scope,
    rows: Table,
    keys: list[str],
    *,
    words: ThemeWords | None,
    own_names: Mapping[int, Iterable[str]],
    budget: int,
    overall: str | None,
    executor: Executor,
    complaints: Mapping[tuple[int, str], int] | None = None,
) -> ThemeReading | None:
    """Fetch the complaints to read for themes and start reading them on `executor`; None when there is nothing to read.

    `keys` starts with the period before, whose themes only serve as a baseline; `own_names` are each company's
    names (its own and its sources'), never a theme of its complaints. With `overall`, the themes of all report
    periods together are filed under that key. When the budget leaves fewer than MIN_PER_PERIOD complaints per
    period (a year by day), only those of the whole range are read. `complaints`, the unhappy reviews of each
    company and period key where already counted, let the sample be drawn without ranking every complaint.
    """
    if words is None or not scope.source_ids or budget <= 0:
        return None
    readers = {company: _Reader(words, own_names.get(company, ())) for company in scope.company_ids}
    per_period = budget // len(keys)
    whole_only = overall is not None and per_period < MIN_PER_PERIOD
    counted = complaints or {}
    if whole_only and overall is not None:
        sizes: dict[tuple[int, str], int] = {}
        for (company, key), size in counted.items():
            name = keys[0] if key == keys[0] else overall
            sizes[company, name] = sizes.get((company, name), 0) + size
        group = case((rows.c.period == keys[0], keys[0]), else_=overall)
        fetched = _fetch(scope, rows, max(1, budget // 2), group, sizes)
    else:
        fetched = _fetch(scope, rows, max(1, per_period), rows.c.period, counted)
    # Reading is Python work and the database waits meanwhile; the other queries of the report run beside it.
    future = executor.submit(_read, fetched, readers)
    return ThemeReading(scope.company_ids, keys, overall, whole_only, future)


def finish_themes(reading: ThemeReading | None, found: Found) -> None:
    """Fill the themes of every period (and of the whole range) once the reading is done."""
    if reading is None:
        return
    samples = reading.samples.result()
    keys, overall = reading.keys, reading.overall
    for company in reading.companies:
        if reading.whole_only and overall is not None:
            target = figures_at(found, company, overall)
            target.themes_read = samples[company, overall].read
            if target.themes_read:
                target.themes = _period_themes(samples[company, overall], samples.get((company, keys[0])))
            continue
        for previous_key, key in pairwise(keys):
            figures = figures_at(found, company, key)
            figures.themes_read = samples[company, key].read
            if samples[company, key].read:
                figures.themes = _period_themes(samples[company, key], samples.get((company, previous_key)))
        if overall is not None:
            weighed = [(samples[company, k], figures_at(found, company, k).unhappy_reviews) for k in keys[1:]]
            target = figures_at(found, company, overall)
            # Against the period before the first alone, a change of the whole range would mislead: none is given.
            target.themes = _overall(weighed, None)
            target.themes_read = sum(sample.read for sample, _ in weighed)
