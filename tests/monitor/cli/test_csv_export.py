"""`reviews --csv` and `tasks list --csv`: every matching row, formula-safe, readable by Excel, whole files or none."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from monitor.cli.csv_export import save_file
from monitor.cli.main import app
from monitor.core.errors import MonitorError
from tests.fixture_path import fixture

runner = CliRunner()
APP_STORE = fixture("app_store_export", "sg_food_delivery_app_store_400.csv")
HOSTILE = (
    "ref,comment,stars,when\n"
    'H1,"=HYPERLINK(""http://evil.example"",""click"")",1,2024-05-01\n'
    "H2,+1 terrible service,1,2024-05-02\n"
    "H3,-2 stars if I could,2,2024-05-03\n"
    "H4,@SUM(A1:A9) never again,1,2024-05-04\n"
    'H5,"Café fermé, très déçu — 退款 please\nsecond line",1,2024-05-05\n'
)


def _env(tmp_path: Path) -> dict[str, str]:
    """A configuration whose backfill window reaches back far enough that the fixture's old reviews are queued."""
    config = tmp_path / "monitor.toml"
    config.write_text(
        f'database_url = "sqlite:///{tmp_path / "m.db"}"\nbackfill_window_days = 3650\n', encoding="utf-8"
    )
    return {"MONITOR_CONFIG": str(config)}


def _import_hostile(tmp_path: Path, env: dict[str, str]) -> None:
    export = tmp_path / "hostile.csv"
    export.write_text(HOSTILE, encoding="utf-8")
    args = ["import", str(export), "--company", "Acme", "--format", "generic"]
    for option in ("id_column=ref", "text_column=comment", "rating_column=stars", "date_column=when"):
        args += ["-o", option]
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 0, result.output


def _read(path: Path) -> list[dict[str, str]]:
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # the byte order mark Excel needs to read UTF-8
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def test_reviews_csv_has_every_review_of_a_real_export_not_just_the_listing(tmp_path: Path) -> None:
    env = _env(tmp_path)
    assert runner.invoke(app, ["import", str(APP_STORE), "--company", "Grab"], env=env).exit_code == 0
    with APP_STORE.open(encoding="utf-8", newline="") as stream:
        source_rows = list(csv.DictReader(stream))
    out = tmp_path / "exports" / "reviews.csv"
    result = runner.invoke(app, ["reviews", "--csv", str(out)], env=env)
    assert result.exit_code == 0, result.output
    rows = _read(out)
    assert len(rows) == len(source_rows) > 50  # the listing's 50 does not cut an export
    assert f"{len(rows)} review(s) written" in result.stdout
    low = sum(1 for row in source_rows if int(row["rating"]) <= 2)
    exported_low = [row for row in rows if float(row["rating"]) <= 2]
    assert len(exported_low) == low
    filtered = tmp_path / "low.csv"
    assert runner.invoke(app, ["reviews", "--max-rating", "2", "--csv", str(filtered)], env=env).exit_code == 0
    assert sorted(r["id"] for r in _read(filtered)) == sorted(r["id"] for r in exported_low)
    limited = tmp_path / "limited.csv"
    assert runner.invoke(app, ["reviews", "--limit", "7", "--csv", str(limited)], env=env).exit_code == 0
    assert len(_read(limited)) == 7


def test_reviews_csv_neutralises_formulas_and_keeps_text_whole(tmp_path: Path) -> None:
    env = _env(tmp_path)
    _import_hostile(tmp_path, env)
    out = tmp_path / "reviews.csv"
    assert runner.invoke(app, ["reviews", "--csv", str(out)], env=env).exit_code == 0
    bodies = {row["site_review_id"]: row["body"] for row in _read(out)}
    assert bodies["H1"] == '\'=HYPERLINK("http://evil.example","click")'
    assert bodies["H2"] == "'+1 terrible service"
    assert bodies["H3"] == "'-2 stars if I could"
    assert bodies["H4"] == "'@SUM(A1:A9) never again"
    assert bodies["H5"] == "Café fermé, très déçu — 退款 please\nsecond line"
    for row in _read(out):
        assert not any(cell.startswith(("=", "+", "@")) for cell in row.values())


def test_reviews_csv_to_stdout_has_no_byte_order_mark(tmp_path: Path) -> None:
    env = _env(tmp_path)
    _import_hostile(tmp_path, env)
    result = runner.invoke(app, ["reviews", "--csv", "-"], env=env)
    assert result.exit_code == 0, result.output
    assert not result.stdout.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert sorted(row["site_review_id"] for row in rows) == ["H1", "H2", "H3", "H4", "H5"]


def test_tasks_csv_matches_the_json_listing(tmp_path: Path) -> None:
    env = _env(tmp_path)
    _import_hostile(tmp_path, env)
    listing = json.loads(runner.invoke(app, ["tasks", "list", "--status", "all", "--json"], env=env).stdout)
    assert listing, "the unhappy reviewers of the import are queued"
    out = tmp_path / "tasks.csv"
    result = runner.invoke(app, ["tasks", "list", "--status", "all", "--csv", str(out)], env=env)
    assert result.exit_code == 0, result.output
    rows = _read(out)
    assert [int(row["id"]) for row in rows] == [task["id"] for task in listing]
    assert {row["company"] for row in rows} == {"Acme"}
    for row, task in zip(rows, listing, strict=True):
        assert row["review_ids"] == " ".join(str(i) for i in task["review_ids"])
        assert row["status"] == task["status"] and int(row["priority"]) == task["priority"]
    none = tmp_path / "none.csv"
    closed = ["tasks", "list", "--company", "Acme", "--status", "closed", "--csv", str(none)]
    assert runner.invoke(app, closed, env=env).exit_code == 0
    assert _read(none) == []


def test_csv_and_json_together_and_unwritable_paths_are_clear_errors(tmp_path: Path) -> None:
    env = _env(tmp_path)
    _import_hostile(tmp_path, env)
    both = runner.invoke(app, ["reviews", "--json", "--csv", str(tmp_path / "x.csv")], env=env)
    assert both.exit_code == 1 and "choose one" in both.stderr
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    bad = runner.invoke(app, ["tasks", "list", "--csv", str(blocker / "tasks.csv")], env=env)
    assert bad.exit_code == 1 and "--csv" in bad.stderr and "cannot write" in bad.stderr
    assert "Traceback" not in bad.output


def test_a_failed_export_leaves_the_previous_file_untouched(tmp_path: Path) -> None:
    target = tmp_path / "reviews.csv"
    target.write_text("the last good export\n", encoding="utf-8")

    def write_then_fail(stream: io.TextIOBase) -> None:
        stream.write("half a file")
        raise OSError(28, "No space left on device")

    with pytest.raises(MonitorError, match="No space left on device"):
        save_file(target, "--csv", write_then_fail)
    assert target.read_text(encoding="utf-8") == "the last good export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["reviews.csv"]  # no temporary file left behind
