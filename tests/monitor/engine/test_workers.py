"""Workers on a real RabbitMQ broker share one queue of crawls; a worker killed mid-crawl loses and repeats nothing.

The sources are the real Trustpilot page of tests/fixtures/trustpilot/ served under several names by the local test
site; every worker is a separate `monitor worker` process, as on separate machines.
"""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from monitor.cli.main import app
from monitor.runtime.config_file import load_settings
from monitor.runtime.context import open_database
from monitor.store.job_models import JobRow
from monitor.store.models import CrawlRun, Review, SourceRow
from tests.fixture_path import fixture
from tests.site import TestSite

RABBITMQ = os.environ.get("MONITOR_TEST_RABBITMQ", "amqp://guest:guest@127.0.0.1:5672/")
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def rabbitmq_url() -> str:
    """The broker; skipped (or failed under CI) when it does not answer."""
    import pika

    try:
        pika.BlockingConnection(pika.URLParameters(RABBITMQ)).close()
    except Exception as exc:  # any client error means: no broker to test against
        message = f"RabbitMQ is not reachable at {RABBITMQ} ({exc.__class__.__name__})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}: RabbitMQ must be running in CI")
        pytest.skip(f"{message}; start one or set MONITOR_TEST_RABBITMQ")
    return RABBITMQ


def _config(folder: Path, site: TestSite, broker: str, names: list[str]) -> Path:
    body = gzip.decompress(fixture("trustpilot", "trustpilot_eventnet.de_2024-07-02.html.gz").read_bytes())
    sources = ""
    for name in names:
        site.add_page(f"/review/{name}.de?sort=recency", body, "text/html; charset=utf-8")
        locator = site.url(f"/review/{name}.de")
        sources += f'[[company.source]]\nname = "{name}"\nkind = "trustpilot"\nlocator = "{locator}"\nmin_delay = 0.0\n'
    path = folder / "monitor.toml"
    path.write_text(
        f'database_url = "sqlite:///{folder / "m.db"}"\n'
        f'[engine]\nurl = "{broker}"\nqueue_prefix = "test-{uuid.uuid4().hex[:10]}"\n'
        f'[[company]]\nname = "Eventnet"\n{sources}',
        encoding="utf-8",
    )
    assert CliRunner().invoke(app, ["-c", str(path), "init"]).exit_code == 0
    return path


