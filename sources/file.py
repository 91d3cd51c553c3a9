"""Reviews from an export file: CSV, a JSON array of objects, JSON Lines, or any of them gzipped.

`monitor.files.reader` turns the file into rows (encodings, CSV dialects, JSON streaming, broken rows); the
layout (App Store scraper, Google Play scraper, HelloPeter API records, or generic columns) is detected from the
header or the first record's keys, and `sources.exports.layouts` maps each row to a record. Records come in
batches, so a large export never sits in memory whole.

Dates: before any row is mapped, the file's date columns are read once to decide its day/month order
(`sources.exports.dates`); a file whose dates cannot tell, or that holds both orders, is refused with
`BadExport` naming `-o day_first=true|false`. An explicit `day_first` always wins.

Every data row is accounted for (`ExportStats`): kept, skipped (with a short reason, e.g. "rating unreadable"),
or a duplicate of an earlier row. A bad cell costs that cell: a review with an unreadable reply or date is kept
without it and the problem is noted; only a row without readable text or identity is skipped. Problems read
"line N: ..." (N is the physical line where the row starts) or "record N: ..." (the position in a JSON array).
A file that cannot be read at all raises `BadExport` saying why. Text fields are repaired with ftfy.

Reviews without an id in the export get a derived id hashed from stable fields (see
`sources.exports.cells.derived_id`): Google Play exports without `reviewId` and generic files without
`id_column` hash (author, date to the minute, first 200 characters of the repaired text, rating);
App Store exports hash (app, nickname). So re-importing the same file never duplicates reviews. When two
different rows of one file derive the same id, the later ones get `-2`, `-3`, ... appended (in file
order, so a re-import gives the same ids); a row that repeats an earlier row exactly is a duplicate.

    with ExportFile("reviews.csv") as export:          # format, encoding and date order detected
        for batch in export.read():
            store(batch.records); report(batch.problems)
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Literal

from monitor.core.errors import BadExport, ConfigError, FetchError
from monitor.core.records import ReviewRecord
from monitor.files.keys import SeenKeys, key_of
from monitor.files.reader import ExportRow, ExportRows
from sources.base import Fetch, Option, Page, PageResult, Source
from sources.exports.cells import RowContext, RowNotes, RowSkipped
from sources.exports.dates import DateOrderScan, parse_day_first
from sources.exports.layouts import (
    GENERIC_COLUMN_OPTIONS,
    LAYOUTS,
    check_layout_available,
    detect_layout,
    generic_layout,
)

__all__ = [
    "FORMATS",
    "PAGE_SIZE",
    "ExportBatch",
    "ExportFile",
    "ExportStats",
    "FileSource",
    "RowProblem",
    "read_export",
]

PAGE_SIZE = 500
FORMATS = ("auto", *LAYOUTS, "generic")

ProblemKind = Literal["skipped", "dropped", "duplicate"]


@dataclass(frozen=True, slots=True)
class RowProblem:
    """Something about one row: it was skipped, lost a cell, or repeated an earlier row."""

    number: int  # line (CSV, JSON Lines) or record (JSON array)
    kind: ProblemKind
    reason: str  # short category, counted in the summary
    detail: str

    def text(self, label: str) -> str:
        """The problem as one line, e.g. "line 17: rating 'five' is not a rating; skipped"."""
        suffix = "; skipped" if self.kind != "dropped" else ""
        return f"{label} {self.number}: {self.detail}{suffix}"


@dataclass
class ExportBatch:
    """Records read from a run of rows, the problems met there, and the ids the rows had in the other date order."""

    records: list[ReviewRecord]
    problems: list[RowProblem]
    # site id -> the id the same row gets when its dates are read in the other day/month order
    aliases: dict[str, str]
    rows: int
    last_row: int


@dataclass
class ExportStats:
    """Every data row read so far, accounted for."""

    rows: int = 0
    kept: int = 0
    duplicates: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)

    @property
    def skipped_rows(self) -> int:
        """Rows that gave no review (duplicates not counted)."""
        return sum(self.skipped.values())


class ExportFile:
    """An opened export file: its detected layout, its date order and a stream of record batches.

    `source` is a path or the file's bytes. `columns` maps the generic layout's roles (`text_column`,
    `id_column`, ...) to column names; giving any of them with `format="auto"` selects the generic layout.
    `day_first` is True, False, or None/"auto" to decide from the file's dates; `now` bounds dates from above.
    Raises `BadExport` at once when the file is missing, empty, binary, undecodable, of unknown layout, or its
    dates cannot tell their order.
    """

    def __init__(
        self,
        source: str | Path | bytes,
        *,
        format: str = "auto",
        encoding: str = "auto",
        day_first: bool | str | None = None,
        rating_scale: int = 5,
        columns: Mapping[str, str | None] | None = None,
        now: datetime | None = None,
    ) -> None:
        if format not in FORMATS:
            raise BadExport(f"unknown export format {format!r}; known formats: {', '.join(FORMATS)}")
        unknown_roles = sorted(set(columns or {}) - set(GENERIC_COLUMN_OPTIONS))
        if unknown_roles:
            raise BadExport(f"unknown column option {unknown_roles[0]!r}; known: {', '.join(GENERIC_COLUMN_OPTIONS)}")
        try:
            explicit = parse_day_first(day_first)
        except ValueError as exc:
            raise BadExport(str(exc)) from None
        self._source = source
        self._encoding = encoding
        self._rows = ExportRows(source, encoding=encoding)
        self.name = self._rows.name
        self.encoding = self._rows.encoding
        self.kind = self._rows.kind
        self.columns: list[str] = self._rows.columns
        self.stats = ExportStats()
        self._seen = SeenKeys()
        self.day_first: bool | None = None
        try:
            roles = {k: v for k, v in (columns or {}).items() if v}
            chosen: dict[str, str] = {}
            if format == "generic" or (format == "auto" and roles):
                self.layout, chosen = generic_layout(self.columns, roles, where=self.name)
            else:
                self.layout = detect_layout(self.columns, where=self.name, wanted=format)
                check_layout_available(self.layout)
                rating_scale = 5
            self.date_order = self._date_order(explicit)
            self._ctx = RowContext(day_first=self.day_first, rating_scale=rating_scale, columns=chosen, now=now)
        except BaseException:
            self.close()
            raise

    def _date_order(self, explicit: bool | None) -> str:
        """Decide `self.day_first` and say how: from the option, or from every date in the file."""
        if explicit is not None:
            self.day_first = explicit
            return f"{'day' if explicit else 'month'}-first (option day_first={'true' if explicit else 'false'})"
        scan = DateOrderScan()
        if self.layout.date_columns:
            with ExportRows(self._source, encoding=self._encoding) as rows:
                columns = self.layout.date_columns
                try:
                    for row in rows:
                        if row.values is not None:
                            for column in columns:
                                scan.note(row.number, row.values.get(column))
                except BadExport:
                    pass  # the file breaks off: the rows before the break decide, and reading them says where
        self.day_first = scan.decide(where=self.name, label=self._rows.row_label)
        return scan.describe(self._rows.row_label)

    @property
    def row_label(self) -> str:
        """What a row's number counts: `record` (position in a JSON array) or `line`."""
        return self._rows.row_label

    def close(self) -> None:
        """Close the underlying file and drop the ids remembered from it."""
        self._rows.close()
        self._seen.close()

    def __enter__(self) -> ExportFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def read(self, size: int = PAGE_SIZE) -> Iterator[ExportBatch]:
        """Batches of `size` data rows each (the last may be shorter); rows of any kind count toward the size.

        When the file breaks off (`BadExport` while reading), the rows read before the break come first.
        """
        rows: list[ExportRow] = []
        try:
            for row in self._rows:
                rows.append(row)
                if len(rows) >= size:
                    yield self._batch(rows)
                    rows = []
        except BadExport:
            if rows:
                yield self._batch(rows)
            raise
        if rows:
            yield self._batch(rows)

    def batches(self, size: int = PAGE_SIZE) -> Iterator[PageResult]:
        """Pages of the records of `size` rows each, with their problems; at least one page."""
        yielded = False
        for batch in self.read(size):
            yield PageResult(records=batch.records, problems=[p.text(self.row_label) for p in batch.problems])
            yielded = True
        if not yielded:
            yield PageResult(records=[])

    def records(self) -> Iterator[ReviewRecord]:
        """Every readable record (problems are dropped; use `read` to see them)."""
        for batch in self.read():
            yield from batch.records

    def _batch(self, rows: list[ExportRow]) -> ExportBatch:
        mapped: list[tuple[int, ReviewRecord, RowNotes]] = []
        problems: list[RowProblem] = []
        for row in rows:
            try:
                record, notes = self._map(row)
            except RowSkipped as exc:
                problems.append(RowProblem(row.number, "skipped", exc.reason, str(exc)))
                continue
            problems.extend(RowProblem(row.number, "dropped", d.reason, d.detail) for d in notes.dropped)
            mapped.append((row.number, record, notes))
        records, aliases = self._identify(mapped, problems)
        problems.sort(key=lambda p: p.number)
        stats = self.stats
        stats.rows += len(rows)
        stats.kept += len(records)
        for problem in problems:
            if problem.kind == "skipped":
                stats.skipped[problem.reason] += 1
            elif problem.kind == "dropped":
                stats.dropped[problem.reason] += 1
            else:
                stats.duplicates += 1
        return ExportBatch(records, problems, aliases, len(rows), rows[-1].number)

    def _map(self, row: ExportRow) -> tuple[ReviewRecord, RowNotes]:
        if row.values is None:
            raise RowSkipped("unreadable row", row.problem or "unreadable")
        if self.kind != "csv":
            missing = [c for c in self.layout.required if c not in row.values]
            if missing:
                raise RowSkipped("missing column", f"no {missing[0]!r}")
        notes = RowNotes()
        try:
            record = self.layout.to_record(row.values, self._ctx, notes)
        except RowSkipped:
            raise
        except ValueError as exc:  # a mapper shared with a site adapter speaks plain ValueError
            raise RowSkipped("unreadable row", str(exc)) from None
        return record, notes

    def _identify(
        self, mapped: list[tuple[int, ReviewRecord, RowNotes]], problems: list[RowProblem]
    ) -> tuple[list[ReviewRecord], dict[str, str]]:
        """Give each record an id unused by earlier rows of the file; drop exact repeats of earlier rows."""
        label = self.row_label
        earlier = self._seen.get_many({key_of(record.site_review_id) for _, record, _ in mapped})
        added: dict[int, tuple[int, int]] = {}
        records: list[ReviewRecord] = []
        aliases: dict[str, str] = {}
        for number, record, notes in mapped:
            review_id = record.site_review_id
            key = key_of(review_id)
            fingerprint = _fingerprint(record)
            first = added.get(key) or earlier.get(key)
            suffix = ""
            if first is not None:
                if first[1] == fingerprint:
                    problems.append(
                        RowProblem(number, "duplicate", "duplicate", f"repeats the review on {label} {first[0]}")
                    )
                    continue
                if not self.layout.derives_ids or notes.own_id:
                    detail = f"review id {review_id!r} was already used on {label} {first[0]}"
                    problems.append(RowProblem(number, "skipped", "id used twice", detail))
                    continue
                n = 2
                while self._taken(key_of(f"{review_id}-{n}"), added):
                    n += 1
                suffix = f"-{n}"
                key = key_of(review_id + suffix)
                record = dataclasses.replace(record, site_review_id=review_id + suffix)
            added[key] = (number, fingerprint)
            if notes.alias and notes.alias != review_id:
                aliases[record.site_review_id] = notes.alias + suffix
            records.append(record)
        self._seen.add_many(added)
        return records, aliases

    def _taken(self, key: int, added: Mapping[int, tuple[int, int]]) -> bool:
        return key in added or bool(self._seen.get_many([key]))


