"""The web app under load: 100,000 open tasks on PostgreSQL, the board with filters and the API list.

Usage: .venv/bin/python benchmarks/bench_web.py [--tasks 100000] [--users 20] [--requests 20] [--think 0.5]
       [--pg postgresql://postgres@127.0.0.1:5432/test] [--json]

Seeds a throw-away PostgreSQL database (created and dropped here) with three companies, six sources and
`--tasks` open tasks (one review each), starts `monitor web`'s app with uvicorn in a separate process on
127.0.0.1, and lets `--users` simulated people (asyncio + httpx) each send `--requests` requests per scenario,
pausing `--think` seconds (randomised ±50%) between them as a person does. It reports, per scenario, the time the
app took (its Server-Timing header) and the time the client waited, as p50 / p95; `--think 0` measures the
server saturated by back-to-back requests instead.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert, select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.runtime.context import open_database
from monitor.store.db import make_engine, utcnow
from monitor.store.models import Company, Review, SourceRow
from monitor.store.task_models import OutreachTask, TaskReview
from monitor.store.user_models import create_user, issue_api_token, start_session, user_by_name

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ["en"] * 14 + ["de", "he", "sk", "ro", "fi", "tr"]
PRIORITIES = [(80, "urgent"), (55, "high"), (30, "normal"), (10, "low")]
WORDS = ["order", "parcel", "refund", "delivery", "courier", "support", "call", "email", "late", "broken", "rude"]
CHUNK = 5000
GOALS = {"board": 200.0, "api": 100.0}


def seed(engine: Engine, tasks: int, rng: random.Random) -> None:
    """Companies, sources, one unhappy review per task and `tasks` open tasks, inserted in bulk."""
    now = utcnow()
    with Session(engine) as session:
        companies = [
            Company(name=name, timezone=zone, settings={"business_hours": [9, 17], "business_days": [0, 1, 2, 3, 4]})
            for name, zone in (("Acme", "Europe/Berlin"), ("Cell C", "Africa/Johannesburg"), ("Dunzo", "Asia/Kolkata"))
        ]
        session.add_all(companies)
        session.flush()
        sources = [
            SourceRow(company_id=c.id or 0, name=f"{c.name.lower().replace(' ', '')}-{kind}", kind=kind, locator="x")
            for c in companies
            for kind in ("trustpilot", "google_play")
        ]
        session.add_all(sources)
        session.flush()
        for start in range(0, tasks, CHUNK):
            count = min(CHUNK, tasks - start)
            reviews, task_rows = [], []
            for i in range(start, start + count):
                src = sources[i % len(sources)]
                published = now - timedelta(minutes=rng.randint(10, 60 * 24 * 30))
                body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 60)))
                reviews.append(
                    {
                        "source_id": src.id,
                        "site_review_id": f"r{i}",
                        "author_handle": f"user{i}",
                        "author_name": f"Reviewer {i}",
                        "rating": float(rng.choice([1, 1, 2, 2, 3])),
                        "rating_scale": 5,
                        "body": f"Review {i}: {body}",
                        "language": rng.choice(LANGUAGES),
                        "published_at": published,
                        "first_seen": published,
                        "last_seen": published,
                        "seen_in_backfill": False,
                        "unhappy": True,
                        "private_reply": False,
                        "flags": "legal" if rng.random() < 0.01 else "",
                        "fingerprint": "",
                        "extra": {},
                    }
                )
            ids = list(session.execute(insert(Review).returning(Review.id), reviews).scalars())
            for n in range(len(ids)):
                i = start + n
                src = sources[i % len(sources)]
                status = rng.choices(["new", "claimed", "contacted", "waiting_for_customer"], [60, 20, 12, 8])[0]
                priority, label = rng.choice(PRIORITIES)
                first_due = now + timedelta(hours=rng.randint(-72, 72))
                task_rows.append(
                    {
                        "company_id": src.company_id,
                        "source_id": src.id,
                        "reviewer_key": f"handle:{src.kind}:user{i}",
                        "reviewer_name": f"Reviewer {i}",
                        "reviewer_handle": f"user{i}",
                        "status": status,
                        "owner": None if status == "new" else f"agent{i % 25}",
                        "priority": priority,
                        "priority_label": label,
                        "template_reply": rng.random() < 0.3,
                        "complaint_at": now - timedelta(days=1),
                        "first_contact_due": first_due,
                        "due_at": None if status == "waiting_for_customer" else first_due,
                        "needs_attention": False,
                        "reopen_count": 0,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            task_ids = list(session.execute(insert(OutreachTask).returning(OutreachTask.id), task_rows).scalars())
            session.execute(
                insert(TaskReview),
                [
                    {"task_id": t, "review_id": r, "linked_at": now, "last_revision_id": 0}
                    for t, r in zip(task_ids, ids, strict=True)
                ],
            )
            session.commit()
        create_user(session, "bench-agent", "agent", "bench password 1")
        session.commit()


def credentials(engine: Engine) -> tuple[str, str]:
    """A session cookie value and an API token of the benchmark's agent."""
    with Session(engine) as session:
        cookie = start_session(session, user_by_name(session, "bench-agent"), utcnow())
        token = issue_api_token(session, "bench-agent")
        session.commit()
    return cookie, token


