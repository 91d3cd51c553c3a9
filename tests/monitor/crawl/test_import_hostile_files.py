"""`monitor import` of hostile variants of the real App Store, Google Play and HelloPeter exports: every verdict
and count is true, no review is stored twice or with a wrong value, and every refusal is one clear line."""

from __future__ import annotations

import csv
import gzip
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, func, select
from typer.testing import CliRunner, Result

from monitor.cli.main import app
from monitor.runtime.context import open_database
from monitor.store.models import CompanyReply, Review
from tests.export_files import read_csv_rows, review_count, write_csv_rows
from tests.fixture_path import fixture

runner = CliRunner()
APP_STORE = fixture("app_store_export", "sg_food_delivery_app_store_400.csv")
GOOGLE_PLAY = fixture("google_play_export", "uber_google_play_2024_mojibake_400.csv")
HELLOPETER = fixture("hellopeter", "cell-c_2021_reviews_first300.jsonl.gz")


def _import(tmp_path: Path, path: Path | str, *args: str) -> Result:
    env = {"MONITOR_DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}"}
    return runner.invoke(app, ["import", str(path), "--company", "Acme", "--source-name", "reviews", *args], env=env)


def _stored(tmp_path: Path, *columns: Any) -> list[tuple[Any, ...]]:
    engine = open_database(f"sqlite:///{tmp_path / 'm.db'}")
    with Session(engine) as session:
        rows = session.exec(select(Review.id, *columns).order_by(col(Review.site_review_id))).all()
    engine.dispose()
    return [tuple(row)[1:] for row in rows]


