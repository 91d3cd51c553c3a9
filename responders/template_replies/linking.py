"""Join near-identical distinct texts: MinHash + LSH banding proposes pairs, an exact Jaccard index of their word
shingles confirms them, union-find links confirmed pairs, and linked groups are split around centres."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from responders.template_replies.chains import split_around_centres
from responders.template_replies.minhash import I64, MinHasher, ShingleSets, UnionFind, pair_overlap

__all__ = ["cluster_distinct"]


def cluster_distinct(
    token_lists: Sequence[Sequence[str] | str],
    hasher: MinHasher,
    *,
    min_similarity: float,
    min_weight: int,
    split_chains: bool = True,
    weights: Sequence[int] | I64 | None = None,
) -> tuple[I64, ShingleSets]:
    """Label of each distinct token list (near-identical lists share it) and the lists' shingle sets.

    Near-identical pairs (shingle Jaccard >= `min_similarity`) are linked, then every linked group is split
    around centres so that each member is near-identical to its cluster's centre (see `split_around_centres`;
    a piece lighter than `min_weight` stays with a text it was linked to); `weights` (how often each list
    occurs, default 1) choose the centres.
    """
    sets = hasher.shingles(token_lists)
    n = len(token_lists)
    if n < 2:
        return np.arange(n, dtype=np.int64), sets
    signatures = hasher.signatures(sets)
    linked, edges = _link_candidates(sets, signatures, min_similarity, hasher)
    if not split_chains:
        return linked, sets
    weight = np.ones(n, dtype=np.int64) if weights is None else np.asarray(weights, dtype=np.int64)
    band_keys = hasher.all_band_keys(signatures)
    labels = split_around_centres(linked, sets, band_keys, weight, token_lists, edges, min_similarity, min_weight)
    return labels, sets


def _link_candidates(
    sets: ShingleSets, signatures: np.ndarray, min_similarity: float, hasher: MinHasher
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
        accept = similarity >= min_similarity
        for a, b in zip(left[accept].tolist(), right[accept].tolist(), strict=True):
            if union.union(a, b):
                joined_left.append(a)
                joined_right.append(b)
        rejected.update(codes[~accept].tolist())
    edges = (np.asarray(joined_left, dtype=np.int64), np.asarray(joined_right, dtype=np.int64))
    return union.roots(), edges
