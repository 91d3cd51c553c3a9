"""Split linked groups of near-identical texts around centres, so that no chain of variants joins messages
that share little.

Linking near-identical pairs is transitive; `split_around_centres` undoes the long chains that this makes
while keeping every linked variant in some template (see its docstring for the rules).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from responders.template_replies.minhash import I64, ShingleSets, pair_overlap

__all__ = ["split_around_centres"]


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
