"""`monitor import` keeps its exit statuses: 2 whenever nothing was stored, with the reason as one line on stderr."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from monitor.cli.main import app
from tests.export_files import read_csv_rows, write_csv_rows
from tests.fixture_path import fixture

runner = CliRunner()
US_APP_STORE = fixture("exports_rewritten", "app_store_us_dates_150.csv")


def _import(tmp_path: Path, *args: str) -> Result:
    env = {"MONITOR_DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}", "COLUMNS": "40"}
    return runner.invoke(app, ["import", *args, "--company", "Acme"], env=env)


def _error_line(result: Result) -> str:
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    return errors[0]


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["missing.csv"], "no such file"),
        ([str(US_APP_STORE), "-o", "day_first=maybe"], "day_first must be true, false or auto"),
        ([str(US_APP_STORE), "-o", "colour=blue"], "colour"),
        ([str(US_APP_STORE), "--format", "xlsx"], "xlsx"),
    ],
)
def test_an_import_that_cannot_start_is_failed_not_partial(tmp_path: Path, args: list[str], reason: str) -> None:
    result = _import(tmp_path, *args)
    assert result.exit_code == 2, result.output
    assert reason in _error_line(result)
    assert "rows read" not in result.stdout


def test_a_refused_file_says_why_on_stderr_in_one_line(tmp_path: Path) -> None:
    rows = [row for row in read_csv_rows(US_APP_STORE) if int(row["date"].split("/")[1]) <= 12]
    path = write_csv_rows(tmp_path / ("a-long-file-name-that-a-narrow-terminal-would-wrap-" * 3 + ".csv"), rows)
    result = _import(tmp_path, str(path))
    assert result.exit_code == 2, result.output
    assert result.stdout.startswith("failed")
    line = _error_line(result)
    assert "day-first or month-first" in line and "-o day_first=true|false" in line and path.name in line


def test_a_partial_import_says_why_on_stderr_in_one_line(tmp_path: Path) -> None:
    rows = read_csv_rows(US_APP_STORE)
    for row in rows[::10]:
        row["rating"] = "five"
    path = write_csv_rows(tmp_path / "ratings.csv", rows)
    result = _import(tmp_path, str(path))
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith("partial") and "error:" not in result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    skipped = len(rows[::10])
    assert warnings == [f"warning: {skipped} of {len(rows)} rows ({skipped / len(rows):.1%}) were skipped"]


def test_a_folder_is_failed_and_usage_errors_keep_clicks_status(tmp_path: Path) -> None:
    folder = _import(tmp_path, str(tmp_path))
    assert folder.exit_code == 2 and _error_line(folder)
    env = {"MONITOR_DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}"}
    no_company = runner.invoke(app, ["import", str(US_APP_STORE)], env=env)
    assert no_company.exit_code == 2 and "--company" in no_company.stderr
    small = runner.invoke(app, ["import", str(US_APP_STORE), "--company", "Acme", "--batch-rows", "5"], env=env)
    assert small.exit_code == 2 and "--batch-rows" in small.stderr


@pytest.mark.parametrize(
    ("company", "reason"),
    [
        ("Acme\r\nBcc: x@example.com", "one line without control characters"),
        ("Acme\x1b[2J", "one line without control characters"),
        ("\u202eemcA", "bidi"),
        ("   ", "must not be empty"),
        (" Acme", "must not start or end with spaces"),
        ("A" * 201, "at most 200 characters"),
    ],
)
def test_a_company_name_that_outputs_would_each_clean_differently_is_refused(
    tmp_path: Path, company: str, reason: str
) -> None:
    env = {"MONITOR_DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}", "COLUMNS": "40"}
    result = runner.invoke(app, ["import", str(US_APP_STORE), "--company", company], env=env)
    assert result.exit_code == 2, result.output
    line = _error_line(result)
    assert "--company" in line and reason in line
    assert not (tmp_path / "m.db").exists() or "rows read" not in result.stdout


def test_a_company_name_in_any_script_is_accepted(tmp_path: Path) -> None:
    env = {"MONITOR_DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}", "COLUMNS": "40"}
    result = runner.invoke(
        app, ["import", str(US_APP_STORE), "--company", "شركة Acme 株式会社", "-o", "day_first=false"], env=env
    )
    assert result.exit_code == 0, result.output
