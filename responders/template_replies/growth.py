"""The rote scores a full re-clustering would give the members of a template that gained replies since the last
one, worked out from the template's own members, and how many replies may join a template before they could change.

A member's score is its Jaccard index with the template's core (the shingles of at least half of its replies)
times the recipient factor of the template's size. Replies that join a template only add to its counts, so the
core stays put until enough have joined (`core_margins`), and the factor once ten people got the template.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from responders.template_replies.clusters import recipient_factor
from responders.template_replies.minhash import MinHasher

__all__ = ["Rescored", "core_margins", "rescore"]


def core_margins(member_keys: Sequence[dict[str, int]], hasher: MinHasher) -> list[int]:
    """Per template (its member texts with their reply counts): how many replies must join it before its core
    could change.

    With W replies, a core shingle carried by w of them drops out only after 2w - W + 1 replies without it join,
    another enters only after W - 2w replies with it, and one that no member has after W.
    """
    owners = np.repeat(np.arange(len(member_keys), dtype=np.int64), [len(keys) for keys in member_keys])
    weights = np.fromiter((w for keys in member_keys for w in keys.values()), dtype=np.int64, count=len(owners))
    sets = hasher.shingles([key for keys in member_keys for key in keys])
    sizes = sets.sizes()
    keyed = (np.repeat(owners, sizes).astype(np.uint64) << np.uint64(32)) | sets.values.astype(np.uint64)
    unique, inverse = np.unique(keyed, return_inverse=True)
    shingle_weight = np.bincount(inverse, weights=np.repeat(weights, sizes)).astype(np.int64)
    template = (unique >> np.uint64(32)).astype(np.int64)
    total = np.bincount(owners, weights=weights, minlength=len(member_keys)).astype(np.int64)
    twice = 2 * shingle_weight - total[template]
    margin = total.copy()
    np.minimum.at(margin, template, np.where(twice >= 0, twice + 1, -twice))
    result: list[int] = margin.tolist()
    return result


@dataclass(frozen=True, slots=True)
class Rescored:
    """A template's core (its shingles in at least half of its replies) and the rote score of each member text."""

    core: frozenset[int]
    scores: dict[str, float]


def rescore(templates: Sequence[tuple[dict[str, int], int]], hasher: MinHasher) -> list[Rescored]:
    """The core and the rote score of each member text the batch gives each template, given as its member texts
    (with their reply counts) and the number of people it was sent to; computed as `find_templates` computes them,
    for all the templates in one pass."""
    keys = [key for members, _ in templates for key in members]
    if not keys:
        return [Rescored(frozenset(), {}) for _ in templates]
    owners = np.repeat(np.arange(len(templates), dtype=np.int64), [len(members) for members, _ in templates])
    weights = np.fromiter((w for members, _ in templates for w in members.values()), dtype=np.float64, count=len(keys))
    sets = hasher.shingles(keys)
    sizes = sets.sizes()
    keyed = (np.repeat(owners, sizes).astype(np.uint64) << np.uint64(32)) | sets.values.astype(np.uint64)
    unique, inverse = np.unique(keyed, return_inverse=True)
    counts = np.bincount(inverse, weights=np.repeat(weights, sizes))
    total = np.bincount(owners, weights=weights, minlength=len(templates))
    template = (unique >> np.uint64(32)).astype(np.int64)
    in_core = counts >= total[template] / 2
    core_size = np.bincount(template[in_core], minlength=len(templates))
    text = np.repeat(np.arange(len(keys)), sizes)
    inter = np.bincount(text, weights=in_core[inverse].astype(np.float64), minlength=len(keys))
    similarity = (inter / (sizes + core_size[owners] - inter)).tolist()
    scores: list[dict[str, float]] = [{} for _ in templates]
    factors = [recipient_factor(size) for _, size in templates]
    for key, owner, sim in zip(keys, owners.tolist(), similarity, strict=True):
        scores[owner][key] = round(sim * factors[owner], 4)
    core_values = (unique[in_core] & np.uint64(0xFFFFFFFF)).tolist()
    cores: list[set[int]] = [set() for _ in templates]
    for owner, value in zip(template[in_core].tolist(), core_values, strict=True):
        cores[owner].add(value)
    return [Rescored(frozenset(core), found) for core, found in zip(cores, scores, strict=True)]
