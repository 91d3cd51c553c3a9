"""Cost of storing and analysing crawled reviews: `upsert_reviews` + `analyse_new_data` per stored review.

Stores real HelloPeter records of the test fixtures (300 records) the way a crawl's finishing step does, in a
fresh SQLite file, and reports CPU milliseconds per review for the store and for each analysis stage
(negativity, templates, queue).

    python benchmarks/bench_store.py --sources 50 --reviews 100               # one company per source
    python benchmarks/bench_store.py --sources 50 --reviews 100 --one-company # the crawl benchmark's data

`--one-company` stores what `bench_crawl.py --scenario 50x10` crawls: every source belongs to one company and
the records run on through the recording (wrapping round with new ids), so the company's replies grow from
source to source and a reviewer's later reviews join their task. Without it each source is its own company and
reads the same first records.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import time
import tomllib
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_crawl import api_pages  # noqa: E402

from monitor.crawl import pipeline  # noqa: E402
from monitor.runtime.config_file import parse_settings  # noqa: E402
from monitor.runtime.context import open_database  # noqa: E402
from monitor.store.db import session_scope  # noqa: E402
from monitor.store.repository import sync_config, upsert_reviews  # noqa: E402
from sources.base import ReviewRecord  # noqa: E402
from sources.hellopeter import record_to_review  # noqa: E402

FIXTURE = ROOT / "tests/fixtures/hellopeter/cell-c_2021_reviews_first300.jsonl.gz"
PAGE_SIZE = 10
STAGES = {"negativity": "assess_reviews", "templates": "classify_company_replies", "queue": "update_queue"}


def _records(sources: int, reviews: int, one_company: bool) -> list[list[ReviewRecord]]:
    """The records each source stores."""
    if one_company:
        pages = -(-reviews // PAGE_SIZE)
        return [
            [record_to_review(raw) for body in api_pages(pages, i * pages) for raw in json.loads(body)["data"]][
                :reviews
            ]
            for i in range(sources)
        ]
    lines = gzip.decompress(FIXTURE.read_bytes()).splitlines()
    first = [record_to_review(json.loads(line)) for line in lines][:reviews]
    return [first] * sources


def _timed(spent: Counter[str], stage: str, work: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return work(*args, **kwargs)
        finally:
            spent[stage] += time.process_time() - started

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=50)
    parser.add_argument(
        "--reviews", type=int, default=100, help="reviews per source (at most 300 without --one-company)"
    )
    parser.add_argument("--one-company", action="store_true", help="every source in one company, as bench_crawl")
    args = parser.parse_args()
    per_source = _records(args.sources, args.reviews, args.one_company)
    spent: Counter[str] = Counter()
    for stage, name in STAGES.items():
        setattr(pipeline, name, _timed(spent, stage, getattr(pipeline, name)))
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        companies = ['[[company]]\nname = "C"\n'] if args.one_company else []
        for i in range(args.sources):
            if not args.one_company:
                companies.append(f'[[company]]\nname = "C{i}"\n')
            companies.append(f'[[company.source]]\nname = "s{i}"\nkind = "hellopeter"\nlocator = "x{i}"\n')
        settings = parse_settings(
            tomllib.loads(f'database_url = "{url}"\n' + "".join(companies)), where="bench", env={}
        )
        engine = open_database(url)
        with session_scope(engine) as session:
            rows = sync_config(session=session, settings=settings)
        for i, records in enumerate(per_source):
            with session_scope(engine) as session:
                source = session.merge(rows[f"s{i}"])
                started = time.process_time()
                result = upsert_reviews(session=session, source=source, records=records)
                stored = time.process_time()
                pipeline.analyse_new_data(session=session, settings=settings, source=source, result=result)
                spent["store"] += stored - started
                spent["analyse"] += time.process_time() - stored
        engine.dispose()
    total = sum(map(len, per_source))
    layout = "one company" if args.one_company else "one company per source"
    print(f"{total} reviews in {args.sources} sources ({layout}); CPU ms per review:")
    print(f"store:   {spent['store'] * 1000 / total:.2f}")
    print(f"analyse: {spent['analyse'] * 1000 / total:.2f}", end="")
    print(" (" + ", ".join(f"{stage} {spent[stage] * 1000 / total:.2f}" for stage in STAGES) + ")")
    print(f"total:   {(spent['store'] + spent['analyse']) * 1000 / total:.2f}")


if __name__ == "__main__":
    main()
