"""Find the template replies of each company: the same message sent to at least `min_size` reviewers.

Replies are normalised (see `normalise`), so replies that differ only by name, numbers or sign-off
are one distinct text; distinct texts are then joined when they are near-identical (a few words changed,
a sentence added or dropped; see `linking`): MinHash + LSH banding proposes pairs, an exact Jaccard
similarity of their word-shingle sets confirms them, union-find links confirmed pairs, and linked groups are
split around centres so that no chain of variants joins messages that share little. Only distinct texts are
clustered, weighted by how often they occur, which keeps a million replies cheap when many repeat. Each
group's templates are then grouped into families, one canned message in its reworded variants (see
`families`).

Rote score of a reply in a template (0 for a reply in no template):
    score = similarity(reply, template core) × min(1, ln(recipients) / ln(ROTE_SATURATION))
where the core is the set of word shingles found in at least half of the template's replies, similarity
is the Jaccard index of shingle sets, and recipients is the number of distinct reviewers who got the
template (a message sent to ROTE_SATURATION or more people counts as fully rote).
"""

from __future__ import annotations

import enum
import hashlib
import math
import multiprocessing
import os
import threading
from collections.abc import Hashable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from monitor.core.workers import end_with_parent
from responders.template_replies.families import Family, FamilyMember, find_families
from responders.template_replies.linking import cluster_distinct
from responders.template_replies.minhash import I64, MinHasher, ShingleSets, ranges
from responders.template_replies.normalise import clean_reply_text, normalise_key
from responders.template_replies.site_notices import match_site_notice
from responders.template_replies.skeleton import build_skeleton
from responders.template_replies.words import word_set

__all__ = [
    "ROTE_SATURATION",
    "ClusterSettings",
    "Template",
    "TemplateReport",
    "find_templates",
    "is_unhappy_rating",
    "jaccard",
    "recipient_factor",
    "template_id",
    "template_kind",
]

ROTE_SATURATION = 10
PARALLEL_MIN_TEXTS = 20_000
# Words of apology or of a request to get in touch: a short reply with them answers a complaint.
_COMPLAINT_CUES = word_set("complaint_cues")


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
    # Two templates are variants of one canned message (one family) when the rarity-weighted words and word
    # pairs they share reach this Dice coefficient (see `families`): more than half of what makes them distinctive.
    family_similarity: float = 0.55

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
    family_id: str = ""  # the family of variants it belongs to (see `families`)
    text: str = field(repr=False, default="")  # the raw reply its skeleton was built from


@dataclass(slots=True)
class TemplateReport:
    """Templates found, and for each input row its template id (or None) and rote score."""

    templates: list[Template]
    template_ids: list[str | None]
    scores: list[float | None]
    site_notices: list[str | None]  # name of the site notice a row is, if any
    settings: ClusterSettings
    families: list[Family] = field(default_factory=list)  # every template is in one, often alone

    def by_id(self) -> dict[str, Template]:
        """Templates keyed by id."""
        return {template.id: template for template in self.templates}

    def families_by_id(self) -> dict[str, Family]:
        """Families keyed by id."""
        return {family.id: family for family in self.families}

    def family_ids(self) -> list[str | None]:
        """The family of each input row (None for a row in no template)."""
        family_of = {template.id: template.family_id for template in self.templates}
        return [None if tid is None else family_of[tid] for tid in self.template_ids]

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


class _TextKind(enum.IntEnum):
    """What a distinct raw reply is to template detection (stored per row in a small integer array)."""

    EMPTY = 0  # blank or missing: no rote score
    SITE_NOTICE = 1  # written by the review site (see `site_notices`): scored 0, never in a template
    NO_WORDS = 2  # only emoji or punctuation, so nothing to compare: scored 0, never in a template
    MESSAGE = 3  # a normalised text to cluster


@dataclass(frozen=True, slots=True)
class _Replies:
    """The input columns of `find_templates` that describe templates (one value per row)."""

    texts: Sequence[str | None]
    recipients: Sequence[Hashable | None] | np.ndarray | None
    unhappy: Sequence[bool | None] | None


