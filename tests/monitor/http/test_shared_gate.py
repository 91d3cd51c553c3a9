"""Per-host request starts agreed on in the database: gates of different processes never start closer than the delay."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from monitor.http.politeness import HostGate
from monitor.http.shared_gate import SharedHostSlots
from monitor.store.db import make_engine
from monitor.store.migrate import upgrade

DELAY = 0.2


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'm.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    made = make_engine(url)
    upgrade(made)
    yield made
    made.dispose()


def test_a_host_is_taken_once_its_next_start_has_come(engine: Engine) -> None:
    slots = SharedHostSlots(engine)
    assert slots.try_claim("https://shop.example:443", DELAY) == 0.0  # free: taken at once
    left = slots.try_claim("https://shop.example:443", DELAY)
    assert 0 < left <= DELAY + 0.05  # taken: the time left, and nothing is taken meanwhile
    assert slots.try_claim("https://other.example:443", DELAY) == 0.0  # hosts are apart
    time.sleep(left)
    assert slots.try_claim("https://shop.example:443", DELAY) == 0.0


def test_gates_of_two_processes_keep_the_delay_between_all_their_starts(engine: Engine) -> None:
    # Each gate stands for one worker process: alone, each would only space its own requests.
    starts: list[float] = []

    async def crawl(gate: HostGate) -> None:
        for _ in range(3):
            async with gate.slot(DELAY):
                starts.append(time.monotonic())

    async def main() -> None:
        slots = [SharedHostSlots(engine), SharedHostSlots(engine)]
        gates = [
            HostGate(1, sleep=asyncio.sleep, clock=time.monotonic, origin="http://127.0.0.1:9", shared=s.wait)
            for s in slots
        ]
        await asyncio.gather(*(crawl(g) for g in gates))

    asyncio.run(main())
    starts.sort()
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert len(starts) == 6 and min(gaps) >= DELAY - 0.03, gaps


@pytest.mark.sqlite_only
def test_a_claim_that_waited_for_another_writer_counts_its_delay_from_when_it_was_taken(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine)
    slots = SharedHostSlots(engine)
    blocker = engine.raw_connection()
    blocker.execute("BEGIN IMMEDIATE")  # another process writing: the claim waits for the lock
    releaser = threading.Timer(0.3, blocker.commit)
    releaser.start()
    try:
        assert slots.try_claim("https://shop.example:443", DELAY) == 0.0
        releaser.join()
        # The next start is a whole delay after the claim was taken, not after it began to wait.
        assert slots.try_claim("https://shop.example:443", DELAY) >= DELAY - 0.05
    finally:
        releaser.join()
        blocker.close()
        engine.dispose()
