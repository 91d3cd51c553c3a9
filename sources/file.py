"""Reviews from an export file: CSV, a JSON array of objects, JSON Lines, or any of them gzipped.

The layout (App Store scraper, Google Play scraper, HelloPeter API records, or generic columns) is
detected from the header or the first record's keys; `sources.exports.layouts` holds the layouts.
The file is read as a stream in pages of `PAGE_SIZE` records, so a large export never sits in memory
whole (a pretty-printed single JSON document is the one exception: it has to be parsed whole).

A broken row is reported in `PageResult.problems` as "line N: ..." (N is the physical line where the
row starts, counting `\\n`) or "record N: ..." (the 1-based position in a JSON array) and skipped;
every other row is kept. A file that cannot be read at all raises `BadExport` saying why.

Encoding `auto` honours a byte-order mark (UTF-8, UTF-16, UTF-32), else reads UTF-8 and decodes any
byte that is not UTF-8 as Windows-1252, so mixed files lose nothing; text fields are then repaired
with ftfy (UTF-8 that was once decoded as Windows-1252, "Ã®" -> "î"). Lines may end in LF, CRLF or CR.

Reviews without an id in the export get a derived id hashed from stable fields (see
`export_formats.derived_id`): Google Play exports without `reviewId` and generic files without
`id_column` hash (author, date to the minute, first 200 characters of the repaired text, rating);
App Store exports hash (app, nickname). So re-importing the same file never duplicates reviews. When two
different rows of one file derive the same id, the later ones get `-2`, `-3`, ... appended (in file
order, so a re-import gives the same ids); a row that repeats an earlier row exactly is reported and
skipped.

    for page in read_export("reviews.csv"):          # format and encoding detected
        store(page.records); report(page.problems)
"""

from __future__ import annotations

import asyncio
import codecs
import csv
import dataclasses
import gzip
import hashlib
import io
import json
import zlib
from collections import deque
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, ClassVar, Literal, cast

from monitor.core.errors import BadExport, ConfigError
from monitor.core.records import ReviewRecord
from sources.base import Fetch, Option, Page, PageResult, Source
from sources.exports.layouts import (
    GENERIC_COLUMN_OPTIONS,
    LAYOUTS,
    RowContext,
    check_layout_available,
    detect_layout,
    generic_layout,
)

__all__ = ["FORMATS", "PAGE_SIZE", "ExportFile", "FileSource", "read_export"]

PAGE_SIZE = 500
FORMATS = ("auto", *LAYOUTS, "generic")

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


@dataclasses.dataclass(slots=True)
class _Row:
    """One row of the export as a dict, or the reason it could not be read."""

    number: int  # physical line (CSV, JSON Lines) or position (JSON array)
    values: Mapping[str, Any] | None
    problem: str | None = None