def _fingerprint(record: ReviewRecord) -> int:
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
    return int.from_bytes(hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=8).digest(), "big", signed=True)


def read_export(
    path: str | Path,
    *,
    format: str = "auto",
    encoding: str = "auto",
    day_first: bool | str | None = None,
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
        Option(
            "day_first",
            "true: 03-04-2024 is 3 April; false: March 4; auto: decided from all the file's dates",
            default="auto",
        ),
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
        self._layout_read: str | None = None  # set by `pages`
        if self.opts["format"] not in FORMATS:
            raise ConfigError(
                f"source kind 'file': format {self.opts['format']!r} is unknown; known: {', '.join(FORMATS)}"
            )
        try:
            parse_day_first(self.opts["day_first"])
        except ValueError as exc:
            raise ConfigError(f"source kind 'file': {exc}") from None

    def learned_options(self) -> dict[str, str]:
        """The layout the file was read as (`format` may say only "auto"): which store its reviews are of."""
        return {"layout": self._layout_read} if self._layout_read else {}

    @classmethod
    def states_device_language(cls, options: Mapping[str, Any]) -> bool:
        """Whether the layout the file was read as (recorded on its source) states device languages."""
        layout = LAYOUTS.get(str(options.get("layout") or options.get("format")))
        return layout is not None and layout.device_language

    def open(self, source: str | bytes | None = None, *, now: datetime | None = None) -> ExportFile:
        """The export file (the locator, or `source` bytes) opened with this source's options."""
        return ExportFile(
            self.locator if source is None else source,
            format=self.opts["format"],
            encoding=self.opts["encoding"],
            day_first=self.opts["day_first"],
            rating_scale=self.opts["rating_scale"],
            columns={role: self.opts[role] for role in GENERIC_COLUMN_OPTIONS},
            now=now,
        )

    def parse(self, page: Page) -> PageResult:
        """All records of an export held in memory (e.g. downloaded), as one page."""
        with self.open(page.body) as export:
            records: list[ReviewRecord] = []
            problems: list[str] = []
            for batch in export.read():
                records.extend(batch.records)
                problems.extend(p.text(export.row_label) for p in batch.problems)
        return PageResult(records=records, problems=problems)

    async def pages(self, fetch: Fetch, *, max_pages: int | None = None) -> AsyncIterator[PageResult]:
        """Pages of `PAGE_SIZE` records read from the local file (`fetch` is not used).

        A file longer than `max_pages` pages is not cut silently: after the last allowed page a `FetchError`
        says how much was read, so the run is partial, not ok.
        """
        export = await asyncio.to_thread(self.open)
        self._layout_read = export.layout.name
        try:
            batches = export.batches()
            count = 0
            while True:
                # Reading and parsing run in a worker thread so a large file does not stall the event loop.
                page = await asyncio.to_thread(next, batches, None)
                if page is None:
                    return
                if max_pages is not None and count >= max_pages:
                    raise FetchError(
                        f"{export.name}: only the first {count} page(s) of {PAGE_SIZE} reviews were read (max_pages "
                        f"{max_pages}); the rest of the file was not: raise max_pages or load it with `monitor import`"
                    )
                count += 1
                yield page
        finally:
            export.close()
