"""Audit an export of replies for templates, without a database: rows in, template id and score per row out."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from monitor.core.errors import BadExport
from monitor.files.reader import ExportRows
from responders.template_replies.clusters import ClusterSettings, TemplateReport, find_templates

__all__ = ["AuditRows", "audit_rows", "read_reply_rows"]


@dataclass(slots=True)
class AuditRows:
    """Texts and optional groups read from a file, in file order."""

    texts: list[str | None]
    groups: list[str | None] | None
    columns: list[str]


def audit_rows(
    texts: Sequence[str | None],
    groups: Sequence[Hashable | None] | None = None,
    min_size: int = 3,
    *,
    ratings: Sequence[float | None] | None = None,
) -> TemplateReport:
    """Find templates among `texts` (optionally per group); one template id and score per row."""
    return find_templates(texts, groups=groups, ratings=ratings, settings=ClusterSettings(min_size=min_size))


def _lookup(record: dict[str, Any], column: str) -> Any:
    """A field of a JSON record; a dotted name ("reply.text") reaches into nested objects."""
    if column in record:
        return record[column]
    value: Any = record
    for part in column.split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


_MISSING = object()


def _as_text(value: Any) -> str | None:
    if value is None or value is _MISSING:
        return None
    return value if isinstance(value, str) else str(value)


def read_reply_rows(path: Path, text_column: str, group_column: str | None = None) -> AuditRows:
    """Read the reply text (and group) of every data row of an export file, streaming it.

    The file is read as `monitor import` reads it: CSV (any delimiter), JSON, JSON Lines, gzipped or not, in
    UTF-8, UTF-16 or Windows-1252. A row that cannot be read keeps its place, without text.
    """
    texts: list[str | None] = []
    groups: list[str | None] | None = [] if group_column else None
    wanted = [column for column in (text_column, group_column) if column]
    with ExportRows(path) as rows:
        columns: list[str] = list(rows.columns)
        if rows.kind == "csv":
            # A CSV names its columns once, in the header: checked there, whether or not any row can be read.
            _check_columns(path, wanted, columns, set(columns))
        checked = rows.kind == "csv"
        readable = 0
        for row in rows:
            if row.values is None:
                texts.append(None)
                if groups is not None:
                    groups.append(None)
                continue
            readable += 1
            record = dict(row.values)
            if rows.kind != "csv" and len(columns) < 200:
                columns.extend(c for c in record if c not in columns)
            if not checked:
                # JSON records name their own fields: the first readable one tells what the file holds.
                found = {column for column in wanted if _lookup(record, column) is not _MISSING}
                _check_columns(path, wanted, columns, found)
                checked = True
            texts.append(_as_text(_lookup(record, text_column)))
            if groups is not None and group_column:
                groups.append(_as_text(_lookup(record, group_column)))
    if not texts:
        # A header alone is an export of nothing: reporting 0 templates would pass for a clean audit.
        raise BadExport(f"{path}: the file has no rows (only a header), so no reply was audited")
    if not readable:
        raise BadExport(f"{path}: none of its {len(texts)} row(s) could be read, so no reply was audited")
    if not any(text and text.strip() for text in texts):
        raise BadExport(f"{path}: none of its {len(texts)} row(s) has a reply in column {text_column!r}")
    return AuditRows(texts, groups, columns)


def _check_columns(path: Path, wanted: list[str], columns: list[str], found: set[str]) -> None:
    """`BadExport` naming the first of the `wanted` columns the file does not have (`found`: those it has)."""
    for column in wanted:
        if column not in found:
            raise BadExport(f"{path}: no column {column!r}; columns found: {', '.join(columns) or '(none)'}")
