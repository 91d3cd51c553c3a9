"""Keys met while streaming a file, each with two integers: in memory up to a bound, on a scratch disk file beyond.

A large export is read row by row; telling whether a row's id was already used earlier in the file must not
hold every id in memory. `SeenKeys` keeps up to `memory_limit` keys in a dict and moves them to a temporary
SQLite file (deleted on close) when the dict is full, so memory stays flat at any file size.

    with SeenKeys() as seen:
        found = seen.get_many([key_of("review-1"), key_of("review-2")])
        seen.add_many({key_of("review-3"): (17, 0x5EED)})
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Collection, Mapping

__all__ = ["SeenKeys", "key_of"]

_QUERY_CHUNK = 500  # well under SQLite's limit of bound parameters per statement


def key_of(text: str) -> int:
    """A 64-bit key for `text` (two different texts among billions share one only by a remote chance)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


class SeenKeys:
    """A map of 64-bit keys to pairs of integers whose memory use does not grow with the number of keys."""

    def __init__(self, memory_limit: int = 200_000) -> None:
        self._limit = memory_limit
        self._memory: dict[int, tuple[int, int]] = {}
        self._disk: sqlite3.Connection | None = None
        self.count = 0

    def get_many(self, keys: Collection[int]) -> dict[int, tuple[int, int]]:
        """The stored pairs of those `keys` that were added before."""
        found = {key: self._memory[key] for key in keys if key in self._memory}
        if self._disk is None:
            return found
        rest = [key for key in set(keys) if key not in found]
        for start in range(0, len(rest), _QUERY_CHUNK):
            chunk = rest[start : start + _QUERY_CHUNK]
            marks = ",".join("?" * len(chunk))
            for key, first, second in self._disk.execute(f"SELECT k, a, b FROM seen WHERE k IN ({marks})", chunk):
                found[key] = (first, second)
        return found

    def add_many(self, items: Mapping[int, tuple[int, int]]) -> None:
        """Remember these keys (callers add only keys that `get_many` did not find)."""
        self._memory.update(items)
        self.count += len(items)
        if len(self._memory) >= self._limit:
            self._spill()

    def _spill(self) -> None:
        if self._disk is None:
            # An empty file name is SQLite's private temporary database, removed when the connection closes.
            self._disk = sqlite3.connect("", isolation_level=None)
            self._disk.execute("CREATE TABLE seen (k INTEGER PRIMARY KEY, a INTEGER NOT NULL, b INTEGER NOT NULL)")
        with self._disk:
            self._disk.execute("BEGIN")
            self._disk.executemany(
                "INSERT OR REPLACE INTO seen (k, a, b) VALUES (?, ?, ?)",
                ((key, first, second) for key, (first, second) in self._memory.items()),
            )
        self._memory.clear()

    def close(self) -> None:
        """Drop every key and the scratch file."""
        self._memory.clear()
        if self._disk is not None:
            self._disk.close()
            self._disk = None

    def __enter__(self) -> SeenKeys:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
