"""Cost of storing and analysing crawled reviews: `upsert_reviews` + `analyse_new_data` per stored review.

Stores the 300 real HelloPeter records of the test fixtures under many sources (one company each) in a
fresh SQLite file, the way a crawl's finishing step does, and reports milliseconds per review for the
store and for the analysis stages (negativity, templates, queue).

    python benchmarks/bench_store.py --sources 50 --reviews 100
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import time
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.crawl.pipeline import analyse_new_data
from monitor.runtime.config_file import parse_settings
from monitor.runtime.context import open_database
from monitor.store.db import session_scope
from monitor.store.repository import sync_config, upsert_reviews
from sources.hellopeter import record_to_review

FIXTURE = Path(__file__).resolve().parents[1] / "tests/fixtures/hellopeter/cell-c_2021_reviews_first300.jsonl.gz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=50)
    parser.add_argument("--reviews", type=int, default=100, help="reviews per source (at most 300)")
    args = parser.parse_args()
    records = [record_to_review(json.loads(line)) for line in gzip.decompress(FIXTURE.read_bytes()).splitlines()]
    records = records[: args.reviews]
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        text = f'database_url = "{url}"\n' + "".join(
            f'[[company]]\nname = "C{i}"\n[[company.source]]\nname = "s{i}"\nkind = "hellopeter"\nlocator = "x{i}"\n'
            for i in range(args.sources)
        )
        settings = parse_settings(tomllib.loads(text), where="bench", env={})
        engine = open_database(url)
        with session_scope(engine) as session:
            rows = sync_config(session=session, settings=settings)
        store = analyse = 0.0
        for i in range(args.sources):
            with session_scope(engine) as session:
                source = session.merge(rows[f"s{i}"])
                started = time.perf_counter()
                result = upsert_reviews(session=session, source=source, records=records)
                stored = time.perf_counter()
                analyse_new_data(session=session, settings=settings, source=source, result=result)
                store += stored - started
                analyse += time.perf_counter() - stored
        engine.dispose()
    total = args.sources * len(records)
    print(f"{total} reviews in {args.sources} sources")
    print(f"store:   {store * 1000 / total:.2f} ms per review")
    print(f"analyse: {analyse * 1000 / total:.2f} ms per review (negativity, templates, queue)")
    print(f"total:   {(store + analyse) * 1000 / total:.2f} ms per review")


if __name__ == "__main__":
    main()
