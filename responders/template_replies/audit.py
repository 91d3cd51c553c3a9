"""Audit an export of replies for templates, without a database: rows in, template id and score per row out."""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from monitor.core.errors import BadExport
from responders.template_replies.clusters import ClusterSettings, TemplateReport, find_templates

__all__ = ["AuditRows", "audit_rows", "read_reply_rows"]

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # replies can be long; the default 128 KiB limit is not


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


def _open_text(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def _format_of(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes if s.lower() != ".gz"]
    kind = suffixes[-1].lstrip(".") if suffixes else ""
    if kind in {"csv", "tsv", "json", "jsonl", "ndjson"}:
        return "jsonl" if kind == "ndjson" else kind
    raise BadExport(f"{path}: cannot tell the format from the name; use .csv, .tsv, .json or .jsonl (optionally .gz)")


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


def _records(path: Path, kind: str) -> Iterator[dict[str, Any]]:
    with _open_text(path) as handle:
        if kind in {"csv", "tsv"}:
            yield from csv.DictReader(handle, delimiter="\t" if kind == "tsv" else ",")
        elif kind == "jsonl":
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise BadExport(f"{path}: line {number} is not JSON ({exc.msg})") from exc
                    yield record if isinstance(record, dict) else {"value": record}
        else:
            try:
                data = json.load(handle)
            except json.JSONDecodeError as exc:
                raise BadExport(f"{path}: not JSON ({exc.msg} at line {exc.lineno})") from exc
            if isinstance(data, dict):  # {"reviews": [...]}: take the first list of objects
                data = next((v for v in data.values() if isinstance(v, list)), [data])
            if not isinstance(data, list):
                raise BadExport(f"{path}: expected a JSON list of objects")
            for record in data:
                yield record if isinstance(record, dict) else {"value": record}


def read_reply_rows(path: Path, text_column: str, group_column: str | None = None) -> AuditRows:
    """Read the reply text (and group) of every data row of a CSV/TSV/JSON/JSONL file, streaming it."""
    kind = _format_of(path)
    if not path.exists():
        raise BadExport(f"{path}: no such file")
    texts: list[str | None] = []
    groups: list[str | None] | None = [] if group_column else None
    columns: list[str] = []
    for number, record in enumerate(_records(path, kind)):
        if number == 0 or (kind not in {"csv", "tsv"} and len(columns) < 200):
            columns.extend(c for c in record if c not in columns)
        text = _lookup(record, text_column)
        if number == 0 and text is _MISSING:
            raise BadExport(f"{path}: no column {text_column!r}; columns found: {', '.join(columns) or '(none)'}")
        texts.append(_as_text(text))
        if groups is not None and group_column:
            group = _lookup(record, group_column)
            if number == 0 and group is _MISSING:
                raise BadExport(f"{path}: no column {group_column!r}; columns found: {', '.join(columns) or '(none)'}")
            groups.append(_as_text(group))
    return AuditRows(texts, groups, columns)
