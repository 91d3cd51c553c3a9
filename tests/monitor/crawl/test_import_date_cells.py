"""Date cells as real exports write them: stray spaces around a date, and HelloPeter records in any date order."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner, Result

from monitor.cli.main import app
from monitor.runtime.context import open_database
from monitor.store.models import CompanyReply, Review
from sources.exports.cells import CellError, RowContext, read_date
from sources.exports.dates import DateOrderScan, date_evidence
from tests.export_files import read_csv_rows, write_csv_rows
from tests.fixture_path import fixture

runner = CliRunner()
GOOGLE_PLAY = fixture("google_play_export", "uber_google_play_2024_mojibake_400.csv")
HELLOPETER = fixture("hellopeter", "cell-c_2021_reviews_first300.jsonl.gz")


def _import(db: str, path: Path, *args: str) -> Result:
    return runner.invoke(app, ["import", str(path), "--company", "Acme", *args], env={"MONITOR_DATABASE_URL": db})


def _reviews(db: str) -> dict[str, Review]:
    engine = open_database(db)
    with Session(engine) as session:
        found = {review.site_review_id: review for review in session.exec(select(Review)).all()}
    engine.dispose()
    return found


def test_spaces_around_a_date_do_not_hide_its_order() -> None:
    # A leading space and a no-break space before the time, as spreadsheets and web copies leave them.
    assert [date_evidence(v) for v in (" 3/4/2024 10:00", "3/4/2024\xa010:00", " 21/8/2023 ", "\t8/21/2023")] == [
        "ambiguous",
        "ambiguous",
        "day_first",
        "month_first",
    ]
    scan = DateOrderScan()
    scan.note(2, "\xa021/8/2023\xa0 22:42")
    assert scan.describe("line") == "day-first (e.g. line 2: '21/8/2023 22:42')"


def _spaced_google_play(tmp_path: Path) -> tuple[Path, list[dict[str, str]]]:
    def ambiguous(value: str) -> bool:
        return not value or int(value.split("-")[0]) <= 12

    def spaced(value: str, number: int) -> str:
        if not value:
            return value
        day_month_year, time = value.split(" ")
        return f" {day_month_year.replace('-', '/')}{' ' if number % 2 else chr(0xA0)}{time}"

    rows = [row for row in read_csv_rows(GOOGLE_PLAY) if ambiguous(row["at"]) and ambiguous(row["repliedAt"])][:40]
    assert len(rows) == 40 and any(row["repliedAt"] for row in rows)
    written = [
        {**row, "at": spaced(row["at"], number), "repliedAt": spaced(row["repliedAt"], number)}
        for number, row in enumerate(rows)
    ]
    return write_csv_rows(tmp_path / "spaced.csv", written), rows


def test_a_file_of_spaced_ambiguous_dates_is_refused_and_the_option_reads_them(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'm.db'}"
    path, rows = _spaced_google_play(tmp_path)
    refused = _import(db, path)
    assert refused.exit_code == 2, refused.output
    assert "day_first=true|false" in refused.output and "nothing was stored" in refused.output
    assert _reviews(db) == {}

    read = _import(db, path, "-o", "day_first=true")
    assert read.exit_code == 0, read.output
    stored = {review.author_name: review for review in _reviews(db).values()}
    assert len(stored) == len(rows)
    for row in rows:
        expected = datetime.strptime(row["at"], "%d-%m-%Y %H:%M").replace(tzinfo=UTC)
        assert stored[row["userName"]].published_at == expected, row


def _month_first(value: str) -> str:
    moment = datetime.fromisoformat(value)
    return f"{moment.month}/{moment.day}/{moment.year} {moment.hour}:{moment.minute:02d}"


def _hellopeter_records() -> list[dict[str, Any]]:
    lines = gzip.decompress(HELLOPETER.read_bytes()).decode().splitlines()
    records = [json.loads(line) for line in lines]
    # Records with a public business reply, so the thread's dates are read too.
    return [r for r in records if any(m.get("owner") == 2 and m.get("type") == "Public" for m in r["messages"])][:30]


def test_hellopeter_records_are_read_in_the_files_own_date_order(tmp_path: Path) -> None:
    records = _hellopeter_records()
    assert len(records) == 30
    path = tmp_path / "hellopeter_us.jsonl"
    rewritten = [
        {
            **record,
            "created_at": _month_first(record["created_at"]),
            "messages": [{**m, "created_at": _month_first(m["created_at"])} for m in record["messages"]],
        }
        for record in records
    ]
    # One record dated in the future: its date is dropped, the review is kept.
    rewritten[0]["created_at"] = "1/5/2099 10:00"
    path.write_text("\n".join(json.dumps(record) for record in rewritten), encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'm.db'}"
    result = _import(db, path)
    assert result.exit_code == 0, result.output
    assert "dates month-first" in result.output
    assert "0 skipped" in result.output and "date out of range 1" in result.output
    stored = _reviews(db)
    assert len(stored) == len(records)
    assert stored[str(records[0]["id"])].published_at is None
    engine = open_database(db)
    with Session(engine) as session:
        replies = {reply.review_id: reply for reply in session.exec(select(CompanyReply)).all()}
    engine.dispose()
    for record in records[1:]:
        review = stored[str(record["id"])]
        assert review.published_at == datetime.fromisoformat(record["created_at"]).replace(second=0, tzinfo=UTC)
        first_public = next(m for m in record["messages"] if m["owner"] == 2 and m["type"] == "Public")
        expected = datetime.fromisoformat(first_public["created_at"]).replace(second=0, tzinfo=UTC)
        assert replies[review.id].published_at == expected, record["id"]


def test_the_option_is_blamed_only_for_a_date_in_the_other_order() -> None:
    day_first = RowContext(day_first=True)
    with pytest.raises(CellError) as impossible:
        read_date("21/08/2023 22:42:61", day_first, "date")
    assert "not a possible date" in str(impossible.value) and "does not fit" not in str(impossible.value)
    with pytest.raises(CellError) as other_order:
        read_date("8/21/2023 22:42", day_first, "date")
    assert "this date is month-first, so the option day_first=true does not fit it" in str(other_order.value)
