"""`monitor serve` as an operator runs it: jobs appear in the database, config edits apply, SIGTERM stops it."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import inspect, text

from monitor.store.db import make_engine

SOURCE = '[[company.source]]\nname = "{name}"\nkind = "hellopeter"\nlocator = "{name}"\nschedule = "interval:6h"\n'


def jobs(db: Path) -> set[str]:
    engine = make_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("apscheduler_jobs"):
                return set()
            return set(connection.execute(text("select id from apscheduler_jobs")).scalars())
    finally:
        engine.dispose()


def wait_for(condition, seconds: float = 30) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_serve_schedules_reloads_and_stops(tmp_path: Path) -> None:
    db = tmp_path / "monitor.store.db"
    config = tmp_path / "monitor.toml"
    head = f'database_url = "sqlite:///{db}"\n[[company]]\nname = "Acme"\n'
    config.write_text(head + SOURCE.format(name="first"), encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "monitor.cli.main", "-c", str(config), "serve", "--reload-every", "0.2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(lambda: jobs(db) == {"crawl:first", "upkeep"})
        time.sleep(1.1)  # file times have one-second resolution on some file systems
        config.write_text(head + SOURCE.format(name="first") + SOURCE.format(name="second"), encoding="utf-8")
        wait_for(lambda: jobs(db) == {"crawl:first", "crawl:second", "upkeep"})
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err.decode()
    assert "scheduled crawl first" in out.decode() and "scheduler stopped" in out.decode()
    assert "configuration reloaded" in err.decode()