def _start_worker(config: Path, folder: Path) -> subprocess.Popen[bytes]:
    log = (folder / f"worker-{uuid.uuid4().hex[:6]}.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "monitor.cli.main", "-c", str(config), "worker", "--concurrency", "1"],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while b"runs crawl" not in Path(log.name).read_bytes():
        assert process.poll() is None, Path(log.name).read_text()
        assert time.monotonic() < deadline, "the worker did not start"
        time.sleep(0.1)
    return process


@pytest.fixture
def site() -> Iterator[TestSite]:
    with TestSite() as s:
        s.set_robots("User-agent: *\nAllow: /\n")
        yield s


def _jobs(config: Path) -> list[JobRow]:
    engine = open_database(load_settings(config, env={}).database_url)
    with Session(engine) as session:
        rows = list(session.exec(select(JobRow)).all())
    engine.dispose()
    return rows


def _wait(config: Path, done: int, timeout: float = 120) -> list[JobRow]:
    deadline = time.monotonic() + timeout
    while True:
        rows = _jobs(config)
        if sum(r.state == "done" for r in rows) >= done:
            return rows
        assert time.monotonic() < deadline, [(r.args, r.state, r.error) for r in rows]
        time.sleep(0.2)


def _stored(config: Path) -> dict[str, tuple[int, int, int]]:
    """Per source: reviews stored, distinct site ids, finished ok runs."""
    engine = open_database(load_settings(config, env={}).database_url)
    with Session(engine) as session:
        found = {}
        for src in session.exec(select(SourceRow)).all():
            reviews = session.exec(select(Review.site_review_id).where(Review.source_id == src.id)).all()
            ok = session.exec(
                select(func.count()).select_from(CrawlRun).where(CrawlRun.source_id == src.id, CrawlRun.health == "ok")
            ).one()
            found[src.name] = (len(reviews), len(set(reviews)), ok)
    engine.dispose()
    return found


def _stop(*workers: subprocess.Popen[bytes]) -> None:
    for process in workers:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in workers:
        process.wait(timeout=60)


def test_two_workers_share_the_crawls_and_store_each_review_once(
    tmp_path: Path, site: TestSite, rabbitmq_url: str
) -> None:
    names = [f"shop{i}" for i in range(6)]
    config = _config(tmp_path, site, rabbitmq_url, names)
    site.latency(0.3)  # each crawl takes a moment, so both workers get some
    workers = [_start_worker(config, tmp_path), _start_worker(config, tmp_path)]
    try:
        queued = CliRunner().invoke(app, ["-c", str(config), "crawl", "--enqueue"])
        assert queued.exit_code == 0 and "6 crawl job(s) queued" in queued.stdout
        rows = _wait(config, done=6)
    finally:
        _stop(*workers)
    assert sorted(r.args[0] for r in rows) == names and {r.state for r in rows} == {"done"}
    assert {r.worker.rsplit(":", 1)[1] for r in rows} == {str(w.pid) for w in workers}
    stored = _stored(config)
    counts = {stored[name] for name in names}
    (only,) = counts  # every source the same page: the same reviews, each once, one finished crawl
    assert only[0] == only[1] > 0 and only[2] == 1
    listed = CliRunner().invoke(app, ["-c", str(config), "jobs", "--state", "done"])
    assert listed.exit_code == 0 and "6 job(s)" in listed.stdout


def test_a_worker_killed_mid_crawl_loses_and_repeats_nothing(tmp_path: Path, site: TestSite, rabbitmq_url: str) -> None:
    config = _config(tmp_path, site, rabbitmq_url, ["slow"])
    site.latency(2.0)
    first = _start_worker(config, tmp_path)
    queued = CliRunner().invoke(app, ["-c", str(config), "crawl", "--enqueue", "--source", "slow"])
    assert queued.exit_code == 0
    deadline = time.monotonic() + 30
    while not any(r.state == "running" for r in _jobs(config)):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    first.kill()  # SIGKILL: no clean-up, no acknowledgement
    first.wait()
    site.latency(0.0)
    second = _start_worker(config, tmp_path)
    try:
        (row,) = _wait(config, done=1, timeout=120)
    finally:
        _stop(second)
    assert row.worker.endswith(f":{second.pid}")  # the broker gave the job to the surviving worker
    reviews, distinct, ok = _stored(config)["slow"]
    assert reviews == distinct > 0 and ok == 1


def test_without_an_engine_worker_and_enqueue_say_how_to_configure_one(tmp_path: Path) -> None:
    config = tmp_path / "monitor.toml"
    config.write_text(f'database_url = "sqlite:///{tmp_path / "m.db"}"\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["-c", str(config), "worker"])
    assert result.exit_code == 1 and "[engine] url" in result.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text('[engine]\nurl = "http://broker:5672"\n', encoding="utf-8")
    refused = CliRunner().invoke(app, ["-c", str(bad), "jobs"])
    assert refused.exit_code == 1 and "engine.url" in refused.stderr and "amqp://" in refused.stderr


def _wait_for(path: Path, text: bytes, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while text not in path.read_bytes():
        assert process.poll() is None, path.read_text()
        assert time.monotonic() < deadline, path.read_text()
        time.sleep(0.1)


def test_one_scheduler_is_active_and_another_takes_over_when_it_dies(
    tmp_path: Path, site: TestSite, rabbitmq_url: str
) -> None:
    config = _config(tmp_path, site, rabbitmq_url, ["shop"])
    logs = [tmp_path / "serve-1.log", tmp_path / "serve-2.log"]
    command = [sys.executable, "-m", "monitor.cli.main", "-c", str(config), "serve"]
    first = subprocess.Popen(command, cwd=ROOT, stdout=logs[0].open("wb"), stderr=subprocess.STDOUT)
    second: subprocess.Popen[bytes] | None = None
    try:
        _wait_for(logs[0], b"this scheduler is the active one", first)
        second = subprocess.Popen(command, cwd=ROOT, stdout=logs[1].open("wb"), stderr=subprocess.STDOUT)
        _wait_for(logs[1], b"another scheduler is active", second)
        first.kill()  # dies without a word: its lock goes with it
        first.wait()
        _wait_for(logs[1], b"this scheduler is the active one", second, timeout=30)
    finally:
        _stop(*(p for p in (first, second) if p is not None))


def test_a_scheduler_whose_database_session_ends_stands_by_and_the_standby_takes_over(
    tmp_path: Path, site: TestSite, rabbitmq_url: str, pg_url: str
) -> None:
    from tests.monitor.crawl.test_lease import _end_session_holding_locks

    config = _config(tmp_path, site, rabbitmq_url, ["shop"])
    config.write_text(
        config.read_text(encoding="utf-8").replace(f"sqlite:///{tmp_path / 'm.db'}", pg_url), encoding="utf-8"
    )
    assert CliRunner().invoke(app, ["-c", str(config), "init"]).exit_code == 0
    logs = [tmp_path / "serve-1.log", tmp_path / "serve-2.log"]
    command = [sys.executable, "-m", "monitor.cli.main", "-c", str(config), "serve"]
    first = subprocess.Popen(command, cwd=ROOT, stdout=logs[0].open("wb"), stderr=subprocess.STDOUT)
    second: subprocess.Popen[bytes] | None = None
    try:
        _wait_for(logs[0], b"this scheduler is the active one", first)
        second = subprocess.Popen(command, cwd=ROOT, stdout=logs[1].open("wb"), stderr=subprocess.STDOUT)
        _wait_for(logs[1], b"another scheduler is active", second)
        # The active scheduler keeps running, but its lock went with its session (a restart, a network cut).
        assert _end_session_holding_locks(pg_url) == 1
        _wait_for(logs[0], b"the scheduler lock was lost", first, timeout=30)
        lost_at = logs[0].read_bytes().index(b"the scheduler lock was lost")
        # It no longer schedules anything: its scheduler is shut down (said once the shutdown has finished).
        _wait_for(logs[0], b"scheduler stopped", first, timeout=30)
        assert logs[0].read_bytes().index(b"scheduler stopped") > lost_at

        def active_since_the_loss() -> int:
            active = b"this scheduler is the active one"
            return logs[0].read_bytes()[lost_at:].count(active) + logs[1].read_bytes().count(active)

        deadline = time.monotonic() + 30
        while active_since_the_loss() == 0:  # the free lock is taken again, by either of them
            assert time.monotonic() < deadline, (logs[0].read_text(), logs[1].read_text())
            time.sleep(0.1)
        time.sleep(11)  # longer than a standby waits between attempts
        assert active_since_the_loss() == 1
    finally:
        _stop(*(p for p in (first, second) if p is not None))


def test_with_an_engine_the_schedule_queues_crawls_instead_of_running_them(
    tmp_path: Path, site: TestSite, rabbitmq_url: str
) -> None:
    from monitor.scheduler import run_scheduled_source

    config = _config(tmp_path, site, rabbitmq_url, ["shop"])
    run_scheduled_source(str(config), "shop")
    (row,) = _jobs(config)
    assert (row.args, row.state) == (["shop"], "queued")
    assert _stored(config)["shop"] == (0, 0, 0)  # nothing crawled here: a worker will
    assert not site.requests_to("/review/shop.de?sort=recency")


def test_with_an_engine_the_daily_digest_is_sent_by_a_worker_once(
    tmp_path: Path, site: TestSite, rabbitmq_url: str
) -> None:
    from aiosmtpd.controller import Controller

    from monitor.scheduler import run_digest
    from tests.monitor.digest.test_digest_delivery import Inbox, _free_port

    inbox, port = Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    config = _config(tmp_path, site, rabbitmq_url, ["shop"])
    text = config.read_text(encoding="utf-8").replace(
        'name = "Eventnet"\n', 'name = "Eventnet"\ndigest_recipients = ["boss@example.com"]\n'
    )
    smtp = f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\nfrom_address = "digest@example.com"\n'
    config.write_text(text + smtp, encoding="utf-8")
    worker = None
    try:
        run_digest(str(config), "Eventnet")
        (row,) = _jobs(config)
        assert (row.actor.rsplit(".", 1)[-1], row.args, row.state) == ("digest", ["Eventnet"], "queued")
        assert inbox.messages == []  # the scheduler only queued it
        worker = _start_worker(config, tmp_path)
        (row,) = _wait(config, done=1)
        assert row.worker.endswith(f":{worker.pid}")
        assert [rcpt for rcpt, _ in inbox.messages] == [["boss@example.com"]]
        run_digest(str(config), "Eventnet")  # the same day again: the delivery's bookkeeping sends nothing
        _wait(config, done=2)
        assert len(inbox.messages) == 1
    finally:
        _stop(*([worker] if worker else []))
        controller.stop()
