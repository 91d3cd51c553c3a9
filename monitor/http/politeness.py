"""Per-host politeness: a concurrency cap, a minimum gap between request starts, and pauses a host asked for.

Every request to one origin (scheme, host, port) passes through that origin's `HostGate`, so many
hosts are crawled in parallel while each single host sees at most `concurrency` requests at once and
request starts at least `min_delay` seconds apart. A server's `Retry-After` or a retry backoff pushes
the gate's next start, so the pause applies to every request to that host, not only the one that failed.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx

__all__ = ["Clock", "HostGate", "HostGates", "SharedWait", "Sleep", "origin_of"]

# Bounds the re-checks so an injected sleep that does not advance the clock cannot spin forever.
_MAX_RECHECKS = 4

Sleep = Callable[[float], Awaitable[object]]
Clock = Callable[[], float]
# Waits until this process holds the next start of a request to an origin, agreed with every other process.
SharedWait = Callable[[str, float], Awaitable[float]]


def origin_of(url: str | httpx.URL) -> str:
    """The origin a URL belongs to, e.g. `https://example.com:443`; politeness and robots.txt are per origin."""
    parsed = httpx.URL(url)
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ValueError(f"not an http(s) URL: {str(url)!r}")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return f"{parsed.scheme}://{parsed.host}:{port}"


class HostGate:
    """Admits requests to one host: at most `concurrency` at once, starts spaced by a minimum delay."""

    def __init__(
        self, concurrency: int, *, sleep: Sleep, clock: Clock, origin: str = "", shared: SharedWait | None = None
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {concurrency}")
        self.concurrency = concurrency
        self._slots = asyncio.Semaphore(concurrency)
        # Held while waiting for the next start time, so starts are handed out one at a time, in order.
        self._turn = asyncio.Lock()
        self._sleep = sleep
        self._clock = clock
        self._next_start = -math.inf
        self._origin = origin
        self._shared = shared

    @asynccontextmanager
    async def slot(self, min_delay: float) -> AsyncIterator[None]:
        """Wait for a free slot and for this host's next allowed start time, then hold the slot."""
        async with self._slots:
            async with self._turn:
                # Check again after sleeping: a request admitted earlier may have been sent late
                # (`mark_sent`) or the host may have asked for a pause (`defer`) meanwhile.
                for _ in range(_MAX_RECHECKS):
                    wait = self._next_start - self._clock()
                    if wait <= 0:
                        break
                    await self._sleep(wait)
                self._next_start = self._clock() + min_delay
                if self._shared is not None:
                    # Other processes crawl this host too: wait until this one holds the start all of them agree on.
                    await self._shared(self._origin, min_delay)
            yield

    def mark_sent(self, min_delay: float) -> None:
        """Note that a request is going out now, so the next one starts `min_delay` after this moment."""
        # Under load the event loop may run a request a little after the gate admitted it.
        self._next_start = max(self._next_start, self._clock() + min_delay)

    def defer(self, seconds: float) -> None:
        """Let no request to this host start for the next `seconds` (after a 429, 503 or a failure)."""
        self._next_start = max(self._next_start, self._clock() + seconds)


class HostGates:
    """One `HostGate` per origin, created on first use."""

    def __init__(self, *, sleep: Sleep, clock: Clock, shared: SharedWait | None = None) -> None:
        self._gates: dict[str, HostGate] = {}
        self._sleep = sleep
        self._clock = clock
        self._shared = shared

    def for_url(self, url: str | httpx.URL, concurrency: int) -> HostGate:
        """The gate of the URL's origin; its concurrency is fixed by the first policy that uses the host."""
        origin = origin_of(url)
        gate = self._gates.get(origin)
        if gate is None:
            gate = self._gates[origin] = HostGate(
                concurrency, sleep=self._sleep, clock=self._clock, origin=origin, shared=self._shared
            )
        return gate
