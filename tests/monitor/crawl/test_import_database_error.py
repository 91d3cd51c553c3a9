"""An import that a database error stops after some batches were committed is partial: it says how many reviews
were stored, and importing the file again completes it without duplicates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from sqlmodel import Session, col, func, select
from typer.testing import CliRunner, Result

import monitor.crawl.imports as imports
from monitor.cli.main import app
from monitor.runtime.context import open_database
from monitor.store.models import CrawlRun, Review
from tests.export_files import read_csv_rows, review_count
from tests.fixture_path import fixture

runner = CliRunner()
APP_STORE = fixture("app_store_export", "sg_food_delivery_app_store_400.csv")
ROWS = len(read_csv_rows(APP_STORE))


def _import(tmp_path: Path, *args: str) -> Result:
    env = {"MONITOR_DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}"}
    return runner.invoke(app, ["import", str(APP_STORE), "--company", "Grab", "--batch-rows", "100", *args], env=env)


def _locked(
    monkeypatch: pytest.MonkeyPatch, target: str, *, after: int, error: type[DBAPIError] = OperationalError
) -> None:
    """Make `imports.<target>` raise a database error (a locked SQLite database) from call number `after` + 1 on."""
    real = getattr(imports, target)
    calls = {"n": 0}

    def refusing(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] > after:
            raise error("INSERT INTO review ...", {"secret": "parameters"}, Exception("database is locked"))
        return real(*args, **kwargs)

    monkeypatch.setattr(imports, target, refusing)


def test_a_database_error_after_committed_batches_is_partial_and_a_rerun_completes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patch:
        _locked(patch, "upsert_reviews", after=2)
        stopped = _import(tmp_path)
    assert stopped.exit_code == 1, stopped.output
    assert stopped.stdout.startswith("partial")
    assert "200 reviews from the first 200 rows were stored (200 new, 0 changed, 0 unchanged)" in stopped.stdout
    assert "database is locked" in stopped.stdout and "secret" not in stopped.output
    assert "importing the file again completes it without duplicates" in stopped.stdout
    # Every row counted is a stored one; no queue figures are given for reviews not judged yet.
    assert "rows read 200: 200 new, 0 changed, 0 unchanged, 0 skipped" in stopped.stdout
    assert "unhappy reviews" not in stopped.stdout and "next: import the file again" in stopped.stdout
    warnings = [line for line in stopped.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "database is locked" in warnings[0]
    assert review_count(f"sqlite:///{tmp_path / 'm.db'}") == 200

    again = _import(tmp_path)
    assert again.exit_code == 0, again.output
    assert f"rows read {ROWS}: {ROWS - 200} new, 0 changed, 200 unchanged, 0 skipped" in again.stdout
    assert f"{ROWS // 100} batch(es)" in again.stdout  # --batch-rows is what the import stores at a time
    engine = open_database(f"sqlite:///{tmp_path / 'm.db'}")
    with Session(engine) as session:
        assert session.exec(select(func.count(func.distinct(Review.site_review_id)))).one() == ROWS
        assert session.exec(select(func.count()).select_from(Review).where(col(Review.unhappy).is_(None))).one() == 0
        assert [run.health for run in session.exec(select(CrawlRun).order_by(col(CrawlRun.id)))] == ["partial", "ok"]
    engine.dispose()


def test_a_database_error_while_judging_the_stored_reviews_is_partial_and_a_rerun_judges_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patch:
        _locked(patch, "analyse_pending", after=0)
        stopped = _import(tmp_path)
    assert stopped.exit_code == 1, stopped.output
    assert f"all {ROWS} rows were read and {ROWS} reviews stored" in stopped.stdout
    assert "importing the file again completes it without duplicates" in stopped.stdout
    again = _import(tmp_path)
    assert again.exit_code == 0, again.output
    assert f"0 new, 0 changed, {ROWS} unchanged" in again.stdout and "unhappy reviews: " in again.stdout
    engine = open_database(f"sqlite:///{tmp_path / 'm.db'}")
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Review).where(col(Review.unhappy).is_(None))).one() == 0
    engine.dispose()


def test_a_database_error_before_anything_was_stored_is_still_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _locked(monkeypatch, "upsert_reviews", after=0)
    result = _import(tmp_path)
    assert result.exit_code == 2, result.output
    assert "database is locked" in result.stderr and "secret" not in result.output
    assert review_count(f"sqlite:///{tmp_path / 'm.db'}") == 0


def test_a_value_the_database_refuses_is_partial_and_says_to_correct_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _locked(monkeypatch, "upsert_reviews", after=1, error=DataError)
    result = _import(tmp_path)
    assert result.exit_code == 1, result.output
    assert "100 reviews from the first 100 rows were stored" in result.stdout
    assert "the database refused a value of the file (DataError: " in result.stdout
    assert "correct it and import the file again: what is stored is not duplicated" in result.stdout
    assert "completes it" not in result.stdout
