"""Precision and recall of the negativity flags (legal, regulator, fraud, abuse) on hand-labelled real reviews.

Usage:
    python benchmarks/eval_flags.py                      # reviews from ../shared/fixtures
    python benchmarks/eval_flags.py --shared DIR --show fraud   # also list the disagreements for one flag

Labels: benchmarks/data/flag_labels.csv (file, id, set, how the row was picked, one 0/1 column per flag). The "dev"
rows were read while the flag rules were written, the "test" rows were labelled before the rules were run on them:
the test figures are the honest ones. The "masked" rows (reviews with words the site or the reviewer masked, such as
"****ing" or "f*ck") were labelled before masked words were read. The labels say what the text says; the product
raises no legal, regulator or fraud flag on a review rated 4-5 of 5, so recall is also given on the reviews it may
flag (rated 1-3 or unrated).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import ftfy

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.text.negativity import FLAGS, assess, is_high_rating  # noqa: E402

LABELS = ROOT / "benchmarks" / "data" / "flag_labels.csv"
ORDER = ("legal", "regulator", "fraud", "abuse")


@dataclass(frozen=True, slots=True)
class Review:
    """One review of an export: what the reviewer wrote and the stars they gave (of 5)."""

    title: str | None
    body: str
    rating: float | None


def _hellopeter(path: Path) -> Iterator[tuple[str, Review]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            rating = str(record.get("review_rating") or "").strip()
            yield (
                str(record["id"]),
                Review(
                    record.get("review_title"), record.get("review_content") or "", float(rating) if rating else None
                ),
            )


def _app_store(path: Path) -> Iterator[tuple[str, Review]]:
    with path.open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            rating = (record.get("rating") or "").strip()
            review = Review(record.get("title") or None, record.get("review") or "", float(rating) if rating else None)
            yield f"{record['app']}:{record['']}", review


def _google_play(path: Path) -> Iterator[tuple[str, Review]]:
    # The bytes are UTF-8 text that was once decoded as cp1252: ftfy repairs it.
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for record in csv.DictReader(handle):
            rating = (record.get("score") or "").strip()
            review = Review(None, ftfy.fix_text(record.get("content") or ""), float(rating) if rating else None)
            yield record["userName"], review


READERS = {
    "hellopeter/cell-c_2021_reviews.jsonl.gz": _hellopeter,
    "app_store_export/sg_food_delivery_app_store_reviews.csv": _app_store,
    "google_play_export/uber_google_play_2024_mojibake.csv": _google_play,
}


def read_labels(path: Path = LABELS) -> list[dict[str, str]]:
    """The labelled rows, comment lines skipped."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


def load_reviews(shared: Path, rows: list[dict[str, str]]) -> dict[tuple[str, str], Review]:
    """The labelled reviews, read from the exports under ``shared``."""
    wanted = {(row["file"], row["id"]) for row in rows}
    found: dict[tuple[str, str], Review] = {}
    for name in sorted({file for file, _ in wanted}):
        if name not in READERS:
            raise SystemExit(f"no reader for {name}")
        for review_id, review in READERS[name](shared / name):
            if (name, review_id) in wanted:
                found[(name, review_id)] = review
    missing = wanted - set(found)
    if missing:
        raise SystemExit(f"{len(missing)} labelled reviews not found under {shared}, e.g. {sorted(missing)[:3]}")
    return found


@dataclass(slots=True)
class Counts:
    """Agreement of one flag with the labels."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    fn_high: int = 0  # missed because the review is rated 4-5 of 5, by design

    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    def recall_flaggable(self) -> float:
        flaggable = self.tp + self.fn - self.fn_high
        return self.tp / flaggable if flaggable else 0.0


def evaluate(shared: Path, show: str | None = None) -> dict[str, dict[str, Counts]]:
    """Counts per set ("dev", "test", "masked", "all") and flag; print the disagreements for ``show``."""
    rows = read_labels()
    reviews = load_reviews(shared, rows)
    sets: dict[str, dict[str, Counts]] = {}
    for row in rows:
        review = reviews[(row["file"], row["id"])]
        verdict = assess(rating=review.rating, text=review.body, title=review.title)
        for flag in ORDER:
            truth, predicted = row[flag] == "1", flag in verdict.flags
            for name in (row["set"], "all"):
                tally = sets.setdefault(name, {f: Counts() for f in ORDER})[flag]
                if truth and predicted:
                    tally.tp += 1
                elif predicted:
                    tally.fp += 1
                elif truth:
                    tally.fn += 1
                    tally.fn_high += is_high_rating(review.rating)
            if show == flag and truth != predicted:
                text = " ".join(f"{review.title or ''} // {review.body}".split())[:300]
                kind = "false flag" if predicted else "missed"
                print(f"{kind} ({row['set']}): {row['file'].split('/')[0]} {row['id']} rating {review.rating}: {text}")
                print(f"    {verdict.reasons}")
    return sets


def main() -> None:
    """Print a table of precision and recall per flag."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "fixtures")
    parser.add_argument("--show", choices=sorted(FLAGS), help="list the reviews where this flag disagrees")
    args = parser.parse_args()
    sets = evaluate(args.shared, args.show)
    rows = read_labels()
    print("| set | flag | labelled | flagged | right | precision | recall | recall, rated 1-3 or unrated |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name in ("test", "masked", "dev", "all"):
        size = len(rows) if name == "all" else sum(row["set"] == name for row in rows)
        for flag in ORDER:
            c = sets[name][flag]
            print(
                f"| {name} ({size}) | {flag} | {c.tp + c.fn} | {c.tp + c.fp} | {c.tp} | {c.precision():.2f} "
                f"| {c.recall():.2f} | {c.recall_flaggable():.2f} |"
            )


if __name__ == "__main__":
    main()
