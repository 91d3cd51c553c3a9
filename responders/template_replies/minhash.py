"""Word shingles, MinHash signatures and LSH banding, vectorised with numpy, for near-duplicate replies.

Everything here is deterministic across processes and machines (no use of Python's salted `hash`), so
signatures rebuilt from stored texts equal the ones computed before.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["MinHasher", "ShingleSets", "UnionFind", "pair_overlap", "ranges"]

U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]

_MIX1 = np.uint64(0x9E3779B97F4A7C15)
_MIX2 = np.uint64(0xBF58476D1CE4E5B9)
_PAD = 0x5BD1E995  # stands for "no word" when a reply is shorter than one shingle
_PAD_WORD = " "  # never a token (tokens hold no spaces); hashed as _PAD


def ranges(starts: I64, lengths: I64) -> I64:
    """Concatenated `range(start, start + length)` for each pair, without a Python loop."""
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(lengths)
    offsets: I64 = np.repeat(starts - (ends - lengths), lengths)
    result: I64 = np.arange(total, dtype=np.int64) + offsets
    return result


@dataclass(frozen=True, slots=True)
class ShingleSets:
    """The set of hashed word shingles of many texts: text i owns `values[offsets[i]:offsets[i + 1]]` (sorted)."""

    values: U32
    offsets: I64

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def sizes(self) -> I64:
        """Number of distinct shingles of each text."""
        return np.diff(self.offsets)

    def of(self, index: int) -> U32:
        """The shingle set of one text."""
        return self.values[self.offsets[index] : self.offsets[index + 1]]


class MinHasher:
    """MinHash over word k-shingles with `bands` LSH bands of `num_perm // bands` rows each."""

    def __init__(self, *, shingle_size: int = 2, num_perm: int = 64, bands: int = 16, seed: int = 20240601) -> None:
        if num_perm % bands:
            raise ValueError(f"num_perm ({num_perm}) must be a multiple of bands ({bands})")
        self.shingle_size = shingle_size
        self.num_perm = num_perm
        self.bands = bands
        self.rows = num_perm // bands
        rng = np.random.default_rng(seed)
        # Multiply-shift hashing: odd 64-bit multipliers, keep the high 32 bits of (a*x + b) mod 2^64.
        self._a = (rng.integers(1, 2**63 - 1, num_perm, dtype=np.int64).astype(np.uint64) << np.uint64(1)) | np.uint64(
            1
        )
        self._b = rng.integers(0, 2**63 - 1, num_perm, dtype=np.int64).astype(np.uint64)
        self._band_mult = (
            rng.integers(1, 2**63 - 1, self.rows, dtype=np.int64).astype(np.uint64) << np.uint64(1)
        ) | np.uint64(1)
        self._token_hash: dict[str, int] = {}

    def _hash_token(self, token: str) -> int:
        value = self._token_hash.get(token)
        if value is None:
            value = zlib.crc32(token.encode("utf-8")) ^ (len(token) << 24)
            if len(self._token_hash) < 2_000_000:  # vocabulary cache; bounded so odd inputs cannot exhaust memory
                self._token_hash[token] = value
        return value

    def _word_hashes(self, token_lists: Sequence[Sequence[str] | str]) -> tuple[U64, I64]:
        """Hash of every word of every list (padded to one shingle), concatenated, and each list's length."""
        k = self.shingle_size
        words: list[str] = []
        lengths = np.empty(len(token_lists), dtype=np.int64)
        for i, tokens in enumerate(token_lists):
            split = tokens.split(" ") if isinstance(tokens, str) else list(tokens)
            if len(split) < k:
                split.extend([_PAD_WORD] * (k - len(split)))
            words.extend(split)
            lengths[i] = len(split)
        # Hash each distinct word once; the per-word look-up then runs in C (map over a dict).
        table = {word: self._hash_token(word) for word in set(words)}
        table[_PAD_WORD] = _PAD
        hashes = np.fromiter(map(table.__getitem__, words), dtype=np.uint64, count=len(words))
        return hashes, lengths

    def shingles(self, token_lists: Sequence[Sequence[str] | str], *, chunk: int = 50_000) -> ShingleSets:
        """Hashed, de-duplicated word shingles of each token list (an empty list gets one padding shingle).

        A plain string is split on spaces here, `chunk` texts at a time, so a million normalised texts never
        need their token lists in memory at once.
        """
        parts = [
            self._chunk_shingles(token_lists[first : first + chunk]) for first in range(0, len(token_lists), chunk)
        ]
        if not parts:
            return ShingleSets(np.zeros(0, dtype=np.uint32), np.zeros(1, dtype=np.int64))
        values = np.concatenate([part.values for part in parts])
        offsets = np.zeros(len(token_lists) + 1, dtype=np.int64)
        position = 0
        for part in parts:
            offsets[position + 1 : position + len(part) + 1] = part.offsets[1:] + offsets[position]
            position += len(part)
        return ShingleSets(values, offsets)

    def _chunk_shingles(self, token_lists: Sequence[Sequence[str] | str]) -> ShingleSets:
        k = self.shingle_size
        words, lengths = self._word_hashes(token_lists)
        ends = np.cumsum(lengths)
        valid = np.ones(len(words), dtype=bool)
        for j in range(1, k):
            valid[ends - j] = False  # a shingle may not run past the end of its text
        starts = np.nonzero(valid)[0]
        combined = np.zeros(len(starts), dtype=np.uint64)
        for j in range(k):
            combined = (combined * _MIX1) ^ words[starts + j]
        combined ^= combined >> np.uint64(31)
        combined *= _MIX2
        combined ^= combined >> np.uint64(29)
        shingle_hash = combined >> np.uint64(32)
        owner = np.repeat(np.arange(len(token_lists), dtype=np.uint64), lengths - k + 1)
        keyed = (owner << np.uint64(32)) | shingle_hash
        keyed.sort()  # a plain sort and a neighbour test de-duplicate faster than np.unique
        keep = np.ones(len(keyed), dtype=bool)
        keep[1:] = keyed[1:] != keyed[:-1]
        keyed = keyed[keep]
        owners = (keyed >> np.uint64(32)).astype(np.int64)
        offsets = np.zeros(len(token_lists) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum(np.bincount(owners, minlength=len(token_lists)))
        return ShingleSets((keyed & np.uint64(0xFFFFFFFF)).astype(np.uint32), offsets)

    def signatures(self, sets: ShingleSets, *, chunk: int = 131_072, threads: int = 2) -> U32:
        """MinHash signature (num_perm uint32 values) of every shingle set, computed in bounded-memory chunks.

        numpy releases the interpreter lock in its array loops, so chunks run on `threads` threads.
        """
        n = len(sets)
        out = np.empty((n, self.num_perm), dtype=np.uint32)
        bounds: list[tuple[int, int]] = []
        first = 0
        while first < n:
            # Take whole texts until about `chunk` shingles, so reduceat never straddles a chunk.
            last = int(np.searchsorted(sets.offsets, sets.offsets[first] + chunk, side="right")) - 1
            last = min(max(last, first + 1), n)
            bounds.append((first, last))
            first = last

        def run(bound: tuple[int, int]) -> None:
            first, last = bound
            values = sets.values[sets.offsets[first] : sets.offsets[last]].astype(np.uint64)
            hashed = (self._a[:, None] * values[None, :] + self._b[:, None]) >> np.uint64(32)
            local = (sets.offsets[first:last] - sets.offsets[first]).astype(np.int64)
            out[first:last] = np.minimum.reduceat(hashed, local, axis=1).T.astype(np.uint32)

        if threads > 1 and len(bounds) > 1:
            with ThreadPoolExecutor(threads) as pool:
                list(pool.map(run, bounds))
        else:
            for bound in bounds:
                run(bound)
        return out

    def band_keys(self, signatures: U32, band: int) -> U64:
        """One 64-bit bucket key per signature for LSH band `band`."""
        columns = signatures[:, band * self.rows : (band + 1) * self.rows].astype(np.uint64)
        keys: U64 = (columns * self._band_mult[None, :]).sum(axis=1, dtype=np.uint64) ^ np.uint64(band)
        return keys

    def all_band_keys(self, signatures: U32) -> U64:
        """Bucket keys of every band at once, shape (n, bands); column b equals `band_keys(signatures, b)`."""
        columns = signatures.astype(np.uint64).reshape(len(signatures), self.bands, self.rows)
        keys: U64 = (columns * self._band_mult[None, None, :]).sum(axis=2, dtype=np.uint64)
        keys ^= np.arange(self.bands, dtype=np.uint64)[None, :]
        return keys


def pair_overlap(sets: ShingleSets, left: I64, right: I64, *, max_gather: int = 4_000_000) -> tuple[I64, I64, I64]:
    """Exact intersection size and both set sizes for each (left[i], right[i]) pair of texts."""
    sizes = sets.sizes()
    inter = np.zeros(len(left), dtype=np.int64)
    first = 0
    while first < len(left):
        # Bound the gathered shingles per step so a million pairs never need gigabytes.
        cumulative = np.cumsum(sizes[left[first:]] + sizes[right[first:]])
        last = first + max(1, int(np.searchsorted(cumulative, max_gather, side="right")))
        lo, ro = left[first:last], right[first:last]
        pair_ids = np.arange(last - first, dtype=np.uint64)
        both = np.concatenate(
            [
                (np.repeat(pair_ids, sizes[lo]) << np.uint64(32))
                | sets.values[ranges(sets.offsets[lo], sizes[lo])].astype(np.uint64),
                (np.repeat(pair_ids, sizes[ro]) << np.uint64(32))
                | sets.values[ranges(sets.offsets[ro], sizes[ro])].astype(np.uint64),
            ]
        )
        both.sort()
        duplicate = np.nonzero(both[1:] == both[:-1])[0]
        counts = np.bincount((both[duplicate] >> np.uint64(32)).astype(np.int64), minlength=last - first)
        inter[first:last] = counts
        first = last
    return inter, sizes[left], sizes[right]


class UnionFind:
    """Disjoint sets over 0..n-1 (path halving, union by index so the smaller id stays the root)."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, item: int) -> int:
        """The root of `item`'s set."""
        parent = self.parent
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def union(self, a: int, b: int) -> bool:
        """Merge the sets of a and b; False when they were already one set."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if ra < rb:
            self.parent[rb] = ra
        else:
            self.parent[ra] = rb
        return True

    def roots(self) -> I64:
        """The root of every item, as an array."""
        parent = np.asarray(self.parent, dtype=np.int64)
        while True:
            grand = parent[parent]
            if np.array_equal(grand, parent):
                return parent
            parent = grand
