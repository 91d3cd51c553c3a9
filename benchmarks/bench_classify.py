"""Milliseconds of a crawl's template classification for a company with many replies; its saved index's size.

Measures the crawl's classification (`classify_company_replies`) and the size, load time and memory of the saved
template index.

Usage: .venv/bin/python benchmarks/bench_classify.py [--replies 200000] [--personal 0.25] [--crawl 10] [--rounds 20]
                                                     [--keep DIR] [--commit]
       .venv/bin/python benchmarks/bench_classify.py --small    # full against incremental for small companies

1. Imports an App Store layout export of `--replies` rows (`bench_import.write_export`: the real rows of
   tests/fixtures/app_store_export resampled, each with a new reviewer) into a fresh SQLite file with
   `monitor import`, so the company has templates of tens of thousands of replies. `--personal SHARE` then
   rewrites that share of the replies as unique personal texts (12-40 random words of the replies' vocabulary),
   as a company that also answers personally has them: they are the loose replies of its index.
2. Classifies the company fully (timed) and reports the saved index: its size, the time to load it (gunzip, JSON,
   rebuild, and one reply assigned that matches no template, which builds the loose replies' look-up), the memory
   the loaded index takes (tracemalloc) and the templates and loose texts it holds.
3. Each round stores `--crawl` new reviews with replies, as a crawl does: copies of stored replies (so mostly
   template copies) to new reviewers and, with `--personal`, that share of new personal replies; then times
   `classify_company_replies` on their reviews, as the crawl's analysis calls it, and rolls back. The first round
   also loads the saved index from the database, which a long-running process does once.
Reports the modes (and why a call re-clustered), the templates touched, and milliseconds per crawl (first, median,
mean, max). `--keep DIR` keeps the database in DIR (and reuses one found there), so rounds can be rerun without
importing. `--commit` keeps each crawl instead of rolling it back (on a copy of the seeded database), so that what
one crawl leaves (replies that matched no template, say) weighs on the next ones, as it does in production.

`--small` stores N real fixture replies (tests/fixtures/replies) for a company, classifies them, then times
crawls of `--crawl` further replies classified fully and with the index, for N in `--sizes`: the smallest company
for which the index pays.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_import import monitor, write_export  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlmodel import Session, col, select  # noqa: E402

from monitor.runtime.context import open_database  # noqa: E402
from monitor.store.db import utcnow  # noqa: E402
from monitor.store.models import CompanyReply, Review, SourceRow  # noqa: E402
from monitor.store.template_models import TemplateIndexState  # noqa: E402
from responders.template_replies import store  # noqa: E402
from responders.template_replies.index import TemplateIndex  # noqa: E402
from responders.template_replies.store import classify_company_replies  # noqa: E402

COMPANY = "Bench"
REPLY_FIXTURES = ROOT / "tests" / "fixtures" / "replies"


def personal_texts(vocabulary: list[str], count: int, rng: random.Random) -> list[str]:
    """Unique personal replies: 12-40 random words of the replies' vocabulary."""
    return [
        " ".join(rng.choice(vocabulary) for _ in range(rng.randint(12, 40))).capitalize() + "." for _ in range(count)
    ]


