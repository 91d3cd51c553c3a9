"""How well does review text alone (rating ignored) predict an unhappy reviewer (rating <= 2 of 5)?

Usage:
    python benchmarks/eval_negativity.py                       # both exports under ../shared/fixtures
    python benchmarks/eval_negativity.py --google-play FILE --app-store FILE --show-flags 40
    python benchmarks/eval_negativity.py --compare-langdetect  # agreement with the langdetect package

Prints precision/recall/F1 overall, per detected language and per text length, the confusion matrix, the
middling (3-star) case, flag counts with examples to read by hand, and throughput.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import ftfy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.text.language import detect_language
from monitor.text.negativity import Verdict, assess

SHARED = Path(__file__).resolve().parents[2] / "shared" / "fixtures"
GOOGLE_PLAY = SHARED / "google_play_export" / "uber_google_play_2024_mojibake.csv"
APP_STORE = SHARED / "app_store_export" / "sg_food_delivery_app_store_reviews.csv"


@dataclass(frozen=True, slots=True)
class Row:
    """One review with its star rating out of five and a key that stays the same between runs."""

    text: str
    rating: int
    key: str = ""


def read_google_play(path: Path) -> list[Row]:
    """Rows of the Google Play export, mojibake repaired (the bytes were UTF-8 read as cp1252)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        # The export has no review id; its anonymised user names ("User_17") are unique per row.
        return [
            Row(ftfy.fix_text(record["content"] or ""), int(record["score"]), f"gp:{record['userName']}")
            for record in csv.DictReader(handle)
            if record.get("score", "").strip().isdigit()
        ]


