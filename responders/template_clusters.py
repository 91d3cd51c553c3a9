"""Find the template replies of each company: the same message sent to at least `min_size` reviewers.

Replies are normalised (see `reply_normalise`), so replies that differ only by name, numbers or sign-off
are one distinct text; distinct texts are then joined when they are near-identical (a few words changed,
a sentence added or dropped): MinHash + LSH banding proposes pairs, an exact Jaccard similarity of their
word-shingle sets confirms them, and union-find joins confirmed pairs. Only distinct texts are clustered,
weighted by how often they occur, which keeps a million replies cheap when many repeat.

Rote score of a reply in a template (0 for a reply in no template):
    score = similarity(reply, template core) × min(1, ln(recipients) / ln(ROTE_SATURATION))
where the core is the set of word shingles found in at least half of the template's replies, similarity
is the Jaccard index of shingle sets, and recipients is the number of distinct reviewers who got the
template (a message sent to ROTE_SATURATION or more people counts as fully rote).
"""

from __future__ import annotations

import hashlib
import math
import multiprocessing
import os
from collections.abc import Hashable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from responders.minhash import I64, MinHasher, ShingleSets, UnionFind, pair_overlap
from responders.reply_normalise import clean_reply_text, normalise_reply
from responders.site_notices import match_site_notice
from responders.skeleton import build_skeleton

__all__ = [
    "ROTE_SATURATION",
    "ClusterSettings",
    "Template",
    "TemplateReport",
    "find_templates",
    "is_unhappy_rating",
    "recipient_factor",
    "template_id",
]

ROTE_SATURATION = 10
PARALLEL_MIN_TEXTS = 50_000
# Words of apology or of a request to get in touch: a short reply with them answers a complaint.
_COMPLAINT_CUES = frozenset(
    [
        "sorry",
        "apologise",
        "apologize",
        "apologies",
        "apology",
        "regret",
        "inconvenience",
        "unfortunately",
        "reach",
        "contact",
        "touch",
        "assist",
        "assistance",
        "help",
        "investigate",
        "escalate",
        "dm",
        "private",
        "email",
        "call",
        "issue",
        "problem",
        "concern",
        "leid",
        "entschuldigung",
        "entschuldigen",
        "kontakt",
        "ľutujeme",
        "ospravedlňujeme",
        "ne",
        "pare",
        "scuze",
        "pahoillamme",
        "anteeksi",
        "üzgünüz",
        "özür",
        "извините",
        "сожалеем",
        "извинения",
        "מצטערים",
        "מתנצלים",
        "desculpe",
        "lamentamos",
    ]
)


@dataclass(frozen=True, slots=True)
class ClusterSettings:
    """Tuning of template detection; the defaults are principled, not fitted to one company."""

    min_size: int = 3
    # Two distinct normalised replies are one template when their word-bigram sets have Jaccard >= this.
    min_similarity: float = 0.6
    shingle_size: int = 2
    num_perm: int = 64
    bands: int = 16
    # Up to this many words a template is a candidate one-liner ("Thanks!", "Danke für die Bewertung").
    one_liner_max_words: int = 12
    # With ratings known, a template whose recipients were unhappy at least this often is never a one-liner.
    one_liner_max_unhappy_share: float = 0.5
    seed: int = 20240601
    # Processes that normalise big inputs; 0 = one per core (at most 4), 1 = no extra processes.
    workers: int = 0

    def hasher(self) -> MinHasher:
        """The MinHasher these settings describe."""
        return MinHasher(shingle_size=self.shingle_size, num_perm=self.num_perm, bands=self.bands, seed=self.seed)


@dataclass(slots=True)
class Template:
    """One template: the same message sent to `size` distinct reviewers of one group."""

    id: str
    group: str
    kind: str  # "template" or "one_liner"
    size: int  # distinct recipients
    reply_count: int
    skeleton: str
    representative: str  # normalised text of the most frequent member
    examples: list[str]
    members: list[int]  # row indices of the input
    unhappy_share: float | None
    core: frozenset[int] = field(repr=False, default=frozenset())
    member_keys: dict[str, int] = field(repr=False, default_factory=dict)  # normalised text -> count


@dataclass(slots=True)
class TemplateReport:
    """Templates found, and for each input row its template id (or None) and rote score."""

    templates: list[Template]
    template_ids: list[str | None]
    scores: list[float | None]
    site_notices: list[str | None]  # name of the site notice a row is, if any
    settings: ClusterSettings

    def by_id(self) -> dict[str, Template]:
        """Templates keyed by id."""
        return {template.id: template for template in self.templates}

    def template_share(self) -> float:
        """Share of non-empty replies that belong to a template."""
        counted = [tid for tid, score in zip(self.template_ids, self.scores, strict=True) if score is not None]
        return sum(tid is not None for tid in counted) / len(counted) if counted else 0.0


def template_id(group: str, key: str) -> str:
    """Stable id of a template from its group and representative normalised text."""
    return "t" + hashlib.blake2b(f"{group}\x1f{key}".encode(), digest_size=5).hexdigest()


