"""What a process pays to get the language model: CPU time and private memory, cached against unpacked in memory.

Usage: .venv/bin/python benchmarks/bench_langid_load.py [--runs 5] [--json]

Each run is a fresh Python process that loads the model and detects the language of 300 review texts from the
test fixtures, three ways: from the wheel (unpacked in the process, as every process did before the cache), from
an empty cache folder (the first process on a machine, which unpacks and writes it) and from a filled one (every
later process). Reports the median CPU seconds of the load and of the detection, and the process's anonymous
(private) memory after each, from /proc/self/smaps_rollup.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import csv, json, sys, time
from pathlib import Path

def anonymous_mib():
    lines = Path("/proc/self/smaps_rollup").read_text().splitlines()
    return sum(int(line.split()[1]) for line in lines if line.startswith("Anonymous:")) / 1024

import monitor.text.language as language
import monitor.text.langid_model as langid_model
if sys.argv[1] == "wheel":
    langid_model.unpacked_model = lambda *args, **kwargs: None
with open(sys.argv[2], encoding="utf-8", newline="") as handle:
    texts = [row["review"] for row in csv.DictReader(handle)][:300]
base = anonymous_mib()
started = time.process_time()
language._model()
loaded = time.process_time()
load_mib = anonymous_mib() - base
language.detect_languages(texts)
detected = time.process_time()
print(json.dumps({"load_s": loaded - started, "detect_s": detected - loaded, "load_mib": load_mib,
                  "after_detect_mib": anonymous_mib() - base}))
"""

FIXTURE = ROOT / "tests" / "fixtures" / "app_store_export" / "sg_food_delivery_app_store_400.csv"


def run_once(way: str, cache: Path) -> dict[str, float]:
    """One fresh process loading the model `way` (wheel, cold, warm) with `cache` as its cache folder."""
    env = {"MONITOR_CACHE_DIR": str(cache), "PATH": "/usr/bin:/bin", "HOME": str(cache.parent)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, way, str(FIXTURE)], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    result: dict[str, float] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results: dict[str, list[dict[str, float]]] = {"wheel": [], "cold cache": [], "warm cache": []}
    with tempfile.TemporaryDirectory(prefix="bench-langid-") as folder:
        for run in range(args.runs):
            cache = Path(folder) / f"cache-{run}"
            results["wheel"].append(run_once("wheel", cache))
            results["cold cache"].append(run_once("cached", cache))
            results["warm cache"].append(run_once("cached", cache))
    table = {way: {key: statistics.median(r[key] for r in runs) for key in runs[0]} for way, runs in results.items()}
    if args.json:
        print(json.dumps(table, indent=2))
        return
    print(f"median of {args.runs} fresh processes each; 300 App Store review texts detected after the load\n")
    print("| model from | load CPU s | private MiB after load | detection CPU s | private MiB after detection |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for way, row in table.items():
        print(
            f"| {way} | {row['load_s']:.3f} | {row['load_mib']:.0f} | {row['detect_s']:.3f} | "
            f"{row['after_detect_mib']:.0f} |"
        )


if __name__ == "__main__":
    main()
