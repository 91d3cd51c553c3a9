"""Per-host politeness across processes and machines: the next allowed request start per host, in the database.

Each worker process keeps its own `HostGate`; with several workers crawling sources on one host, their gates do not
see each other. When a task engine is configured, every request start is also reserved in the `host_slot` table:
one atomic statement moves the host's next allowed start by `min_delay` and says how long this request must wait.
On PostgreSQL the database's clock is the one clock all machines share; SQLite serves one machine, whose clock
the statement is given. Reservations run in a thread, so the event loop keeps serving other hosts meanwhile.
"""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import text
from sqlalchemy.engine import Engine

__all__ = ["SharedHostSlots"]


def _statement(dialect: str) -> str:
    now = "EXTRACT(EPOCH FROM clock_timestamp())::float8" if dialect == "postgresql" else ":now"
    greatest = "GREATEST" if dialect == "postgresql" else "max"
    # One statement: atomic on both databases, so two workers never get the same start.
    return (
        f"INSERT INTO host_slot (origin, next_at) VALUES (:origin, {now} + :delay) "
        f"ON CONFLICT (origin) DO UPDATE SET next_at = {greatest}(host_slot.next_at, {now}) + :delay "
        f"RETURNING next_at - :delay - {now}"
    )


class SharedHostSlots:
    """Reserves request starts per origin in the database; `wait` says how long this request must wait."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sql = text(_statement(engine.dialect.name))

    def reserve(self, origin: str, delay: float) -> float:
        """Take the host's next start; seconds from now until it."""
        with self.engine.begin() as connection:
            wait = connection.execute(self._sql, {"origin": origin, "delay": delay, "now": time.time()}).scalar()
        return max(0.0, float(wait or 0.0))

    async def wait(self, origin: str, delay: float) -> float:
        """Reserve the next start for `origin` without blocking the event loop (0 when the host is free now)."""
        if delay <= 0:
            return 0.0
        return await asyncio.to_thread(self.reserve, origin, delay)