def _errors(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


def _hellopeter_records() -> list[dict[str, Any]]:
    return [json.loads(line) for line in gzip.decompress(HELLOPETER.read_bytes()).decode("utf-8").splitlines()]


def _google_play_with_ids(count: int) -> list[dict[str, str]]:
    return [{"reviewId": f"gp:AOqpTOE{n:05d}", **row} for n, row in enumerate(read_csv_rows(GOOGLE_PLAY)[:count])]


def test_a_google_play_review_id_met_twice_is_one_review_not_a_second_invented_one(tmp_path: Path) -> None:
    rows = _google_play_with_ids(50)
    later = {**rows[3], "replyContent": "Sorry to hear that, please write to us.", "repliedAt": "19-12-2024 10:00"}
    result = _import(tmp_path, write_csv_rows(tmp_path / "joined.csv", [*rows, later]))
    assert result.exit_code == 0, result.output
    assert "rows read 51: 50 new, 0 changed, 0 unchanged, 1 skipped (id used twice 1)" in result.stdout
    assert "line 52: review id 'gp:AOqpTOE00003' was already used on line 5; skipped" in result.stderr
    assert [review_id for (review_id,) in _stored(tmp_path, Review.site_review_id)] == [r["reviewId"] for r in rows]


def test_exports_joined_into_one_file_count_every_review_once(tmp_path: Path) -> None:
    rows = read_csv_rows(APP_STORE)
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    write_csv_rows(first, rows[:200])
    with open(second, "w", encoding="utf-8-sig", newline="") as handle:  # saved by Excel: a BOM, other column order
        writer = csv.DictWriter(handle, fieldnames=list(reversed(list(rows[0]))))
        writer.writeheader()
        writer.writerows(rows[180:])
    joined = tmp_path / "joined.csv"
    joined.write_bytes(first.read_bytes() + second.read_bytes())
    result = _import(tmp_path, joined)
    assert result.exit_code == 0, result.output
    assert f"rows read {len(rows) + 20}: {len(rows)} new, 0 changed, 0 unchanged, 0 skipped, 20 duplicate(s)" in (
        result.stdout
    )
    assert review_count(f"sqlite:///{tmp_path / 'm.db'}") == len(rows)


def test_excel_text_formulas_keep_ids_and_ratings_as_shown(tmp_path: Path) -> None:
    rows = _google_play_with_ids(40)
    plain = write_csv_rows(tmp_path / "plain.csv", rows)
    formulas = [{**row, "reviewId": f'="{row["reviewId"]}"', "score": f'="{row["score"]}"'} for row in rows]
    first = _import(tmp_path, write_csv_rows(tmp_path / "excel.csv", formulas))
    assert first.exit_code == 0 and "rows read 40: 40 new" in first.stdout, first.output
    again = _import(tmp_path, plain)
    assert again.exit_code == 0 and "rows read 40: 0 new, 0 changed, 40 unchanged" in again.stdout, again.output


@pytest.mark.parametrize(
    "spelling",
    [lambda i: float(i), lambda i: f"{i:012d}", lambda i: f"{i}.0", lambda i: str(i)],
    ids=["float", "zero-padded", "decimal-text", "text"],
)
def test_a_hellopeter_id_written_as_a_float_or_with_leading_zeros_is_the_same_review(
    tmp_path: Path, spelling: Any
) -> None:
    records = _hellopeter_records()[:30]
    path = tmp_path / "api.jsonl"
    path.write_text("\n".join(json.dumps(record) for record in records), encoding="utf-8")
    assert _import(tmp_path, path).exit_code == 0
    respelled = tmp_path / "respelled.jsonl"
    respelled.write_text("\n".join(json.dumps({**r, "id": spelling(r["id"])}) for r in records), encoding="utf-8")
    again = _import(tmp_path, respelled)
    assert again.exit_code == 0 and "rows read 30: 0 new, 0 changed, 30 unchanged" in again.stdout, again.output
    assert sorted(review_id for (review_id,) in _stored(tmp_path, Review.site_review_id)) == sorted(
        str(r["id"]) for r in records
    )


@pytest.mark.parametrize(("rating", "reason"), [("0", "rating out of range"), ("3.5", "rating out of range")])
def test_a_store_rating_no_reviewer_can_give_skips_the_row(tmp_path: Path, rating: str, reason: str) -> None:
    rows = read_csv_rows(GOOGLE_PLAY)[:50]
    for row in rows[:3]:
        row["score"] = rating
    result = _import(tmp_path, write_csv_rows(tmp_path / "ratings.csv", rows))
    assert result.exit_code == 1, result.output
    assert f"47 new, 0 changed, 0 unchanged, 3 skipped ({reason} 3)" in result.stdout
    assert f"rating {float(rating):g} is not 1 to 5 whole stars; skipped" in result.stderr
    assert all(1 <= rating <= 5 for (rating,) in _stored(tmp_path, Review.rating))


@pytest.mark.parametrize("rating", [40, 0, "five", None, float("nan")])
def test_a_hellopeter_rating_out_of_the_scale_is_never_stored(tmp_path: Path, rating: Any) -> None:
    records = _hellopeter_records()[:10]
    records[4]["review_rating"] = rating
    path = tmp_path / "ratings.jsonl"
    path.write_text("\n".join(json.dumps(record) for record in records), encoding="utf-8")
    result = _import(tmp_path, path)
    assert result.exit_code == 1, result.output
    assert "9 new, 0 changed, 0 unchanged, 1 skipped (rating " in result.stdout
    assert str(records[4]["id"]) not in [review_id for (review_id,) in _stored(tmp_path, Review.site_review_id)]


def test_a_helpful_vote_count_too_large_for_the_database_costs_only_that_cell(tmp_path: Path) -> None:
    rows = _google_play_with_ids(30)
    rows[1]["thumbsUpCount"] = "99999999999999999999"
    rows[2]["thumbsUpCount"] = "1e400"
    result = _import(tmp_path, write_csv_rows(tmp_path / "votes.csv", rows))
    assert result.exit_code == 0, result.output
    assert "rows read 30: 30 new" in result.stdout and "(votes unreadable 2)" in result.stdout
    stored = dict(_stored(tmp_path, Review.site_review_id, Review.helpful_votes))
    assert stored[rows[1]["reviewId"]] is None and stored[rows[2]["reviewId"]] is None
    assert stored[rows[3]["reviewId"]] == int(rows[3]["thumbsUpCount"])


@pytest.mark.parametrize("kind", ["jsonl", "json"])
def test_json_with_lone_surrogate_escapes_is_stored_not_a_crash(tmp_path: Path, kind: str) -> None:
    records = _hellopeter_records()[:20]
    records[0]["review_content"] = "bad \ud800 text"
    records[1]["authorDisplayName"] = "Ann \udfff"
    path = tmp_path / f"surrogates.{kind}"
    text = "\n".join(json.dumps(r) for r in records) if kind == "jsonl" else json.dumps(records)
    path.write_text(text, encoding="utf-8")
    result = _import(tmp_path, path)
    assert result.exit_code == 0, result.output
    assert "rows read 20: 20 new" in result.stdout
    bodies = [body for (body,) in _stored(tmp_path, Review.body)]
    assert any(body.startswith("bad ") and body.endswith(" text") for body in bodies)


DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip


def _rfc2822(at: datetime) -> str:
    return f"{DAYS[at.weekday()][:3]}, {at.day:02d} {MONTHS[at.month - 1][:3]} {at.year} {at:%H:%M:%S} +0000"


def _long(at: datetime) -> str:
    return f"{DAYS[at.weekday()]} {at.day} {MONTHS[at.month - 1]} {at.year} {at:%H:%M}"


def _us(at: datetime) -> str:
    hour, half = at.hour % 12 or 12, "PM" if at.hour >= 12 else "AM"
    return f"{DAYS[at.weekday()]}, {MONTHS[at.month - 1]} {at.day}, {at.year} {hour}:{at:%M} {half}"


def _excel(at: datetime) -> str:
    return f"{at.day:02d}-{MONTHS[at.month - 1][:3]}-{at.year % 100:02d} {at:%H:%M}"


@pytest.mark.parametrize("spelling", [_rfc2822, _long, _us, _excel])
def test_dates_with_weekday_and_month_names_are_stored_as_written(tmp_path: Path, spelling: Any) -> None:
    rows = _google_play_with_ids(40)
    moments = {row["reviewId"]: datetime.strptime(row["at"], "%d-%m-%Y %H:%M").replace(tzinfo=UTC) for row in rows}
    written = [{**row, "at": spelling(moments[row["reviewId"]])} for row in rows]
    result = _import(tmp_path, write_csv_rows(tmp_path / "dates.csv", written))
    assert result.exit_code == 0, result.output
    assert dict(_stored(tmp_path, Review.site_review_id, Review.published_at)) == moments


def test_a_weekday_that_is_not_the_dates_own_costs_that_date(tmp_path: Path) -> None:
    rows = _google_play_with_ids(30)
    rows[0]["at"] = "Mon, 18 Dec 2024 17:17:00 +0000"  # a Wednesday
    result = _import(tmp_path, write_csv_rows(tmp_path / "weekday.csv", rows))
    assert result.exit_code == 0, result.output
    assert "names a Monday, but 18 Dec 2024 is a Wednesday; kept without the date" in result.stderr
    assert dict(_stored(tmp_path, Review.site_review_id, Review.published_at))[rows[0]["reviewId"]] is None


def test_a_header_without_rows_fails_saying_so(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text("userName,content,score,at\r\n", encoding="utf-8")
    result = _import(tmp_path, path)
    assert result.exit_code == 2, result.output
    assert _errors(result) == [f"error: {path}: the file has no rows (only a header); nothing was stored"]


def test_standard_input_and_a_named_pipe_are_refused_in_one_line(tmp_path: Path) -> None:
    stdin = _import(tmp_path, "-")
    assert stdin.exit_code == 2 and _errors(stdin) == [
        "error: reading the export from standard input is not supported: save it to a file and import that"
    ]
    if hasattr(os, "mkfifo"):
        pipe = tmp_path / "export.csv"
        os.mkfifo(pipe)
        result = _import(tmp_path, pipe)
        assert result.exit_code == 2 and len(_errors(result)) == 1 and "is a named pipe (FIFO)" in result.stderr
    engine = open_database(f"sqlite:///{tmp_path / 'm.db'}")
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Review)).one() == 0
    engine.dispose()