def seed(folder: Path, replies: int, personal: float) -> str:
    """A database in `folder` holding an import of `replies` rows, `personal` of its replies made personal (made
    once, reused when kept)."""
    path = folder / f"bench-{replies}-{personal}.db"
    database_url = f"sqlite:///{path}"
    if path.exists():
        return database_url
    export = folder / "export.csv"
    write_export(export, replies)
    env = {**os.environ, "MONITOR_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    env.pop("MONITOR_CONFIG", None)
    subprocess.run(monitor("import", str(export), "--company", COMPANY), env=env, check=True, capture_output=True)
    export.unlink()
    if personal:
        engine = open_database(database_url)
        with Session(engine) as session:
            rows = session.execute(text("SELECT id, text FROM company_reply ORDER BY id")).all()
            rng = random.Random(11)
            vocabulary = sorted({word for _, body in rows[:5_000] for word in body.split() if word.isalpha()})
            chosen = rng.sample([reply_id for reply_id, _ in rows], int(len(rows) * personal))
            for reply_id, body in zip(chosen, personal_texts(vocabulary, len(chosen), rng), strict=True):
                session.execute(text("UPDATE company_reply SET text = :t WHERE id = :i"), {"t": body, "i": reply_id})
            session.commit()
        engine.dispose()
    return database_url


def index_figures(session: Session, company_id: int) -> dict[str, Any]:
    """The saved index: bytes, load time (until it has assigned a reply that matches no template, which builds the
    loose replies' look-up) and memory, templates and loose texts."""
    state = session.get(TemplateIndexState, company_id)
    if state is None:
        return {"index_bytes": 0}
    unmatched = "Dear customer the parcel from our warehouse in Leeds left on Monday and should reach you soon."

    def load() -> TemplateIndex:
        data = json.loads(gzip.decompress(state.data))
        index = TemplateIndex.from_dict(data.get("index", data))  # the store wraps the index with its own fields now
        fork = getattr(index, "fork", lambda: index)()
        fork.assign(unmatched, str(company_id))
        return index

    started = time.perf_counter()
    index = load()
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    loaded = load()
    memory = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del loaded
    return {
        "index_bytes": len(state.data),
        "index_load_ms": round(elapsed * 1000, 1),
        "index_memory_mb": round(memory / 2**20, 1),
        "index_templates": len(index),
        "index_loose_texts": getattr(index, "loose_count", None),
    }


def new_reviews(session: Session, sources: list[int], texts: list[str], tag: str) -> list[int]:
    """Store reviews with these replies, each to a new reviewer, as a crawl stores them; their ids."""
    now = utcnow()
    columns = [column.name for column in Review.__table__.columns if column.name != "id"]  # type: ignore[attr-defined]
    ids = []
    for number, body in enumerate(texts):
        model = session.get(Review, sources[number % len(sources)])
        assert model is not None
        review = Review(**{name: getattr(model, name) for name in columns})
        review.site_review_id = review.author_handle = f"{tag}-{number}"
        review.first_seen = review.last_seen = now
        session.add(review)
        session.flush()
        session.add(CompanyReply(review_id=review.id or 0, text=body, published_at=now, first_seen=now))
        ids.append(review.id or 0)
    session.flush()
    return ids


def crawl_rounds(database_url: str, crawl: int, rounds: int, personal: float, commit: bool) -> dict[str, Any]:
    """A full classification, the saved index's figures, then `rounds` classifications of `crawl` new replies
    (kept when `commit`, else rolled back)."""
    engine = open_database(database_url)
    with Session(engine) as session:
        company_id = session.execute(text("SELECT id FROM company WHERE name = :n"), {"n": COMPANY}).scalar_one()
        started = time.perf_counter()
        full = classify_company_replies(session=session, company_id=company_id, force_full=True)
        full_ms = round((time.perf_counter() - started) * 1000, 1)
        session.commit()
        figures = index_figures(session, company_id)
        replied = session.exec(select(CompanyReply.review_id, CompanyReply.text).order_by(col(CompanyReply.id))).all()
    store._loaded.clear()  # the first round loads the saved index, as a new process does
    rng = random.Random(5)
    vocabulary = sorted({word for _, body in replied[:5_000] for word in body.split() if word.isalpha()})
    timings: list[float] = []
    modes: dict[str, int] = {}
    touched: list[int] = []
    for round_number in range(rounds):
        picked = [rng.choice(replied) for _ in range(crawl)]
        texts = [body for _, body in picked]
        for position in range(crawl):
            if rng.random() < personal:
                texts[position] = personal_texts(vocabulary, 1, rng)[0]
        with Session(engine) as session:
            review_ids = new_reviews(session, [review_id for review_id, _ in picked], texts, f"round{round_number}")
            started = time.perf_counter()
            result = classify_company_replies(session=session, company_id=company_id, review_ids=review_ids)
            session.flush()
            timings.append(time.perf_counter() - started)
            if commit:
                session.commit()
            else:
                session.rollback()
        reason = getattr(result, "reason", "")  # why a call re-clustered (not reported before the loose replies)
        mode = f"{result.mode}: {reason}" if reason else result.mode
        modes[mode] = modes.get(mode, 0) + 1
        touched.append(result.templates)
    engine.dispose()
    later = timings[1:] or timings
    return {
        "replies": full.replies,
        "templated": full.templated,
        "templates": full.templates,
        "personal": personal,
        "full_ms": full_ms,
        **figures,
        "crawl": crawl,
        "rounds": rounds,
        "modes": modes,
        "templates_touched_median": statistics.median(touched),
        "first_ms": round(timings[0] * 1000, 1),
        "median_ms": round(statistics.median(later) * 1000, 1),
        "mean_ms": round(statistics.mean(later) * 1000, 1),
        "max_ms": round(max(later) * 1000, 1),
    }


def _store_replies(session: Session, source: SourceRow, texts: list[str], first: int, now: datetime) -> list[int]:
    """Store reviews with these replies, each to a new reviewer; their ids."""
    from tests.db_fixtures import add_reply, add_review

    ids = []
    for number, body in enumerate(texts, first):
        review = add_review(session, source, published=now - timedelta(days=1), handle=f"u{number}")
        add_reply(session, review, published=now - timedelta(hours=20), text=body)
        ids.append(review.id or 0)
    return ids


def small_companies(sizes: list[int], crawl: int, rounds: int) -> None:
    """Per company size: median CPU ms of a crawl's classification, full and with the saved index.

    The company holds `size` real replies (the fixtures', shuffled); each crawl brings `crawl` new personal replies
    (random words of the fixtures' vocabulary), so no template forms and the index path stays incremental."""
    from tests.db_fixtures import add_company, add_source, sqlite_session

    texts = [
        json.loads(line)["reply"]
        for name in sorted(REPLY_FIXTURES.glob("*.jsonl"))
        for line in name.read_text(encoding="utf-8").splitlines()
    ]
    random.Random(3).shuffle(texts)
    vocabulary = sorted({word for body in texts for word in body.split() if word.isalpha()})
    for size in sizes:
        line: dict[str, Any] = {"replies": size}
        for mode in ("full", "incremental"):
            rng = random.Random(size)
            with tempfile.TemporaryDirectory() as folder:
                session = next(sqlite_session(Path(folder)))
                company = add_company(session)
                source = add_source(session, company)
                now = utcnow()
                _store_replies(session, source, [texts[n % len(texts)] for n in range(size)], 0, now)
                classify_company_replies(session=session, company_id=company.id or 0, now=now)
                timings = []
                for number in range(rounds):
                    fresh = personal_texts(vocabulary, crawl, rng)
                    review_ids = _store_replies(session, source, fresh, size + number * crawl, now)
                    started = time.process_time()
                    result = classify_company_replies(
                        session=session,
                        company_id=company.id or 0,
                        review_ids=review_ids,
                        now=now,
                        force_full=mode == "full",
                    )
                    timings.append(time.process_time() - started)
                    line[f"{mode}_modes"] = sorted({*line.get(f"{mode}_modes", []), result.mode})
                line[f"{mode}_ms"] = round(statistics.median(timings) * 1000, 1)
                session.close()
        print(json.dumps(line))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--replies", type=int, default=200_000, help="rows of the seeding import")
    parser.add_argument("--personal", type=float, default=0.0, help="share of replies made unique personal texts")
    parser.add_argument("--crawl", type=int, default=10, help="new replies a crawl brings")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="keep (or reuse) the database in this folder")
    parser.add_argument(
        "--commit",
        action="store_true",
        help="keep each crawl (on a copy of the seeded database) instead of rolling back",
    )
    parser.add_argument("--small", action="store_true", help="time full and incremental crawls of small companies")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 30, 100, 300], help="company sizes for --small")
    args = parser.parse_args()
    if args.small:
        small_companies(args.sizes, args.crawl, args.rounds)
        return
    with tempfile.TemporaryDirectory(prefix="bench-classify-") as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        database_url = seed(folder, args.replies, args.personal)
        if args.commit:  # crawls are kept: work on a copy, so that the seeded database stays as it was
            copy = Path(scratch) / "work.db"
            shutil.copyfile(database_url.removeprefix("sqlite:///"), copy)
            database_url = f"sqlite:///{copy}"
        print(json.dumps(crawl_rounds(database_url, args.crawl, args.rounds, args.personal, args.commit)))


if __name__ == "__main__":
    main()
