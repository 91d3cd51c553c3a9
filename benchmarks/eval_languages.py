"""Text-only negativity per language on a held-out split of the exports, for the languages added after the first.

Usage:
    python benchmarks/eval_languages.py                    # P/R/F1 per language on the test split
    python benchmarks/eval_languages.py --counts           # rows per language in each split, nothing else
    python benchmarks/eval_languages.py --show tl          # the dev rows detected as Tagalog, to read

Each review goes to "dev" or "test" by a fixed hash of its key (Google Play: the anonymised user name, unique
per row; App Store: app and row number), so the split never changes between runs. Lexicon words may be written
while reading dev rows; the test rows are only ever counted. A row's language is what the product detects;
"hi-Latn" is Latin-script text (detected English or undecided) with two or more Hindi function words.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eval_negativity import APP_STORE, GOOGLE_PLAY, Counts, Row, read_app_store, read_google_play

from monitor.text.language import detect_language
from monitor.text.negativity import assess

# The languages added for the largest app markets and Hinglish; the rest (es and ar had small lexicons before)
# are shown after them for comparison.
NEW = ("tl", "id", "ms", "hi", "hi-Latn", "fr", "vi", "th")
# A slice this small says nothing about F1: one review moves it by several points.
MIN_ROWS = 30
MIN_CLASS = 5
# Hindi function words that do not occur in English, to find Hinglish among texts read as English or undecided.
_HINGLISH = frozenset(
    {
        *("hai", "hain", "nahi", "nahin", "nhi", "bhi", "kya", "kyu", "kyun", "kyon", "mein", "aur", "yeh"),
        *("tha", "thi", "kar", "karo", "karte", "diya", "gaya", "raha", "rahe", "hota", "hoti", "bahut"),
        *("bohot", "bhot", "accha", "acha", "achha", "apna", "apne", "unka", "uska", "kuch", "sab", "wala"),
        *("wale", "liye"),
    }
)
_WORD = re.compile(r"[a-z]+")


def split_of(row: Row) -> str:
    """Which half of the split a row is in ("dev" or "test"), fixed by a hash of its key."""
    return "dev" if hashlib.sha256(row.key.encode()).digest()[0] % 2 == 0 else "test"


def language_of(row: Row) -> str:
    """The detected language, "hi-Latn" for Hinglish, or "(none)"."""
    detected = detect_language(row.text)
    if detected in (None, "en"):
        words = set(_WORD.findall(row.text.lower()))
        if len(words & _HINGLISH) >= 2:
            return "hi-Latn"
    return detected or "(none)"


def _rows() -> list[Row]:
    rows: list[Row] = []
    for path, reader in ((GOOGLE_PLAY, read_google_play), (APP_STORE, read_app_store)):
        if path.exists():
            rows.extend(reader(path))
        else:
            print(f"skipping {path}: not found", file=sys.stderr)
    return rows


def _judgeable(counts: Counts) -> bool:
    positives = counts.tp + counts.fn
    return counts.total >= MIN_ROWS and positives >= MIN_CLASS and counts.total - positives >= MIN_CLASS


def evaluate(rows: list[Row], split: str) -> None:
    """Print P/R/F1 per language on one split, the new languages pooled, and the throughput."""
    chosen = [row for row in rows if split_of(row) == split]
    started = time.perf_counter()
    languages = [language_of(row) for row in chosen]
    predicted = [assess(rating=None, text=row.text).unhappy for row in chosen]
    elapsed = time.perf_counter() - started
    by_language: dict[str, Counts] = defaultdict(Counts)
    pooled = Counts()
    for row, language, unhappy in zip(chosen, languages, predicted, strict=True):
        truth = row.rating <= 2
        by_language[language].add(truth=truth, predicted=unhappy)
        if language in NEW:
            pooled.add(truth=truth, predicted=unhappy)
    print(f"\n## {split} split: {len(chosen)} reviews ({len(chosen) / elapsed:,.0f} texts/s)\n")
    print("| slice | reviews | rating <= 2 | precision | recall | F1 | accuracy |\n|---|---|---|---|---|---|---|")
    for language in NEW:
        counts = by_language.get(language, Counts())
        note = "" if _judgeable(counts) else " (too few to judge)"
        print(counts.line(f"{language}{note}"))
    print(pooled.line(f"new languages pooled{'' if _judgeable(pooled) else ' (too few to judge)'}"))
    for language in sorted(set(by_language) - set(NEW), key=lambda code: -by_language[code].total):
        counts = by_language[language]
        print(counts.line(f"{language}{'' if _judgeable(counts) else ' (too few to judge)'}"))


def counts(rows: list[Row]) -> None:
    """Rows per language in each split (no scores)."""
    table: dict[str, dict[str, int]] = defaultdict(lambda: {"dev": 0, "test": 0})
    for row in rows:
        table[language_of(row)][split_of(row)] += 1
    print("| language | dev | test |\n|---|---|---|")
    for language, cells in sorted(table.items(), key=lambda item: -sum(item[1].values())):
        print(f"| {language} | {cells['dev']} | {cells['test']} |")


def show(rows: list[Row], language: str) -> None:
    """The dev rows of one language with their ratings and verdicts (test rows are never shown)."""
    for row in rows:
        if split_of(row) == "dev" and language_of(row) == language:
            verdict = assess(rating=None, text=row.text)
            mark = "UNHAPPY" if verdict.unhappy else "ok"
            print(f"[{row.rating}★ {mark} {verdict.complaint:+.1f}] {' '.join(row.text.split())[:300]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=("dev", "test"), default="test")
    parser.add_argument("--counts", action="store_true", help="rows per language and split, nothing else")
    parser.add_argument("--show", metavar="LANG", help="print the dev rows of one language")
    args = parser.parse_args(argv)
    rows = _rows()
    if args.counts:
        counts(rows)
    elif args.show:
        show(rows, args.show)
    else:
        evaluate(rows, args.split)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