def test_published_dates_are_stored_in_utc_whatever_the_offset_written(tmp_path: Path) -> None:
    rows = _google_play_with_ids(20)
    rows[0]["at"] = "Thu, 19 Dec 2024 01:00:00 +0300"
    result = _import(tmp_path, write_csv_rows(tmp_path / "offset.csv", rows))
    assert result.exit_code == 0, result.output
    stored = dict(_stored(tmp_path, Review.site_review_id, Review.published_at))[rows[0]["reviewId"]]
    assert stored == datetime(2024, 12, 18, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize("spelling", [json.dumps, repr], ids=["json", "python"])
def test_a_hellopeter_export_saved_as_csv_keeps_the_replies_its_threads_hold(tmp_path: Path, spelling: Any) -> None:
    records = _hellopeter_records()[:40]
    assert sum(bool(record["messages"]) for record in records) > 20
    api = tmp_path / "api.jsonl"
    api.write_text("\n".join(json.dumps(record) for record in records), encoding="utf-8")
    assert _import(tmp_path, api).exit_code == 0
    answered = _answers(tmp_path)
    assert len(answered[0]) > 10 and sum(answered[1].values()) > 10  # public replies, private ones
    flat = [
        {key: spelling(value) if isinstance(value, list | dict) else ("" if value is None else str(value))
         for key, value in record.items()}
        for record in records
    ]  # fmt: skip
    again = _import(tmp_path, write_csv_rows(tmp_path / "saved.csv", flat))
    assert again.exit_code == 0 and "rows read 40: 0 new, 0 changed, 40 unchanged" in again.stdout, again.output
    assert _answers(tmp_path) == answered


def _answers(tmp_path: Path) -> tuple[dict[str, str], dict[str, bool]]:
    """Each stored review's public reply, and whether it got a private one."""
    engine = open_database(f"sqlite:///{tmp_path / 'm.db'}")
    with Session(engine) as session:
        public = session.exec(select(Review.site_review_id, CompanyReply.text).join(CompanyReply)).all()
        private = session.exec(select(Review.site_review_id, Review.private_reply)).all()
    engine.dispose()
    return dict(public), dict(private)


def test_json_objects_where_text_belongs_cost_that_cell_not_the_import(tmp_path: Path) -> None:
    records = _hellopeter_records()[:20]
    records[1]["user_id"] = {"id": 1}
    records[2]["review_title"] = ["a", "list"]
    records[3]["authorDisplayName"] = 12345
    path = tmp_path / "typed.jsonl"
    path.write_text("\n".join(json.dumps(record) for record in records), encoding="utf-8")
    result = _import(tmp_path, path)
    assert result.exit_code == 0, result.output
    assert "rows read 20: 20 new" in result.stdout and "(reviewer id unreadable 1, title unreadable 1)" in result.stdout
    assert "line 2: user_id is a JSON dict, not text; kept without it" in result.stderr
    stored = {row[0]: row[1:] for row in _stored(tmp_path, Review.site_review_id, Review.author_name, Review.title)}
    assert stored[str(records[2]["id"])][1] is None and stored[str(records[3]["id"])][0] == "12345"


def test_a_google_play_json_object_where_a_name_belongs_is_not_stored_as_one(tmp_path: Path) -> None:
    rows: list[dict[str, Any]] = [dict(row) for row in _google_play_with_ids(20)]
    rows[1]["userName"] = {"name": "Ann"}
    rows[2]["reviewId"] = {"id": 2}
    path = tmp_path / "typed.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    result = _import(tmp_path, path)
    assert result.exit_code == 1, result.output  # 1 row of 20 skipped is over 2 %
    assert "19 new, 0 changed, 0 unchanged, 1 skipped (no identity 1)" in result.stdout
    assert "(reviewer name unreadable 1)" in result.stdout
    names = dict(_stored(tmp_path, Review.site_review_id, Review.author_name))
    assert names[rows[1]["reviewId"]] is None and "{" not in "".join(filter(None, names.values()))
