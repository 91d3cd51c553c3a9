"""`monitor import` of a large App Store export, end to end on SQLite, with `monitor tasks claim` running beside it.

Usage: .venv/bin/python benchmarks/bench_import.py [--rows 1000000] [--batch-rows 2000] [--keep DIR] [--profile FILE]
       [--json]

1. Writes an App Store layout CSV of `--rows` rows by resampling the real rows of
   tests/fixtures/app_store_export (review text, title, rating, app and reply kept; each row gets a new reviewer
   nickname, so a new review id, and a new date spread over the last two years, its reply a day or two later).
2. Seeds the database with one small import of recent unhappy reviews, so there are tasks to claim.
3. Runs `monitor import` on the big file in a child process, sampling its resident memory (VmRSS, VmHWM).
4. Meanwhile a second process claims one task after another (`monitor tasks claim` as a command, and the same
   claim in a long-lived process, which leaves out Python's start-up), timing each claim.
Reports rows/s, peak RSS of the import process, and claim latency (median, p95, max) against an idle database.
`--profile FILE` runs the import under cProfile instead (no claims) and prints the top functions.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import pstats
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "app_store_export" / "sg_food_delivery_app_store_400.csv"
NOW = datetime.now(UTC).replace(microsecond=0)
_MODIFIED = re.compile(r"'modified': '[^']*'")


def write_export(path: Path, rows: int, seed: int = 7, recent_share: float = 0.0) -> None:
    """`rows` resampled real App Store rows with new nicknames and dates (`recent_share` within the last week)."""
    rng = random.Random(seed)
    with FIXTURE.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        real = list(reader)
    at = {name: header.index(name) for name in ("date", "developerResponse", "userName", "")}
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for n in range(rows):
            row = list(rng.choice(real))
            days = rng.uniform(0, 7) if rng.random() < recent_share else rng.uniform(0, 730)
            published = NOW - timedelta(days=days, hours=1)
            row[at[""]] = str(n)
            row[at["userName"]] = f"{row[at['userName']]} #{n}"
            row[at["date"]] = published.strftime("%Y-%m-%d %H:%M:%S")
            if row[at["developerResponse"]]:
                replied = min(published + timedelta(days=rng.uniform(0.2, 2)), NOW - timedelta(minutes=5))
                stamp = replied.strftime("%Y-%m-%dT%H:%M:%SZ")
                row[at["developerResponse"]] = _MODIFIED.sub(f"'modified': '{stamp}'", row[at["developerResponse"]])
            writer.writerow(row)


def monitor(*args: str) -> list[str]:
    """The `monitor` command line run with this interpreter."""
    return [sys.executable, "-m", "monitor.cli.main", *args]


def _status(pid: int) -> dict[str, int]:
    values: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])  # KiB
    except (FileNotFoundError, ProcessLookupError, ValueError):
        pass
    return values


def seed_tasks(work: Path, env: dict[str, str]) -> list[int]:
    """Import a small file of recent reviews so the queue holds tasks; their ids."""
    small = work / "recent.csv"
    write_export(small, 400, seed=11, recent_share=1.0)
    subprocess.run(
        monitor("import", str(small), "--company", "Bench", "--source-name", "recent"),
        env=env,
        check=True,
        capture_output=True,
    )
    listed = subprocess.run(
        monitor("tasks", "list", "--json", "--limit", "100000"), env=env, check=True, capture_output=True
    )
    return [task["id"] for task in json.loads(listed.stdout)]


def claim_in_process(database_url: str, task_ids: list[int], stop: threading.Event, out: list[float]) -> None:
    """Claim tasks one after another in this process, timing each (start-up excluded)."""
    sys.path.insert(0, str(ROOT))
    from monitor.store.db import make_engine, session_scope, utcnow
    from responders.outreach.workflow import claim_task

    engine = make_engine(database_url)
    for task_id in task_ids:
        if stop.is_set():
            break
        start = time.perf_counter()
        with session_scope(engine) as session:
            claim_task(session=session, task_id=task_id, actor="bench", now=utcnow(), expiry_minutes=120)
        out.append(time.perf_counter() - start)
        time.sleep(0.2)
    engine.dispose()


def claim_commands(
    task_ids: list[int], env: dict[str, str], stop: threading.Event, out: list[float], failed: list[str] | None = None
) -> None:
    """`monitor tasks claim` as a command, one after another, timing each whole command; failures go to `failed`."""
    for task_id in task_ids:
        if stop.is_set():
            break
        start = time.perf_counter()
        done = subprocess.run(monitor("tasks", "claim", str(task_id), "--as", "cli"), env=env, capture_output=True)
        if done.returncode == 0:
            out.append(time.perf_counter() - start)
        elif failed is not None:  # counted, not silently left out of the timings
            failed.append(done.stderr.decode(errors="replace").strip()[-200:])
        time.sleep(0.5)


def _quantiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)
    return {
        "n": len(ordered),
        "median_ms": statistics.median(ordered) * 1000,
        "p95_ms": ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000,
        "max_ms": ordered[-1] * 1000,
    }


def run(args: argparse.Namespace) -> dict[str, object]:
    work = Path(args.keep or tempfile.mkdtemp(prefix="bench-import-"))
    work.mkdir(parents=True, exist_ok=True)
    export = work / f"app_store_{args.rows}.csv"
    database_url = f"sqlite:///{work / 'bench.db'}"
    env = {**os.environ, "MONITOR_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    env.pop("MONITOR_CONFIG", None)
    started = time.perf_counter()
    write_export(export, args.rows)
    result: dict[str, object] = {
        "rows": args.rows,
        "file_mib": round(export.stat().st_size / 2**20, 1),
        "write_s": round(time.perf_counter() - started, 1),
    }
    task_ids = seed_tasks(work, env)
    half = len(task_ids) // 2
    idle_in_process: list[float] = []
    idle_commands: list[float] = []
    claim_in_process(database_url, task_ids[:5], threading.Event(), idle_in_process)
    claim_commands(task_ids[5:8], env, threading.Event(), idle_commands)
    command = monitor("import", str(export), "--company", "Bench", "--batch-rows", str(args.batch_rows))
    if args.profile:
        command = [sys.executable, "-m", "cProfile", "-o", args.profile, *command[1:]]
    stop = threading.Event()
    busy_in_process: list[float] = []
    busy_commands: list[float] = []
    failed_commands: list[str] = []
    claimers = [
        threading.Thread(target=claim_in_process, args=(database_url, task_ids[8:half], stop, busy_in_process)),
        threading.Thread(target=claim_commands, args=(task_ids[half:], env, stop, busy_commands, failed_commands)),
    ]
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if not args.profile:
        for thread in claimers:
            thread.start()
    peak = 0
    while process.poll() is None:
        peak = max(peak, _status(process.pid).get("VmHWM", 0))
        time.sleep(0.2)
    elapsed = time.perf_counter() - start
    stop.set()
    for thread in claimers:
        if thread.is_alive():
            thread.join()
    stdout, stderr = process.communicate()
    summary = stdout.decode()
    result.update(
        {
            "exit": process.returncode,
            "import_s": round(elapsed, 1),
            "rows_per_s": round(args.rows / elapsed),
            "peak_rss_mib": round(peak / 1024),
            "claim_in_process_idle": _quantiles(idle_in_process),
            "claim_in_process_during_import": _quantiles(busy_in_process),
            "claim_command_idle": _quantiles(idle_commands),
            "claim_command_during_import": _quantiles(busy_commands),
            "claim_commands_failed_during_import": failed_commands,
            "summary": summary.strip().splitlines(),
        }
    )
    if process.returncode not in (0, 1):
        result["stderr"] = stderr.decode()[-2000:]
    if args.profile:
        stats = pstats.Stats(args.profile)
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(25)
    return result


def main() -> None:
    """Parse the options, run the benchmark, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--batch-rows", type=int, default=2_000)
    parser.add_argument("--keep", help="work in this folder and keep the file and database")
    parser.add_argument("--profile", help="run the import under cProfile, writing this file")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for key, value in result.items():
        if key == "summary":
            print("import summary:")
            for line in value:  # type: ignore[attr-defined]
                print(f"    {line}")
        else:
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
