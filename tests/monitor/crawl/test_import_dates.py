"""`monitor import` reads each file's dates in one order, decided from the whole file, and corrects on re-import."""

from __future__ import annotations

import csv
import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner, Result

from monitor.cli.main import app
from monitor.runtime.context import open_database
from monitor.store.models import CrawlRun, Review, ReviewRevision
from sources.exports.dates import DateOrderScan, date_evidence, parse_export_date
from tests.fixture_path import fixture

runner = CliRunner()
APP_STORE = fixture("app_store_export", "sg_food_delivery_app_store_400.csv")
GOOGLE_PLAY = fixture("google_play_export", "uber_google_play_2024_mojibake_400.csv")
US_APP_STORE = fixture("exports_rewritten", "app_store_us_dates_150.csv")
US_GOOGLE_PLAY = fixture("exports_rewritten", "google_play_us_ampm_400.csv")
UTC_PLUS_2 = timezone(timedelta(hours=2))


@pytest.mark.parametrize(
    ("text", "day_first", "expected"),
    [
        ("8/21/2023 22:42", False, datetime(2023, 8, 21, 22, 42)),
        ("8/21/2023 10:42 PM", False, datetime(2023, 8, 21, 22, 42)),
        ("8/21/2023 10:42:07 p.m.", False, datetime(2023, 8, 21, 22, 42, 7)),
        ("12/1/2023 12:05 AM", False, datetime(2023, 12, 1, 0, 5)),
        ("21/08/2023 22:42", True, datetime(2023, 8, 21, 22, 42)),
        ("21.08.2023", True, datetime(2023, 8, 21)),
        ("3-4-24 9:05", True, datetime(2024, 4, 3, 9, 5)),
        ("2023-08-21T22:42:10Z", None, datetime(2023, 8, 21, 22, 42, 10)),
        ("2023-08-21 22:42", None, datetime(2023, 8, 21, 22, 42)),
        ("2023-8-1 9:05", None, datetime(2023, 8, 1, 9, 5)),
        ("2023-08-21T22:42:10.123456+02:00", None, datetime(2023, 8, 21, 22, 42, 10, 123456, UTC_PLUS_2)),
        ("2023-08-21 22:42 +0530", None, datetime(2023, 8, 21, 17, 12)),
        ("2023-08-21 22:42 UTC", None, datetime(2023, 8, 21, 22, 42)),
        ("Aug 21, 2023 10:42 PM", None, datetime(2023, 8, 21, 22, 42)),
        ("21 August 2023", None, datetime(2023, 8, 21)),
        ("20230821", None, datetime(2023, 8, 21)),
        ("1692657720", None, datetime(2023, 8, 21, 22, 42)),
        ("1692657720000", None, datetime(2023, 8, 21, 22, 42)),
        (1692657720, None, datetime(2023, 8, 21, 22, 42)),
    ],
)
def test_common_spellings(text: Any, day_first: bool | None, expected: datetime) -> None:
    wanted = expected if expected.tzinfo else expected.replace(tzinfo=UTC)
    assert parse_export_date(text, day_first=day_first) == wanted.astimezone(UTC)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3/4/2024", "may be day-first or month-first"),
        ("13/14/2024", "not a possible date"),
        ("8/21/2023 13:00 PM", "hour 13 with AM/PM"),
        ("yesterday", "is not a date/time"),
        ("2023-08-21 10:00 +25:00", "no real time zone"),
    ],
)
def test_what_is_not_a_date_says_why(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_export_date(text, day_first=None)


def test_evidence_of_one_value_and_of_a_file() -> None:
    assert [date_evidence(v) for v in ("21/8/2023", "8/21/2023", "3/4/2024", "4/4/2024", "2023-08-21", 5)] == [
        "day_first",
        "month_first",
        "ambiguous",
        None,
        None,
        None,
    ]
    scan = DateOrderScan()
    for number, value in enumerate(["3/4/2024", "8/21/2023 22:42", "1/2/2024"], start=2):
        scan.note(number, value)
    assert scan.decide(where="f.csv", label="line") is False
    assert scan.describe("line") == "month-first (e.g. line 3: '8/21/2023 22:42')"


def _import(db: str, path: Path, *args: str) -> Result:
    return runner.invoke(app, ["import", str(path), "--company", "Grab", *args], env={"MONITOR_DATABASE_URL": db})


def _stored(db: str) -> dict[str, Review]:
    engine = open_database(db)
    with Session(engine) as session:
        rows = {r.author_name or r.site_review_id: r for r in session.exec(select(Review)).all()}
    engine.dispose()
    return rows


def _csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize(
    ("path", "order"),
    [(US_APP_STORE, "month-first"), (APP_STORE, "as written"), (GOOGLE_PLAY, "day-first"), (US_GOOGLE_PLAY, "month")],
)
def test_each_order_imports_completely_in_auto_mode_with_its_own_dates(tmp_path: Path, path: Path, order: str) -> None:
    db = f"sqlite:///{tmp_path / 'm.db'}"
    result = _import(db, path)
    assert result.exit_code == 0, result.output
    rows = _csv(path)
    assert f"dates {order}" in result.stdout
    assert re.search(rf"rows read {len(rows)}: {len(rows)} new, 0 changed, 0 unchanged, 0 skipped", result.stdout)
    stored = _stored(db)
    assert len(stored) == len(rows)
    # Every stored date is the row's own, as the day-first or ISO original of the same real row says.
    originals = _csv(APP_STORE if "app_store" in path.name else GOOGLE_PLAY)[: len(rows)]
    for original in originals:
        review = stored[original["userName"]]
        if "date" in original:
            expected = datetime.fromisoformat(original["date"]).replace(tzinfo=UTC)
            expected = expected.replace(second=0) if path == US_APP_STORE else expected
        else:
            expected = datetime.strptime(original["at"], "%d-%m-%Y %H:%M").replace(tzinfo=UTC)
        assert review.published_at == expected, original


def _ambiguous(tmp_path: Path) -> tuple[Path, list[dict[str, str]]]:
    rows = [row for row in _csv(US_APP_STORE) if int(row["date"].split("/")[1]) <= 12]
    path = tmp_path / "us_short_dates.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path, rows


def test_an_ambiguous_file_is_refused_before_anything_is_stored(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'm.db'}"
    path, _ = _ambiguous(tmp_path)
    result = _import(db, path)
    assert result.exit_code == 2, result.output
    assert result.stdout.startswith("failed") and "-o day_first=true|false" in result.stdout
    assert "nothing was stored" in result.stdout
    assert _stored(db) == {}
    runs = json.loads(runner.invoke(app, ["runs", "--json"], env={"MONITOR_DATABASE_URL": db}).stdout)
    assert [run["health"] for run in runs] == ["failed"] and "day_first" in runs[0]["message"]


def test_re_import_with_the_right_option_corrects_the_dates(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'm.db'}"
    path, rows = _ambiguous(tmp_path)
    wrong = _import(db, path, "-o", "day_first=true")
    assert wrong.exit_code == 0, wrong.output
    swapped = [r for r in rows if r["date"].split("/")[0] != r["date"].split("/")[1]]
    assert swapped
    right = _import(db, path, "-o", "day_first=false")
    assert right.exit_code == 0, right.output
    assert re.search(rf": 0 new, {len(swapped)} changed, {len(rows) - len(swapped)} unchanged", right.stdout)
    stored = _stored(db)
    for row in rows:
        month, day, rest = row["date"].split("/")
        year, clock = rest.split(" ")
        hour, minute = clock.split(":")
        expected = datetime(int(year), int(month), int(day), int(hour), int(minute), tzinfo=UTC)
        assert stored[row["userName"]].published_at == expected
    engine = open_database(db)
    with Session(engine) as session:
        revisions = session.exec(select(ReviewRevision).where(ReviewRevision.changes == "published_at")).all()
        assert len(revisions) == len(swapped)
        runs = session.exec(select(CrawlRun).order_by(CrawlRun.id)).all()
        assert [(r.reviews_new, r.reviews_changed) for r in runs] == [(len(rows), 0), (0, len(swapped))]
    engine.dispose()
    again = _import(db, path, "-o", "day_first=false")
    assert re.search(rf": 0 new, 0 changed, {len(rows)} unchanged", again.stdout)


def test_re_import_finds_reviews_whose_derived_id_held_the_wrong_date(tmp_path: Path) -> None:
    # Google Play rows without a review id: the id is hashed from the date, so a wrongly ordered import stored them
    # under other ids. The corrected import renames those reviews instead of adding a second copy of each.
    db = f"sqlite:///{tmp_path / 'm.db'}"
    wrong = _import(db, US_GOOGLE_PLAY, "-o", "day_first=true")
    assert wrong.exit_code == 1, wrong.output  # rows whose day is above 12 cannot be read that way
    first = len(_stored(db))
    assert 0 < first < 400
    right = _import(db, US_GOOGLE_PLAY)
    assert right.exit_code == 0, right.output
    stored = _stored(db)
    assert len(stored) == 400
    match = re.search(r": (\d+) new, (\d+) changed, (\d+) unchanged", right.stdout)
    assert match is not None
    new, changed, unchanged = map(int, match.groups())
    assert new == 400 - first and new + changed + unchanged == 400 and changed > 0
    day_first_ids = {r.site_review_id for r in _stored_play(GOOGLE_PLAY, tmp_path)}
    assert {r.site_review_id for r in stored.values()} == day_first_ids


def _stored_play(path: Path, tmp_path: Path) -> list[Review]:
    db = f"sqlite:///{tmp_path / 'reference.db'}"
    assert _import(db, path).exit_code == 0
    return list(_stored(db).values())
