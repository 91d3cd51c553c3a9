"""Rows of an export and the physical lines they are read from, shared by the CSV and JSON readers."""

from __future__ import annotations

import dataclasses
import re
from collections import deque
from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["ExportRow", "Lines"]

# Where a line ends in a lone CR (one not followed by LF): the split keeps the CR with the line it ends.
_AFTER_LONE_CR = re.compile("(?<=\r)(?!\n)")


@dataclasses.dataclass(slots=True)
class ExportRow:
    """One row of an export as a dict, or the reason it could not be read."""

    number: int  # physical line (CSV, JSON Lines) or position (JSON array)
    values: Mapping[str, Any] | None
    problem: str | None = None


class Lines:
    """Physical lines of chunked text, numbered, with put-back for re-reading.

    A line ends in `\\n` (LF or CRLF) or in a lone CR: files joined from a classic Mac export and another
    mix them. A lone CR inside a quoted CSV cell stays in the cell (the csv module joins the lines back).
    """

    def __init__(self, chunks: Iterator[str]) -> None:
        self._chunks = chunks
        self._tail = ""
        self._next_number = 1
        self._buffer: deque[tuple[int, str]] = deque()
        self.taken: list[tuple[int, str]] = []  # lines handed out since the last `start_record`
        self.ran_out = False  # asked for a line past the last one since the last `start_record`

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        if not self._buffer:
            self._fill()
            if not self._buffer:
                self.ran_out = True
                raise StopIteration
        item = self._buffer.popleft()
        self.taken.append(item)
        return item[1]

    def _fill(self) -> None:
        for chunk in self._chunks:
            self._tail += chunk
            if "\n" in chunk:
                parts = self._tail.split("\n")
                self._tail = parts.pop()
                for part in parts:
                    self._add(part + "\n")
                return
        if self._tail:
            self._add(self._tail)
            self._tail = ""

    def _add(self, line: str) -> None:
        # Most lines hold no CR but the one before their LF: only the others are split.
        first_cr = line.find("\r")
        crlf_only = first_cr == -1 or (first_cr == len(line) - 2 and line.endswith("\r\n"))
        pieces = (line,) if crlf_only else _AFTER_LONE_CR.split(line)
        for piece in pieces:
            if piece:
                self._buffer.append((self._next_number, piece))
                self._next_number += 1

    def start_record(self) -> None:
        """Forget the lines handed out so far: a new record starts."""
        self.taken = []
        self.ran_out = False

    def put_back(self, lines: list[tuple[int, str]]) -> None:
        """Hand out these lines again before any new ones."""
        self._buffer.extendleft(reversed(lines))
