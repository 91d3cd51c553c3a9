"""JSON exports read into rows: JSON Lines (one object per line) or a JSON array streamed one element at a time.

An API page envelope (`{"data": [...], "page": 2}`) gives its records; a single pretty-printed document that
wraps its list in an object is parsed whole. A line or element that is not an object is a problem of that row.
A file that breaks off (an array without its closing `]`, a last line cut inside a record) raises `BadExport`
saying "the file could not be read to the end" after every row before the break.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import ijson

from monitor.core.errors import BadExport
from monitor.files.lines import ExportRow, Lines

__all__ = ["json_array_rows", "json_lines_rows"]

_LOOKAHEAD_RECORDS = 100
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# Wrapper keys under which API dumps keep their list of reviews, tried in order.
_LIST_KEYS = ("reviews", "data", "results", "items", "records")


def json_lines_rows(chunks: Iterator[str], *, where: str, reread: Callable[[], Iterator[str]]) -> Iterator[ExportRow]:
    """Each line's object; or the records of one (pretty-printed) JSON document when the first line is not JSON.

    When the first line is not JSON and neither is the whole text, but later lines are objects, the file is
    JSON Lines whose first record is broken: it is read again from the start, one line at a time.
    """
    lines = Lines(chunks)
    first = next((line for line in lines if line.strip()), "")
    if _parse_json(first)[1] is None:
        lines.put_back(lines.taken[-1:])
    else:
        document, error = _parse_json(first + "".join(lines))
        if error is None:
            yield from _json_document_rows(document)
            return
        lines = Lines(reread())
        if not _mostly_object_lines(lines):
            raise BadExport(
                f"{where}: not valid JSON ({error}); expected a JSON array of objects or JSON Lines (one object "
                "per line)"
            )
    yield from _json_line_records(lines, where=where)


def _json_line_records(lines: Lines, *, where: str) -> Iterator[ExportRow]:
    for text in lines:
        number = lines.taken[-1][0]
        lines.start_record()
        if not text.strip():
            continue
        try:
            value = json.loads(text.strip())
            if "\\u" in text and _SURROGATE_ESCAPE.search(text):
                value = _without_lone_surrogates(value)
        except json.JSONDecodeError as exc:
            if not text.endswith("\n") and _unclosed(text):
                # The last line, not ended and with a string or object still open: the file was cut there.
                raise BadExport(
                    f"{where}: the file could not be read to the end (its last line, line {number}, breaks off "
                    f"inside a record: {exc.msg} at column {exc.colno})"
                ) from None
            yield ExportRow(number, None, f"not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        yield from _object_rows(number, value)


def _without_lone_surrogates(value: Any) -> Any:
    """`value` with every lone UTF-16 surrogate (a `\\ud800` escape without its pair) replaced by U+FFFD.

    Such a string is no text: it cannot be encoded to be stored, and would stop the import at the database.
    """
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_without_lone_surrogates(k): _without_lone_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_lone_surrogates(item) for item in value]
    return value


def _unclosed(text: str) -> bool:
    """Whether JSON `text` ends inside a string or before closing every object and array it opened."""
    rest = _JSON_STRING.sub("", text)
    if '"' in rest:
        return True
    return sum(rest.count(c) for c in "{[") > sum(rest.count(c) for c in "}]")


def _object_rows(number: int, value: Any) -> Iterator[ExportRow]:
    """The record `value` is, or the records of an API page envelope such as `{"data": [...], "page": 2}`."""
    items = _envelope_items(value)
    if items is None:
        yield _object_row(number, value)
    else:
        for item in items:
            yield _object_row(number, item)


def _envelope_items(value: Any) -> list[Any] | None:
    if not isinstance(value, dict):
        return None
    for key in _LIST_KEYS:
        items = value.get(key)
        if isinstance(items, list) and all(isinstance(item, dict) for item in items[:1]):
            return items
    return None


def _object_row(number: int, value: Any) -> ExportRow:
    if not isinstance(value, dict):
        return ExportRow(number, None, f"a JSON {type(value).__name__}, not an object")
    return ExportRow(number, value)


def _parse_json(text: str) -> tuple[Any, str | None]:
    """The JSON value `text` is, or why it is not one (a message: the exception would keep the whole text)."""
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, f"{exc.msg} at line {exc.lineno}, column {exc.colno}"


def _mostly_object_lines(lines: Lines) -> bool:
    """Whether at least half the lines after the first are JSON objects each (of the first ones); all are put back.

    A broken document that wraps a list with one record per line has lines like `{...},` that are not.
    """
    texts = list(itertools.islice(filter(str.strip, lines), 1, _LOOKAHEAD_RECORDS + 1))
    lines.put_back(lines.taken)
    lines.start_record()
    objects = sum(1 for text in texts if isinstance(_parse_json(text)[0], dict))
    return objects > 0 and 2 * objects >= len(texts)


def _json_document_rows(document: Any) -> Iterator[ExportRow]:
    document = _without_lone_surrogates(document)
    items = document if isinstance(document, list) else _envelope_items(document)
    if items is None and isinstance(document, dict):
        # A wrapper with one list of objects under a key of its own choosing.
        lists = [v for v in document.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
        items = lists[0] if len(lists) == 1 else [document]
    for position, item in enumerate(items if items is not None else [document], start=1):
        yield _object_row(position, item)


class _Utf8Stream:
    """A binary file of the decoded text chunks written back as UTF-8: what ijson reads.

    The text is decoded here (not by ijson) so that every encoding and the Windows-1252 repair work for
    JSON arrays just as for CSV.
    """

    def __init__(self, chunks: Iterator[str]) -> None:
        self._chunks = chunks
        self._data = b""
        self._pos = 0
        self._first = True

    def read(self, size: int = -1) -> bytes:
        """Up to `size` bytes (all that is buffered when negative); empty only at the end."""
        while self._pos >= len(self._data):
            chunk = next(self._chunks, None)
            if chunk is None:
                return b""
            if self._first:
                # A byte-order mark decoded by an explicit "utf-8" is not JSON whitespace.
                chunk, self._first = chunk.lstrip("\ufeff"), False
            self._data, self._pos = chunk.encode("utf-8"), 0
        end = len(self._data) if size < 0 else self._pos + size
        piece = self._data[self._pos : end]
        self._pos += len(piece)
        return piece


def json_array_rows(chunks: Iterator[str], *, where: str, whole_text: Callable[[], str]) -> Iterator[ExportRow]:
    """Elements of a top-level JSON array, parsed one at a time; anything after its closing `]` is ignored.

    ijson reads standard JSON only; an array that ijson refuses is read again whole with Python's json,
    which also takes NaN, Infinity and integers beyond 64 bits (as `json.dump` may write them).
    """
    last: list[tuple[str, str, Any]] = []

    def until_array_end(events: Iterator[tuple[str, str, Any]]) -> Iterator[tuple[str, str, Any]]:
        for event in events:
            last[:] = [event]
            yield event
            if event[0] == "" and event[1] == "end_array":
                return

    # Numbers as int and float, as `json.loads` gives them (ijson's default is Decimal).
    events = until_array_end(ijson.parse(_Utf8Stream(chunks), use_float=True))
    position = 0
    try:
        for value in ijson.items(events, "item"):
            position += 1
            yield _object_row(position, value)
        return
    except (ijson.JSONError, UnicodeDecodeError) as exc:
        # ijson also refuses a lone surrogate escape (`\\ud800`), which Python's json reads.
        error = exc
    text = whole_text()
    try:
        items, _ = json.JSONDecoder().raw_decode(text, text.index("["))
    except ValueError:
        detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        prefix, event, _ = last[0] if last else ("", "start_array", None)
        if prefix == "" or (prefix == "item" and event not in ("start_map", "start_array", "map_key")):
            raise BadExport(
                f"{where}: JSON syntax error after record {position}, or the array ends early with no "
                f"closing ']' ({detail})"
            ) from error
        raise BadExport(
            f"{where}: JSON syntax error in record {position + 1}, or the file is cut short ({detail})"
        ) from error
    for number, item in enumerate(items[position:], start=position + 1):
        yield _object_row(number, _without_lone_surrogates(item))