@dataclass(slots=True)
class _PreparedRows:
    """Phase 1: every row's kind and normalised key, and the site notice a row is."""

    keys: list[str]  # distinct normalised keys, numbered in order of first appearance
    row_key: I64  # number of each row's key, -1 for a row that is not a message
    row_kind: np.ndarray  # _TextKind of each row
    notices: list[str | None]  # name of the site notice each row is, if any


@dataclass(slots=True)
class _Entries:
    """Message rows grouped by (group, key): an entry is one distinct text of one group, clustered once."""

    group: I64  # group number of each entry; entries are sorted by group
    key: I64  # key number of each entry
    weight: I64  # number of rows of each entry
    rows: I64  # rows of every entry, entry after entry, each entry's in row order
    start: I64  # the rows of entry e are rows[start[e] : start[e + 1]]
    clustered: I64  # the message rows, in row order
    row_entry: I64  # entry of each message row, aligned with `clustered`

    def rows_of(self, entry: int) -> I64:
        """The rows of one entry, in row order."""
        return self.rows[self.start[entry] : self.start[entry + 1]]


@dataclass(slots=True)
class _Found:
    """A template found in one group, the entries it holds and each entry's rote score."""

    template: Template
    entries: I64
    scores: list[float]


def find_templates(
    texts: Sequence[str | None],
    *,
    groups: Sequence[Hashable | None] | None = None,
    recipients: Sequence[Hashable | None] | np.ndarray | None = None,
    unhappy: Sequence[bool | None] | None = None,
    ratings: Sequence[float | None] | None = None,
    rating_scale: int = 5,
    settings: ClusterSettings | None = None,
) -> TemplateReport:
    """Cluster replies into templates per group; see the module docstring for the rote score.

    `recipients` identifies the reviewer each reply went to (default: every row is a different reviewer; an
    array of numbers when every reviewer is known);
    `unhappy` flags or `ratings` (unhappy = at most 2 of 5 stars) tell one-liners from complaint templates.
    """
    settings = settings or ClusterSettings()
    n = len(texts)
    for name, column in (("groups", groups), ("recipients", recipients), ("unhappy", unhappy), ("ratings", ratings)):
        if column is not None and len(column) != n:
            raise ValueError(f"{name} has {len(column)} values for {n} texts")
    if unhappy is None and ratings is not None:
        unhappy = [is_unhappy_rating(r, rating_scale) for r in ratings]
    # Normalise the texts, cluster each group's distinct texts into templates, then describe every row.
    prepared = _prepare_rows(texts, settings.workers)
    row_group, group_names = _number_groups(groups, n)
    templates, row_template, row_score = _cluster_groups(
        prepared, row_group, group_names, _Replies(texts, recipients, unhappy), settings
    )
    replies = np.bincount(row_group[prepared.row_kind != _TextKind.EMPTY], minlength=len(group_names))
    families = _group_families(templates, dict(zip(group_names, replies.tolist(), strict=True)), settings)
    return _report(templates, row_template, row_score, prepared, settings, families)