def read_app_store(path: Path) -> list[Row]:
    """Rows of the App Store export; the title is part of what the reviewer wrote."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = []
        for record in csv.DictReader(handle):
            rating = (record.get("rating") or "").strip()
            if not rating.isdigit():
                continue
            title = (record.get("title") or "").strip()
            body = (record.get("review") or "").strip()
            # The unnamed first column numbers the rows of each app.
            key = f"as:{record.get('app', '')}:{record.get('', '')}"
            rows.append(Row(f"{title}. {body}" if title else body, int(rating), key))
        return rows


@dataclass(slots=True)
class Counts:
    """A 2x2 confusion matrix: truth = rating <= 2, prediction = text reads as a complaint."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, *, truth: bool, predicted: bool) -> None:
        if truth and predicted:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif truth:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def total(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    def figures(self) -> tuple[float, float, float]:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1

    def line(self, label: str) -> str:
        precision, recall, f1 = self.figures()
        positives = self.tp + self.fn
        return (
            f"| {label} | {self.total} | {positives} | {precision:.3f} | {recall:.3f} | {f1:.3f} "
            f"| {(self.tp + self.tn) / self.total if self.total else 0:.3f} |"
        )


def _length_bucket(text: str) -> str:
    words = len(text.split())
    if words <= 3:
        return "1-3 words"
    if words <= 15:
        return "4-15 words"
    return "16+ words"


def evaluate(name: str, rows: list[Row], *, show_flags: int, seed: int) -> None:
    """Print the figures for one dataset in Markdown."""
    started = time.perf_counter()
    verdicts: list[Verdict] = [assess(rating=None, text=row.text) for row in rows]
    elapsed = time.perf_counter() - started
    started = time.perf_counter()
    for row in rows:
        detect_language(row.text)
    detection = time.perf_counter() - started

    overall = Counts()
    by_language: dict[str, Counts] = defaultdict(Counts)
    by_length: dict[str, Counts] = defaultdict(Counts)
    for row, verdict in zip(rows, verdicts, strict=True):
        truth = row.rating <= 2
        overall.add(truth=truth, predicted=verdict.unhappy)
        by_language[verdict.language or "(none)"].add(truth=truth, predicted=verdict.unhappy)
        by_length[_length_bucket(row.text)].add(truth=truth, predicted=verdict.unhappy)

    print(f"\n## {name}: {len(rows)} reviews\n")
    print(
        f"Throughput: {len(rows) / elapsed:,.0f} texts/s (language detection included); "
        f"language detection alone {len(rows) / detection:,.0f} texts/s\n"
    )
    header = "| slice | reviews | rating <= 2 | precision | recall | F1 | accuracy |\n|---|---|---|---|---|---|---|"
    print(header)
    print(overall.line("all"))
    for language, counts in sorted(by_language.items(), key=lambda item: -item[1].total):
        if counts.total >= 15:
            print(counts.line(f"lang {language}"))
    small = sum(counts.total for counts in by_language.values() if counts.total < 15)
    print(f"\n(languages with fewer than 15 reviews, {small} reviews in all, are in 'all' only)\n")
    print(header)
    for bucket in ("1-3 words", "4-15 words", "16+ words"):
        print(by_length[bucket].line(bucket))
    print(
        "\nConfusion matrix (rows: truth, columns: text says unhappy)\n\n"
        "| | text: unhappy | text: not unhappy |\n|---|---|---|\n"
        f"| rating <= 2 | {overall.tp} | {overall.fn} |\n| rating >= 3 | {overall.fp} | {overall.tn} |"
    )
    _middling(rows)
    _by_rating(rows, verdicts)
    _flags(rows, verdicts, show=show_flags, seed=seed)


def _middling(rows: list[Row]) -> None:
    middling = [row for row in rows if row.rating == 3]
    caught = [row for row in middling if assess(rating=3, text=row.text).unhappy]
    share = len(caught) / len(middling) if middling else 0.0
    print(f"\nMiddling 3-star reviews: {len(middling)}; with complaint language (unhappy): {len(caught)} ({share:.1%})")


def _by_rating(rows: list[Row], verdicts: list[Verdict]) -> None:
    totals: Counter[int] = Counter()
    flagged: Counter[int] = Counter()
    for row, verdict in zip(rows, verdicts, strict=True):
        totals[row.rating] += 1
        flagged[row.rating] += verdict.unhappy
    cells = ", ".join(f"{stars}★ {flagged[stars] / totals[stars]:.1%} of {totals[stars]}" for stars in sorted(totals))
    print(f"\nShare that text alone calls unhappy, per star rating: {cells}")


def _flags(rows: list[Row], verdicts: list[Verdict], *, show: int, seed: int) -> None:
    rng = random.Random(seed)
    for flag in ("legal", "regulator", "fraud", "abuse"):
        hits = [(row, verdict) for row, verdict in zip(rows, verdicts, strict=True) if flag in verdict.flags]
        low = sum(1 for row, _ in hits if row.rating <= 2)
        print(f"\nFlag '{flag}': {len(hits)} reviews ({low} of them rated <= 2)")
        for row, verdict in rng.sample(hits, min(show, len(hits))):
            prefixes = ("legal", "complaint to a regulator", "fraud", "abusive")
            reason = next((reason for reason in verdict.reasons if reason.startswith(prefixes)), "")
            snippet = " ".join(row.text.split())[:160]
            print(f"- [{row.rating}★ {verdict.language}] {reason} :: {snippet!r}")


def compare_langdetect(rows: Iterable[Row]) -> None:
    """Agreement of monitor.text.language with the langdetect package where both give an answer."""
    from langdetect import DetectorFactory, LangDetectException, detect

    DetectorFactory.seed = 0
    agree = both = ours_none = theirs_none = 0
    mismatches: Counter[tuple[str, str]] = Counter()
    ours_time = theirs_time = 0.0
    for row in rows:
        started = time.perf_counter()
        ours = detect_language(row.text)
        ours_time += time.perf_counter() - started
        started = time.perf_counter()
        try:
            theirs: str | None = detect(row.text)
        except LangDetectException:
            theirs = None
        theirs_time += time.perf_counter() - started
        if ours is None:
            ours_none += 1
        if theirs is None:
            theirs_none += 1
        if ours and theirs:
            both += 1
            agree += ours == theirs
            if ours != theirs:
                mismatches[(ours, theirs)] += 1
    print(f"\nlangdetect comparison: both answered {both}, agreed {agree} ({agree / max(both, 1):.1%});")
    print(f"ours said None {ours_none}, langdetect failed {theirs_none}; time ours {ours_time:.2f}s, ")
    print(f"langdetect {theirs_time:.2f}s; top disagreements (ours, theirs): {mismatches.most_common(8)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--google-play", type=Path, default=GOOGLE_PLAY)
    parser.add_argument("--app-store", type=Path, default=APP_STORE)
    parser.add_argument("--show-flags", type=int, default=25, help="flagged examples to print per flag")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--compare-langdetect", action="store_true")
    args = parser.parse_args(argv)
    datasets = [
        ("Google Play, Uber 2024", args.google_play, read_google_play),
        ("App Store, Singapore food delivery", args.app_store, read_app_store),
    ]
    for name, path, reader in datasets:
        if not path.exists():
            print(f"skipping {name}: {path} not found", file=sys.stderr)
            continue
        rows = reader(path)
        evaluate(name, rows, show_flags=args.show_flags, seed=args.seed)
        if args.compare_langdetect:
            compare_langdetect(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
