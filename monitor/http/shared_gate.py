"""Per-host politeness across processes and machines: the next allowed request start per host, in the database.

Each worker process keeps its own `HostGate`; with several workers crawling sources on one host, their gates do not
see each other. When a task engine is configured, every request start is also claimed in the `host_slot` table: one
atomic statement takes the host when its next allowed start has come and moves that start `min_delay` past now;
a process that finds it taken waits for the time left and tries again.
On PostgreSQL the database's clock is the one clock all machines share; SQLite serves one machine and reads its
clock in the statement too. Either way the time is read when the statement runs, after it holds the lock: a time
taken before (while connecting, or waiting for another process's write) would let the next start come early.
Reservations run in a thread, so the event loop keeps serving other hosts meanwhile.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.engine import Engine

__all__ = ["SharedHostSlots"]

# Added to every delay: the moment of the claim and the moment the request leaves differ by a few milliseconds.
_MARGIN = 0.02


def _now(dialect: str) -> str:
    """Seconds since the epoch, read by the database when the statement runs."""
    if dialect == "postgresql":
        return "EXTRACT(EPOCH FROM clock_timestamp())::float8"
    return "((julianday('now') - 2440587.5) * 86400.0)"  # 2440587.5: 1970-01-01 as a Julian day; ms resolution


def _claim(dialect: str) -> str:
    now = _now(dialect)
    # One statement, atomic on both databases: the host is taken only when its next start has come, and then
    # from this moment, the moment the request goes out, not from when it began to wait.
    return (
        f"INSERT INTO host_slot (origin, next_at) VALUES (:origin, {now} + :delay) "
        f"ON CONFLICT (origin) DO UPDATE SET next_at = {now} + :delay WHERE host_slot.next_at <= {now} "
        "RETURNING next_at"
    )


def _remaining(dialect: str) -> str:
    return f"SELECT next_at - {_now(dialect)} FROM host_slot WHERE origin = :origin"


class SharedHostSlots:
    """Claims request starts per origin in the database; `wait` returns once this process may send."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._claim = text(_claim(engine.dialect.name))
        self._remaining = text(_remaining(engine.dialect.name))

    def try_claim(self, origin: str, delay: float) -> float:
        """Take the host now if its next start has come (0.0); else the seconds until it, taking nothing."""
        values = {"origin": origin, "delay": delay + _MARGIN}
        with self.engine.begin() as connection:
            if connection.execute(self._claim, values).first() is not None:
                return 0.0
            left = connection.execute(self._remaining, values).scalar()
        return max(0.001, float(left or 0.0))

    async def wait(self, origin: str, delay: float) -> float:
        """Wait until this process holds the host's next start; the seconds waited. Never blocks the event loop."""
        if delay <= 0:
            return 0.0
        waited = 0.0
        while (left := await asyncio.to_thread(self.try_claim, origin, delay)) > 0:
            await asyncio.sleep(left)
            waited += left
        return waited
