"""robots.txt rules per host, following RFC 9309, parsed with `protego` and cached with a time to live.

How a robots.txt answer is read:

    2xx                 the file's rules apply (only the first 500 KiB are parsed, as RFC 9309 allows)
    401, 403            disallow everything: the host refuses us the file, so we assume it refuses us the site
                        (stricter than RFC 9309, which would allow crawling on any 4xx)
    other 4xx (404)     no robots.txt: everything is allowed
    429, 5xx            unreachable: disallow everything for now and ask again after a short while; a copy
                        fetched earlier is kept in use meanwhile (RFC 9309 section 2.3.1.4)
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from protego import Protego

from monitor.http.politeness import Clock

__all__ = ["ROBOTS_MAX_BYTES", "RobotsCache", "RobotsRules", "rules_from_response"]

ROBOTS_MAX_BYTES = 500 * 1024


@dataclass(frozen=True)
class RobotsRules:
    """What one host's robots.txt lets us fetch."""

    parser: Protego | None
    allow_all: bool
    # Why these rules hold, for error messages: "robots.txt answered 403", "robots.txt rules", ...
    reason: str
    # True when the file could not be read (server error); such rules are only kept briefly.
    transient: bool = False

    @classmethod
    def parsed(cls, text: str) -> RobotsRules:
        """Rules from the text of a robots.txt file."""
        return cls(
            parser=Protego.parse(text), allow_all=False, reason="its rules disallow this path for our User-Agent"
        )

    @classmethod
    def allow_everything(cls, reason: str) -> RobotsRules:
        """No restrictions (e.g. the host has no robots.txt)."""
        return cls(parser=None, allow_all=True, reason=reason)

    @classmethod
    def deny_everything(cls, reason: str, *, transient: bool = False) -> RobotsRules:
        """Nothing may be fetched (e.g. robots.txt answered 403, or could not be read)."""
        return cls(parser=None, allow_all=False, reason=reason, transient=transient)

    def allows(self, url: str, user_agent: str) -> bool:
        """Whether `user_agent` may fetch `url`."""
        if self.parser is None:
            return self.allow_all
        return self.parser.can_fetch(url, user_agent)

    def crawl_delay(self, user_agent: str) -> float | None:
        """The `Crawl-delay` the file asks of `user_agent`, if any."""
        if self.parser is None:
            return None
        return self.parser.crawl_delay(user_agent)


def rules_from_response(status: int, body: bytes) -> RobotsRules:
    """Read a robots.txt HTTP answer (after redirects and retries) as rules; see the module docstring."""
    if 200 <= status < 300:
        return RobotsRules.parsed(body[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace"))
    if status in (401, 403):
        return RobotsRules.deny_everything(f"robots.txt answered {status}, so the whole site is treated as off limits")
    if status == 429 or status >= 500:
        return RobotsRules.deny_everything(
            f"robots.txt could not be read (HTTP {status}); RFC 9309 says to fetch nothing until it can be",
            transient=True,
        )
    if 400 <= status < 500:
        return RobotsRules.allow_everything(f"robots.txt answered {status}")
    # 1xx or a redirect that was not followed to the end: treat like an unreadable file.
    return RobotsRules.deny_everything(f"robots.txt gave an unusable answer (HTTP {status})", transient=True)


class RobotsCache:
    """Rules per origin, loaded once and reused until they expire; concurrent lookups share one load."""

    def __init__(self, *, clock: Clock, ttl: float = 24 * 3600.0, failure_ttl: float = 600.0) -> None:
        self._clock = clock
        # RFC 9309 asks not to use a cached robots.txt for more than 24 hours.
        self.ttl = ttl
        self.failure_ttl = failure_ttl
        self._entries: dict[str, tuple[RobotsRules, float]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def rules(self, origin: str, load: Callable[[], Awaitable[RobotsRules]]) -> RobotsRules:
        """The cached rules of `origin`, calling `load` when there are none or they expired."""
        entry = self._fresh(origin)
        if entry is not None:
            return entry
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:
            entry = self._fresh(origin)
            if entry is not None:
                return entry
            rules = await load()
            previous = self._entries.get(origin)
            if rules.transient:
                if previous is not None and not previous[0].transient:
                    # The file was readable before: keep following it while the host has trouble.
                    rules = previous[0]
                self._entries[origin] = (rules, self._clock() + self.failure_ttl)
            else:
                self._entries[origin] = (rules, self._clock() + self.ttl)
            return rules

    def peek(self, origin: str) -> RobotsRules | None:
        """The cached, unexpired rules of `origin` without loading anything."""
        return self._fresh(origin)

    def _fresh(self, origin: str) -> RobotsRules | None:
        entry = self._entries.get(origin)
        if entry is not None and entry[1] > self._clock():
            return entry[0]
        return None
