"""`monitor import` of damaged and unusual export files made from real fixture rows: what can be read is
stored, a file that breaks off makes the import partial, and spreadsheet leftovers cost nothing."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from monitor.cli.main import app
from tests.export_files import review_count
from tests.fixture_path import fixture

runner = CliRunner()
APP_STORE = fixture("app_store_export", "sg_food_delivery_app_store_400.csv")
HELLOPETER = fixture("hellopeter", "cell-c_2021_reviews_first300.jsonl.gz")


def _rows() -> list[dict[str, str]]:
    with open(APP_STORE, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _csv_text(rows: list[dict[str, str]], *, delimiter: str = ",", quoting: int = csv.QUOTE_MINIMAL) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), delimiter=delimiter, quoting=quoting)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _import(tmp_path: Path, path: Path) -> Result:
    env = {"MONITOR_DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}"}
    return runner.invoke(app, ["import", str(path), "--company", "Grab"], env=env)


def _count(tmp_path: Path) -> int:
    return review_count(f"sqlite:///{tmp_path / 'm.db'}")


def test_a_small_gzip_file_cut_short_stores_what_came_before_and_is_partial(tmp_path: Path) -> None:
    rows = _rows()[:120]
    packed = gzip.compress(_csv_text(rows).encode("utf-8"))
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(packed[: len(packed) * 3 // 4])
    result = _import(tmp_path, path)
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith("partial") and "the file could not be read to the end" in result.stdout
    assert 40 < _count(tmp_path) < len(rows)


def test_a_csv_cut_inside_a_quoted_cell_is_partial_not_ok(tmp_path: Path) -> None:
    rows = _rows()[:100]  # one skipped row in 100 would not make the import partial
    text = _csv_text(rows, quoting=csv.QUOTE_ALL)
    path = tmp_path / "cut.csv"
    path.write_text(text[: text.rindex(rows[-1]["review"][:30]) + 15], encoding="utf-8")
    result = _import(tmp_path, path)
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith("partial") and "ends inside a quoted cell" in result.stdout
    assert _count(tmp_path) == len(rows) - 1


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_spreadsheet_leftovers_cost_nothing(tmp_path: Path, delimiter: str) -> None:
    rows = _rows()[:40]
    rows[1]["review"] = rows[1]["review"][:10] + "\x00" + rows[1]["review"][10:]
    empty = delimiter * (len(rows[0]) - 1)
    # Excel's delimiter hint first; rows of empty cells after the data.
    text = f"sep={delimiter}\r\n" + _csv_text(rows, delimiter=delimiter) + f"{empty}\r\n" * 3
    path = tmp_path / "excel.csv"
    path.write_text(text, encoding="utf-8")
    result = _import(tmp_path, path)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok") and f"rows read {len(rows)}: {len(rows)} new" in result.stdout
    assert _count(tmp_path) == len(rows)


def test_json_lines_cut_inside_the_last_line_are_partial_like_a_cut_csv(tmp_path: Path) -> None:
    lines = gzip.decompress(HELLOPETER.read_bytes()).decode("utf-8").splitlines()[:100]
    assert all(json.loads(line) for line in lines)
    path = tmp_path / "cut.jsonl"
    path.write_text("\n".join([*lines[:-1], lines[-1][: len(lines[-1]) // 2]]), encoding="utf-8")
    result = _import(tmp_path, path)
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith("partial") and "the file could not be read to the end" in result.stdout
    assert "breaks off after row 99" in result.stdout and "0 skipped" in result.stdout
    assert _count(tmp_path) == len(lines) - 1