def _prepare_rows(texts: Sequence[str | None], workers: int) -> _PreparedRows:
    """Phase 1: normalise each distinct raw text once (in parallel for big inputs) and number the keys."""
    n = len(texts)
    raw_number: dict[str, int] = {}
    number_of = raw_number.setdefault
    row_raw = np.fromiter(
        (-1 if text is None else number_of(str(text), len(raw_number)) for text in texts), dtype=np.int64, count=n
    )
    kinds, values = _normalise_all(list(raw_number), workers)
    del raw_number
    # One entry more than there are distinct texts: it stands for the missing (None) rows.
    raw_kind = np.full(len(values) + 1, _TextKind.EMPTY, dtype=np.int8)
    raw_kind[:-1] = np.frombuffer(kinds, dtype=np.int8)
    row_raw[row_raw < 0] = len(raw_kind) - 1
    key_number: dict[str, int] = {}
    raw_key = np.full(len(raw_kind), -1, dtype=np.int64)
    messages = np.nonzero(raw_kind == _TextKind.MESSAGE)[0]
    raw_key[messages] = [key_number.setdefault(values[index], len(key_number)) for index in messages.tolist()]
    raw_notice = {index: values[index] for index in np.nonzero(raw_kind == _TextKind.SITE_NOTICE)[0].tolist()}
    del values
    notices: list[str | None] = [None] * n
    if raw_notice:
        for row in np.nonzero(np.isin(row_raw, list(raw_notice)))[0].tolist():
            notices[row] = raw_notice[int(row_raw[row])]
    return _PreparedRows(list(key_number), raw_key[row_raw], raw_kind[row_raw], notices)


def _number_groups(groups: Sequence[Hashable | None] | None, n: int) -> tuple[I64, list[str]]:
    """Group number of each row (in order of first appearance) and the group names; None is the group ""."""
    if groups is None:
        return np.zeros(n, dtype=np.int64), [""]
    group_number: dict[str, int] = {}
    row_group = np.fromiter(
        (group_number.setdefault("" if g is None else str(g), len(group_number)) for g in groups),
        dtype=np.int64,
        count=n,
    )
    return row_group, list(group_number)


def _cluster_groups(
    prepared: _PreparedRows, row_group: I64, group_names: list[str], replies: _Replies, settings: ClusterSettings
) -> tuple[list[Template], I64, np.ndarray]:
    """Phase 2: the templates of every group, and each row's template (an index, -1 for none) and score."""
    entries = _make_entries(prepared.row_key, row_group, len(prepared.keys))
    hasher = settings.hasher()
    templates: list[Template] = []
    entry_template = np.full(len(entries.key), -1, dtype=np.int64)
    entry_score = np.zeros(len(entries.key), dtype=np.float64)
    group_bounds = np.searchsorted(entries.group, np.arange(len(group_names) + 1))
    for group_index, group in enumerate(group_names):
        group_entries = np.arange(group_bounds[group_index], group_bounds[group_index + 1])
        if not len(group_entries):
            continue
        for found in _group_templates(group, group_entries, entries, prepared.keys, replies, settings, hasher):
            entry_template[found.entries] = len(templates)
            entry_score[found.entries] = found.scores
            templates.append(found.template)
    n = len(row_group)
    row_template = np.full(n, -1, dtype=np.int64)
    row_template[entries.clustered] = entry_template[entries.row_entry]
    row_score = np.zeros(n, dtype=np.float64)
    row_score[entries.clustered] = entry_score[entries.row_entry]
    return templates, row_template, row_score


