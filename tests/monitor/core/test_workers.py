"""Pool workers end with the process that started them, even when it is killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

# Starts a pool of two workers, prints their process ids, then waits to be killed.
CHILD = """
import multiprocessing, os, sys, time
from concurrent.futures import ProcessPoolExecutor
from monitor.core.workers import end_with_parent

def pid(_: int) -> int:
    time.sleep(0.2)  # long enough that both workers take a share
    return os.getpid()

if __name__ == "__main__":
    initializer = end_with_parent if sys.argv[2] == "watched" else None
    context = multiprocessing.get_context(sys.argv[1])
    pool = ProcessPoolExecutor(2, mp_context=context, initializer=initializer)
    print(" ".join(str(p) for p in sorted(set(pool.map(pid, range(6))))), flush=True)
    time.sleep(600)
"""


def _alive(pid: int) -> bool:
    """Running (a zombie that nobody has reaped yet counts as ended)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def _orphans_after_kill(tmp_path: Path, method: str, watched: str, *, wait: float = 10) -> list[int]:
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, str(script), method, watched], stdout=subprocess.PIPE, env=env)
    assert child.stdout is not None
    workers = [int(pid) for pid in child.stdout.readline().split()]
    assert len(workers) == 2
    child.send_signal(signal.SIGKILL)
    child.wait()
    deadline = time.monotonic() + wait
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in workers if _alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    return left


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads process states from /proc")
@pytest.mark.parametrize("method", ["fork", "forkserver"])
def test_workers_exit_when_the_process_that_started_them_is_killed(tmp_path: Path, method: str) -> None:
    assert _orphans_after_kill(tmp_path, method, "watched") == []


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads process states from /proc")
def test_without_the_watch_a_killed_pools_workers_stay(tmp_path: Path) -> None:
    # What the watch is for: the same pool without it leaves both workers waiting for work.
    assert len(_orphans_after_kill(tmp_path, "forkserver", "plain", wait=2)) == 2
