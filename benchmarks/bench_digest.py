"""How long the digest of a bad day takes: 10,000 new unhappy reviews (plus a month before) in a temp SQLite.

Run: .venv/bin/python benchmarks/bench_digest.py [--reviews 10000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import Session

from monitor.digest.build import build_digest
from monitor.digest.render import render_html, render_terminal, render_text
from monitor.runtime.context import open_database
from monitor.store.models import Company, CompanyReply, Review, SourceRow

DAY = date(2024, 3, 11)
WORD_TEXT = """refund order delivery late driver cancelled rude support agent waited hours money charged twice
app crashes login code never arrived account blocked restaurant cold food missing item"""
WORDS = WORD_TEXT.split()


def _text(rng: random.Random, today: bool) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 40)))
    # A complaint that grows on the benchmark day, so the theme ranking has real work to do.
    return text + (" the promo voucher expired." if today and rng.random() < 0.3 else ".")


def build(folder: Path, reviews: int, seed: int = 7) -> str:
    """A migrated SQLite file with `reviews` new unhappy reviews on DAY and as many spread over 35 days before."""
    url = f"sqlite:///{folder / 'bench.db'}"
    engine = open_database(url)
    rng = random.Random(seed)
    with Session(engine) as session:
        company = Company(name="Bench", timezone="Europe/Berlin")
        session.add(company)
        session.flush()
        sources = [SourceRow(company_id=company.id or 0, name=f"src{i}", kind="file", locator="x") for i in range(4)]
        session.add_all(sources)
        session.commit()
        source_ids = [s.id for s in sources]
    day_start = datetime(2024, 3, 11, 0, 0, tzinfo=UTC)
    rows = []
    for i in range(reviews * 2):
        today = i < reviews
        seen = (
            day_start
            + timedelta(seconds=rng.randint(0, 80000))
            - (timedelta(0) if today else timedelta(days=rng.randint(1, 35)))
        )
        rows.append(
            {
                "source_id": rng.choice(source_ids),
                "site_review_id": f"r{i}",
                "url": f"https://example.com/r/{i}",
                "author_name": f"Reviewer {i}",
                "rating": float(rng.randint(1, 2)),
                "rating_scale": 5,
                "body": _text(rng, today),
                "published_at": seen,
                "first_seen": seen,
                "last_seen": seen,
                "unhappy": True,
                "severity": rng.random(),
                "flags": "legal" if rng.random() < 0.01 else "",
                "helpful_votes": rng.randint(0, 50),
                "fingerprint": "",
                "extra": {},
            }
        )
    with engine.begin() as conn:
        conn.execute(insert(Review), rows)
        replies = [
            {
                "review_id": i + 1,
                "text": "We are sorry to hear that, please contact support." if i % 3 else f"Personal answer {i}",
                "published_at": rows[i]["first_seen"] + timedelta(hours=1),
                "first_seen": rows[i]["first_seen"] + timedelta(hours=1),
                "template_id": "tbench" if i % 3 else None,
            }
            for i in range(0, len(rows), 2)
        ]
        conn.execute(insert(CompanyReply), replies)
    engine.dispose()
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reviews", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        url = build(Path(tmp), args.reviews)
        took = time.perf_counter() - started
        print(f"built {args.reviews} new + {args.reviews} earlier unhappy reviews in {took:.1f} s")
        engine = open_database(url)
        with Session(engine) as session:
            started = time.perf_counter()
            digest = build_digest(session=session, day=DAY)
            queried = time.perf_counter() - started
        started = time.perf_counter()
        page = render_html(digest)
        text = render_text(digest)
        render_terminal(digest)
        rendered = time.perf_counter() - started
        company = digest.companies[0]
        print(f"queries + themes: {queried:.2f} s; rendering (HTML, text, terminal): {rendered:.3f} s")
        print(
            f"new unhappy: {company.new_unhappy}; themes: {[t.term for t in company.themes[:5]]}; "
            f"HTML {len(page) / 1024:.0f} KiB, text {len(text) / 1024:.0f} KiB"
        )
        engine.dispose()


if __name__ == "__main__":
    main()