def recipient_factor(recipients: int) -> float:
    """How much being sent to `recipients` people makes a message rote: 0 for one, 1 from ROTE_SATURATION."""
    if recipients <= 1:
        return 0.0
    return min(1.0, math.log(recipients) / math.log(ROTE_SATURATION))


def is_unhappy_rating(rating: float | None, scale: int = 5) -> bool | None:
    """A rating of at most 2 on a 5-point scale (40 % of the scale) is an unhappy reviewer."""
    if rating is None or (isinstance(rating, float) and math.isnan(rating)):
        return None
    return rating <= 0.4 * scale


def jaccard(a: frozenset[int] | set[int], b: frozenset[int] | set[int]) -> float:
    """Jaccard index of two sets (1.0 for two empty sets)."""
    if not a and not b:
        return 1.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def cluster_distinct(
    token_lists: Sequence[Sequence[str] | str], settings: ClusterSettings, hasher: MinHasher
) -> tuple[I64, ShingleSets]:
    """Label of each distinct token list (near-identical lists share it) and the lists' shingle sets."""
    sets = hasher.shingles(token_lists)
    if len(token_lists) < 2:
        return np.arange(len(token_lists), dtype=np.int64), sets
    signatures = hasher.signatures(sets)
    return _link_candidates(sets, signatures, settings, hasher), sets


def _link_candidates(sets: ShingleSets, signatures: np.ndarray, settings: ClusterSettings, hasher: MinHasher) -> I64:
    n = len(sets)
    union = UnionFind(n)
    rejected: set[int] = set()
    positions = np.arange(n, dtype=np.int64)
    for band in range(hasher.bands):
        roots = union.roots()
        keys = hasher.band_keys(signatures, band)
        order = np.lexsort((roots, keys))
        sorted_keys, sorted_roots = keys[order], roots[order]
        starts_bucket = np.ones(n, dtype=bool)
        starts_bucket[1:] = sorted_keys[1:] != sorted_keys[:-1]
        new_root = starts_bucket.copy()
        new_root[1:] |= sorted_roots[1:] != sorted_roots[:-1]
        # In each bucket, compare its first text with the first text of every other cluster in it:
        # at most one pair per (bucket, cluster), so a big family of variants costs linear, not quadratic.
        candidates = np.nonzero(new_root & ~starts_bucket)[0]
        if not len(candidates):
            continue
        bucket_first = np.maximum.accumulate(np.where(starts_bucket, positions, 0))
        left = order[bucket_first[candidates]]
        right = order[candidates]
        codes = np.minimum(left, right) * n + np.maximum(left, right)
        fresh = np.fromiter((int(c) not in rejected for c in codes), dtype=bool, count=len(codes))
        left, right, codes = left[fresh], right[fresh], codes[fresh]
        if not len(left):
            continue
        inter, size_left, size_right = pair_overlap(sets, left, right)
        similarity = inter / (size_left + size_right - inter)
        accept = similarity >= settings.min_similarity
        for a, b in zip(left[accept].tolist(), right[accept].tolist(), strict=True):
            union.union(a, b)
        rejected.update(codes[~accept].tolist())
    return union.roots()


def find_templates(
    texts: Sequence[str | None],
    *,
    groups: Sequence[Hashable | None] | None = None,
    recipients: Sequence[Hashable | None] | None = None,
    unhappy: Sequence[bool | None] | None = None,
    ratings: Sequence[float | None] | None = None,
    rating_scale: int = 5,
    settings: ClusterSettings | None = None,
) -> TemplateReport:
    """Cluster replies into templates per group; see the module docstring for the rote score.

    `recipients` identifies the reviewer each reply went to (default: every row is a different reviewer);
    `unhappy` flags or `ratings` (unhappy = at most 2 of 5 stars) tell one-liners from complaint templates.
    """
    settings = settings or ClusterSettings()
    n = len(texts)
    for name, column in (("groups", groups), ("recipients", recipients), ("unhappy", unhappy), ("ratings", ratings)):
        if column is not None and len(column) != n:
            raise ValueError(f"{name} has {len(column)} values for {n} texts")
    if unhappy is None and ratings is not None:
        unhappy = [is_unhappy_rating(r, rating_scale) for r in ratings]

    template_ids: list[str | None] = [None] * n
    scores: list[float | None] = [None] * n
    notices: list[str | None] = [None] * n
    # Normalise each distinct raw text once (in parallel for big inputs), then index rows by (group, key).
    distinct_raw: dict[str, None] = {}
    for row, text in enumerate(texts):
        if text is None or not str(text).strip():
            continue
        scores[row] = 0.0
        notice = match_site_notice(str(text))
        if notice is not None:
            notices[row] = notice.name
            continue
        distinct_raw.setdefault(str(text), None)
    # One string object per distinct key: many raw texts share a key, and a million copies would cost memory.
    interned: dict[str, str] = {}
    key_of_raw = {
        raw: interned.setdefault(key, key)
        for raw, key in zip(distinct_raw, _normalise_all(list(distinct_raw), settings.workers), strict=True)
    }
    del interned
    rows_by_key: dict[tuple[str, str], list[int]] = {}
    for row, text in enumerate(texts):
        if scores[row] is None or notices[row] is not None:
            continue
        key = key_of_raw[str(text)]
        if not key:
            continue  # only emoji or punctuation: nothing to compare
        group = "" if groups is None or groups[row] is None else str(groups[row])
        rows_by_key.setdefault((group, key), []).append(row)

    keys_by_group: dict[str, list[str]] = {}
    for group, key in rows_by_key:
        keys_by_group.setdefault(group, []).append(key)

    hasher = settings.hasher()
    templates: list[Template] = []
    for group, keys in keys_by_group.items():
        labels, sets = cluster_distinct(keys, settings, hasher)
        clusters: dict[int, list[int]] = {}
        for index, label in enumerate(labels.tolist()):
            clusters.setdefault(label, []).append(index)
        for members in clusters.values():
            rows = [row for index in members for row in rows_by_key[(group, keys[index])]]
            people = {row if recipients is None or recipients[row] is None else recipients[row] for row in rows}
            if len(people) < settings.min_size:
                continue
            weights = np.array([len(rows_by_key[(group, keys[i])]) for i in members], dtype=np.int64)
            core, similarity = _core_and_similarity(sets, np.asarray(members, dtype=np.int64), weights)
            template = _describe(
                group, [keys[i] for i in members], rows_by_key, texts, len(people), unhappy, core, settings
            )
            templates.append(template)
            factor = recipient_factor(template.size)
            for index, value in zip(members, similarity.tolist(), strict=True):
                for row in rows_by_key[(group, keys[index])]:
                    template_ids[row] = template.id
                    scores[row] = round(value * factor, 4)
    templates.sort(key=lambda t: (-t.size, t.id))
    return TemplateReport(templates, template_ids, scores, notices, settings)


