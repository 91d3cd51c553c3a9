"""The loose replies of a template index: the non-empty replies in no template, kept so that a new reply can tell
whether it and the loose replies near-identical to it would make a new template.

Each distinct normalised text of a group is one entry with the recipients it was sent to. Entries are near one
another by the batch's rules (see `linking`): the same normalised text, or word-shingle Jaccard >= the
threshold between two texts that share an LSH bucket. The entries of a build are held in flat numpy arrays
(shingle sets, one sorted array of every entry's band keys, computed at the first look-up) and saved as plain data
(`to_dict`); entries added afterwards live beside them in small Python structures, so a per-call copy (`fork`) is
cheap.
"""

from __future__ import annotations

import base64
import threading
import zlib
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from responders.template_replies.minhash import I64, MinHasher, ShingleSets

__all__ = ["LooseReplies", "Probe", "person_code"]

# Linked loose texts followed from one reply at most: so many texts linked without a template are the replies to
# very few people, which one more reply does not make a template of.
MAX_COMPONENT = 5_000
_U32 = 0xFFFFFFFF


def person_code(recipient: Hashable) -> int:
    """A 32-bit code of who a reply went to, stable across processes (saved with the loose replies).

    Codes only tell apart the few recipients of one group of near-identical replies, where two people sharing
    a code (a chance of about 2^-32 per pair) would only delay a template by one reply.
    """
    if isinstance(recipient, int | np.integer):
        return int(recipient) & _U32
    return zlib.crc32(repr(recipient).encode("utf-8"))


@dataclass(frozen=True, slots=True)
class Probe:
    """A normalised reply as the loose look-up compares it: its text, shingle set and LSH band keys."""

    group: str
    key: str
    shingles: frozenset[int]
    bands: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class _Lsh:
    """The shingle sets and LSH band keys of a build's entries."""

    sets: ShingleSets
    bands: np.ndarray  # uint64 (entries, bands)
    sorted_bands: np.ndarray  # every band key of every entry, sorted
    owner: I64  # entry of each sorted band key


class _Base:
    """Entries of a build, read-only once made (shared by every fork). Their shingles and band keys are computed
    at the first look-up: a full run that saves them, or a process that only re-clusters, never needs them."""

    def __init__(
        self, hasher: MinHasher, groups: Sequence[str], keys: Sequence[str], recipients: Sequence[Sequence[int]]
    ) -> None:
        names: dict[str, int] = {}
        self.group_of = [names.setdefault(group, len(names)) for group in groups]
        self.groups = list(names)  # the group of entry i is groups[group_of[i]]
        self.keys = list(keys)
        self.entry = {(group, key): i for i, (group, key) in enumerate(zip(groups, keys, strict=True))}
        self.recipients = [tuple(people) for people in recipients]
        self.size = len(self.keys)
        self._hasher = hasher
        self._lsh: _Lsh | None = None
        self._lock = threading.Lock()

    def group(self, entry: int) -> str:
        """The group of an entry."""
        return self.groups[self.group_of[entry]]

    @property
    def lsh(self) -> _Lsh:
        """The entries' shingle sets and band keys (computed once, at the first call)."""
        if self._lsh is None:
            with self._lock:
                if self._lsh is None:
                    self._lsh = _lsh(self._hasher, self.keys)
        return self._lsh


@dataclass(slots=True)
class _Added:
    """Entries and recipients added since the build (entry numbers continue the base's)."""

    probes: list[Probe] = field(default_factory=list)
    entry: dict[tuple[str, str], int] = field(default_factory=dict)
    buckets: dict[int, list[int]] = field(default_factory=dict)
    recipients: dict[int, set[int]] = field(default_factory=dict)  # entry -> recipients added to it


