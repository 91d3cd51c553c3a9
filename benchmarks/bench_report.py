"""`monitor report` on a year of reviews: 1,000,000 reviews of 10 companies, the year by month.

Usage: .venv/bin/python benchmarks/bench_report.py [--reviews 1000000] [--companies 10] [--repeat 3]
       [--backend sqlite --backend postgresql] [--pg postgresql://postgres@127.0.0.1:5432/test] [--index]

Writes the reviews straight into a fresh database with bulk inserts (no crawl, no analysis): ten companies in
ten time zones, two sources each, reviews published over 2025 plus the December before (the period the first
month is compared with) and 1% without a publication date, stored in the order six-hourly crawls of each source
would store them. Review texts are drawn from the real reviews of the
test fixtures, so reading complaints for themes costs what it costs on real text. Unhappy reviewers get a public
reply (about half of them templates of 15 per company), a private one, or none; every review has its first
revision, 4% of unhappy reviewers changed their rating later; about a quarter of the unhappy reviewers have a
task with claim, contact and close events by one of eight agents.

Then times `build_report` (the queries and the theme reading) and the whole command in a new process
(`monitor report --from 2025-01-01 --to 2025-12-31 --by month --json`), `--repeat` times each, and prints
the median. SQLite runs on a temporary file; PostgreSQL in a throw-away database that is dropped afterwards.
`--index` also times the report after adding an index on review (source_id, published_at), to measure what it
would gain (the product's schema does not have it).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.report.build import build_report
from monitor.report.periods import By
from monitor.runtime.context import open_database
from monitor.store.db import make_engine
from monitor.store.models import Company, CompanyReply, Review, ReviewRevision, SourceRow
from monitor.store.task_models import OutreachTask, TaskEvent
from monitor.store.template_models import ReplyTemplate
from monitor.text.stopwords import read_stopwords

ROOT = Path(__file__).resolve().parents[1]
ZONES = (
    "UTC",
    "Europe/Berlin",
    "Africa/Johannesburg",
    "Asia/Singapore",
    "America/New_York",
    "Europe/London",
    "Australia/Sydney",
    "Asia/Kolkata",
    "America/Sao_Paulo",
    "Europe/Helsinki",
)
FIRST, LAST = date(2025, 1, 1), date(2025, 12, 31)
SPAN_START = datetime(2024, 11, 30, tzinfo=UTC)  # the December before, in every zone
SPAN_SECONDS = int((datetime(2026, 1, 2, tzinfo=UTC) - SPAN_START).total_seconds())
NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
CHUNK = 20_000
CRAWL_SECONDS = 6 * 3600
AGENTS = ("ann", "bob", "chen", "dara", "eli", "fay", "gus", "hana")
FIXTURES = ROOT / "tests" / "fixtures"


def real_texts() -> tuple[list[str], list[str]]:
    """Real review texts of the fixtures: complaints (1-2 stars) and the rest."""
    unhappy: list[str] = []
    happy: list[str] = []
    with (FIXTURES / "app_store_export" / "sg_food_delivery_app_store_400.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            (unhappy if int(row["rating"]) <= 2 else happy).append(row["review"])
    for line in gzip.decompress(
        (FIXTURES / "hellopeter" / "cell-c_2021_reviews_first300.jsonl.gz").read_bytes()
    ).splitlines():
        record = json.loads(line)
        (unhappy if record["review_rating"] <= 2 else happy).append(record["review_content"])
    return unhappy, happy


def _arrivals(rng: random.Random, reviews: int, sources: int) -> list[tuple[datetime, int, datetime | None]]:
    """(first seen, source, published) of every review, in the order crawls store them.

    Each source is crawled every six hours and stores what appeared since, so rows of one source lie together in
    batches, as they do in a real database. 1% have no publication date (seen in the last month's crawls).
    """
    found = []
    for _ in range(reviews):
        source = rng.randrange(sources)
        offset = rng.randrange(SPAN_SECONDS)
        published: datetime | None = SPAN_START + timedelta(seconds=offset)
        if rng.random() < 0.01:
            published, offset = None, SPAN_SECONDS - rng.randrange(30 * 86400)
        crawl = (offset // CRAWL_SECONDS + 1) * CRAWL_SECONDS
        found.append((crawl, source, offset, published))
    found.sort(key=lambda row: (row[0], row[1], row[2]))
    return [(SPAN_START + timedelta(seconds=crawl), source, published) for crawl, source, _, published in found]


def _rating(rng: random.Random) -> int:
    return rng.choices((1, 2, 3, 4, 5), weights=(30, 10, 10, 15, 35))[0]


class Writer:
    """Rows collected per table and written in chunks with executemany."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.rows: dict[Any, list[dict[str, Any]]] = {}
        self.counts: dict[str, int] = {}

    def add(self, table: Any, row: dict[str, Any]) -> None:
        pending = self.rows.setdefault(table, [])
        pending.append(row)
        if len(pending) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        """Write every table's pending rows, in the order the tables were first used (parents before children)."""
        for name in list(self.rows):
            pending = self.rows.get(name) or []
            if pending:
                with self.engine.begin() as conn:
                    conn.execute(insert(name), pending)
                key = name.__tablename__
                self.counts[key] = self.counts.get(key, 0) + len(pending)
            self.rows[name] = []


def seed(engine: Engine, reviews: int, companies: int, rng: random.Random) -> dict[str, int]:
    """Companies, sources, templates, reviews, replies, revisions, tasks and task events, in bulk."""
    unhappy_texts, happy_texts = real_texts()
    writer = Writer(engine)
    with Session(engine) as session:
        rows = []
        for i in range(companies):
            company = Company(name=f"Company {i:02d}", timezone=ZONES[i % len(ZONES)], settings={})
            session.add(company)
            rows.append(company)
        session.flush()
        sources: list[tuple[int, int]] = []
        for company in rows:
            for kind in ("trustpilot", "google_play"):
                source = SourceRow(
                    company_id=company.id or 0,
                    name=f"{company.name}-{kind}",
                    kind=kind,
                    locator=f"https://example.com/{company.id}/{kind}",
                )
                session.add(source)
                session.flush()
                sources.append((company.id or 0, source.id or 0))
        session.commit()
    for company_id, _ in sources[::2]:
        for t in range(15):
            writer.add(
                ReplyTemplate,
                {
                    "id": f"t{company_id:02d}{t:02d}",
                    "company_id": company_id,
                    "kind": "template",
                    "size": 1000 - t,
                    "skeleton": f"Hi {{name}}, we are sorry to hear that. Please write to us at {{email}}. ({t})",
                    "representative": "",
                    "examples": [],
                    "sources": [],
                    "extra": {},
                    "updated_at": NOW,
                },
            )
    task_id = event_id = revision_id = reply_id = 0
    for review_id, (seen, source_index, published) in enumerate(_arrivals(rng, reviews, len(sources)), start=1):
        company_id, source_id = sources[source_index]
        stamp = published or seen
        rating = _rating(rng)
        unhappy = rating <= 2 or (rating == 3 and rng.random() < 0.3)
        body = rng.choice(unhappy_texts if unhappy else happy_texts)
        now_rating = rating
        if unhappy and rng.random() < 0.04:
            now_rating = max(1, min(5, rating + rng.choice((1, 2, 3, -1))))
        reply_template: str | None = None
        public = private = False
        if unhappy:
            roll = rng.random()
            public = roll < 0.7
            private = not public and roll < 0.8
            if public and rng.random() < 0.55:
                reply_template = f"t{company_id:02d}{min(14, int(rng.expovariate(0.4))):02d}"
        elif rng.random() < 0.3:
            public = True
            reply_template = f"t{company_id:02d}{rng.randrange(15):02d}" if rng.random() < 0.8 else None
        writer.add(
            Review,
            {
                "id": review_id,
                "source_id": source_id,
                "site_review_id": f"r{review_id}",
                "author_name": f"Reviewer {review_id}",
                "author_handle": f"u{review_id}",
                "rating": float(now_rating),
                "rating_scale": 5,
                "body": body,
                "language": "en",
                "published_at": published,
                "private_reply": private,
                "first_seen": seen,
                "last_seen": NOW,
                "seen_in_backfill": False,
                "unhappy": unhappy,
                "severity": 0.5 if unhappy else 0.0,
                "flags": "",
                "fingerprint": "",
                "extra": {},
            },
        )
        revision_id += 1
        writer.add(
            ReviewRevision,
            {
                "id": revision_id,
                "review_id": review_id,
                "observed_at": seen,
                "changes": "first_seen",
                "rating": float(rating),
                "body": "",
            },
        )
        if now_rating != rating:
            revision_id += 1
            writer.add(
                ReviewRevision,
                {
                    "id": revision_id,
                    "review_id": review_id,
                    "observed_at": stamp + timedelta(days=rng.randint(2, 20)),
                    "changes": "rating",
                    "rating": float(now_rating),
                    "body": "",
                },
            )
        if public:
            reply_id += 1
            writer.add(
                CompanyReply,
                {
                    "id": reply_id,
                    "review_id": review_id,
                    "text": "Thank you for your review.",
                    "published_at": stamp + timedelta(hours=rng.expovariate(1 / 30)),
                    "first_seen": stamp + timedelta(hours=2),
                    "template_id": reply_template,
                },
            )
        if unhappy and published is not None and (reply_template or not public) and rng.random() < 0.35:
            task_id, event_id = _task(writer, rng, company_id, source_id, review_id, published, task_id, event_id)
    writer.flush()
    return writer.counts


def _task(
    writer: Writer,
    rng: random.Random,
    company_id: int,
    source_id: int,
    review_id: int,
    published: datetime,
    task_id: int,
    event_id: int,
) -> tuple[int, int]:
    """One task with its events: claimed, then usually contacted, then usually closed."""
    task_id += 1
    created = published + timedelta(hours=1)
    due = created + timedelta(hours=8)
    agent = rng.choice(AGENTS)
    contacted = created + timedelta(hours=rng.expovariate(1 / 10)) if rng.random() < 0.7 else None
    closed = contacted + timedelta(days=rng.randint(1, 5)) if contacted and rng.random() < 0.7 else None
    outcome = rng.choice(("resolved", "resolved", "no_response")) if closed else None
    status = outcome or ("contacted" if contacted else rng.choice(("new", "claimed")))
    writer.add(
        OutreachTask,
        {
            "id": task_id,
            "company_id": company_id,
            "source_id": source_id,
            "reviewer_key": f"h:u{review_id}",
            "status": status,
            "owner": None if status == "new" else agent,
            "priority": 0,
            "priority_label": "normal",
            "template_reply": False,
            "complaint_at": published,
            "first_contact_due": due,
            "first_contacted_at": contacted,
            "outcome": outcome,
            "closed_at": closed,
            "needs_attention": False,
            "reopen_count": 0,
            "created_at": created,
            "updated_at": NOW,
        },
    )
    events: list[tuple[datetime, str, dict[str, Any]]] = []
    if status != "new":
        events.append((created + timedelta(minutes=30), "claimed", {}))
    if contacted:
        events.append((contacted, "contacted", {}))
    if closed:
        events.append((closed, "closed", {"outcome": outcome}))
    for at, kind, data in events:
        event_id += 1
        writer.add(
            TaskEvent,
            {"id": event_id, "task_id": task_id, "at": at, "actor": agent, "kind": kind, "note": "", "data": data},
        )
    return task_id, event_id


SCENARIOS = (
    ("the year by month", FIRST, LAST, "month"),
    ("the third quarter by week", date(2025, 7, 1), date(2025, 9, 30), "week"),
)


def _server_cpu(session: Session) -> float | None:
    """CPU seconds the PostgreSQL backend of this session has used, when the server runs on this machine."""
    if session.get_bind().dialect.name != "postgresql":
        return 0.0
    pid = session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def time_build(
    engine: Engine, repeat: int, first: date, last: date, by: By, *, themes: bool = True, serial: bool = False
) -> tuple[float, float, list[float]]:
    """Median wall seconds and CPU seconds of `build_report`: this process, plus the PostgreSQL backend's when local.

    PostgreSQL's parallel workers are other processes: with `serial` they are turned off, so that the backend's
    CPU time is all the work the server did. The CPU time is about what the wall time is on an idle machine
    (the data is in memory); the machine these figures come from is shared, and its wall times are upper bounds.
    """
    walls, cpus = [], []
    words = _words() if themes else None
    for _ in range(repeat):
        with Session(engine) as session:
            if serial and engine.dialect.name == "postgresql":
                session.connection().exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")
            server = _server_cpu(session)
            started, cpu = time.perf_counter(), time.process_time()
            report = build_report(session=session, first_day=first, last_day=last, by=by, now=NOW, theme_words=words)
            walls.append(time.perf_counter() - started)
            used = time.process_time() - cpu
            after = _server_cpu(session)
            cpus.append(used + (after - server if after is not None and server is not None else 0.0))
    assert report.companies and all(c.periods for c in report.companies)
    return statistics.median(walls), statistics.median(cpus), walls


def _words() -> Any:
    """The word lists `monitor report` reads themes with."""
    text = (ROOT / "monitor" / "text" / "themes_stopwords.txt").read_text(encoding="utf-8")
    return read_stopwords(text)


def time_command(url: str, repeat: int) -> float:
    """The median seconds of the whole command in a new process, JSON to a pipe."""
    env = {**os.environ, "MONITOR_DATABASE_URL": url, "MONITOR_CONFIG": os.devnull}
    command = [
        str(ROOT / ".venv" / "bin" / "monitor"),
        "report",
        "--from",
        FIRST.isoformat(),
        "--to",
        LAST.isoformat(),
        "--by",
        "month",
        "--json",
    ]
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        runs.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise SystemExit(f"monitor report failed: {done.stderr.strip()}")
        companies = json.loads(done.stdout)
        assert all(len(c["periods"]) == 12 for c in companies)
    return statistics.median(runs)


def _line(label: str, what: str, timing: tuple[float, float, list[float]]) -> str:
    wall, cpu, runs = timing
    shown = ", ".join(f"{r:.2f}" for r in runs)
    return f"{label}: {what}: median {wall:.2f} s wall, {cpu:.2f} s CPU (runs, wall: {shown})"


def bench(url: str, label: str, args: argparse.Namespace, *, seed_first: bool = True) -> None:
    engine = open_database(url)
    if seed_first:
        started = time.perf_counter()
        counts = seed(engine, args.reviews, args.companies, random.Random(7))
        seeded = time.perf_counter() - started
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        shown = ", ".join(f"{name} {n:,}" for name, n in sorted(counts.items()))
        print(f"{label}: seeded in {seeded:.0f} s ({shown})")
    load = os.getloadavg()[0]
    print(f"{label}: load average {load:.1f} on {os.cpu_count()} CPUs before timing")
    print(
        _line(
            label,
            "build_report, the year by month, no themes",
            time_build(engine, args.repeat, FIRST, LAST, "month", themes=False),
        )
    )
    for name, first, last, by in SCENARIOS:
        print(_line(label, f"build_report, {name}", time_build(engine, args.repeat, first, last, by)))
    if engine.dialect.name == "postgresql":
        serial = time_build(engine, args.repeat, FIRST, LAST, "month", serial=True)
        print(_line(label, "build_report, the year by month, no parallel workers (CPU: all the work)", serial))
    command = time_command(url, args.repeat)
    print(
        f"{label}: `monitor report --from {FIRST} --to {LAST} --by month --json`, new process: median {command:.2f} s"
    )
    if args.index:
        with engine.begin() as conn:
            conn.execute(text("CREATE INDEX ix_bench_review_source_published ON review (source_id, published_at)"))
            if engine.dialect.name == "postgresql":
                conn.execute(text("ANALYZE review"))
        for name, first, last, by in SCENARIOS:
            timing = time_build(engine, args.repeat, first, last, by)
            print(_line(label, f"with an index on review (source_id, published_at), {name}", timing))
        with engine.begin() as conn:
            conn.execute(text("DROP INDEX ix_bench_review_source_published"))
    engine.dispose()


@contextmanager
def pg_database(server: str) -> Iterator[str | None]:
    """A throw-away database on the server, dropped afterwards; None when the server does not answer."""
    admin = make_engine(server)
    try:
        with admin.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:  # no server: say so and carry on
        print(f"postgresql: skipped, {server} not reachable ({exc.__class__.__name__})")
        admin.dispose()
        yield None
        return
    name = f"bench_report_{uuid.uuid4().hex[:10]}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{server.rsplit('/', 1)[0]}/{name}"
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--companies", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backend", action="append", choices=("sqlite", "postgresql"))
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--url", help="time this existing database instead (nothing is written but a dropped index)")
    parser.add_argument(
        "--index", action="store_true", help="also time with an index on review (source_id, published_at)"
    )
    args = parser.parse_args()
    if args.url:
        bench(args.url, args.url.split(":", 1)[0], args, seed_first=False)
        return
    backends = args.backend or ["sqlite", "postgresql"]
    if "sqlite" in backends:
        with tempfile.TemporaryDirectory() as folder:
            bench(f"sqlite:///{Path(folder) / 'bench.db'}", "sqlite", args)
    if "postgresql" in backends:
        with pg_database(args.pg) as url:
            if url:
                bench(url, "postgresql", args)


if __name__ == "__main__":
    main()