def _normalise_key(text: str) -> str:
    return normalise_reply(text).key


def _normalise_all(texts: list[str], workers: int) -> list[str]:
    """Normalised key of each text; big inputs are spread over processes (normalising is pure Python)."""
    if workers == 0:
        workers = min(4, os.cpu_count() or 1)
    if workers <= 1 or len(texts) < PARALLEL_MIN_TEXTS or "fork" not in multiprocessing.get_all_start_methods():
        return [_normalise_key(text) for text in texts]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(_normalise_key, texts, chunksize=2000))


def _core_and_similarity(sets: ShingleSets, members: I64, weights: I64) -> tuple[frozenset[int], np.ndarray]:
    """The template's core shingles (in at least half of its replies) and each member's Jaccard with it."""
    sizes = sets.sizes()[members]
    values = np.concatenate([sets.of(int(i)) for i in members])
    unique, inverse = np.unique(values, return_inverse=True)
    counts = np.bincount(inverse, weights=np.repeat(weights, sizes))
    core = unique[counts >= weights.sum() / 2]
    inside = np.isin(values, core).astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    inter = np.add.reduceat(inside, starts) if len(values) else np.zeros(len(members), dtype=np.int64)
    similarity = inter / (sizes + len(core) - inter)
    return frozenset(core.tolist()), similarity


def _describe(
    group: str,
    keys: list[str],
    rows_by_key: dict[tuple[str, str], list[int]],
    texts: Sequence[str | None],
    size: int,
    unhappy: Sequence[bool | None] | None,
    core: frozenset[int],
    settings: ClusterSettings,
) -> Template:
    weights = {key: len(rows_by_key[(group, key)]) for key in keys}
    ranked = sorted(keys, key=lambda key: (-weights[key], key))
    representative = ranked[0]
    rows = sorted(row for key in keys for row in rows_by_key[(group, key)])

    unhappy_share = None
    if unhappy is not None:
        known = [unhappy[row] for row in rows if unhappy[row] is not None]
        unhappy_share = round(sum(bool(flag) for flag in known) / len(known), 4) if known else None
    kind = _kind(representative, unhappy_share, settings)

    first_raw = str(texts[rows_by_key[(group, representative)][0]])
    sample = [(key.split(" "), weights[key]) for key in ranked[1:40]]
    sample.append((representative.split(" "), weights[representative]))
    examples: list[str] = []
    for key in ranked[:3]:
        examples.append(clean_reply_text(str(texts[rows_by_key[(group, key)][0]])))
    return Template(
        id=template_id(group, representative),
        group=group,
        kind=kind,
        size=size,
        reply_count=len(rows),
        skeleton=build_skeleton(first_raw, sample),
        representative=representative,
        examples=examples,
        members=rows,
        unhappy_share=unhappy_share,
        core=core,
        member_keys={key: weights[key] for key in ranked},
    )


def _kind(key: str, unhappy_share: float | None, settings: ClusterSettings) -> str:
    """ "one_liner" for a short acknowledgement sent mostly to content reviewers, else "template"."""
    words = key.split(" ")
    if len(words) > settings.one_liner_max_words:
        return "template"
    if unhappy_share is not None:
        return "one_liner" if unhappy_share < settings.one_liner_max_unhappy_share else "template"
    # Without ratings, read the words: an apology or a request to get in touch answers a complaint.
    return "template" if any(word in _COMPLAINT_CUES for word in words) else "one_liner"
