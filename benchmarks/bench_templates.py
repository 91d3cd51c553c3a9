"""Benchmark template detection (with families) at 10k / 100k / 1M replies, incremental assignment, and an all-pairs
baseline.

    .venv/bin/python benchmarks/bench_templates.py [--sizes 10000 100000 1000000] [--baseline-max 10000]

Replies are real company replies (tests/fixtures/replies, plus ../shared/fixtures when present) and
generated variants of them: greeting-name swaps, reference numbers, one word changed, a sentence added or
dropped, and unique personal texts (see `generate`). Each size runs in its own subprocess so peak memory
(ru_maxrss) is its own. `seconds` is the whole of `find_templates`; `family_seconds` is the part of it that
groups templates into families.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FIRST_NAMES = [
    "Anna",
    "Rajan",
    "Thabo",
    "Mei",
    "Ling",
    "Olga",
    "Yusuf",
    "Priya",
    "Johan",
    "Fatima",
    "Kwame",
    "Lindiwe",
    "Carlos",
    "Aiko",
    "Omar",
    "Sipho",
    "Nomvula",
    "Wei",
    "Siti",
    "Ahmad",
    "Kumar",
    "Lerato",
    "Pieter",
    "Zanele",
    "Hannah",
    "Lucas",
    "Chloe",
    "Mohammed",
    "Grace",
    "Daniel",
    "Aisha",
    "Tan",
    "Nurul",
    "Ravi",
    "Megan",
    "Bongani",
    "Elena",
    "Ivan",
    "Sofia",
    "Mateo",
    "Yuki",
    "Kofi",
    "Amara",
    "Liam",
    "Noor",
    "Farah",
    "Jun",
    "Hui",
    "Sibusiso",
    "Thandeka",
    "Ayesha",
    "Marco",
]
SURNAMES = [
    "Smith",
    "Naidoo",
    "Dlamini",
    "Nkosi",
    "Tan",
    "Lim",
    "Wong",
    "Pillay",
    "Botha",
    "Mokoena",
    "Khumalo",
    "Singh",
    "Chen",
    "Lee",
    "Ndlovu",
    "Ibrahim",
    "Mahlangu",
    "Rossi",
    "Kowalski",
    "Novak",
    "Ivanova",
    "Yilmaz",
    "Cohen",
    "Santos",
    "Silva",
    "Nguyen",
    "Kim",
    "Park",
    "Sato",
    "Okafor",
]
# Sentences a company adds to a canned reply, and the reference formats replies quote.
ADDED = [
    "We appreciate your patience.",
    "Our team is available around the clock.",
    "Thank you for bringing this to our attention.",
    "We hope to serve you better next time.",
    "We apologise for any inconvenience caused.",
    "Please allow 3 to 5 working days for the refund to reflect.",
    "You can also reach us on our live chat.",
    "Your feedback has been passed on to the relevant department.",
]
REFERENCES = ["Your reference is {n}.", "Ref: CX-{n}", "Ticket #{n}", "Your order {code} has been escalated.",
              "Please quote case number {n} on 0860 123 456."]  # fmt: skip
# An opening greeting and name already in a real reply: re-addressing replaces the name.
_OPENING = re.compile(
    r"^(\s*(?:<[^>]+>\s*)*(?:Hi|Hello|Hey|Dear|Good day|Good morning|Hallo)[ ,]+)"
    r"((?:Mr\.? |Mrs\.? |Ms\.? )?[A-Z][\w'’-]*(?: [A-Z][\w'’-]*)?)"
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def real_replies() -> list[str]:
    """Company replies from the test fixtures and, when present, the full shared datasets."""
    texts: list[str] = []
    for path in sorted((ROOT / "tests" / "fixtures" / "replies").glob("*.jsonl")):
        texts += [json.loads(line)["reply"] for line in path.read_text(encoding="utf-8").splitlines()]
    shared = ROOT.parent / "shared" / "fixtures"
    if (shared / "hellopeter" / "cell-c_2021_reviews.jsonl.gz").exists():
        import gzip

        with gzip.open(shared / "hellopeter" / "cell-c_2021_reviews.jsonl.gz", "rt", encoding="utf-8") as handle:
            for line in handle:
                for message in json.loads(line)["messages"]:
                    if message.get("owner") == 2 and message.get("type") == "Public":
                        texts.append(message["body"])
    return [t for t in texts if "replied privately" not in t]


def _name(rng: random.Random) -> str:
    first = rng.choice(FIRST_NAMES)
    return first if rng.random() < 0.5 else f"{first} {rng.choice(SURNAMES)}"


def _reference(rng: random.Random) -> str:
    code = "".join(rng.choices("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", k=8))
    return rng.choice(REFERENCES).format(n=rng.randint(10**5, 10**9), code=code)


def _edit(text: str, rng: random.Random, vocabulary: list[str]) -> str:
    """One realistic edit: a word replaced, a sentence added, or a sentence dropped."""
    edit = rng.random()
    if edit < 0.4:
        words = text.split(" ")
        if len(words) > 3:
            words[rng.randrange(1, len(words))] = rng.choice(vocabulary)
        return " ".join(words)
    sentences = _SENTENCE_END.split(text)
    if edit < 0.7 or len(sentences) < 3:
        sentences.insert(rng.randrange(1, len(sentences) + 1), rng.choice(ADDED))
    else:
        del sentences[rng.randrange(1, len(sentences))]
    return " ".join(sentences)


def generate(n: int, seed: int = 1) -> list[str]:
    """n replies: 75 % real ones re-addressed (some with a reference or an edit), 25 % unique personal texts.

    Re-addressing swaps the reply's own greeting name, or adds "Hi <name>, " (first names and full names, so
    nearly every re-addressed reply is a distinct raw text, as with real customers); 30 % quote a reference
    (numbers, codes, a phone number); 27 % get one edit (a word changed, a sentence added or dropped).
    Personal texts are 12-40 random words of the replies' vocabulary, a fifth of them with an order number.
    """
    rng = random.Random(seed)
    base = real_replies()
    vocabulary = sorted({w for t in base for w in t.split() if w.isalpha()})
    out: list[str] = []
    for _ in range(n):
        if rng.random() < 0.25:
            words = rng.choices(vocabulary, k=rng.randint(12, 40))
            text = f"Hi {_name(rng)}, " + " ".join(words) + "."
            if rng.random() < 0.2:
                text += f" Order {rng.randint(10**5, 10**8)} was checked."
            out.append(text)
            continue
        text = rng.choice(base)
        opening = _OPENING.match(text)
        if opening:
            text = opening.group(1) + _name(rng) + text[opening.end() :]
        elif rng.random() < 0.7:
            text = f"Hi {_name(rng)}, {text}"
        if rng.random() < 0.27:
            text = _edit(text, rng, vocabulary)
        if rng.random() < 0.3:
            text += " " + _reference(rng)
        out.append(text)
    return out


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(size: int) -> dict[str, float | int]:
    """Cluster `size` generated replies in this process; timings and peak memory."""
    from responders.template_replies import clusters
    from responders.template_replies.index import TemplateIndex

    # Time the family step on its own (it runs inside find_templates, after the templates are described).
    family_seconds = 0.0
    group_families = clusters._group_families

    def timed_families(*args: Any) -> Any:
        nonlocal family_seconds
        started = time.perf_counter()
        try:
            return group_families(*args)
        finally:
            family_seconds += time.perf_counter() - started

    clusters._group_families = timed_families  # type: ignore[assignment]
    texts = generate(size)
    before = peak_rss_mb()
    started = time.perf_counter()
    report = clusters.find_templates(texts)
    seconds = time.perf_counter() - started
    result: dict[str, float | int] = {
        "size": size,
        "seconds": round(seconds, 2),
        "family_seconds": round(family_seconds, 2),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "rss_before_mb": round(before, 1),
        "templates": len(report.templates),
        "families": len(report.families),
        "families_with_variants": sum(len(family.templates) > 1 for family in report.families),
        "largest_family_templates": max((len(family.templates) for family in report.families), default=0),
        "template_share": round(report.template_share(), 3),
    }
    index = TemplateIndex.from_report(report)
    probes = generate(2000, seed=size + 7)
    latencies = []
    for text in probes:
        t0 = time.perf_counter()
        index.assign(text)
        latencies.append((time.perf_counter() - t0) * 1000)
    latencies.sort()
    result["assign_ms_median"] = round(statistics.median(latencies), 3)
    result["assign_ms_p95"] = round(latencies[int(0.95 * len(latencies))], 3)
    return result


def baseline(size: int, cutoff: float = 85.0) -> dict[str, float | int]:
    """All-pairs rapidfuzz token_set_ratio on the normalised texts, then connected components."""
    import numpy as np
    from rapidfuzz import fuzz, process

    from responders.template_replies.minhash import UnionFind
    from responders.template_replies.normalise import normalise_reply

    texts = generate(size)
    started = time.perf_counter()
    keys = [normalise_reply(t).key for t in texts]
    distinct = sorted(set(keys))
    scores = process.cdist(
        distinct, distinct, scorer=fuzz.token_set_ratio, score_cutoff=cutoff, dtype=np.uint8, workers=2
    )
    left, right = np.nonzero(np.triu(scores, 1))
    union = UnionFind(len(distinct))
    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        union.union(a, b)
    seconds = time.perf_counter() - started
    return {
        "size": size,
        "distinct": len(distinct),
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--baseline-max", type=int, default=10_000, help="largest size the all-pairs baseline runs at")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--baseline-worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return
    if args.baseline_worker:
        print(json.dumps(baseline(args.baseline_worker)))
        return
    for size in args.sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--worker", str(size)], capture_output=True, text=True, check=True
        )
        print("minhash-lsh", out.stdout.strip(), flush=True)
        if size <= args.baseline_max:
            out = subprocess.run(
                [sys.executable, __file__, "--baseline-worker", str(size)], capture_output=True, text=True, check=True
            )
            print("rapidfuzz-all-pairs", out.stdout.strip(), flush=True)
        else:
            print(f"rapidfuzz-all-pairs size={size}: skipped (quadratic; see --baseline-max)", flush=True)


if __name__ == "__main__":
    main()
