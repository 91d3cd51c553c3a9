"""A large import stores in committed batches: other commands work meanwhile, and a kill loses nothing on rerun."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, select

from monitor.runtime.context import open_database
from monitor.store.db import session_scope, utcnow
from monitor.store.models import CrawlRun, Review, ReviewRevision, SourceRow
from monitor.store.task_models import OutreachTask
from responders.outreach.workflow import claim_task
from tests.fixture_path import fixture

APP_STORE = fixture("app_store_export", "sg_food_delivery_app_store_400.csv")
ROWS = 3_000
BATCH = 100


def _resampled(path: Path, rows: int, *, recent: bool = False) -> Path:
    """`rows` real App Store rows, each with a nickname of its own (so a review of its own)."""
    with open(APP_STORE, encoding="utf-8", newline="") as handle:
        real = list(csv.DictReader(handle))
    now = datetime.now(UTC)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(real[0]))
        writer.writeheader()
        for n in range(rows):
            row = dict(real[n % len(real)], userName=f"{real[n % len(real)]['userName']} #{n}")
            if recent:
                row["date"] = (now - timedelta(hours=2 + n)).strftime("%Y-%m-%d %H:%M:%S")
                row["developerResponse"] = ""
            writer.writerow(row)
    return path


def _import(db: str, path: Path, *args: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "monitor.cli.main", "import", str(path), "--company", "Grab", *args]
    env = {**os.environ, "MONITOR_DATABASE_URL": db}
    env.pop("MONITOR_CONFIG", None)
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


def _count(session: Session, source: str) -> int:
    return session.exec(select(func.count()).select_from(Review).join(SourceRow).where(SourceRow.name == source)).one()


def test_claims_work_during_a_large_import_and_a_kill_then_rerun_duplicates_nothing(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'm.db'}"
    seeded = _import(db, _resampled(tmp_path / "recent.csv", 40, recent=True))
    assert seeded.wait(timeout=300) == 0, seeded.stderr.read() if seeded.stderr else ""
    engine = open_database(db)
    with Session(engine) as session:
        task_ids = [t.id for t in session.exec(select(OutreachTask)).all()]
    assert task_ids

    big = _resampled(tmp_path / "big.csv", ROWS)
    source = "import-grab-big"
    process = _import(db, big, "--batch-rows", str(BATCH))
    deadline = time.monotonic() + 300
    with Session(engine) as session:
        while _count(session, source) < BATCH:
            assert time.monotonic() < deadline and process.poll() is None, "the import never got going"
            time.sleep(0.05)
    # The import holds no write lock between batches: a claim from another process goes through meanwhile.
    started = time.monotonic()
    with session_scope(engine) as session:
        claim_task(session=session, task_id=task_ids[0] or 0, actor="ann", now=utcnow(), expiry_minutes=120)
    assert time.monotonic() - started < 10
    assert process.poll() is None, "the import ended before it could be killed; use a larger file"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    with Session(engine) as session:
        stored = _count(session, source)
        assert 0 < stored < ROWS and stored % BATCH == 0  # whole batches only
        assert [r.health for r in session.exec(select(CrawlRun).order_by(CrawlRun.id)).all()] == ["ok", "running"]

    again = _import(db, big, "--batch-rows", str(BATCH))
    out, err = again.communicate(timeout=600)
    assert again.returncode == 0, err.decode()
    assert f"rows read {ROWS}: {ROWS - stored} new, 0 changed, {stored} unchanged, 0 skipped" in out.decode()
    with Session(engine) as session:
        assert _count(session, source) == ROWS
        distinct = select(func.count(func.distinct(Review.site_review_id))).join(SourceRow)
        assert session.exec(distinct.where(SourceRow.name == source)).one() == ROWS
        assert session.exec(select(func.count()).select_from(ReviewRevision)).one() == ROWS + 40
        # The analysis the kill cut short was finished by the rerun: no review is left unjudged.
        assert session.exec(select(func.count()).select_from(Review).where(Review.unhappy == None)).one() == 0  # noqa: E711
        runs = session.exec(select(CrawlRun).order_by(CrawlRun.id)).all()
        assert [r.health for r in runs] == ["ok", "interrupted", "ok"]
        assert "batches stored until then are kept, and importing the file again completes it" in runs[1].message
    engine.dispose()
