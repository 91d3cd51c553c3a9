"""Export files read into rows: CSV, a JSON array of objects, JSON Lines, or any of them gzipped.

Each row is a dict of column -> value (strings from CSV, typed values from JSON) numbered by the
physical line where it starts (CSV, JSON Lines; a line ends in LF, CRLF or a lone CR) or by its 1-based
position in a JSON array. A row that cannot be read comes as an `ExportRow` with a `problem` instead of
values, and every other row is still read. A file that cannot be read at all raises `BadExport` saying why.

The file is read as a stream: a JSON array is parsed one element at a time with ijson
(`monitor.files.json_rows`), so a large export never sits in memory whole (a pretty-printed single JSON
document that wraps its list in an object is the one exception: it has to be parsed whole).

Encoding `auto` honours a byte-order mark (UTF-8, UTF-16, UTF-32), detects UTF-16 without one, else
reads UTF-8 and decodes any byte that is not UTF-8 as Windows-1252, so mixed files lose nothing. Zero bytes
(NUL) are dropped wherever they are; a file whose first 64 KiB are full of control characters is binary.
Lines may end in LF, CRLF or CR, mixed in one file too (CR-ended files may break lines inside quoted cells
with LF). CSV cells may be separated by `,`, `;`, tab or `|`, or by the character an Excel `sep=X` first line
names. A CSV row of empty cells only is a blank line; a header that names a column twice (in any case:
`Rating` and `rating`) is refused. A line that names the header's columns again (exports joined into one
file, in any column order, after their `sep=` line) is no row: the rows after it follow its order. A cell
that is a spreadsheet's text formula, `="0123"`, is its text. Only files are read: a named pipe or a device
is refused before it is opened (the file is read more than once, and opening a pipe waits for a writer).

A file that breaks off (a gzip stream cut short or damaged, a CSV that ends inside a quoted cell, JSON Lines
cut inside the last line) gives every row read before the break, then raises `BadExport` saying "the file
could not be read to the end".

    with ExportRows("reviews.csv") as rows:           # encoding and kind detected
        for row in rows:
            use(row.values) if row.values is not None else report(row.number, row.problem)
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import stat
import sys
import zlib
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Literal

from monitor.core.errors import BadExport
from monitor.files.json_rows import json_array_rows, json_lines_rows
from monitor.files.lines import ExportRow, Lines
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
# A formula that only gives text: `="0123"` (quotes inside doubled).
_EXCEL_TEXT = re.compile(r'="((?:[^"]|"")*)"', re.DOTALL)
# Control characters (zero bytes and the like) that text may hold by accident, per 100 characters read.
_STRAY_CONTROLS_PERCENT = 1


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
            mode = self._source.stat().st_mode
            if not stat.S_ISREG(mode):
                # A pipe can be read only once, and opening one waits for a writer: the file is read more than once.
                what = "a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a device or socket"
                raise BadExport(f"{self.name}: is {what}, not a file; save the export to a file first")
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
            return json_array_rows(self._chunks(self._text), where=self.name, whole_text=self._whole_text)
        return json_lines_rows(self._chunks(self._text), where=self.name, reread=self._reread)

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


def _csv_rows(chunks: Iterator[str], *, where: str) -> Iterator[ExportRow]:
    """The header as a row of empty values, then each data row; a broken row costs only its own lines."""
    lines = Lines(chunks)
    first = next(lines, None)
    if first is None:
        return
    delimiter = _sep_line(first)
    if delimiter is None:
        lines.put_back(lines.taken)
        delimiter = _delimiter(first)
    reader = csv.reader(lines, delimiter=delimiter)
    header: list[str] | None = None
    spelled: dict[str, str] = {}  # each column name folded -> as the header writes it
    probe = 0  # a named column, whose cell tells a line that repeats the header from a row of data
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
            spelled = {name.casefold(): name for name in header}
            probe = next((i for i, name in enumerate(header) if name), 0)
            yield ExportRow(start, dict.fromkeys(header, ""))
            continue
        if len(fields) > probe and fields[probe].lstrip("\ufeff").strip().casefold() in spelled:
            again = _repeated_header(fields, spelled, len(header))
            if again is not None:
                header = again  # exports joined into one file: the rows after it follow its column order
                continue
        if fields[0].lstrip('\ufeff"')[:4].lower() == "sep=" and _sep_line(delimiter.join(fields)) == delimiter:
            continue  # the `sep=` line of an export joined to the end of another
        if any('="' in line for _, line in taken):
            fields = [_excel_text(field) for field in fields]
        if len(fields) > len(header) and not any(f.strip() for f in fields[len(header) :]):
            fields = fields[: len(header)]  # trailing empty cells some spreadsheets add
        if len(fields) != len(header):
            yield ExportRow(start, None, f"{len(fields)} fields where the header has {len(header)}")
            if len(taken) > 1:
                # Most likely a stray quote that swallowed the following lines: read them again on their own.
                lines.put_back(taken[1:])
            continue
        yield ExportRow(start, dict(zip(header, fields, strict=True)))


def _repeated_header(fields: list[str], spelled: dict[str, str], width: int) -> list[str] | None:
    """The header's names in the order of a line that names the same columns again, or None for a row of data."""
    names = [field.lstrip("\ufeff").strip().casefold() for field in fields]
    while len(names) > width and not names[-1]:
        names.pop()  # the empty cells spreadsheets add after the last column
    if len(names) != width or len(set(names)) != width or not all(name in spelled for name in names):
        return None
    return [spelled[name] for name in names]


def _excel_text(field: str) -> str:
    """A cell as spreadsheets keep text such as `0123` from becoming a number: `="0123"` is `0123`."""
    match = _EXCEL_TEXT.fullmatch(field.strip())
    return match.group(1).replace('""', '"') if match else field


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
    # Columns are matched whatever their case (`Rating` is `rating`), so names that differ only in case repeat too.
    spellings: dict[str, list[str]] = {}
    for name in names:
        spellings.setdefault(name.casefold(), []).append(name)
    repeated = [list(dict.fromkeys(group)) for group in spellings.values() if len(group) > 1]
    if repeated:
        shown = ", ".join(
            " and ".join(repr(name) for name in group) if group[0] else "'' (a column without a name)"
            for group in repeated
        )
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
