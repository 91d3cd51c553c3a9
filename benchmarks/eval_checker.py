"""Run the reply checker over real company replies and print how often each rule fires, with samples.

Usage:
    python benchmarks/eval_checker.py [FIXTURES_DIR] [--sample N] [--seed S] [--all-ratings]

FIXTURES_DIR holds app_store_export/, hellopeter/ and google_play/ as recorded (default ../shared/fixtures).
By default only replies to reviews rated 3 or lower are checked: the checker is meant for replies to
unhappy reviewers. Each company reply is compared with the same company's 30 previous replies for
`template_copy`, the way an agent's own recent replies would be. The printed samples are what a person
reads to judge each rule's precision.
"""

from __future__ import annotations

import argparse
import ast
import csv
import gzip
import html
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from responders.checker.check import RULE_IDS, check_reply

_RECENT = 30


@dataclass(frozen=True)
class Reply:
    """One real company reply with the review it answers."""

    source: str
    company: str
    reviewer: str | None
    rating: float | None
    review: str
    reply: str


def _html_to_text(body: str) -> str:
    body = re.sub(r"<br\s*/?>|</div>|</p>", "\n", body, flags=re.IGNORECASE)
    body = re.sub(r"<!--.*?-->|<[^>]+>", "", body, flags=re.DOTALL)
    return html.unescape(body).strip()


def app_store(root: Path) -> Iterator[Reply]:
    """Developer responses from the App Store export (a Python-dict string per row)."""
    path = root / "app_store_export" / "sg_food_delivery_app_store_reviews.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda r: r["date"])
    for row in rows:
        raw = row["developerResponse"].strip()
        if not raw:
            continue
        body = ast.literal_eval(raw).get("body", "")  # a literal dict, never evaluated as code
        yield Reply("app_store", row["app"], row["userName"], float(row["rating"]), row["review"], body.strip())


def hellopeter(root: Path) -> Iterator[Reply]:
    """First public business message of each HelloPeter review (private-reply placeholders skipped)."""
    path = root / "hellopeter" / "cell-c_2021_reviews.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        records = sorted((json.loads(line) for line in handle), key=lambda r: r["created_at"])
    for record in records:
        for message in record.get("messages") or []:
            if message.get("owner") == 2 and message.get("type") == "Public":
                rating = record.get("review_rating")
                yield Reply(
                    "hellopeter",
                    record.get("business_slug", "cell-c"),
                    record.get("author"),
                    float(rating) if rating not in (None, "None", "") else None,
                    _html_to_text(record.get("review_content") or ""),
                    _html_to_text(message.get("body") or ""),
                )
                break


_JSON_STRING = r'"((?:[^"\\]|\\.)*)"'
_PLAY_REVIEW = re.compile(
    r'\["gp:[^"]+",\s*\['
    + _JSON_STRING
    + r",.*?\],\s*(\d),\s*null,\s*"
    + _JSON_STRING
    + r",\s*\[\d+,\s*\d+\],\s*\d+,\s*\["
    + _JSON_STRING
    + r",\s*"
    + _JSON_STRING,
    re.DOTALL,
)


def google_play(root: Path) -> Iterator[Reply]:
    """Developer replies embedded in the saved Google Play page (ds:18 review arrays)."""
    page = (root / "google_play" / "dunzo-delivery-partner_play_listing_2021.html").read_text(encoding="utf-8")
    for match in _PLAY_REVIEW.finditer(page):
        name, score, review, developer, reply = (
            json.loads(f'"{g}"') if i != 1 else g for i, g in enumerate(match.groups())
        )
        yield Reply("google_play", developer, name, float(score), review, reply.strip())


def main() -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fixtures", nargs="?", default=str(Path(__file__).resolve().parents[2] / "shared" / "fixtures"))
    parser.add_argument("--sample", type=int, default=20, help="flagged replies to print per rule")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--all-ratings", action="store_true", help="also check replies to 4-5 star reviews")
    args = parser.parse_args()
    root = Path(args.fixtures)
    replies = [r for loader in (app_store, hellopeter, google_play) for r in loader(root) if r.reply]
    if not args.all_ratings:
        replies = [r for r in replies if r.rating is None or r.rating <= 3]
    history: dict[str, list[str]] = defaultdict(list)
    flagged: dict[str, list[tuple[Reply, str]]] = defaultdict(list)
    per_source = Counter(r.source for r in replies)
    started = time.perf_counter()
    for reply in replies:
        past = history[reply.company]
        result = check_reply(
            reply.reply,
            name=reply.reviewer,
            review_text=reply.review,
            recent_replies=past[-_RECENT:],
        )
        past.append(reply.reply)
        for rule in {f.rule for f in result.findings}:
            spans = "; ".join(reply.reply[f.start : f.end] for f in result.findings if f.rule == rule)
            flagged[rule].append((reply, spans))
    elapsed = time.perf_counter() - started
    print(f"checked {len(replies)} replies ({dict(per_source)}) in {elapsed:.1f}s")
    rng = random.Random(args.seed)
    for rule in RULE_IDS:
        hits = flagged.get(rule, [])
        print(f"\n=== {rule}: {len(hits)} of {len(replies)} ({len(hits) / max(len(replies), 1):.0%})")
        for reply, spans in rng.sample(hits, min(args.sample, len(hits))):
            text = " ".join(reply.reply.split())
            print(f"- [{reply.source} {reply.rating}] {text[:300]}")
            print(f"    -> {' '.join(spans.split())[:160]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