class ExportFile:
    """An opened export file: its detected layout and a stream of record pages.

    `source` is a path or the file's bytes. `columns` maps the generic layout's roles (`text_column`,
    `id_column`, ...) to column names; giving any of them with `format="auto"` selects the generic layout.
    Raises `BadExport` at once when the file is missing, empty, binary, undecodable or of unknown layout.
    """

    def __init__(
        self,
        source: str | Path | bytes,
        *,
        format: str = "auto",
        encoding: str = "auto",
        day_first: bool = True,
        rating_scale: int = 5,
        columns: Mapping[str, str | None] | None = None,
    ) -> None:
        if format not in FORMATS:
            raise BadExport(f"unknown export format {format!r}; known formats: {', '.join(FORMATS)}")
        unknown_roles = sorted(set(columns or {}) - set(GENERIC_COLUMN_OPTIONS))
        if unknown_roles:
            raise BadExport(f"unknown column option {unknown_roles[0]!r}; known: {', '.join(GENERIC_COLUMN_OPTIONS)}")
        self.name = "<bytes>" if isinstance(source, bytes) else str(Path(source).expanduser())
        self._source = source if isinstance(source, bytes) else Path(source).expanduser()
        self._binary, head = self._open_binary()
        try:
            self.encoding = self._choose_encoding(head, encoding)
            self._text = io.TextIOWrapper(
                self._binary,
                encoding=self.encoding,
                errors=_FALLBACK_ERRORS if encoding == "auto" else "strict",
                newline="",
            )
            sample = codecs.getincrementaldecoder(self.encoding)(errors="replace").decode(head)
            self.kind = _kind(sample)
            # Classic Mac files end lines with a lone CR; everything else here splits lines on LF.
            self._cr_lines = "\r" in sample and "\n" not in sample
            self._rows = self._row_stream()
            first = self._first_row()
            self.columns: list[str] = list(first.values or {})
            # The first JSON record is a record too; the CSV header is not.
            self._pending: deque[_Row] = deque([first] if self.kind != "csv" else [])
            roles = {k: v for k, v in (columns or {}).items() if v}
            self._ctx = RowContext(day_first=day_first, rating_scale=5)
            if format == "generic" or (format == "auto" and roles):
                self.layout, chosen = generic_layout(self.columns, roles, where=self.name)
                self._ctx = RowContext(day_first=day_first, rating_scale=rating_scale, columns=chosen)
            else:
                self.layout = detect_layout(self.columns, where=self.name, wanted=format)
                check_layout_available(self.layout)
        except BaseException:
            self.close()
            raise

    # ----- opening, encoding, kind ------------------------------------------------------------------

    def _open_binary(self) -> tuple[IO[bytes], bytes]:
        raw: IO[bytes]
        if isinstance(self._source, bytes):
            raw = io.BytesIO(self._source)
        else:
            if self._source.is_dir():
                raise BadExport(f"{self.name}: is a folder, not an export file")
            try:
                raw = open(self._source, "rb")  # noqa: SIM115  (closed by close())
            except FileNotFoundError as exc:
                raise BadExport(f"{self.name}: no such file") from exc
            except OSError as exc:
                raise BadExport(f"{self.name}: cannot be opened ({exc.strerror})") from exc
        self._raw = raw  # closed separately: a GzipFile does not close the file it reads
        stream: IO[bytes] = raw
        try:
            head = raw.read(_SNIFF_BYTES)
            raw.seek(0)
            if head.startswith(b"\x1f\x8b"):
                stream = cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb"))
                head = stream.read(_SNIFF_BYTES)
                stream.seek(0)
        except (OSError, EOFError, zlib.error) as exc:
            raw.close()
            raise BadExport(f"{self.name}: damaged gzip data ({exc})") from exc
        return stream, head

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
        if b"\x00" in head:
            # UTF-16 without a byte-order mark shows as a zero byte beside every ASCII character.
            sample = head[: len(head) // 2 * 2]
            even, odd = sample[0::2].count(0), sample[1::2].count(0)
            half = max(len(sample) // 2, 1)
            if odd > 0.3 * half and even < 0.05 * half:
                return "utf-16-le"
            if even > 0.3 * half and odd < 0.05 * half:
                return "utf-16-be"
            raise BadExport(
                f"{self.name}: binary data, not a CSV/JSON text file (zero bytes in the first "
                f"{len(head)} bytes); if it is text in an unusual encoding, set the encoding option"
            )
        return "utf-8"

    def close(self) -> None:
        """Close the underlying file."""
        text = getattr(self, "_text", None)
        if text is not None:
            text.close()
        self._binary.close()
        self._raw.close()

    def __enter__(self) -> ExportFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----- rows -----------------------------------------------------------------------------------

    def _row_stream(self) -> Iterator[_Row]:
        if self.kind == "csv":
            return _csv_rows(self._chunks())
        if self.kind == "json":
            return _json_array_rows(self._chunks(), where=self.name)
        return _json_lines_rows(self._chunks(), where=self.name)

    def _chunks(self) -> Iterator[str]:
        while True:
            try:
                chunk = self._text.read(_CHUNK_CHARS)
            except UnicodeDecodeError as exc:
                raise BadExport(
                    f"{self.name}: not valid {self.encoding} ({exc.reason} at a byte near {exc.start}); "
                    "set encoding=auto or the file's real encoding"
                ) from exc
            except (OSError, EOFError, zlib.error) as exc:
                raise BadExport(f"{self.name}: the file could not be read to the end ({exc})") from exc
            if not chunk:
                return
            yield chunk.replace("\r", "\n") if self._cr_lines else chunk

    def _first_row(self) -> _Row:
        """The header (CSV) or the first readable record (JSON), which tells the columns."""
        skipped: list[_Row] = []
        for row in self._rows:
            if row.values is not None:
                self._skipped_before_first = skipped
                return row
            skipped.append(row)
            if self.kind == "csv" or len(skipped) >= 100:
                break
        self._skipped_before_first = skipped
        if self.kind == "csv" and skipped:
            raise BadExport(f"{self.name}: the header line cannot be read ({skipped[0].problem})")
        if skipped:
            raise BadExport(f"{self.name}: no readable record among the first ones ({skipped[0].problem})")
        raise BadExport(f"{self.name}: the file is empty (no header or records)")

    # ----- records --------------------------------------------------------------------------------

    def batches(self, size: int = PAGE_SIZE) -> Iterator[PageResult]:
        """Pages of up to `size` records with the problems of the rows read for them; at least one page."""
        label = "record" if self.kind == "json" else "line"
        records: list[ReviewRecord] = []
        problems = [f"{label} {row.number}: {row.problem}; skipped" for row in self._skipped_before_first]
        seen: dict[str, tuple[int, bytes]] = {}
        yielded = False
        for row in self._all_rows():
            record, problem = self._record(row, seen, label)
            if problem:
                problems.append(f"{label} {row.number}: {problem}; skipped")
            if record is not None:
                records.append(record)
            if len(records) >= size or len(problems) >= size:
                yield PageResult(records=records, problems=problems)
                yielded = True
                records, problems = [], []
        if records or problems or not yielded:
            yield PageResult(records=records, problems=problems)

    def records(self) -> Iterator[ReviewRecord]:
        """Every readable record (problems are dropped; use `batches` to see them)."""
        for page in self.batches():
            yield from page.records

    def _all_rows(self) -> Iterator[_Row]:
        while self._pending:
            yield self._pending.popleft()
        yield from self._rows

    def _record(
        self, row: _Row, seen: dict[str, tuple[int, bytes]], label: str
    ) -> tuple[ReviewRecord | None, str | None]:
        if row.values is None:
            return None, row.problem
        if self.kind != "csv":
            missing = [c for c in self.layout.required if c not in row.values]
            if missing:
                return None, f"no {missing[0]!r}"
        try:
            record = self.layout.to_record(row.values, self._ctx)
        except ValueError as exc:
            return None, str(exc)
        fingerprint = _fingerprint(record)
        review_id = record.site_review_id
        earlier = seen.get(review_id)
        if earlier is None:
            seen[review_id] = (row.number, fingerprint)
            return record, None
        if earlier[1] == fingerprint:
            return None, f"repeats the review on {label} {earlier[0]}"
        if not self.layout.derives_ids:
            return None, f"review id {review_id!r} was already used on {label} {earlier[0]}"
        n = 2
        while f"{review_id}-{n}" in seen:
            n += 1
        review_id = f"{review_id}-{n}"
        seen[review_id] = (row.number, fingerprint)
        return dataclasses.replace(record, site_review_id=review_id), None


def _kind(sample: str) -> Literal["csv", "json", "jsonl"]:
    start = sample.lstrip("\ufeff \t\r\n")
    if start.startswith("["):
        return "json"
    if start.startswith("{"):
        return "jsonl"
    return "csv"


def _fingerprint(record: ReviewRecord) -> bytes:
    reply = record.reply
    parts = (
        record.body,
        record.author_name,
        record.rating,
        record.title,
        record.published_at,
        reply.text if reply else None,
        reply.published_at if reply else None,
    )
    return hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=8).digest()


# ----- CSV ----------------------------------------------------------------------------------------


class _Lines:
    """Physical lines (split on `\\n` only) of chunked text, numbered, with put-back for re-reading."""

    def __init__(self, chunks: Iterator[str]) -> None:
        self._chunks = chunks
        self._tail = ""
        self._next_number = 1
        self._buffer: deque[tuple[int, str]] = deque()
        self.taken: list[tuple[int, str]] = []  # lines handed out since the last `start_record`

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        if not self._buffer:
            self._fill()
            if not self._buffer:
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

    def put_back(self, lines: list[tuple[int, str]]) -> None:
        """Hand out these lines again before any new ones."""
        self._buffer.extendleft(reversed(lines))


def _csv_rows(chunks: Iterator[str]) -> Iterator[_Row]:
    lines = _Lines(chunks)
    first = next(lines, None)
    if first is None:
        return
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
            yield _Row(taken[0][0], None, f"unreadable CSV ({exc})")
            lines.put_back(taken[1:])
            reader = csv.reader(lines, delimiter=delimiter)
            continue
        taken = lines.taken
        start = taken[0][0] if taken else 0
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            continue  # a blank line
        if header is None:
            header = [name.lstrip("\ufeff").strip() for name in fields]
            yield _Row(start, dict.fromkeys(header, ""))
            continue
        if len(fields) > len(header) and not any(f.strip() for f in fields[len(header) :]):
            fields = fields[: len(header)]  # trailing empty cells some spreadsheets add
        if len(fields) != len(header):
            yield _Row(start, None, f"{len(fields)} fields where the header has {len(header)}")
            if len(taken) > 1:
                # Most likely a stray quote that swallowed the following lines: read them again on their own.
                lines.put_back(taken[1:])
            continue
        yield _Row(start, dict(zip(header, fields, strict=True)))


def _delimiter(first_line: str) -> str:
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for char in first_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    return max(_DELIMITERS, key=lambda d: counts[d]) if any(counts.values()) else ","


# ----- JSON ---------------------------------------------------------------------------------------


def _json_lines_rows(chunks: Iterator[str], *, where: str) -> Iterator[_Row]:
    lines = _Lines(chunks)
    first = next((line for line in lines if line.strip()), "")
    try:
        json.loads(first)
    except json.JSONDecodeError:
        # Not one object per line: a single (pretty-printed) JSON document, parsed whole.
        yield from _json_document_rows(first + "".join(lines), where=where)
        return
    lines.put_back(lines.taken[-1:])
    for text in lines:
        number = lines.taken[-1][0]
        lines.start_record()
        if not text.strip():
            continue
        try:
            value = json.loads(text.strip())
        except json.JSONDecodeError as exc:
            yield _Row(number, None, f"not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        yield from _object_rows(number, value)


def _object_rows(number: int, value: Any) -> Iterator[_Row]:
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


def _object_row(number: int, value: Any) -> _Row:
    if not isinstance(value, dict):
        return _Row(number, None, f"a JSON {type(value).__name__}, not an object")
    return _Row(number, value)


def _json_document_rows(text: str, *, where: str) -> Iterator[_Row]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadExport(
            f"{where}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); expected "
            "a JSON array of objects or JSON Lines (one object per line)"
        ) from exc
    items = document if isinstance(document, list) else _envelope_items(document)
    if items is None and isinstance(document, dict):
        # A wrapper with one list of objects under a key of its own choosing.
        lists = [v for v in document.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
        items = lists[0] if len(lists) == 1 else [document]
    for position, item in enumerate(items if items is not None else [document], start=1):
        yield _object_row(position, item)


def _json_array_rows(chunks: Iterator[str], *, where: str) -> Iterator[_Row]:
    """Elements of a top-level JSON array, decoded one at a time from a sliding buffer."""
    decoder = json.JSONDecoder()
    buffer = ""
    pos = 0
    at_end = False
    position = 0
    expect_value = True

    def more() -> bool:
        nonlocal buffer, pos, at_end
        chunk = next(chunks, "")
        if not chunk:
            at_end = True
            return False
        buffer = buffer[pos:] + chunk
        pos = 0
        return True

    more()
    pos = buffer.index("[") + 1
    while True:
        while True:
            while pos < len(buffer) and buffer[pos] in " \t\r\n":
                pos += 1
            if pos < len(buffer) or not more():
                break
        if pos >= len(buffer):
            raise BadExport(f"{where}: the JSON array ends early (after {position} records, no closing ']')")
        char = buffer[pos]
        if char == "]" and (expect_value is False or position == 0):
            return
        if char == "," and not expect_value:
            pos += 1
            expect_value = True
            continue
        if not expect_value:
            raise BadExport(f"{where}: JSON syntax error after record {position} (expected ',' or ']')")
        try:
            value, end = decoder.raw_decode(buffer, pos)
            if end >= len(buffer) and not at_end:
                raise ValueError("value may continue in the next chunk")
        except ValueError as exc:
            if not at_end and more():
                continue
            detail = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            raise BadExport(
                f"{where}: JSON syntax error in record {position + 1}, or the file is cut short ({detail})"
            ) from exc
        position += 1
        pos = end
        expect_value = False
        yield _object_row(position, value)


# ----- the source and the plain function ---------------------------------------------------------


def read_export(
    path: str | Path,
    *,
    format: str = "auto",
    encoding: str = "auto",
    day_first: bool = True,
    rating_scale: int = 5,
    columns: Mapping[str, str | None] | None = None,
    page_size: int = PAGE_SIZE,
) -> Iterator[PageResult]:
    """Pages of records read from an export file; raises `BadExport` at once when it cannot be read.

    `format` is one of `FORMATS`; `columns` maps generic roles (`text_column`, `id_column`,
    `rating_column`, `date_column`, `author_column`, `reply_column`, `reply_date_column`,
    `title_column`) to column names. Row problems come in each page's `problems`.
    """
    export = ExportFile(
        path, format=format, encoding=encoding, day_first=day_first, rating_scale=rating_scale, columns=columns
    )
    return _closing(export, page_size)


def _closing(export: ExportFile, page_size: int) -> Iterator[PageResult]:
    with export:
        yield from export.batches(page_size)


class FileSource(Source):
    """Reviews from a CSV, JSON or JSON Lines export file (optionally gzipped)."""

    name = "file"
    help = "reviews from a CSV / JSON / JSON Lines export (.gz too): App Store, Google Play, HelloPeter or generic"
    locator_help = "path to the export file"
    newest_first: ClassVar[bool] = False  # exports come in any order; never stop a read early
    options: ClassVar[tuple[Option, ...]] = (
        Option("format", f"export layout: {' | '.join(FORMATS)}", default="auto"),
        Option("encoding", "text encoding, or auto (BOM, else UTF-8 with Windows-1252 repair)", default="auto"),
        Option("day_first", "read 03-04-2024 as 3 April (false: 4 March)", type=bool, default=True),
        Option("rating_scale", "highest rating of the generic layout's rating column", type=int, default=5),
        Option("id_column", "generic: column with the review id (else an id is derived from the row)"),
        Option("text_column", "generic: column with the review text"),
        Option("rating_column", "generic: column with the star rating"),
        Option("date_column", "generic: column with the review date"),
        Option("author_column", "generic: column with the reviewer's name"),
        Option("reply_column", "generic: column with the company's reply"),
        Option("reply_date_column", "generic: column with the reply's date"),
        Option("title_column", "generic: column with the review title"),
    )

    def __init__(self, locator: str, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(locator, options)
        if self.opts["format"] not in FORMATS:
            raise ConfigError(
                f"source kind 'file': format {self.opts['format']!r} is unknown; known: {', '.join(FORMATS)}"
            )

    def _open(self, source: str | bytes) -> ExportFile:
        return ExportFile(
            source,
            format=self.opts["format"],
            encoding=self.opts["encoding"],
            day_first=self.opts["day_first"],
            rating_scale=self.opts["rating_scale"],
            columns={role: self.opts[role] for role in GENERIC_COLUMN_OPTIONS},
        )

    def parse(self, page: Page) -> PageResult:
        """All records of an export held in memory (e.g. downloaded), as one page."""
        with self._open(page.body) as export:
            records: list[ReviewRecord] = []
            problems: list[str] = []
            for batch in export.batches():
                records.extend(batch.records)
                problems.extend(batch.problems)
        return PageResult(records=records, problems=problems)

    async def pages(self, fetch: Fetch, *, max_pages: int | None = None) -> AsyncIterator[PageResult]:
        """Pages of `PAGE_SIZE` records read from the local file (`fetch` is not used)."""
        export = await asyncio.to_thread(self._open, self.locator)
        try:
            batches = export.batches()
            count = 0
            while max_pages is None or count < max_pages:
                # Reading and parsing run in a worker thread so a large file does not stall the event loop.
                page = await asyncio.to_thread(next, batches, None)
                if page is None:
                    return
                count += 1
                yield page
        finally:
            export.close()
