"""Export files read into rows: CSV, a JSON array of objects, JSON Lines, or any of them gzipped.

Each row is a dict of column -> value (strings from CSV, typed values from JSON) numbered by the
physical line where it starts (CSV, JSON Lines; counting `\\n`) or by its 1-based position in a JSON
array. A row that cannot be read comes as an `ExportRow` with a `problem` instead of values, and every
other row is still read. A file that cannot be read at all raises `BadExport` saying why.

The file is read as a stream: a JSON array is parsed one element at a time with ijson, so a large
export never sits in memory whole (a pretty-printed single JSON document that wraps its list in an
object is the one exception: it has to be parsed whole).

Encoding `auto` honours a byte-order mark (UTF-8, UTF-16, UTF-32), detects UTF-16 without one, else
reads UTF-8 and decodes any byte that is not UTF-8 as Windows-1252, so mixed files lose nothing. Zero bytes
(NUL) are dropped wherever they are; a file whose first 64 KiB are full of control characters is binary.
Lines may end in LF, CRLF or CR (CR-ended files may break lines inside quoted cells with LF). CSV cells may
be separated by `,`, `;`, tab or `|`, or by the character an Excel `sep=X` first line names. A CSV row of
empty cells only is a blank line; a header that names a column twice is refused.

A file that breaks off (a gzip stream cut short or damaged, a CSV that ends inside a quoted cell) gives
every row read before the break, then raises `BadExport` saying "the file could not be read to the end".

    with ExportRows("reviews.csv") as rows:           # encoding and kind detected
        for row in rows:
            use(row.values) if row.values is not None else report(row.number, row.problem)
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import itertools
import json
import re
import sys
import zlib
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, Literal

import ijson

from monitor.core.errors import BadExport
from monitor.files.sniff import break_of, control_count, cr_line_ends, gunzip, utf16_by_zero_bytes, utf16_text

__all__ = ["ExportRow", "ExportRows", "RowKind", "read_rows"]

RowKind = Literal["csv", "json", "jsonl"]

_SNIFF_BYTES = 64 * 1024
_CHUNK_CHARS = 1 << 20
_FALLBACK_ERRORS = "review_monitor_cp1252_fallback"
# Magic numbers of files people export by mistake, so the error can say what the file really is.
_BINARY_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive (an .xlsx workbook is one): save the sheet as CSV"),
    (b"\xd0\xcf\x11\xe0", "an old Excel/Office file: save the sheet as CSV"),
    (b"%PDF", "a PDF document"),
    (b"PAR1", "a Parquet file: write it out as CSV or JSON Lines"),
    (b"SQLite format 3", "an SQLite database"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"BZh", "a bzip2 archive: only .gz compression is read"),
    (b"\xfd7zXZ", "an xz archive: only .gz compression is read"),
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_DELIMITERS = (",", ";", "\t", "|")
# Excel's delimiter hint, `sep=;` (sometimes quoted, or padded with more delimiters by a re-export).
_SEP_LINE = re.compile(r'"?sep=([^"\r\n])"?\1* *', re.IGNORECASE)
# Control characters (zero bytes and the like) that text may hold by accident, per 100 characters read.
_STRAY_CONTROLS_PERCENT = 1
_LOOKAHEAD_RECORDS = 100
# Wrapper keys under which API dumps keep their list of reviews, tried in order.
_LIST_KEYS = ("reviews", "data", "results", "items", "records")


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Decode bytes that are not UTF-8 as Windows-1252: mixed-encoding exports keep every character."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    # The five bytes Windows-1252 leaves undefined map to the same-numbered control characters.
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in bad), exc.end


codecs.register_error(_FALLBACK_ERRORS, _cp1252_fallback)
# Review and reply cells can be long; the csv module's default limit of 128 KiB per cell is not enough.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclasses.dataclass(slots=True)
class ExportRow:
    """One row of an export as a dict, or the reason it could not be read."""

    number: int  # physical line (CSV, JSON Lines) or position (JSON array)
    values: Mapping[str, Any] | None
    problem: str | None = None


class ExportRows:
    """An opened export file: its encoding, kind, columns and the stream of its data rows.

    `source` is a path or the file's bytes; `encoding` is `auto` or a codec name. Iterating gives every
    data row once, in file order (the CSV header is not a row; the first JSON record is). Raises
    `BadExport` at once when the file is missing, empty, binary or undecodable, and while iterating when
    it breaks off in a way no later row can be read from.
    """

    def __init__(self, source: str | Path | bytes, *, encoding: str = "auto") -> None:
        self.name = "<bytes>" if isinstance(source, bytes) else str(Path(source).expanduser())
        self._source = source if isinstance(source, bytes) else Path(source).expanduser()
        self._raw, self._binary, head = self._open_binary()
        try:
            self.encoding = self._choose_encoding(head, encoding)
            self._errors = _FALLBACK_ERRORS if encoding == "auto" else "strict"
            self._text = self._open_text(self._binary)
            sample = codecs.getincrementaldecoder(self.encoding)(errors="replace").decode(head).replace("\x00", "")
            self.kind: RowKind = _kind(sample)
            # Classic Mac files end lines with a lone CR; everything else here splits lines on LF.
            self._cr_lines = cr_line_ends(sample, quoted_cells=self.kind == "csv")
            self._rows = self._row_stream()
            self._pending: deque[ExportRow] = deque()  # rows read ahead, handed out first
            first = self._first_row()
            self.columns: list[str] = list(first.values or {})
            # The first JSON record is a row too; the CSV header is not.
            self._pending.extend([first] if self.kind != "csv" else [])
        except BaseException:
            self.close()
            raise

    @property
    def row_label(self) -> str:
        """What a row's number counts: `record` (position in a JSON array) or `line`."""
        return "record" if self.kind == "json" else "line"

    def __iter__(self) -> Iterator[ExportRow]:
        while self._pending:
            yield self._pending.popleft()
        yield from self._rows

    def close(self) -> None:
        """Close the underlying file."""
        text = getattr(self, "_text", None)
        if text is not None:
            text.close()
        self._binary.close()
        self._raw.close()

    def __enter__(self) -> ExportRows:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _open_binary(self) -> tuple[IO[bytes], IO[bytes], bytes]:
        """The file, the stream of its (decompressed) bytes, and their first bytes."""
        raw = self._open_raw()
        try:
            head = raw.read(_SNIFF_BYTES)
            raw.seek(0)
            if not head.startswith(b"\x1f\x8b"):
                return raw, raw, head
            with gunzip(raw) as first:
                head = first.read(_SNIFF_BYTES)
                error = break_of(first)
            raw.seek(0)
        except OSError as exc:
            raw.close()
            raise BadExport(f"{self.name}: cannot be read ({exc})") from exc
        if not head and error is not None:
            raw.close()
            raise BadExport(f"{self.name}: damaged gzip data ({error})")
        # A break later on is reported when reading reaches it, after the rows before it.
        return raw, gunzip(raw), head

    def _open_raw(self) -> IO[bytes]:
        """The file (or the bytes given) as it is stored."""
        if isinstance(self._source, bytes):
            return io.BytesIO(self._source)
        if self._source.is_dir():
            raise BadExport(f"{self.name}: is a folder, not an export file")
        try:
            return open(self._source, "rb")  # closed by close()
        except FileNotFoundError as exc:
            raise BadExport(f"{self.name}: no such file") from exc
        except OSError as exc:
            raise BadExport(f"{self.name}: cannot be opened ({exc.strerror})") from exc

    def _open_text(self, binary: IO[bytes]) -> io.TextIOWrapper:
        return io.TextIOWrapper(binary, encoding=self.encoding, errors=self._errors, newline="")

    def _choose_encoding(self, head: bytes, wanted: str) -> str:
        if not head.strip():
            raise BadExport(f"{self.name}: the file is empty")
        for magic, what in _BINARY_MAGIC:
            if head.startswith(magic):
                raise BadExport(f"{self.name}: not a CSV/JSON export but {what}")
        if wanted != "auto":
            try:
                return codecs.lookup(wanted).name
            except LookupError as exc:
                raise BadExport(f"{self.name}: unknown encoding {wanted!r}") from exc
        for bom, name in _BOMS:
            if head.startswith(bom):
                return name
        if b"\x00" not in head:
            return "utf-8"
        controls = control_count(codecs.getincrementaldecoder("utf-8")(errors=_FALLBACK_ERRORS).decode(head))
        utf16 = utf16_by_zero_bytes(head)
        # Text with a few stray zero bytes is read as text (they are dropped): only then is UTF-16 guessed
        # from the decoded characters, since ASCII read as UTF-16 decodes into printable CJK characters too.
        if utf16 is None and controls > max(4, len(head) * _STRAY_CONTROLS_PERCENT // 100):
            utf16 = next((codec for codec in ("utf-16-le", "utf-16-be") if utf16_text(head, codec)), None)
            if utf16 is None:
                raise BadExport(
                    f"{self.name}: binary data, not a CSV/JSON text file ({controls} zero bytes and other control "
                    f"characters in the first {len(head)} bytes); if it is text in an unusual encoding, set the "
                    "encoding option"
                )
        return utf16 or "utf-8"

    def _row_stream(self) -> Iterator[ExportRow]:
        if self.kind == "csv":
            return _csv_rows(self._chunks(self._text), where=self.name)
        if self.kind == "json":
            return _json_array_rows(self._chunks(self._text), where=self.name, whole_text=self._whole_text)
        return _json_lines_rows(self._chunks(self._text), where=self.name, reread=self._reread)

    def _whole_text(self) -> str:
        """The whole file's text, read again from the start."""
        return "".join(self._reread())

    def _reread(self) -> Iterator[str]:
        """The file's text in chunks, read again from the start."""
        raw, binary, _ = self._open_binary()
        with raw, binary, self._open_text(binary) as text:
            yield from self._chunks(text)

    def _chunks(self, text: io.TextIOWrapper) -> Iterator[str]:
        while True:
            try:
                chunk = text.read(_CHUNK_CHARS)
            except UnicodeDecodeError as exc:
                # A multi-byte character cut in two where a gzip stream breaks off is the break, not the encoding.
                broken = break_of(text.buffer)
                if broken is not None:
                    raise self._broken_off(broken) from exc
                raise BadExport(
                    f"{self.name}: not valid {self.encoding} ({exc.reason} at a byte near {exc.start}); "
                    "set encoding=auto or the file's real encoding"
                ) from exc
            except (OSError, EOFError, zlib.error) as exc:
                raise self._broken_off(exc) from exc
            if not chunk:
                broken = break_of(text.buffer)
                if broken is not None:
                    raise self._broken_off(broken)
                return
            # A zero byte is never part of review text (and a database refuses it): drop it, wherever it is.
            chunk = chunk.replace("\x00", "")
            yield chunk.replace("\r", "\n") if self._cr_lines else chunk

    def _broken_off(self, exc: BaseException) -> BadExport:
        """The error of a file that breaks off: the rows before the break have been handed out."""
        return BadExport(f"{self.name}: the file could not be read to the end ({exc})")

    def _first_row(self) -> ExportRow:
        """The header (CSV) or the first readable record (JSON), which tells the columns.

        JSON rows that cannot be read before it are kept to be handed out first, as problems.
        """
        for row in self._rows:
            if row.values is not None:
                return row
            self._pending.append(row)
            if self.kind == "csv" or len(self._pending) >= 100:
                break
        if self.kind == "csv" and self._pending:
            raise BadExport(f"{self.name}: the header line cannot be read ({self._pending[0].problem})")
        if self._pending:
            raise BadExport(f"{self.name}: no readable record among the first ones ({self._pending[0].problem})")
        raise BadExport(f"{self.name}: the file is empty (no header or records)")


def read_rows(source: str | Path | bytes, *, encoding: str = "auto") -> Iterator[ExportRow]:
    """The data rows of an export file, closing it at the end; raises `BadExport` at once when it cannot be read."""
    return _closing(ExportRows(source, encoding=encoding))


def _closing(rows: ExportRows) -> Iterator[ExportRow]:
    with rows:
        yield from rows


def _kind(sample: str) -> RowKind:
    start = sample.lstrip("\ufeff \t\r\n")
    if start.startswith("["):
        return "json"
    if start.startswith("{"):
        return "jsonl"
    return "csv"


class _Lines:
    """Physical lines (split on `\\n` only) of chunked text, numbered, with put-back for re-reading."""

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
                    self._buffer.append((self._next_number, part + "\n"))
                    self._next_number += 1
                return
        if self._tail:
            self._buffer.append((self._next_number, self._tail))
            self._next_number += 1
            self._tail = ""

    def start_record(self) -> None:
        """Forget the lines handed out so far: a new record starts."""
        self.taken = []
        self.ran_out = False

    def put_back(self, lines: list[tuple[int, str]]) -> None:
        """Hand out these lines again before any new ones."""
        self._buffer.extendleft(reversed(lines))


def _csv_rows(chunks: Iterator[str], *, where: str) -> Iterator[ExportRow]:
    """The header as a row of empty values, then each data row; a broken row costs only its own lines."""
    lines = _Lines(chunks)
    first = next(lines, None)
    if first is None:
        return
    delimiter = _sep_line(first)
    if delimiter is None:
        lines.put_back(lines.taken)
        delimiter = _delimiter(first)
    reader = csv.reader(lines, delimiter=delimiter)
    header: list[str] | None = None
    while True:
        lines.start_record()
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            taken = lines.taken or [(0, "")]
            yield ExportRow(taken[0][0], None, f"unreadable CSV ({exc})")
            lines.put_back(taken[1:])
            reader = csv.reader(lines, delimiter=delimiter)
            continue
        taken = lines.taken
        start = taken[0][0] if taken else 0
        if lines.ran_out:
            # The csv module ends a quoted cell still open at the end of the file there: the file was cut.
            raise BadExport(
                f"{where}: the file could not be read to the end (it ends inside a quoted cell of the row "
                f"on line {start})"
            )
        if not any(field.strip() for field in fields):
            continue  # a blank line, or one of delimiters only (spreadsheets leave these after the data)
        if header is None:
            header = _header(fields, where=where)
            yield ExportRow(start, dict.fromkeys(header, ""))
            continue
        if len(fields) > len(header) and not any(f.strip() for f in fields[len(header) :]):
            fields = fields[: len(header)]  # trailing empty cells some spreadsheets add
        if len(fields) != len(header):
            yield ExportRow(start, None, f"{len(fields)} fields where the header has {len(header)}")
            if len(taken) > 1:
                # Most likely a stray quote that swallowed the following lines: read them again on their own.
                lines.put_back(taken[1:])
            continue
        yield ExportRow(start, dict(zip(header, fields, strict=True)))


def _sep_line(line: str) -> str | None:
    """The delimiter an Excel `sep=X` line names, or None for any other line."""
    match = _SEP_LINE.fullmatch(line.lstrip("\ufeff").rstrip("\r\n"))
    return match.group(1) if match else None


def _header(fields: list[str], *, where: str) -> list[str]:
    """The column names; `BadExport` when one is repeated, as it is then unclear which column holds the data."""
    names = [name.lstrip("\ufeff").strip() for name in fields]
    while names and not names[-1]:
        # Unnamed columns after the last named one are the empty ones spreadsheets add; a row's cells there
        # must be empty too (or the row has more fields than the header).
        names.pop()
    repeated = [name for name, count in Counter(names).items() if count > 1]
    if repeated:
        shown = ", ".join(repr(name) if name else "'' (a column without a name)" for name in repeated)
        raise BadExport(
            f"{where}: the header names a column more than once ({shown}), so it is unclear which one holds "
            "the data; rename or remove the repeated columns"
        )
    return names


def _delimiter(first_line: str) -> str:
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for char in first_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    return max(_DELIMITERS, key=lambda d: counts[d]) if any(counts.values()) else ","


def _json_lines_rows(chunks: Iterator[str], *, where: str, reread: Callable[[], Iterator[str]]) -> Iterator[ExportRow]:
    """Each line's object; or the records of one (pretty-printed) JSON document when the first line is not JSON.

    When the first line is not JSON and neither is the whole text, but later lines are objects, the file is
    JSON Lines whose first record is broken: it is read again from the start, one line at a time.
    """
    lines = _Lines(chunks)
    first = next((line for line in lines if line.strip()), "")
    if _parse_json(first)[1] is None:
        lines.put_back(lines.taken[-1:])
    else:
        document, error = _parse_json(first + "".join(lines))
        if error is None:
            yield from _json_document_rows(document)
            return
        lines = _Lines(reread())
        if not _mostly_object_lines(lines):
            raise BadExport(
                f"{where}: not valid JSON ({error}); expected a JSON array of objects or JSON Lines (one object "
                "per line)"
            )
    yield from _json_line_records(lines)


def _json_line_records(lines: _Lines) -> Iterator[ExportRow]:
    for text in lines:
        number = lines.taken[-1][0]
        lines.start_record()
        if not text.strip():
            continue
        try:
            value = json.loads(text.strip())
        except json.JSONDecodeError as exc:
            yield ExportRow(number, None, f"not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        yield from _object_rows(number, value)


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


def _mostly_object_lines(lines: _Lines) -> bool:
    """Whether at least half the lines after the first are JSON objects each (of the first ones); all are put back.

    A broken document that wraps a list with one record per line has lines like `{...},` that are not.
    """
    texts = list(itertools.islice(filter(str.strip, lines), 1, _LOOKAHEAD_RECORDS + 1))
    lines.put_back(lines.taken)
    lines.start_record()
    objects = sum(1 for text in texts if isinstance(_parse_json(text)[0], dict))
    return objects > 0 and 2 * objects >= len(texts)


def _json_document_rows(document: Any) -> Iterator[ExportRow]:
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


def _json_array_rows(chunks: Iterator[str], *, where: str, whole_text: Callable[[], str]) -> Iterator[ExportRow]:
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
    except ijson.JSONError as exc:
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
        yield _object_row(number, item)