class LooseReplies:
    """Distinct loose texts per group with their recipients; finds a text's near-identical loose replies."""

    def __init__(self, hasher: MinHasher, min_similarity: float, base: _Base | None = None) -> None:
        self._hasher = hasher
        self._min_similarity = min_similarity
        self._base = base if base is not None else _Base(hasher, [], [], [])
        self._added = _Added()

    @classmethod
    def build(
        cls,
        hasher: MinHasher,
        min_similarity: float,
        groups: Sequence[str],
        keys: Sequence[str],
        recipients: Sequence[Sequence[int]],
    ) -> LooseReplies:
        """Loose replies from distinct (group, key) entries and each entry's recipient codes."""
        return cls(hasher, min_similarity, _Base(hasher, groups, keys, recipients))

    def fork(self) -> LooseReplies:
        """A copy that shares this one's entries and keeps what is added to it apart."""
        copy = LooseReplies(self._hasher, self._min_similarity, self._base)
        added = self._added
        copy._added = _Added(
            list(added.probes),
            dict(added.entry),
            {bucket: list(entries) for bucket, entries in added.buckets.items()},
            {entry: set(people) for entry, people in added.recipients.items()},
        )
        return copy

    def __len__(self) -> int:
        return self._base.size + len(self._added.probes)

    def add(self, probe: Probe, recipient: int) -> None:
        """Keep a loose reply: its text joins the entries (once) and its recipient that entry's recipients."""
        entry = self._find(probe.group, probe.key)
        added = self._added
        if entry is None:
            entry = self._base.size + len(added.probes)
            added.probes.append(probe)
            added.entry[(probe.group, probe.key)] = entry
            for band in probe.bands:
                added.buckets.setdefault(band, []).append(entry)
        added.recipients.setdefault(entry, set()).add(recipient)

    def near(self, probe: Probe) -> list[int]:
        """The entries near-identical to a text: the same normalised text, or Jaccard >= the threshold with a text
        that shares one of its LSH buckets."""
        found: set[int] = set()
        same = self._find(probe.group, probe.key)
        if same is not None:
            found.add(same)
        candidates: set[int] = set()
        if self._base.size:
            lsh = self._base.lsh
            wanted = np.asarray(probe.bands, dtype=np.uint64)
            lo = np.searchsorted(lsh.sorted_bands, wanted, side="left")
            hi = np.searchsorted(lsh.sorted_bands, wanted, side="right")
            for start, end in zip(lo.tolist(), hi.tolist(), strict=True):
                candidates.update(lsh.owner[start:end].tolist())
        for band in probe.bands:
            candidates.update(self._added.buckets.get(band, ()))
        candidates -= found
        for entry in candidates:
            group, key, shingles = self._describe(entry)
            if group == probe.group and key != probe.key and _jaccard(probe.shingles, shingles) >= self._min_similarity:
                found.add(entry)
        return sorted(found)

    def forms(self, probe: Probe, recipient: int, enough: int) -> bool:
        """Whether a text sent to `recipient` takes the loose replies linked to it, through chains of
        near-identical ones, to `enough` distinct recipients that they did not reach without it.

        The batch links near-identical texts transitively before it splits chains, so linked texts are a template
        candidate as a whole: two loose replies linked to each other and a new reply linked to one of them make
        three recipients even when the new reply is not near the other. Linked replies that already reached
        `enough` without a template were kept apart by the batch (chain splitting, or pairs its banding did not
        compare); one more reply is not taken to change that, so each group of linked replies forms at most once
        between two full re-clusterings.
        """
        people: set[int] = set()
        seen: set[int] = set()
        frontier = self.near(probe)
        while frontier and len(people) < enough:
            entry = frontier.pop()
            if entry in seen:
                continue
            seen.add(entry)
            people.update(self._recipients_of(entry))
            if len(seen) >= MAX_COMPONENT:
                return False
            frontier.extend(other for other in self.near(self.probe_of(entry)) if other not in seen)
        return len(people) < enough <= len(people | {recipient})

    def _find(self, group: str, key: str) -> int | None:
        entry = self._base.entry.get((group, key))
        return entry if entry is not None else self._added.entry.get((group, key))

    def _recipients_of(self, entry: int) -> set[int]:
        own = set(self._base.recipients[entry]) if entry < self._base.size else set()
        return own | self._added.recipients.get(entry, set())

    def _describe(self, entry: int) -> tuple[str, str, frozenset[int]]:
        base = self._base
        if entry < base.size:
            return base.group(entry), base.keys[entry], frozenset(base.lsh.sets.of(entry).tolist())
        probe = self._added.probes[entry - base.size]
        return probe.group, probe.key, probe.shingles

    def probe_of(self, entry: int) -> Probe:
        """The look-up form of an entry's text."""
        base = self._base
        if entry >= base.size:
            return self._added.probes[entry - base.size]
        group, key, shingles = self._describe(entry)
        return Probe(group, key, shingles, tuple(base.lsh.bands[entry].tolist()))

    def to_dict(self) -> dict[str, Any]:
        """Plain data: distinct texts joined by newlines, recipient codes and per-entry counts as base64 arrays."""
        groups: list[str] = []
        group_number: dict[str, int] = {}
        group_of: list[int] = []
        keys: list[str] = []
        counts: list[int] = []
        codes: list[int] = []
        base = self._base
        for entry in range(len(self)):
            if entry < base.size:
                group, key = base.group(entry), base.keys[entry]
            else:
                probe = self._added.probes[entry - base.size]
                group, key = probe.group, probe.key
            group_of.append(group_number.setdefault(group, len(groups)))
            if group_of[-1] == len(groups):
                groups.append(group)
            people = sorted(self._recipients_of(entry))
            keys.append(key)
            counts.append(len(people))
            codes.extend(people)
        return {
            "groups": groups,
            "group_of": _pack(group_of),
            "keys": "\n".join(keys),
            "counts": _pack(counts),
            "recipients": _pack(codes),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], hasher: MinHasher, min_similarity: float) -> LooseReplies:
        """Rebuild loose replies saved with `to_dict` (shingles and band keys are recomputed from the texts)."""
        keys = data["keys"].split("\n") if data["keys"] else []
        groups: list[str] = data["groups"]
        group_of = _unpack(data["group_of"])
        counts = _unpack(data["counts"])
        codes = _unpack(data["recipients"])
        bounds = np.concatenate([[0], np.cumsum(counts)]).tolist()
        recipients = [tuple(codes[bounds[i] : bounds[i + 1]].tolist()) for i in range(len(keys))]
        entry_groups = [groups[number] for number in group_of.tolist()]
        return cls(hasher, min_similarity, _Base(hasher, entry_groups, keys, recipients))


def _lsh(hasher: MinHasher, keys: list[str]) -> _Lsh:
    sets = hasher.shingles(keys)
    empty = np.zeros((0, hasher.bands), dtype=np.uint64)
    bands = hasher.all_band_keys(hasher.signatures(sets)) if keys else empty
    flat = bands.ravel()
    order = np.argsort(flat, kind="stable")
    return _Lsh(sets, bands, flat[order], (order // max(1, hasher.bands)).astype(np.int64))


def _jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter) if a or b else 1.0


def _pack(values: Sequence[int]) -> str:
    return base64.b64encode(np.asarray(values, dtype="<u4").tobytes()).decode("ascii")


def _unpack(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype="<u4").astype(np.int64)
