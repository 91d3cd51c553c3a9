"""A crawl's template classification for a company that already has many replies: milliseconds per crawl.

Usage: .venv/bin/python benchmarks/bench_classify.py [--replies 200000] [--crawl 10] [--rounds 20] [--keep DIR]

1. Imports an App Store layout export of `--replies` rows (`bench_import.write_export`: the real rows of
   tests/fixtures/app_store_export resampled, each with a new reviewer) into a fresh SQLite file with
   `monitor import`, so the company has a saved template index and templates of tens of thousands of replies.
2. Each round takes `--crawl` stored template replies, marks them unclassified, as a crawl leaves new replies,
   and times `classify_company_replies` on their reviews, as the crawl's analysis calls it; then rolls back.
   The first round also loads the saved index from the database, which a long-running process does once.
Reports the mode (must be incremental), the templates touched, and milliseconds per crawl (first, median, max).
`--keep DIR` keeps the database in DIR (and reuses one found there), so rounds can be rerun without importing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_import import monitor, write_export  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlmodel import Session  # noqa: E402

from monitor.runtime.context import open_database  # noqa: E402
from responders.template_replies.store import classify_company_replies  # noqa: E402

COMPANY = "Bench"


def seed(folder: Path, replies: int) -> str:
    """A database in `folder` holding an import of `replies` rows (made once, reused when kept)."""
    database_url = f"sqlite:///{folder / 'bench.db'}"
    if (folder / "bench.db").exists():
        return database_url
    export = folder / "export.csv"
    write_export(export, replies)
    env = {**os.environ, "MONITOR_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    env.pop("MONITOR_CONFIG", None)
    subprocess.run(monitor("import", str(export), "--company", COMPANY), env=env, check=True, capture_output=True)
    export.unlink()
    return database_url


def crawl_rounds(database_url: str, crawl: int, rounds: int) -> dict[str, object]:
    """Time `rounds` classifications of `crawl` newly stored replies each."""
    engine = open_database(database_url)
    timings: list[float] = []
    modes: set[str] = set()
    touched: list[int] = []
    with Session(engine) as session:
        company_id = session.execute(text("SELECT id FROM company WHERE name = :n"), {"n": COMPANY}).scalar_one()
        replies = session.execute(text("SELECT count(*) FROM company_reply")).scalar_one()
        templated = session.execute(
            text("SELECT review_id FROM company_reply WHERE template_id IS NOT NULL ORDER BY id DESC")
        ).scalars()
        pool = list(templated)
    for round_number in range(rounds):
        review_ids = pool[round_number * crawl : (round_number + 1) * crawl]
        with Session(engine) as session:
            marks = ",".join(map(str, review_ids))
            session.execute(
                text(f"UPDATE company_reply SET template_id = NULL, rote_score = NULL WHERE review_id IN ({marks})")
            )
            start = time.perf_counter()
            result = classify_company_replies(session=session, company_id=company_id, review_ids=review_ids)
            session.flush()
            timings.append(time.perf_counter() - start)
            session.rollback()
        modes.add(result.mode)
        touched.append(result.templates)
    engine.dispose()
    later = timings[1:] or timings
    return {
        "replies": replies,
        "crawl": crawl,
        "rounds": rounds,
        "modes": sorted(modes),
        "templates_touched_median": statistics.median(touched),
        "first_ms": round(timings[0] * 1000, 1),
        "median_ms": round(statistics.median(later) * 1000, 1),
        "max_ms": round(max(later) * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=200_000, help="rows of the seeding import")
    parser.add_argument("--crawl", type=int, default=10, help="new replies a crawl brings")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="keep (or reuse) the database in this folder")
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        print(json.dumps(crawl_rounds(seed(args.keep, args.replies), args.crawl, args.rounds)))
        return
    with tempfile.TemporaryDirectory(prefix="bench-classify-") as folder:
        print(json.dumps(crawl_rounds(seed(Path(folder), args.replies), args.crawl, args.rounds)))


if __name__ == "__main__":
    main()
