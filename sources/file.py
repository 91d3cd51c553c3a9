"""Reviews from an export file: CSV, a JSON array of objects, JSON Lines, or any of them gzipped.

`sources.exports.reader` turns the file into rows (encodings, CSV dialects, JSON streaming, broken
rows); the layout (App Store scraper, Google Play scraper, HelloPeter API records, or generic columns)
is detected from the header or the first record's keys, and `sources.exports.layouts` maps each row to
a record. Records come in pages of `PAGE_SIZE`, so a large export never sits in memory whole.

A broken row is reported in `PageResult.problems` as "line N: ..." (N is the physical line where the
row starts) or "record N: ..." (the 1-based position in a JSON array) and skipped; every other row is
kept. A file that cannot be read at all raises `BadExport` saying why. Text fields are repaired with
ftfy (UTF-8 that was once decoded as Windows-1252, "Ã®" -> "î").

Reviews without an id in the export get a derived id hashed from stable fields (see
`sources.exports.layouts.derived_id`): Google Play exports without `reviewId` and generic files without
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
import dataclasses
import hashlib
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

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
from sources.exports.reader import ExportRow, ExportRows

__all__ = ["FORMATS", "PAGE_SIZE", "ExportFile", "FileSource", "read_export"]

PAGE_SIZE = 500
FORMATS = ("auto", *LAYOUTS, "generic")


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
        self._rows = ExportRows(source, encoding=encoding)
        self.name = self._rows.name
        self.encoding = self._rows.encoding
        self.kind = self._rows.kind
        self.columns: list[str] = self._rows.columns
        try:
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

    def close(self) -> None:
        """Close the underlying file."""
        self._rows.close()

    def __enter__(self) -> ExportFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def batches(self, size: int = PAGE_SIZE) -> Iterator[PageResult]:
        """Pages of up to `size` records with the problems of the rows read for them; at least one page."""
        label = self._rows.row_label
        records: list[ReviewRecord] = []
        problems: list[str] = []
        seen: dict[str, tuple[int, bytes]] = {}
        yielded = False
        for row in self._rows:
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

    def _record(
        self, row: ExportRow, seen: dict[str, tuple[int, bytes]], label: str
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
