"""Find the template replies of each company: the same message sent to at least `min_size` reviewers.

Replies are normalised (see `reply_normalise`), so replies that differ only by name, numbers or sign-off
are one distinct text; distinct texts are then joined when they are near-identical (a few words changed,
a sentence added or dropped): MinHash + LSH banding proposes pairs, an exact Jaccard similarity of their
word-shingle sets confirms them, union-find links confirmed pairs, and linked groups are split around
centres so that no chain of variants joins messages that share little. Only distinct texts are clustered,
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

from responders.template_replies.minhash import I64, MinHasher, ShingleSets, UnionFind, pair_overlap, ranges
from responders.template_replies.normalise import clean_reply_text, normalise_key
from responders.template_replies.site_notices import match_site_notice
from responders.template_replies.skeleton import build_skeleton

__all__ = [
    "ROTE_SATURATION",
    "ClusterSettings",
    "Template",
    "TemplateReport",
    "find_templates",
    "is_unhappy_rating",
    "recipient_factor",
    "split_around_centres",
    "template_id",
]

ROTE_SATURATION = 10
PARALLEL_MIN_TEXTS = 20_000
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
    # Split linked groups around centres so that each member is near-identical to its template's centre text
    # (False: every chain of near-identical pairs is one template, i.e. single-link clustering).
    split_chains: bool = True
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
    token_lists: Sequence[Sequence[str] | str],
    settings: ClusterSettings,
    hasher: MinHasher,
    weights: Sequence[int] | I64 | None = None,
) -> tuple[I64, ShingleSets]:
    """Label of each distinct token list (near-identical lists share it) and the lists' shingle sets.

    Near-identical pairs are linked, then every linked group is split around centres so that each member
    is near-identical to its cluster's centre (see `split_around_centres`); `weights` (how often each list
    occurs, default 1) choose the centres.
    """
    sets = hasher.shingles(token_lists)
    n = len(token_lists)
    if n < 2:
        return np.arange(n, dtype=np.int64), sets
    signatures = hasher.signatures(sets)
    linked, edges = _link_candidates(sets, signatures, settings, hasher)
    if not settings.split_chains:
        return linked, sets
    weight = np.ones(n, dtype=np.int64) if weights is None else np.asarray(weights, dtype=np.int64)
    band_keys = hasher.all_band_keys(signatures)
    labels = split_around_centres(
        linked, sets, band_keys, weight, token_lists, edges, settings.min_similarity, settings.min_size
    )
    return labels, sets


def _link_candidates(
    sets: ShingleSets, signatures: np.ndarray, settings: ClusterSettings, hasher: MinHasher
) -> tuple[I64, tuple[I64, I64]]:
    """Union-find root of every text after joining verified near-identical pairs, and the joining pairs."""
    n = len(sets)
    union = UnionFind(n)
    rejected: set[int] = set()
    positions = np.arange(n, dtype=np.int64)
    joined_left: list[int] = []
    joined_right: list[int] = []
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
        if rejected:
            fresh = np.fromiter(map(rejected.__contains__, codes.tolist()), dtype=bool, count=len(codes))
            left, right, codes = left[~fresh], right[~fresh], codes[~fresh]
        if not len(left):
            continue
        inter, size_left, size_right = pair_overlap(sets, left, right)
        similarity = inter / (size_left + size_right - inter)
        accept = similarity >= settings.min_similarity
        for a, b in zip(left[accept].tolist(), right[accept].tolist(), strict=True):
            if union.union(a, b):
                joined_left.append(a)
                joined_right.append(b)
        rejected.update(codes[~accept].tolist())
    edges = (np.asarray(joined_left, dtype=np.int64), np.asarray(joined_right, dtype=np.int64))
    return union.roots(), edges


def split_around_centres(
    labels: I64,
    sets: ShingleSets,
    band_keys: np.ndarray,
    weights: I64,
    keys: Sequence[Sequence[str] | str],
    edges: tuple[I64, I64],
    min_similarity: float,
    min_weight: int,
) -> I64:
    """Split linked groups so that every member is within `min_similarity` of its cluster's centre.

    Linking near-identical pairs is transitive: A~B and B~C put A and C together even when they share
    little (messages that open differently but close alike chain up through their variants). Centres are
    chosen heaviest first (most often sent; ties by text), in rounds: within a linked group, the heaviest
    pending text of each LSH bucket heads it; a pending text that is near-identical to none of the heads of
    its buckets becomes a centre, and one near-identical to a centre joins the heaviest such centre. Each
    cluster is then a centre's message and its near-identical variants. A piece lighter than `min_weight`
    (too small to be a template on its own) joins the cluster of a text it was linked to, so splitting never
    turns a linked variant into a non-template. Returns a cluster label (its centre) per text.
    """
    n = len(labels)
    result = labels.copy()
    sizes = np.bincount(labels, minlength=n)
    # Two linked texts were verified against each other: only groups of three or more can hold a chain.
    pending = np.nonzero(sizes[labels] > 2)[0]
    if not len(pending):
        return result
    rank = np.zeros(n, dtype=np.int64)  # position in text order, the last tie-break
    rank[pending[sorted(range(len(pending)), key=lambda i: _as_text(keys[int(pending[i])]))]] = np.arange(len(pending))
    # Heaviness order of every pending text: 0 = heaviest.
    heaviness = np.zeros(n, dtype=np.int64)
    heaviness[pending[np.lexsort((rank[pending], -weights[pending]))]] = np.arange(len(pending))
    # Buckets of the texts to split, one per (band, key) within a linked group, numbered once.
    member = np.repeat(pending, band_keys.shape[1])
    bucket_key = band_keys[pending].ravel()
    order = np.lexsort((bucket_key, labels[member]))
    starts = np.ones(len(order), dtype=bool)
    starts[1:] = (bucket_key[order][1:] != bucket_key[order][:-1]) | (
        labels[member][order][1:] != labels[member][order][:-1]
    )
    bucket = np.empty(len(order), dtype=np.int64)
    bucket[order] = np.cumsum(starts) - 1
    buckets = int(bucket.max()) + 1
    active = np.zeros(n, dtype=bool)
    active[pending] = True
    while len(pending):
        keep = active[member]
        member, bucket = member[keep], bucket[keep]
        if 4 * len(bucket) < buckets:  # renumber the buckets still in use, so per-round arrays shrink too
            used, bucket = np.unique(bucket, return_inverse=True)
            buckets = len(used)
        # The heaviest pending text heads each bucket; every text is compared with the heads of its buckets.
        lightest = np.full(buckets, len(heaviness), dtype=np.int64)
        np.minimum.at(lightest, bucket, heaviness[member])
        is_top = heaviness[member] == lightest[bucket]
        top_of_bucket = np.empty(buckets, dtype=np.int64)
        top_of_bucket[bucket[is_top]] = member[is_top]
        head = top_of_bucket[bucket]
        other = head != member
        codes = np.unique(member[other] * n + head[other])
        left, right = codes // n, codes % n
        inter, size_left, size_right = pair_overlap(sets, left, right)
        near = inter / (size_left + size_right - inter) >= min_similarity
        left, right = left[near], right[near]
        # A text near no heavier head is a centre; a text near a centre joins the heaviest such centre; the
        # rest wait for the next round, when the heads they were near to are settled.
        is_centre = active.copy()
        is_centre[left] = False
        joins = is_centre[right]
        left, right = left[joins], right[joins]
        best = np.lexsort((heaviness[right], left))
        first = np.ones(len(best), dtype=bool)
        first[1:] = left[best][1:] != left[best][:-1]
        centres = pending[is_centre[pending]]
        result[centres] = centres
        result[left[best][first]] = right[best][first]
        active[centres] = False
        active[left[best][first]] = False
        pending = pending[active[pending]]
    return _attach_fragments(labels, result, weights, edges, min_weight)


def _attach_fragments(labels: I64, result: I64, weights: I64, edges: tuple[I64, I64], min_weight: int) -> I64:
    """Texts of clusters lighter than `min_weight` join the cluster of a text they were linked to."""
    n = len(labels)
    cluster_weight = np.bincount(result, weights=weights, minlength=n)
    small = cluster_weight[result] < min_weight
    has_big = np.zeros(n, dtype=bool)
    has_big[labels[~small]] = True
    # A linked group without any big cluster stays whole, as linked (its pieces together may be a template).
    alone = small & ~has_big[labels]
    result = result.copy()
    result[alone] = labels[alone]
    small &= ~alone
    left = np.concatenate([edges[0], edges[1]])
    right = np.concatenate([edges[1], edges[0]])
    while small.any():
        # Pieces next to an attached text adopt its cluster; repeat until the chains are absorbed.
        step = small[left] & ~small[right]
        if not step.any():
            break
        movers, targets = left[step], right[step]
        result[movers] = result[targets]
        small[movers] = False
    return result


def _as_text(key: Sequence[str] | str) -> str:
    return key if isinstance(key, str) else " ".join(key)


# Result of normalising one distinct raw text in `_prepare`: the key, or one of these markers (a key never
# starts with a control character).
_EMPTY_MARK = "\x01"
_NOTICE_MARK = "\x00"


def _prepare(text: str) -> str:
    """Normalised key of a raw reply, `_EMPTY_MARK` for an empty one, `_NOTICE_MARK` + name for a site notice."""
    if not text or text.isspace():
        return _EMPTY_MARK
    notice = match_site_notice(text)
    if notice is not None:
        return _NOTICE_MARK + notice.name
    return normalise_key(text)


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

    # Each distinct raw text is normalised once (in parallel for big inputs); rows refer to it by number.
    raw_number: dict[str, int] = {}
    number_of = raw_number.setdefault
    row_raw = np.fromiter(
        (-1 if text is None else number_of(str(text), len(raw_number)) for text in texts), dtype=np.int64, count=n
    )
    prepared = _normalise_all(list(raw_number), settings.workers)
    del raw_number
    # Per distinct raw text: 0 = empty (no score), 1 = scored but never a template, 2 = a key to cluster.
    key_number: dict[str, int] = {}
    raw_key = np.full(len(prepared) + 1, -1, dtype=np.int64)  # the extra last entry stands for None rows
    raw_state = np.zeros(len(prepared) + 1, dtype=np.int8)
    raw_notice: dict[int, str] = {}
    for index, result in enumerate(prepared):
        if result == _EMPTY_MARK:
            continue
        raw_state[index] = 1
        if result.startswith(_NOTICE_MARK):
            raw_notice[index] = result[1:]
        elif result:  # an empty key is only emoji or punctuation: nothing to compare
            raw_state[index] = 2
            raw_key[index] = key_number.setdefault(result, len(key_number))
    del prepared
    keys = list(key_number)
    del key_number
    row_raw[row_raw < 0] = len(raw_state) - 1
    row_key = raw_key[row_raw]
    row_state = raw_state[row_raw]

    # Rows are grouped by (group, key): `entry` numbers those pairs; only entries are clustered.
    if groups is None:
        row_group = np.zeros(n, dtype=np.int64)
        group_names = [""]
    else:
        group_number: dict[str, int] = {}
        row_group = np.fromiter(
            (group_number.setdefault("" if g is None else str(g), len(group_number)) for g in groups),
            dtype=np.int64,
            count=n,
        )
        group_names = list(group_number)
    clustered = np.nonzero(row_key >= 0)[0]
    pair = row_group[clustered] * max(1, len(keys)) + row_key[clustered]
    entry_pairs, row_entry_local = np.unique(pair, return_inverse=True)
    entry_group = entry_pairs // max(1, len(keys))
    entry_key = entry_pairs % max(1, len(keys))
    entry_weight = np.bincount(row_entry_local, minlength=len(entry_pairs))
    # Rows of each entry, in row order: rows_sorted[entry_start[e]:entry_start[e + 1]].
    by_entry = np.argsort(row_entry_local, kind="stable")
    rows_sorted = clustered[by_entry]
    entry_start = np.zeros(len(entry_pairs) + 1, dtype=np.int64)
    entry_start[1:] = np.cumsum(entry_weight)

    def rows_of(entry: int) -> I64:
        return rows_sorted[entry_start[entry] : entry_start[entry + 1]]

    hasher = settings.hasher()
    templates: list[Template] = []
    entry_template = np.full(len(entry_pairs), -1, dtype=np.int64)
    entry_score = np.zeros(len(entry_pairs), dtype=np.float64)
    group_bounds = np.searchsorted(entry_group, np.arange(len(group_names) + 1))
    for group_index, group in enumerate(group_names):
        entries = np.arange(group_bounds[group_index], group_bounds[group_index + 1])
        if not len(entries):
            continue
        # Texts in order of first appearance: linking compares the first text of each bucket, so the order
        # is part of the result and must not depend on how keys happen to be numbered.
        entries = entries[np.argsort(rows_sorted[entry_start[entries]], kind="stable")]
        group_keys = [keys[k] for k in entry_key[entries].tolist()]
        weights = entry_weight[entries]
        labels, sets = cluster_distinct(group_keys, settings, hasher, weights)
        # Only clusters with at least `min_size` rows can reach `min_size` distinct recipients.
        cluster_rows = np.bincount(labels, weights=weights, minlength=len(entries))
        heavy = np.nonzero(cluster_rows[labels] >= settings.min_size)[0]
        clusters: dict[int, list[int]] = {}
        for index, label in zip(heavy.tolist(), labels[heavy].tolist(), strict=True):
            clusters.setdefault(label, []).append(index)
        cores, similarities = _cores_and_similarities(sets, heavy, labels[heavy], weights[heavy])
        for members in clusters.values():
            member_entries = entries[members]
            rows = np.sort(np.concatenate([rows_of(e) for e in member_entries.tolist()]))
            if recipients is None:
                people = len(rows)
            else:
                people = len({row if recipients[row] is None else recipients[row] for row in rows.tolist()})
            if people < settings.min_size:
                continue
            member_weights = weights[members]
            core = cores[int(labels[members[0]])]
            member_keys = {group_keys[i]: int(w) for i, w in zip(members, member_weights.tolist(), strict=True)}
            template = _describe(
                group,
                member_keys,
                {group_keys[i]: int(rows_of(int(e))[0]) for i, e in zip(members, member_entries, strict=True)},
                rows.tolist(),
                texts,
                people,
                unhappy,
                core,
                settings,
            )
            factor = recipient_factor(template.size)
            entry_template[member_entries] = len(templates)
            entry_score[member_entries] = [round(similarities[i] * factor, 4) for i in members]
            templates.append(template)

    # Per row: template id and score (None for an empty reply, 0 for a reply in no template).
    row_template = np.full(n, -1, dtype=np.int64)
    row_template[clustered] = entry_template[row_entry_local]
    row_scores = np.zeros(n, dtype=np.float64)
    row_scores[clustered] = entry_score[row_entry_local]
    ids = [template.id for template in templates]
    template_ids: list[str | None] = [None if t < 0 else ids[t] for t in row_template.tolist()]
    scores: list[float | None] = [
        None if state == 0 else score for state, score in zip(row_state.tolist(), row_scores.tolist(), strict=True)
    ]
    notices: list[str | None] = [None] * n
    if raw_notice:
        for row in np.nonzero(np.isin(row_raw, list(raw_notice)))[0].tolist():
            notices[row] = raw_notice[int(row_raw[row])]
    templates.sort(key=lambda t: (-t.size, t.id))
    return TemplateReport(templates, template_ids, scores, notices, settings)


# Texts of the current `_normalise_all` call, read by forked workers (they inherit the parent's memory, so
# the texts are not sent to them one by one).
_POOL_TEXTS: list[str] = []


def _prepare_range(bounds: tuple[int, int]) -> list[str]:
    return [_prepare(text) for text in _POOL_TEXTS[bounds[0] : bounds[1]]]


def _normalise_all(texts: list[str], workers: int) -> list[str]:
    """`_prepare` of each text; big inputs are spread over forked processes (normalising is pure Python)."""
    global _POOL_TEXTS
    if workers == 0:
        workers = min(4, os.cpu_count() or 1)
    if workers <= 1 or len(texts) < PARALLEL_MIN_TEXTS or "fork" not in multiprocessing.get_all_start_methods():
        return [_prepare(text) for text in texts]
    # Enough chunks to balance the processes, few enough that start-up and messaging stay negligible.
    step = max(1_000, min(20_000, len(texts) // (workers * 8) + 1))
    _POOL_TEXTS = texts
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            parts = pool.map(_prepare_range, [(first, first + step) for first in range(0, len(texts), step)])
            return [result for part in parts for result in part]
    finally:
        _POOL_TEXTS = []


def _cores_and_similarities(
    sets: ShingleSets, members: I64, cluster: I64, weights: I64
) -> tuple[dict[int, frozenset[int]], dict[int, float]]:
    """Each cluster's core shingles (in at least half of its replies, weighted) and each member's Jaccard
    index with its cluster's core, for many clusters at once."""
    if not len(members):
        return {}, {}
    sizes = sets.offsets[members + 1] - sets.offsets[members]
    values = sets.values[ranges(sets.offsets[members], sizes)].astype(np.uint64)
    keyed = (np.repeat(cluster.astype(np.uint64), sizes) << np.uint64(32)) | values
    unique, inverse = np.unique(keyed, return_inverse=True)
    counts = np.bincount(inverse, weights=np.repeat(weights, sizes).astype(np.float64))
    unique_cluster = (unique >> np.uint64(32)).astype(np.int64)
    cluster_weight = np.bincount(cluster, weights=weights.astype(np.float64))
    in_core = counts >= cluster_weight[unique_cluster] / 2
    core_size = np.bincount(unique_cluster[in_core], minlength=len(cluster_weight))
    owner = np.repeat(np.arange(len(members)), sizes)
    inter = np.bincount(owner, weights=in_core[inverse].astype(np.float64), minlength=len(members))
    similarity = inter / (sizes + core_size[cluster] - inter)
    core_values = (unique[in_core] & np.uint64(0xFFFFFFFF)).tolist()
    core_owner = unique_cluster[in_core]
    bounds = np.searchsorted(core_owner, np.unique(cluster))
    cores = {
        int(label): frozenset(core_values[start:end])
        for label, start, end in zip(
            np.unique(cluster).tolist(), bounds.tolist(), [*bounds[1:].tolist(), len(core_values)], strict=True
        )
    }
    return cores, dict(zip(members.tolist(), similarity.tolist(), strict=True))


def _describe(
    group: str,
    member_keys: dict[str, int],
    first_row: dict[str, int],
    rows: list[int],
    texts: Sequence[str | None],
    size: int,
    unhappy: Sequence[bool | None] | None,
    core: frozenset[int],
    settings: ClusterSettings,
) -> Template:
    """A template from its members' keys (with row counts), each key's first row, and all its rows."""
    ranked = sorted(member_keys, key=lambda key: (-member_keys[key], key))
    representative = ranked[0]

    unhappy_share = None
    if unhappy is not None:
        known = [unhappy[row] for row in rows if unhappy[row] is not None]
        unhappy_share = round(sum(bool(flag) for flag in known) / len(known), 4) if known else None
    kind = _kind(representative, unhappy_share, settings)

    first_raw = str(texts[first_row[representative]])
    sample = [(key.split(" "), member_keys[key]) for key in ranked[1:40]]
    sample.append((representative.split(" "), member_keys[representative]))
    examples = [clean_reply_text(str(texts[first_row[key]])) for key in ranked[:3]]
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
        member_keys={key: member_keys[key] for key in ranked},
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