@contextmanager
def pg_database(admin_url: str) -> Iterator[str]:
    """A throw-away PostgreSQL database, dropped afterwards."""
    admin = make_engine(admin_url)
    name = f"bench_web_{uuid.uuid4().hex[:10]}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{admin_url.rsplit('/', 1)[0]}/{name}"
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def server(url: str, port: int) -> Iterator[str]:
    """`monitor web`'s app on `url`, served by uvicorn in its own process."""
    code = textwrap.dedent(
        f"""
        import uvicorn
        from monitor.runtime.context import open_database
        from monitor.web.app import create_app
        uvicorn.run(create_app(open_database({url!r})), host="127.0.0.1", port={port}, log_level="warning",
                    access_log=False)
        """
    )
    process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the web server did not start")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def scenarios(cursor: str) -> dict[str, tuple[str, str]]:
    """Name: (kind, path) of each measured request."""
    return {
        "board: all open, by deadline": ("board", "/board?view=all"),
        "board: company + language + priority": ("board", "/board?view=all&company=Acme&language=de&priority=high"),
        "board: unclaimed, template reply, rating <= 2": ("board", "/board?view=unclaimed&template=yes&rating=2"),
        "board: due today, by priority": ("board", "/board?view=due_today&sort=priority"),
        "board: breached, legal flag": ("board", "/board?view=breached&flag=legal"),
        "board: text search": ("board", "/board?view=all&q=Reviewer%2077"),
        "board: page 40 (by key)": ("board", f"/board?view=all&cursor={cursor}"),
        "api: list 50": ("api", "/api/v1/tasks?limit=50"),
        "api: company + language, by priority": ("api", "/api/v1/tasks?company=Cell%20C&language=en&sort=priority"),
        "api: page 40 (by key)": ("api", f"/api/v1/tasks?cursor={cursor}"),
    }


async def load(
    base: str, path: str, headers: dict[str, str], users: int, requests: int, think: float
) -> tuple[list[float], list[float], int]:
    """`users` people each send `requests` requests; returns server times, client times (ms) and errors."""
    server_ms: list[float] = []
    client_ms: list[float] = []
    errors = 0
    rng = random.Random(3)

    async def person(http: httpx.AsyncClient) -> None:
        nonlocal errors
        await asyncio.sleep(rng.random() * think)  # people do not all start in the same millisecond
        for _ in range(requests):
            started = time.perf_counter()
            answer = await http.get(path)
            client_ms.append((time.perf_counter() - started) * 1000)
            if answer.status_code != 200:
                errors += 1
            timing = answer.headers.get("server-timing", "")
            if "dur=" in timing:
                server_ms.append(float(timing.split("dur=", 1)[1]))
            if think:
                await asyncio.sleep(think * (0.5 + rng.random()))

    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60, limits=limits) as http:
        await http.get(path)  # warm up
        await asyncio.gather(*(person(http) for _ in range(users)))
    return server_ms, client_ms, errors


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--requests", type=int, default=20, help="requests per person and scenario")
    parser.add_argument("--think", type=float, default=0.5, help="seconds between a person's requests (0: none)")
    parser.add_argument("--pg", default=os.environ.get("MONITOR_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--url", help="a database this script seeded before (kept): skip seeding")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rng = random.Random(11)
    results: dict[str, Any] = {}
    with nullcontext(args.url) if args.url else pg_database(args.pg) as url:
        engine = open_database(url)
        started = time.perf_counter()
        if not args.url:
            seed(engine, args.tasks, rng)
        with engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
            open_count = conn.execute(select(text("count(*)")).select_from(OutreachTask)).scalar() or 0
        seeded = time.perf_counter() - started
        cookie, token = credentials(engine)
        engine.dispose()
        with server(url, args.port) as base:
            deep = _cursor_after_pages(base, {"Cookie": f"rrm_session={cookie}"}, 40)
            for name, (kind, path) in scenarios(deep).items():
                headers = (
                    {"Cookie": f"rrm_session={cookie}"} if kind == "board" else {"Authorization": f"Bearer {token}"}
                )
                server_ms, client_ms, errors = asyncio.run(
                    load(base, path, headers, args.users, args.requests, args.think)
                )
                results[name] = {
                    "kind": kind,
                    "server_p50": pct(server_ms, 0.5),
                    "server_p95": pct(server_ms, 0.95),
                    "client_p50": pct(client_ms, 0.5),
                    "client_p95": pct(client_ms, 0.95),
                    "requests": len(client_ms),
                    "errors": errors,
                }
    if args.json:
        print(json.dumps({"tasks": open_count, "seed_seconds": seeded, "results": results}, indent=2))
        return
    print(f"{open_count:,} open tasks seeded in {seeded:.0f} s; {args.users} people, think time {args.think} s")
    print(f"{'scenario':48} {'server p50/p95 ms':>20} {'client p50/p95 ms':>20} {'goal':>6} {'errors':>6}")
    for name, r in results.items():
        goal = GOALS[r["kind"]]
        print(
            f"{name:48} {r['server_p50']:9.1f} / {r['server_p95']:7.1f} {r['client_p50']:9.1f} / {r['client_p95']:7.1f}"
            f" {goal:6.0f} {r['errors']:6d}"
        )
    summary = {
        kind: statistics.median(r["server_p95"] for r in results.values() if r["kind"] == kind) for kind in GOALS
    }
    print("median server p95: " + ", ".join(f"{k} {v:.1f} ms (goal {GOALS[k]:.0f})" for k, v in summary.items()))


def _cursor_after_pages(base: str, headers: dict[str, str], pages: int) -> str:
    """The API cursor after `pages` pages of 50 (the board and the API use the same cursors)."""
    cursor = ""
    with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
        for _ in range(pages):
            answer = http.get("/api/v1/tasks", params={"limit": 50, **({"cursor": cursor} if cursor else {})})
            cursor = answer.json()["next_cursor"]
    return cursor


if __name__ == "__main__":
    main()
