"""`monitor serve` against bad edits: the same validation as `init`, and a running schedule that survives them."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

import monitor.cli.serve as serve_module
import monitor.scheduler as scheduler_module
from monitor.cli.main import app
from monitor.scheduler import run_scheduled_source, run_upkeep
from tests.monitor.cli.test_serve import SOURCE, jobs, wait_for

runner = CliRunner()
BAD_SCHEDULE = SOURCE.format(name="second").replace("interval:6h", "cron:99 99 99 99 99")


def head(db: Path) -> str:
    return f'database_url = "sqlite:///{db}"\n[[company]]\nname = "Acme"\n'


def test_a_bad_edit_keeps_the_running_schedule(tmp_path: Path) -> None:
    db = tmp_path / "monitor.store.db"
    config = tmp_path / "monitor.toml"
    config.write_text(head(db) + SOURCE.format(name="first"), encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "monitor.cli.main", "-c", str(config), "serve", "--reload-every", "0.2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(lambda: jobs(db) == {"crawl:first", "upkeep"})
        time.sleep(1.1)  # file times have one-second resolution on some file systems
        config.write_text(head(db) + SOURCE.format(name="first") + BAD_SCHEDULE, encoding="utf-8")
        time.sleep(1.5)
        assert process.poll() is None, "serve stopped on a bad edit"
        assert jobs(db) == {"crawl:first", "upkeep"}
        time.sleep(1.1)
        config.write_text(head(db) + SOURCE.format(name="first") + SOURCE.format(name="second"), encoding="utf-8")
        wait_for(lambda: jobs(db) == {"crawl:first", "crawl:second", "upkeep"})
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=30)
    log = err.decode()
    assert process.returncode == 0, log
    assert "Traceback" not in log
    (refused,) = [line for line in log.splitlines() if "configuration not reloaded" in line]
    assert "company[0].source[1].schedule: 'cron:99 99 99 99 99' cannot be scheduled" in refused


@pytest.mark.parametrize("command", [["init"], ["serve"]])
def test_init_and_serve_refuse_the_same_bad_file(tmp_path: Path, command: list[str]) -> None:
    config = tmp_path / "monitor.toml"
    config.write_text(head(tmp_path / "m.db") + BAD_SCHEDULE, encoding="utf-8")
    result = runner.invoke(app, ["-c", str(config), *command])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "company[0].source[0].schedule: 'cron:99 99 99 99 99' cannot be scheduled" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_job_store_failure_on_reload_is_one_line_and_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    config = tmp_path / "monitor.toml"
    config.write_text(head(tmp_path / "m.db") + SOURCE.format(name="first"), encoding="utf-8")

    def broken(*_args: object) -> list[str]:
        raise OperationalError("INSERT INTO apscheduler_jobs ...", {}, Exception("database is locked"))

    monkeypatch.setattr(scheduler_module, "sync_jobs", broken)
    with caplog.at_level(logging.ERROR, logger="monitor.serve"):
        assert serve_module._reload(object(), str(config)) is False
    (record,) = caplog.records
    assert "jobs not re-synced" in record.getMessage() and "database is locked" in record.getMessage()
    assert "INSERT INTO" not in record.getMessage() and "\n" not in record.getMessage()


def test_a_job_that_finds_the_file_broken_skips_its_run_with_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = tmp_path / "monitor.toml"
    config.write_text(head(tmp_path / "m.db") + SOURCE.format(name="first"), encoding="utf-8")
    assert runner.invoke(app, ["-c", str(config), "init"]).exit_code == 0
    config.write_text(head(tmp_path / "m.db") + BAD_SCHEDULE.replace("second", "first"), encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="monitor.scheduler"):
        run_scheduled_source(str(config), "first")
        run_upkeep(str(config))
    crawl, upkeep = (record.getMessage() for record in caplog.records)
    assert crawl.startswith("crawl first not run: ") and "cron:99 99 99 99 99" in crawl
    assert upkeep.startswith("upkeep not run: ")
