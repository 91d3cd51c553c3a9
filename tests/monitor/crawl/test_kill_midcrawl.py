"""Killing `monitor crawl` in the middle and starting it again loses and duplicates nothing."""

from __future__ import annotations

import gzip
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, select

from monitor.runtime.context import open_database
from monitor.store.models import CrawlRun, Review, ReviewRevision
from tests.fixture_path import fixture
from tests.site import TestSite

PER_PAGE = 10


def serve(site: TestSite) -> int:
    raw = gzip.decompress(fixture("hellopeter", "cell-c_2021_reviews_first300.jsonl.gz").read_bytes())
    records = [json.loads(line) for line in raw.splitlines()]
    last = len(records) // PER_PAGE
    for n in range(1, last + 1):
        envelope = {"data": records[(n - 1) * PER_PAGE : n * PER_PAGE], "current_page": n, "last_page": last}
        site.add_page(f"/consumer/business/cell-c/reviews?page={n}", json.dumps(envelope).encode(), "application/json")
    return len(records)


def crawl(config: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "monitor.cli.main", "-c", str(config), "crawl", "--backfill"]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_kill_during_crawl_then_rerun(tmp_path: Path) -> None:
    with TestSite() as site:
        site.set_robots("User-agent: *\nAllow: /\n")
        total = serve(site)
        db = f"sqlite:///{tmp_path / 'monitor.store.db'}"
        config = tmp_path / "monitor.toml"
        config.write_text(
            f'database_url = "{db}"\n[[company]]\nname = "Cell C"\n[[company.source]]\nname = "cellc"\n'
            f'kind = "hellopeter"\nlocator = "cell-c"\noptions = {{ api_base = "{site.base_url}" }}\nmin_delay = 0.1\n',
            encoding="utf-8",
        )
        engine = open_database(db)
        process = crawl(config)
        deadline = time.monotonic() + 60
        while sum(r.path.startswith("/consumer/") for r in site.requests) < 5:  # well into the crawl
            assert time.monotonic() < deadline and process.poll() is None, "the crawl never got going"
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        with Session(engine) as session:
            assert session.exec(select(func.count()).select_from(Review)).one() == 0  # nothing half-written
            assert [r.health for r in session.exec(select(CrawlRun)).all()] == ["running"]

        again = crawl(config)
        _, err = again.communicate(timeout=120)
        assert again.returncode == 0, err.decode()
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Review)).one() == total
        assert session.exec(select(func.count(func.distinct(Review.site_review_id)))).one() == total
        assert session.exec(select(func.count()).select_from(ReviewRevision)).one() == total
        runs = session.exec(select(CrawlRun).order_by(CrawlRun.id)).all()
        assert [r.health for r in runs] == ["interrupted", "ok"]
    engine.dispose()
