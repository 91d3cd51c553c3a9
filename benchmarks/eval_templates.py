"""Precision and recall of template detection on hand-labelled real replies.

    .venv/bin/python benchmarks/eval_templates.py [--shared ../shared/fixtures] [--show-sample DATASET] [--single-link]
                                                  [--family-similarity S]

Labels: benchmarks/data/template_labels.json (how they were made is written there and in docs/templates.md).
Three questions are scored on a fixed random sample of each dataset (the detector runs on the whole dataset):
  binary:         "this reply belongs to a template" (truth: its message label reaches >= 3 distinct reviewers)
  template pairs: "these two sampled replies are the same template" (truth: same message label)
  family pairs:   "these two sampled replies are the same family" (truth: same family label; a message label that
                  no family lists is a family of its own)
The last row pools the counts of all datasets.
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


def f1(tp: int, fp: int, fn: int) -> float:
    precision, recall = prf(tp, fp, fn)
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def pair_counts(truth: list[str | None], found: list[str | None]) -> tuple[int, int, int]:
    """(true positive, false positive, false negative) pairs of sampled replies."""
    tp = fp = fn = 0
    for a, b in itertools.combinations(range(len(truth)), 2):
        same_truth = truth[a] is not None and truth[a] == truth[b]
        same_found = found[a] is not None and found[a] == found[b]
        tp += same_truth and same_found
        fp += same_found and not same_truth
        fn += same_truth and not same_found
    return tp, fp, fn


def evaluate(
    name: str, replies: list[Reply], spec: dict, show: bool, settings: ClusterSettings | None = None
) -> dict[str, object]:
    rules = {slug: re.compile(rx, re.I) for slug, rx in spec["rules"][name].items()}
    families = spec.get("families", {}).get(name, {})
    family_of = {label: family for family, labels in families.items() for label in labels}
    labels = [label_of(text, rules) for text, _, _ in replies]
    reviewers: dict[str, set[str]] = {}
    for label, (_, who, _) in zip(labels, replies, strict=True):
        if label:
            reviewers.setdefault(label, set()).add(who)
    templated_labels = {label for label, people in reviewers.items() if len(people) >= MIN_SIZE}

    report = find_templates([t for t, _, _ in replies], recipients=[w for _, w, _ in replies],
                            ratings=[r for _, _, r in replies], settings=settings)  # fmt: skip
    row_family = report.family_ids()
    size = spec["sample"][name]
    rows = list(range(len(replies)))
    if size != "all":
        rows = sorted(random.Random(spec["sample"]["seed"]).sample(rows, int(size)))
    truth = [labels[i] if labels[i] in templated_labels else None for i in rows]
    found = [report.template_ids[i] for i in rows]
    family_truth = [family_of.get(labels[i], labels[i]) if labels[i] else None for i in rows]
    family_found = [row_family[i] for i in rows]
    if show:
        for i, t, ft, f, ff in zip(rows, truth, family_truth, found, family_found, strict=True):
            print(f"{i}\t{t or '-'}\t{ft or '-'}\t{f or '-'}\t{ff or '-'}\t{clean_reply_text(replies[i][0])[:150]!r}")

    binary = (
        sum(t is not None and f is not None for t, f in zip(truth, found, strict=True)),
        sum(t is None and f is not None for t, f in zip(truth, found, strict=True)),
        sum(t is not None and f is None for t, f in zip(truth, found, strict=True)),
    )
    template_pairs = pair_counts([labels[i] for i in rows], found)
    family_pairs = pair_counts(family_truth, family_found)
    return {
        "dataset": name,
        "replies": len(replies),
        "sampled": len(rows),
        "templated_in_sample": sum(t is not None for t in truth),
        "binary": binary,
        "template_pairs": template_pairs,
        "family_pairs": family_pairs,
        "templates_found": len(report.templates),
        "families_found": len(report.families),
        "families_with_variants": sum(len(family.templates) > 1 for family in report.families),
        "site_notices_in_templates": sum(
            1 for i, notice in enumerate(report.site_notices) if notice and report.template_ids[i]
        ),
    }


def row(result: dict[str, object]) -> str:
    """One table row: binary P/R/F1, then pairs P/R/F1 (true pairs) at template and at family level."""
    cells = [str(result[key]) for key in ("dataset", "replies", "sampled", "templated_in_sample")]
    for key in ("binary", "template_pairs", "family_pairs"):
        tp, fp, fn = result[key]  # type: ignore[misc]
        precision, recall = prf(tp, fp, fn)
        cells.append(f"{precision:.3f} / {recall:.3f} / **{f1(tp, fp, fn):.3f}**")
        if key != "binary":
            cells.append(str(tp + fn))
    cells.append(f"{result['templates_found']} / {result['families_found']} ({result['families_with_variants']})")
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "fixtures")
    parser.add_argument("--show-sample", choices=sorted(LOADERS), help="print the sample with truth and result")
    parser.add_argument("--single-link", action="store_true", help="do not split chains (the previous clustering)")
    parser.add_argument(
        "--family-similarity", type=float, default=ClusterSettings().family_similarity,
        help="threshold of families (above 1: every template is a family of its own)",
    )  # fmt: skip
    args = parser.parse_args()
    settings = ClusterSettings(split_chains=not args.single_link, family_similarity=args.family_similarity)
    spec = json.loads(LABELS.read_text(encoding="utf-8"))
    print("| dataset | replies | sampled | templated in sample | binary P / R / F1 | template pairs P / R / F1 "
          "| true pairs | family pairs P / R / F1 | true pairs | templates / families (with variants) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|")
    pooled: dict[str, object] = {"dataset": "all", "replies": 0, "sampled": 0, "templated_in_sample": 0,
                                 "binary": (0, 0, 0), "template_pairs": (0, 0, 0), "family_pairs": (0, 0, 0),
                                 "templates_found": 0, "families_found": 0, "families_with_variants": 0}  # fmt: skip
    for name, loader in LOADERS.items():
        result = evaluate(name, loader(args.shared), spec, args.show_sample == name, settings)
        assert result["site_notices_in_templates"] == 0
        print(row(result))
        for key, value in pooled.items():
            if isinstance(value, tuple):
                pooled[key] = tuple(a + b for a, b in zip(value, result[key], strict=True))  # type: ignore[call-overload]
            elif isinstance(value, int):
                pooled[key] = value + result[key]  # type: ignore[operator]
    print(row(pooled))


if __name__ == "__main__":
    main()
