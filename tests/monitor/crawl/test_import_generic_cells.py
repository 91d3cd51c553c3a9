"""Generic exports as spreadsheets and survey tools write them: ratings as `4/5`, `8 out of 10`, `4 stars` or
`★★★★☆`, and whole-number ids saved as `123.0` by a re-export. Rows are real Google Play reviews."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, col, select
from typer.testing import CliRunner, Result

from monitor.cli.main import app
from monitor.runtime.context import open_database
from monitor.store.models import Review
from tests.export_files import read_csv_rows, write_csv_rows
from tests.fixture_path import fixture

runner = CliRunner()
GOOGLE_PLAY = fixture("google_play_export", "uber_google_play_2024_mojibake_400.csv")
OPTIONS = ["-o", "text_column=comment", "-o", "rating_column=stars", "-o", "id_column=ref"]


def _import(tmp_path: Path, path: Path, *extra: str) -> Result:
    env = {"MONITOR_DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}"}
    return runner.invoke(
        app,
        ["import", str(path), "--company", "Acme", "--source-name", "survey", "--format", "generic", *OPTIONS, *extra],
        env=env,
    )


def _stored(tmp_path: Path) -> dict[str, float | None]:
    engine = open_database(f"sqlite:///{tmp_path / 'm.db'}")
    with Session(engine) as session:
        found = {r.site_review_id: r.rating for r in session.exec(select(Review).order_by(col(Review.id)))}
    engine.dispose()
    return found


def _real(count: int) -> list[dict[str, str]]:
    return [row for row in read_csv_rows(GOOGLE_PLAY) if row["content"].strip()][:count]


@pytest.mark.parametrize(
    ("written", "scale", "expected"),
    [
        ("{n}/5", "5", "{n}"),
        ("{n} / 5", "5", "{n}"),
        ("{n} out of 5", "5", "{n}"),
        ("{n} stars", "5", "{n}"),
        ("{twice}/10", "5", "{n}"),  # another scale, converted to the file's
        ("{n}/5", "10", "{twice}"),
        ("{stars}", "5", "{n}"),
    ],
)
def test_written_ratings_are_read_on_the_files_scale(tmp_path: Path, written: str, scale: str, expected: str) -> None:
    rows = []
    for n, row in enumerate(_real(20)):
        stars = int(row["score"])
        spelled = {"n": stars, "twice": stars * 2, "stars": "★" * stars + "☆" * (5 - stars)}
        rows.append(
            {
                "ref": f"r{n}",
                "comment": row["content"],
                "stars": written.format(**spelled),
                "want": expected.format(**spelled),
            }
        )
    result = _import(tmp_path, write_csv_rows(tmp_path / "survey.csv", rows), "-o", f"rating_scale={scale}")
    assert result.exit_code == 0, result.output
    assert "rows read 20: 20 new, 0 changed, 0 unchanged, 0 skipped" in result.stdout
    assert _stored(tmp_path) == {row["ref"]: float(row["want"]) for row in rows}


@pytest.mark.parametrize("written", ["four", "6/5", "good", "-/5"])
def test_a_rating_that_cannot_be_read_costs_the_cell_and_says_why(tmp_path: Path, written: str) -> None:
    rows = [{"ref": f"r{n}", "comment": row["content"], "stars": row["score"]} for n, row in enumerate(_real(60))]
    rows[7]["stars"] = written
    result = _import(tmp_path, write_csv_rows(tmp_path / "survey.csv", rows))
    assert result.exit_code == 0, result.output
    stored = _stored(tmp_path)
    assert len(stored) == 60 and stored["r7"] is None  # the review is kept, without a rating
    assert "kept without a rating" in result.output


def test_ids_saved_with_a_decimal_point_are_the_same_reviews(tmp_path: Path) -> None:
    rows = [{"ref": str(1000 + n), "comment": row["content"], "stars": row["score"]} for n, row in enumerate(_real(30))]
    assert _import(tmp_path, write_csv_rows(tmp_path / "first.csv", rows)).exit_code == 0
    resaved = [{**row, "ref": f"{row['ref']}.0"} for row in rows]
    again = _import(tmp_path, write_csv_rows(tmp_path / "resaved.csv", resaved))
    assert again.exit_code == 0, again.output
    assert "rows read 30: 0 new, 0 changed, 30 unchanged" in again.stdout
    assert sorted(_stored(tmp_path)) == sorted(row["ref"] for row in rows)


def test_leading_zeros_and_other_decimals_stay_part_of_the_id(tmp_path: Path) -> None:
    rows = [
        {"ref": ref, "comment": row["content"], "stars": row["score"]}
        for ref, row in zip(["007", "7", "7.5", "7.50"], _real(4), strict=True)
    ]
    result = _import(tmp_path, write_csv_rows(tmp_path / "ids.csv", rows))
    assert result.exit_code == 0, result.output
    assert sorted(_stored(tmp_path)) == ["007", "7", "7.5", "7.50"]
