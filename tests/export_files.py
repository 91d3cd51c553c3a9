"""Export files written from fixture rows, and what an import stored: shared by the import tests."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlmodel import Session, func, select

from monitor.runtime.context import open_database
from monitor.store.models import Review


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    """The data rows of a CSV export, by column name."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def write_csv_rows(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8") -> Path:
    """`rows` written as a CSV with a header (UTF-8 unless `encoding` says otherwise); returns `path`."""
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def review_count(database_url: str) -> int:
    """How many reviews the database at `database_url` holds."""
    engine = open_database(database_url)
    with Session(engine) as session:
        count = session.exec(select(func.count()).select_from(Review)).one()
    engine.dispose()
    return int(count)
