"""Outreach queue performance: queue build for N reviews, `tasks list` over the result, concurrent claim latency.

Usage: .venv/bin/python benchmarks/bench_queue.py [--reviews 100000] [--tasks 100000]
       [--pg postgresql://postgres@127.0.0.1:5432/test]
Runs on a temporary SQLite file and, when the server answers, on a throw-away PostgreSQL database.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.core.errors import WorkflowError
from monitor.core.settings import Settings
from monitor.runtime.context import open_database
from monitor.store.db import make_engine
from monitor.store.models import Company, CompanyReply, Review, ReviewRevision, SourceRow
from monitor.store.task_models import OutreachTask
from responders.outreach.queue import update_queue
from responders.outreach.views import list_tasks
from responders.outreach.workflow import claim_task

NOW = datetime(2025, 3, 5, 10, 0, tzinfo=UTC)


def seed(engine: Engine, reviews: int, rng: random.Random) -> list[int]:
    """One company, four sources, `reviews` reviews (60% unhappy, a third answered, half of those by template)."""
    with Session(engine) as session:
        company = Company(name="Bench", timezone="Europe/Berlin", settings={"business_hours": [9, 17]})
        session.add(company)
        session.flush()
        sources = []
        for i, kind in enumerate(("trustpilot", "google_play", "hellopeter", "feed")):
            src = SourceRow(company_id=company.id or 0, name=f"s{i}", kind=kind, locator=f"https://example.com/{i}")
            session.add(src)
            sources.append(src)
        session.flush()
        rows, replies, revisions = [], [], []
        people = int(reviews * 0.8)  # some reviewers write more than once
        for i in range(reviews):
            src = sources[i % len(sources)]
            published = NOW - timedelta(minutes=rng.randint(0, 60 * 24 * 20))
            rows.append(
                {
                    "source_id": src.id,
                    "site_review_id": f"r{i}",
                    "author_handle": f"user{rng.randint(0, people)}",
                    "author_name": f"Name {i % 5000}",
                    "rating": float(rng.randint(1, 5)),
                    "rating_scale": 5,
                    "body": "Delivery was late and support never answered.",
                    "published_at": published,
                    "first_seen": published + timedelta(hours=1),
                    "last_seen": published + timedelta(hours=1),
                    "seen_in_backfill": False,
                    "unhappy": rng.random() < 0.6,
                    "severity": round(rng.random(), 2),
                    "helpful_votes": rng.randint(0, 30),
                    "private_reply": False,
                    "flags": "legal" if rng.random() < 0.01 else "",
                    "fingerprint": "",
                    "extra": {},
                }
            )
        for start in range(0, len(rows), 5000):
            session.execute(insert(Review), rows[start : start + 5000])
        ids = [r for r in session.scalars(select(Review.id).order_by(Review.id))]
        stamps = {rid: row["first_seen"] for rid, row in zip(ids, rows, strict=True)}
        for rid in ids:
            revisions.append(
                {
                    "review_id": rid,
                    "observed_at": stamps[rid],
                    "changes": "first_seen",
                    "rating": 1.0,
                    "body": "",
                }
            )
            if rng.random() < 0.33:
                replies.append(
                    {
                        "review_id": rid,
                        "text": "Sorry to hear that.",
                        "published_at": stamps[rid] + timedelta(hours=2),
                        "first_seen": stamps[rid] + timedelta(hours=2),
                        "template_id": "tpl-1" if rng.random() < 0.5 else None,
                    }
                )
        for start in range(0, len(revisions), 5000):
            session.execute(insert(ReviewRevision), revisions[start : start + 5000])
        for start in range(0, len(replies), 5000):
            session.execute(insert(CompanyReply), replies[start : start + 5000])
        session.commit()
    return ids


def timed(label: str, func: object) -> float:
    start = time.perf_counter()
    func()  # type: ignore[operator]
    elapsed = time.perf_counter() - start
    print(f"  {label}: {elapsed:.2f} s")
    return elapsed


def top_up_tasks(engine: Engine, total: int, rng: random.Random) -> None:
    """Add synthetic tasks (various statuses, due times, priorities) until the queue holds `total`."""
    with Session(engine) as session:
        have = session.scalar(select(text("count(*)")).select_from(OutreachTask)) or 0
        company_id, source_id = session.execute(select(SourceRow.company_id, SourceRow.id).limit(1)).one()
        statuses = ("new", "new", "claimed", "contacted", "waiting_for_customer", "resolved", "no_response")
        rows = []
        for i in range(max(0, total - have)):
            status = rng.choice(statuses)
            due = NOW + timedelta(hours=rng.randint(-72, 72))
            rows.append(
                {
                    "company_id": company_id,
                    "source_id": source_id,
                    "reviewer_key": f"synthetic:{i}",
                    "reviewer_name": f"Synthetic {i}",
                    "status": status,
                    "owner": None if status == "new" else f"agent{i % 20}",
                    "priority": rng.randint(0, 100),
                    "priority_label": "normal",
                    "template_reply": rng.random() < 0.3,
                    "complaint_at": due - timedelta(days=1),
                    "first_contact_due": due,
                    "due_at": None if status in ("resolved", "no_response", "waiting_for_customer") else due,
                    "needs_attention": False,
                    "reopen_count": 0,
                    "created_at": NOW,
                    "updated_at": NOW,
                    "last_activity_at": NOW,
                }
            )
        for start in range(0, len(rows), 5000):
            session.execute(insert(OutreachTask), rows[start : start + 5000])
        session.commit()


def bench_database(url: str, reviews: int, *, claims: bool, tasks: int) -> None:
    print(f"{url.split('://')[0]}: {reviews} reviews")
    engine = open_database(url)
    rng = random.Random(7)
    timed("seed", lambda: seed(engine, reviews, rng))
    with Session(engine) as session:
        ids = list(session.scalars(select(Review.id)))
    result = {}

    def build() -> None:
        with Session(engine) as session:
            result["first"] = update_queue(session=session, settings=Settings(), review_ids=ids, now=NOW)
            session.commit()

    def rebuild() -> None:
        with Session(engine) as session:
            result["again"] = update_queue(session=session, settings=Settings(), review_ids=ids, now=NOW)
            session.commit()

    timed("queue build (all reviews)", build)
    first = result["first"]
    print(f"    created {first.created} tasks, skipped_backfill {first.skipped_backfill}")  # type: ignore[attr-defined]
    timed("queue update again (idempotent, nothing new)", rebuild)
    assert result["again"].created == 0  # type: ignore[attr-defined]
    top_up_tasks(engine, tasks, random.Random(3))
    with Session(engine) as session:
        count = session.scalar(select(text("count(*)")).select_from(OutreachTask))
    print(f"    {count} tasks in the queue after topping up with synthetic tasks (open and closed)")
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        with Session(engine) as session:
            rows = list_tasks(session=session, now=NOW, limit=50)
        samples.append(time.perf_counter() - start)
    print(
        f"  tasks list (open, top 50 of {count}): median {statistics.median(samples) * 1000:.0f} ms ({len(rows)} rows)"
    )
    samples = []
    for _ in range(3):
        start = time.perf_counter()
        with Session(engine) as session:
            rows = list_tasks(session=session, now=NOW, limit=100_000)
        samples.append(time.perf_counter() - start)
    print(f"  tasks list (all {len(rows)} open tasks): median {statistics.median(samples) * 1000:.0f} ms")
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        with Session(engine) as session:
            rows = list_tasks(session=session, now=NOW, limit=50, overdue=True, owner="agent3")
        samples.append(time.perf_counter() - start)
    print(f"  tasks list --mine --overdue (top 50): median {statistics.median(samples) * 1000:.0f} ms")
    if claims:
        bench_claims(url, engine)
    engine.dispose()


def bench_claims(url: str, engine: Engine, workers: int = 20, per_worker: int = 50) -> None:
    """`workers` threads, each on its own connection, claim random tasks (some collide) and commit."""
    with Session(engine) as session:
        task_ids = list(session.scalars(select(OutreachTask.id).where(OutreachTask.status == "new")))
    pool = random.Random(11).sample(task_ids, min(len(task_ids), workers * per_worker // 2))
    barrier = threading.Barrier(workers)
    latencies: list[float] = []
    wins = 0
    lock = threading.Lock()

    def worker(n: int) -> None:
        nonlocal wins
        rng = random.Random(n)
        eng = make_engine(url)
        local: list[float] = []
        won = 0
        with Session(eng) as session:
            session.connection()
            barrier.wait()
            for _ in range(per_worker):
                task_id = rng.choice(pool)
                start = time.perf_counter()
                try:
                    claim_task(session=session, task_id=task_id, actor=f"a{n}", now=NOW, expiry_minutes=120)
                    session.commit()
                    won += 1
                except WorkflowError:
                    session.rollback()
                local.append(time.perf_counter() - start)
        eng.dispose()
        with lock:
            latencies.extend(local)
            wins += won

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p95 = latencies[int(len(latencies) * 0.95) - 1] * 1000
    print(
        f"  claim latency, {workers} concurrent claimers, {len(latencies)} claims on {len(pool)} tasks "
        f"({wins} won): p50 {p50:.1f} ms, p95 {p95:.1f} ms"
    )


@contextmanager
def pg_database(server: str) -> Iterator[str | None]:
    admin = make_engine(server)
    try:
        with admin.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:  # no server: say so and carry on with SQLite only
        print(f"postgresql: skipped, {server} not reachable ({exc.__class__.__name__})")
        admin.dispose()
        yield None
        return
    name = f"bench_queue_{uuid.uuid4().hex[:10]}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{server.rsplit('/', 1)[0]}/{name}"
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reviews", type=int, default=100_000)
    parser.add_argument("--tasks", type=int, default=100_000, help="queue size for the `tasks list` timings")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        bench_database(f"sqlite:///{Path(folder) / 'bench.db'}", args.reviews, claims=True, tasks=args.tasks)
    with pg_database(args.pg) as url:
        if url:
            bench_database(url, args.reviews, claims=True, tasks=args.tasks)


if __name__ == "__main__":
    main()
