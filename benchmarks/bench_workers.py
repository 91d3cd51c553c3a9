"""Workers on the task engine: 200 sources crawled by 1, 2 and 4 `monitor worker` processes, and a fault run.

Every source serves the real Trustpilot page of tests/fixtures/trustpilot/ (20 reviews) from the local test site;
the 200 sources are spread over 4 hosts (4 local sites on their own ports) with `min_delay` as configured. The
database is a throw-away PostgreSQL database per run, the broker the local RabbitMQ. Measured: wall time from
enqueueing to the last job done, throughput, CPU of the worker processes per review stored, the smallest gap
between two requests to one host, and in the fault run (2 workers, one killed with SIGKILL every 10 s and
started again) that every review is stored once and every source has one finished crawl.

    .venv/bin/python benchmarks/bench_workers.py --workers 1 2 4 --fault
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session, func, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.runtime.context import open_database  # noqa: E402
from monitor.store.db import make_engine  # noqa: E402
from monitor.store.job_models import JobRow  # noqa: E402
from monitor.store.models import CrawlRun, Review  # noqa: E402
from tests.site import TestSite  # noqa: E402

PAGE = ROOT / "tests" / "fixtures" / "trustpilot" / "trustpilot_eventnet.de_2024-07-02.html.gz"


@contextmanager
def pg_database(server: str) -> Iterator[str]:
    """A throw-away PostgreSQL database, dropped afterwards."""
    admin = make_engine(server)
    name = f"bench_workers_{uuid.uuid4().hex[:10]}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{server.rsplit('/', 1)[0]}/{name}"
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def write_config(folder: Path, sites: list[TestSite], sources: int, delay: float, db: str, broker: str) -> Path:
    body = gzip.decompress(PAGE.read_bytes())
    lines = [
        f'database_url = "{db}"',
        f'[engine]\nurl = "{broker}"\nqueue_prefix = "bench-{uuid.uuid4().hex[:8]}"',
        '[[company]]\nname = "Bench"',
    ]
    for n in range(sources):
        site = sites[n % len(sites)]
        site.add_page(f"/review/shop{n}.de?sort=recency", body, "text/html; charset=utf-8")
        lines.append(
            f'[[company.source]]\nname = "shop{n}"\nkind = "trustpilot"\n'
            f'locator = "{site.url(f"/review/shop{n}.de")}"\nmin_delay = {delay}'
        )
    path = folder / "monitor.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def monitor(config: Path, *args: str, **popen: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "monitor.cli.main", "-c", str(config), *args], cwd=ROOT, **popen
    )


def start_worker(config: Path, folder: Path) -> subprocess.Popen[bytes]:
    log = folder / f"worker-{uuid.uuid4().hex[:6]}.log"
    process = monitor(config, "worker", "--concurrency", "2", stdout=log.open("wb"), stderr=subprocess.STDOUT)
    while b"runs crawl" not in log.read_bytes():
        if process.poll() is not None:
            raise RuntimeError(log.read_text())
        time.sleep(0.05)
    return process


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a live process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def min_gap(sites: list[TestSite]) -> float:
    """The smallest time between two page requests to one host."""
    gaps = []
    for site in sites:
        times = sorted(r.time for r in site.requests if r.path.startswith("/review/"))
        gaps += [b - a for a, b in itertools.pairwise(times)]
    return min(gaps) if gaps else float("nan")


def run(workers: int, args: argparse.Namespace, *, fault: bool = False) -> dict[str, float]:
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sites = [stack.enter_context(TestSite()) for _ in range(args.hosts)]
        for site in sites:
            site.set_robots("User-agent: *\nAllow: /\n")
        db = stack.enter_context(pg_database(args.pg))
        config = write_config(folder, sites, args.sources, args.delay, db, args.broker)
        engine = open_database(db)  # migrated once, before the workers start
        processes = [start_worker(config, folder) for _ in range(workers)]
        cpu: dict[int, float] = {}
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "monitor.cli.main", "-c", str(config), "crawl", "--enqueue"],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        killed = 0
        last_kill = time.perf_counter()
        while True:
            with Session(engine) as session:
                done = session.exec(select(func.count()).select_from(JobRow).where(JobRow.state == "done")).one()
            if done >= args.sources:
                break
            if fault and time.perf_counter() - last_kill >= 10:
                victim = processes.pop(0)
                cpu[victim.pid] = cpu_seconds(victim.pid)
                victim.kill()
                victim.wait()
                killed += 1
                processes.append(start_worker(config, folder))
                last_kill = time.perf_counter()
            time.sleep(0.2)
        wall = time.perf_counter() - started
        for process in processes:
            cpu[process.pid] = cpu_seconds(process.pid)
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=120)
        with Session(engine) as session:
            reviews = session.exec(select(func.count()).select_from(Review)).one()
            distinct = session.exec(
                select(func.count()).select_from(select(Review.source_id, Review.site_review_id).distinct().subquery())
            ).one()
            ok_runs = session.exec(
                select(func.count(func.distinct(CrawlRun.source_id))).where(CrawlRun.health == "ok")
            ).one()
        engine.dispose()
        return {
            "workers": workers,
            "wall": wall,
            "sources_per_s": args.sources / wall,
            "reviews": reviews,
            "distinct": distinct,
            "sources_ok": ok_runs,
            "cpu_ms_per_review": 1000 * sum(cpu.values()) / max(1, reviews),
            "min_gap": min_gap(sites),
            "killed": killed,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--sources", type=int, default=200)
    parser.add_argument("--hosts", type=int, default=4)
    parser.add_argument("--delay", type=float, default=0.5, help="min_delay of every source (seconds)")
    parser.add_argument("--fault", action="store_true", help="also the fault run: 2 workers, one killed every 10 s")
    parser.add_argument("--pg", default=os.environ.get("MONITOR_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument(
        "--broker", default=os.environ.get("MONITOR_TEST_RABBITMQ", "amqp://guest:guest@127.0.0.1:5672/")
    )
    args = parser.parse_args()
    print(f"{args.sources} sources on {args.hosts} hosts, min_delay {args.delay} s; load {os.getloadavg()[0]:.1f}")
    runs = [run(n, args) for n in args.workers]
    if args.fault:
        runs.append(run(2, args, fault=True))
    for r in runs:
        label = f"{r['workers']:.0f} workers" + (f", {r['killed']:.0f} killed" if r["killed"] else "")
        print(
            f"{label:22} {r['wall']:6.1f} s  {r['sources_per_s']:5.2f} sources/s  "
            f"CPU {r['cpu_ms_per_review']:.2f} ms/review  reviews {r['reviews']:.0f} (distinct {r['distinct']:.0f})  "
            f"sources crawled ok {r['sources_ok']:.0f}  smallest per-host gap {r['min_gap']:.3f} s"
        )


if __name__ == "__main__":
    main()