def _make_entries(row_key: I64, row_group: I64, key_count: int) -> _Entries:
    """The entries of the message rows, sorted by group."""
    clustered = np.nonzero(row_key >= 0)[0]
    span = max(1, key_count)
    pairs, row_entry = np.unique(row_group[clustered] * span + row_key[clustered], return_inverse=True)
    weight = np.bincount(row_entry, minlength=len(pairs))
    start = np.zeros(len(pairs) + 1, dtype=np.int64)
    start[1:] = np.cumsum(weight)
    rows = clustered[np.argsort(row_entry, kind="stable")]
    return _Entries(pairs // span, pairs % span, weight, rows, start, clustered, row_entry)


def _group_templates(
    group: str,
    entries: I64,
    table: _Entries,
    keys: list[str],
    replies: _Replies,
    settings: ClusterSettings,
    hasher: MinHasher,
) -> list[_Found]:
    """The templates among the entries of one group."""
    # Texts in order of first appearance: linking compares the first text of each bucket, so the order
    # is part of the result and must not depend on how keys happen to be numbered.
    entries = entries[np.argsort(table.rows[table.start[entries]], kind="stable")]
    group_keys = [keys[k] for k in table.key[entries].tolist()]
    weights = table.weight[entries]
    labels, sets = cluster_distinct(
        group_keys,
        hasher,
        min_similarity=settings.min_similarity,
        min_weight=settings.min_size,
        split_chains=settings.split_chains,
        weights=weights,
    )
    # Only clusters with at least `min_size` rows can reach `min_size` distinct recipients.
    cluster_rows = np.bincount(labels, weights=weights, minlength=len(entries))
    heavy = np.nonzero(cluster_rows[labels] >= settings.min_size)[0]
    clusters: dict[int, list[int]] = {}
    for index, label in zip(heavy.tolist(), labels[heavy].tolist(), strict=True):
        clusters.setdefault(label, []).append(index)
    cores, similarities = _cores_and_similarities(sets, heavy, labels[heavy], weights[heavy])
    found: list[_Found] = []
    for members in clusters.values():
        member_entries = entries[members]
        rows = np.sort(np.concatenate([table.rows_of(e) for e in member_entries.tolist()]))
        people = _count_recipients(rows, replies.recipients)
        if people < settings.min_size:
            continue
        member_keys = {group_keys[i]: int(w) for i, w in zip(members, weights[members].tolist(), strict=True)}
        first_row = {
            group_keys[i]: int(table.rows_of(e)[0]) for i, e in zip(members, member_entries.tolist(), strict=True)
        }
        core = cores[int(labels[members[0]])]
        template = _describe(group, member_keys, first_row, rows.tolist(), replies, people, core, settings)
        factor = recipient_factor(template.size)
        found.append(_Found(template, member_entries, [round(similarities[i] * factor, 4) for i in members]))
    return found


def _count_recipients(rows: I64, recipients: Sequence[Hashable | None] | np.ndarray | None) -> int:
    """Distinct reviewers of some rows (a row without a known reviewer counts as its own)."""
    if recipients is None:
        return len(rows)
    if isinstance(recipients, np.ndarray):
        return int(np.unique(recipients[rows]).size)  # every reviewer known, as numbers (a company's replies)
    return len({row if recipients[row] is None else recipients[row] for row in rows.tolist()})


def _group_families(templates: list[Template], replies: dict[str, int], settings: ClusterSettings) -> list[Family]:
    """The families of each group's templates; sets each template's `family_id`."""
    by_group: dict[str, list[Template]] = {}
    for template in templates:
        by_group.setdefault(template.group, []).append(template)
    families: list[Family] = []
    for group, members in by_group.items():
        found = find_families(
            group,
            [
                FamilyMember(t.id, t.representative, t.reply_count, t.size, t.text, t.skeleton, _top(t.member_keys))
                for t in members
            ],
            replies[group],
            settings.family_similarity,
        )
        by_id = {template.id: template for template in members}
        for family in found:
            for member in family.templates:
                by_id[member].family_id = family.id
        families.extend(found)
    families.sort(key=lambda family: (-family.size, family.id))
    return families


def _top(member_keys: dict[str, int], count: int = 10) -> list[tuple[str, int]]:
    """The first `count` member texts (they are kept most frequent first) with their counts."""
    return [item for item, _ in zip(member_keys.items(), range(count), strict=False)]


def _report(
    templates: list[Template],
    row_template: I64,
    row_score: np.ndarray,
    prepared: _PreparedRows,
    settings: ClusterSettings,
    families: list[Family],
) -> TemplateReport:
    """Phase 3: each row's template id and rote score (None for an empty reply, 0 for one in no template)."""
    ids = [template.id for template in templates]
    template_ids: list[str | None] = [None if t < 0 else ids[t] for t in row_template.tolist()]
    scores: list[float | None] = row_score.tolist()
    for row in np.nonzero(prepared.row_kind == _TextKind.EMPTY)[0].tolist():
        scores[row] = None
    templates.sort(key=lambda t: (-t.size, t.id))
    return TemplateReport(templates, template_ids, scores, prepared.notices, settings, families)


def _prepare(text: str) -> tuple[_TextKind, str]:
    """The kind of a raw reply, with its normalised key (a message) or its site notice's name (a notice)."""
    if not text or text.isspace():
        return _TextKind.EMPTY, ""
    notice = match_site_notice(text)
    if notice is not None:
        return _TextKind.SITE_NOTICE, notice.name
    key = normalise_key(text)
    return (_TextKind.MESSAGE, key) if key else (_TextKind.NO_WORDS, "")


def _prepare_each(texts: Sequence[str]) -> tuple[bytes, list[str]]:
    """`_prepare` of each text: the kinds (one byte each, cheap to send between processes) and the strings."""
    kinds = bytearray(len(texts))
    values = [""] * len(texts)
    for index, text in enumerate(texts):
        kinds[index], values[index] = _prepare(text)
    return bytes(kinds), values


# Texts of the current pooled `_normalise_all` call, read by forked workers (they inherit the parent's memory, so
# the texts are not sent to them one by one). One pooled call at a time owns it: `_POOL_LOCK`.
_POOL_TEXTS: list[str] = []
_POOL_LOCK = threading.Lock()


def _prepare_range(bounds: tuple[int, int]) -> tuple[bytes, list[str]]:
    return _prepare_each(_POOL_TEXTS[bounds[0] : bounds[1]])


def _normalise_all(texts: list[str], workers: int) -> tuple[bytes, list[str]]:
    """`_prepare_each` of the texts; big inputs are spread over forked processes (normalising is pure Python)."""
    global _POOL_TEXTS
    if workers == 0:
        workers = min(4, os.cpu_count() or 1)
    if workers <= 1 or len(texts) < PARALLEL_MIN_TEXTS or "fork" not in multiprocessing.get_all_start_methods():
        return _prepare_each(texts)
    # Forking copies only the calling thread: called from a job thread (a scheduler's, a worker's), a lock held
    # by another thread at that moment would stay locked forever in the children. Only the main thread forks,
    # and only one call at a time (the texts are shared through a module variable); others work in process.
    if threading.current_thread() is not threading.main_thread() or not _POOL_LOCK.acquire(blocking=False):
        return _prepare_each(texts)
    # Enough chunks to balance the processes, few enough that start-up and messaging stay negligible.
    step = max(1_000, min(20_000, len(texts) // (workers * 8) + 1))
    _POOL_TEXTS = texts
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context, initializer=end_with_parent) as pool:
            parts = list(pool.map(_prepare_range, [(first, first + step) for first in range(0, len(texts), step)]))
    finally:
        _POOL_TEXTS = []
        _POOL_LOCK.release()
    return b"".join(kinds for kinds, _ in parts), [value for _, values in parts for value in values]


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
    replies: _Replies,
    size: int,
    core: frozenset[int],
    settings: ClusterSettings,
) -> Template:
    """A template from its members' keys (with row counts), each key's first row, and all its rows."""
    ranked = sorted(member_keys, key=lambda key: (-member_keys[key], key))
    representative = ranked[0]

    unhappy_share = None
    if replies.unhappy is not None:
        known = [replies.unhappy[row] for row in rows if replies.unhappy[row] is not None]
        unhappy_share = round(sum(bool(flag) for flag in known) / len(known), 4) if known else None
    kind = template_kind(representative, unhappy_share, settings)

    texts = replies.texts
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
        text=first_raw,
    )


def template_kind(key: str, unhappy_share: float | None, settings: ClusterSettings) -> str:
    """ "one_liner" for a short acknowledgement sent mostly to content reviewers, else "template" (key: normalised)."""
    words = key.split(" ")
    if len(words) > settings.one_liner_max_words:
        return "template"
    if unhappy_share is not None:
        return "one_liner" if unhappy_share < settings.one_liner_max_unhappy_share else "template"
    # Without ratings, read the words: an apology or a request to get in touch answers a complaint.
    return "template" if any(word in _COMPLAINT_CUES for word in words) else "one_liner"
