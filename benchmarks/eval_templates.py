"""Precision and recall of template detection on hand-labelled real replies.

    .venv/bin/python benchmarks/eval_templates.py [--shared ../shared/fixtures] [--show-sample DATASET] [--single-link]

Labels: benchmarks/data/template_labels.json (how they were made is written there and in docs/templates.md).
Two questions are scored on a fixed random sample of each dataset (the detector runs on the whole dataset):
  membership: "this reply belongs to a template" (truth: its message label reaches >= 3 distinct reviewers)
  pairs:      "these two sampled replies are the same template" (truth: same message label)
"""

from __future__ import annotations

import argparse
import ast
import csv
import gzip
import itertools
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from responders.template_replies.clusters import ClusterSettings, find_templates  # noqa: E402
from responders.template_replies.normalise import clean_reply_text  # noqa: E402

LABELS = ROOT / "benchmarks" / "data" / "template_labels.json"
MIN_SIZE = 3

Reply = tuple[str, str, float]  # text, reviewer id, rating


def load_app_store(shared: Path) -> list[Reply]:
    """Developer replies of the App Store export, file order."""
    path = shared / "app_store_export" / "sg_food_delivery_app_store_reviews.csv"
    out: list[Reply] = []
    with path.open(encoding="utf-8") as handle:
        for number, row in enumerate(csv.DictReader(handle)):
            if row["developerResponse"].strip():
                body = ast.literal_eval(row["developerResponse"])["body"]  # a Python dict literal, not code
                out.append((body, f"{row['app']}:{row['userName']}:{number}", float(row["rating"])))
    return out


def load_hellopeter(shared: Path) -> list[Reply]:
    """First business message of every HelloPeter review that has one, file order."""
    out: list[Reply] = []
    with gzip.open(shared / "hellopeter" / "cell-c_2021_reviews.jsonl.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            business = [m for m in record["messages"] if m.get("owner") == 2]
            if business:
                out.append((business[0]["body"], record["id"], float(record["review_rating"])))
    return out


def load_google_play(shared: Path) -> list[Reply]:
    """Developer replies embedded in the saved Google Play page (ds:18), page order."""
    page = (shared / "google_play" / "dunzo-delivery-partner_play_listing_2021.html").read_text(encoding="utf-8")
    start = page.index("data:", page.index("key: 'ds:18'")) + 5
    blob = page[start : page.index("sideChannel", start)].strip().rstrip(",").strip()
    return [(r[7][1], r[0], float(r[2])) for r in json.loads(blob)[0] if r[7]]


LOADERS = {"app_store": load_app_store, "hellopeter": load_hellopeter, "google_play": load_google_play}


def label_of(text: str, rules: dict[str, re.Pattern[str]]) -> str | None:
    flat = " ".join(clean_reply_text(text).split()).lower()
    return next((name for name, pattern in rules.items() if pattern.search(flat)), None)


def prf(tp: int, fp: int, fn: int) -> tuple[float, float]:
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0)


def evaluate(
    name: str, replies: list[Reply], spec: dict, show: bool, settings: ClusterSettings | None = None
) -> dict[str, object]:
    rules = {slug: re.compile(rx, re.I) for slug, rx in spec["rules"][name].items()}
    labels = [label_of(text, rules) for text, _, _ in replies]
    reviewers: dict[str, set[str]] = {}
    for label, (_, who, _) in zip(labels, replies, strict=True):
        if label:
            reviewers.setdefault(label, set()).add(who)
    templated_labels = {label for label, people in reviewers.items() if len(people) >= MIN_SIZE}

    report = find_templates([t for t, _, _ in replies], recipients=[w for _, w, _ in replies],
                            ratings=[r for _, _, r in replies], settings=settings)  # fmt: skip
    size = spec["sample"][name]
    rows = list(range(len(replies)))
    if size != "all":
        rows = sorted(random.Random(spec["sample"]["seed"]).sample(rows, int(size)))
    truth = [labels[i] if labels[i] in templated_labels else None for i in rows]
    found = [report.template_ids[i] for i in rows]
    if show:
        for i, t, f in zip(rows, truth, found, strict=True):
            print(f"{i}\t{t or '-'}\t{f or '-'}\t{clean_reply_text(replies[i][0])[:150]!r}")

    tp = sum(t is not None and f is not None for t, f in zip(truth, found, strict=True))
    fp = sum(t is None and f is not None for t, f in zip(truth, found, strict=True))
    fn = sum(t is not None and f is None for t, f in zip(truth, found, strict=True))
    member_p, member_r = prf(tp, fp, fn)

    ptp = pfp = pfn = 0
    for a, b in itertools.combinations(range(len(rows)), 2):
        same_truth = labels[rows[a]] is not None and labels[rows[a]] == labels[rows[b]]
        same_found = found[a] is not None and found[a] == found[b]
        ptp += same_truth and same_found
        pfp += same_found and not same_truth
        pfn += same_truth and not same_found
    pair_p, pair_r = prf(ptp, pfp, pfn)
    return {
        "dataset": name,
        "replies": len(replies),
        "sampled": len(rows),
        "templated_in_sample": sum(t is not None for t in truth),
        "membership_precision": round(member_p, 3),
        "membership_recall": round(member_r, 3),
        "pairs_true": ptp + pfn,
        "pair_precision": round(pair_p, 3),
        "pair_recall": round(pair_r, 3),
        "templates_found": len(report.templates),
        "site_notices_in_templates": sum(
            1 for i, notice in enumerate(report.site_notices) if notice and report.template_ids[i]
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "fixtures")
    parser.add_argument("--show-sample", choices=sorted(LOADERS), help="print the sample with truth and result")
    parser.add_argument("--single-link", action="store_true", help="do not split chains (the previous clustering)")
    args = parser.parse_args()
    settings = ClusterSettings(split_chains=not args.single_link)
    spec = json.loads(LABELS.read_text(encoding="utf-8"))
    print("| dataset | replies | sampled | templated in sample | membership P | membership R | true pairs "
          "| pair P | pair R | templates found |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, loader in LOADERS.items():
        result = evaluate(name, loader(args.shared), spec, args.show_sample == name, settings)
        assert result["site_notices_in_templates"] == 0
        print(
            f"| {name} | {result['replies']} | {result['sampled']} | {result['templated_in_sample']} "
            f"| {result['membership_precision']} | {result['membership_recall']} | {result['pairs_true']} "
            f"| {result['pair_precision']} | {result['pair_recall']} | {result['templates_found']} |"
        )


if __name__ == "__main__":
    main()
