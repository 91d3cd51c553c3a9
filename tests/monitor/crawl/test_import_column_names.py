"""Column names are matched whatever their case and outer spaces (`Rating`, ` rating `), as spreadsheets and
re-exports rename them; a header that names one column twice that way is still refused, naming the column."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select
from typer.testing import CliRunner, Result

from monitor.cli.main import app
from monitor.runtime.context import open_database
from monitor.store.models import Review
from tests.export_files import read_csv_rows, review_count
from tests.fixture_path import fixture

runner = CliRunner()
APP_STORE = fixture("app_store_export", "sg_food_delivery_app_store_400.csv")
GOOGLE_PLAY = fixture("google_play_export", "uber_google_play_2024_mojibake_400.csv")
HELLOPETER = fixture("hellopeter", "cell-c_2021_reviews_first300.jsonl.gz")


def _import(tmp_path: Path, path: Path, database: str = "m.db") -> Result:
    env = {"MONITOR_DATABASE_URL": f"sqlite:///{tmp_path / database}"}
    return runner.invoke(app, ["import", str(path), "--company", "Acme", "--source-name", "reviews"], env=env)


def _renamed_csv(path: Path, rows: list[dict[str, str]], spelling: dict[str, str]) -> Path:
    """`rows` written under a header that spells some columns otherwise (`spelling`: name -> as written)."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([spelling.get(name, name) for name in rows[0]])
        writer.writerows(row.values() for row in rows)
    return path


def _stored(tmp_path: Path, database: str) -> list[tuple[Any, ...]]:
    engine = open_database(f"sqlite:///{tmp_path / database}")
    with Session(engine) as session:
        rows = session.exec(
            select(Review.site_review_id, Review.rating, Review.published_at, Review.author_name, Review.body).order_by(
                col(Review.site_review_id)
            )
        ).all()
    engine.dispose()
    return [tuple(row) for row in rows]


@pytest.mark.parametrize(
    ("fixture_path", "spelling"),
    [
        (APP_STORE, {"date": "Date", "rating": " Rating ", "userName": "USERNAME", "review": "Review "}),
        (GOOGLE_PLAY, {"content": " Content", "score": "SCORE", "at": "At", "repliedAt": "repliedat"}),
    ],
)
def test_a_known_header_in_another_case_or_with_spaces_is_read_as_the_layout(
    tmp_path: Path, fixture_path: Path, spelling: dict[str, str]
) -> None:
    rows = read_csv_rows(fixture_path)
    plain = _import(tmp_path, fixture_path, "plain.db")
    renamed = _import(tmp_path, _renamed_csv(tmp_path / "renamed.csv", rows, spelling), "renamed.db")
    assert renamed.exit_code == plain.exit_code == 0, renamed.output
    assert f"rows read {len(rows)}: {len(rows)} new" in renamed.stdout
    assert _stored(tmp_path, "renamed.db") == _stored(tmp_path, "plain.db")


def test_json_records_whose_keys_differ_in_case_are_read_as_the_layout(tmp_path: Path) -> None:
    records = [json.loads(line) for line in gzip.decompress(HELLOPETER.read_bytes()).decode("utf-8").splitlines()]
    renamed = [{("Review_Rating" if k == "review_rating" else k): v for k, v in r.items()} for r in records]
    path = tmp_path / "renamed.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in renamed) + "\n", encoding="utf-8")
    plain = _import(tmp_path, HELLOPETER, "plain.db")
    result = _import(tmp_path, path, "renamed.db")
    assert result.exit_code == plain.exit_code == 0, result.output
    assert _stored(tmp_path, "renamed.db") == _stored(tmp_path, "plain.db")


@pytest.mark.parametrize("second", ["Rating", " rating ", "RATING"])
def test_a_header_naming_a_column_twice_in_another_case_is_still_refused(tmp_path: Path, second: str) -> None:
    rows = read_csv_rows(APP_STORE)[:20]
    path = _renamed_csv(tmp_path / "twice.csv", rows, {"title": second})
    result = _import(tmp_path, path)
    assert result.exit_code == 2, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "names a column more than once ('rating'" in errors[0], result.stderr
    assert review_count(f"sqlite:///{tmp_path / 'm.db'}") == 0


def test_json_records_naming_a_layout_column_twice_in_another_case_are_refused(tmp_path: Path) -> None:
    records = [json.loads(line) for line in gzip.decompress(HELLOPETER.read_bytes()).decode("utf-8").splitlines()]
    path = tmp_path / "twice.jsonl"
    path.write_text("\n".join(json.dumps({**r, "Review_Rating": 5}) for r in records[:10]), encoding="utf-8")
    result = _import(tmp_path, path)
    assert result.exit_code == 2, result.output
    assert "column 'review_rating' more than once ('review_rating' and 'Review_Rating')" in result.stderr
    assert review_count(f"sqlite:///{tmp_path / 'm.db'}") == 0


def test_generic_column_options_match_the_header_whatever_its_case(tmp_path: Path) -> None:
    rows = [{"Ref": f"r{n}", " Comment ": row["content"], "STARS": row["score"]} for n, row in enumerate(
        read_csv_rows(GOOGLE_PLAY)[:30]
    )]  # fmt: skip
    path = tmp_path / "comments.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    env = {"MONITOR_DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}"}
    options = ["-o", "text_column=comment", "-o", "rating_column=Stars", "-o", "id_column=ref"]
    result = runner.invoke(app, ["import", str(path), "--company", "Acme", "--format", "generic", *options], env=env)
    assert result.exit_code == 0, result.output
    assert "rows read 30: 30 new, 0 changed, 0 unchanged, 0 skipped" in result.stdout
    assert sorted(rating for (_, rating, *_) in _stored(tmp_path, "m.db")) == sorted(
        float(row["STARS"]) for row in rows
    )


def test_a_title_line_above_the_header_is_named_as_the_likely_cause(tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_text("Reviews export for Grab,,,,\r\n" + APP_STORE.read_text(encoding="utf-8"), encoding="utf-8")
    result = _import(tmp_path, path)
    assert result.exit_code == 2, result.output
    assert "columns found: 'Reviews export for Grab' (a title line above the header? remove it)" in result.stderr
