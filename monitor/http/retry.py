"""When a fetch attempt is worth retrying, how long to wait before the next one, and how to describe a failure."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from monitor.core.text_safety import printable

__all__ = [
    "MAX_RETRY_AFTER",
    "TransientFailure",
    "describe_transport_error",
    "full_jitter_backoff",
    "is_retryable_status",
    "retry_after_seconds",
]


# A Retry-After beyond this is taken as this: a site cannot park a source for years, and the wait must stay a
# number that dates and messages can hold (a 400-digit value is infinity as a float; year 9999 overflows a date).
MAX_RETRY_AFTER = 30 * 24 * 3600.0
_ASCII_DIGITS = re.compile(r"[0-9]+")


class TransientFailure(Exception):
    """An attempt failed in a way worth retrying (connection, timeout, truncated body)."""


def is_retryable_status(status: int) -> bool:
    """Whether an answer with this status may succeed when asked again: 408, 429 and 5xx."""
    return status in (408, 429) or 500 <= status < 600


def full_jitter_backoff(attempt: int, *, base: float, cap: float, rng: random.Random) -> float:
    """Delay before retry number `attempt` (0-based): uniform in [0, min(cap, base * 2**attempt)]."""
    # Full jitter spreads retries of many clients over the whole window instead of synchronising them.
    return rng.uniform(0.0, min(cap, base * (2.0**attempt)))


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header (delay-seconds or HTTP-date), at most `MAX_RETRY_AFTER`;
    None when absent or invalid."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    # ASCII digits only: str.isdigit() also accepts "²" and other digits float() cannot read.
    if _ASCII_DIGITS.fullmatch(value):
        # Compared as text length first, so a thousand-digit value is never turned into a huge number.
        return MAX_RETRY_AFTER if len(value.lstrip("0")) > 12 else min(float(value), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        # RFC 9110 HTTP-dates are always GMT.
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return min(max(0.0, (when - now).total_seconds()), MAX_RETRY_AFTER)


def describe_transport_error(exc: httpx.TransportError) -> str:
    """A short account of a failed connection, for the message of the error that ends the fetch."""
    # The library's message may quote what the server sent (a status line, a header), so it is made printable.
    detail = printable(str(exc))[:300] or type(exc).__name__
    if _caused_by(exc, ConnectionResetError):
        return "the server reset the connection"
    if isinstance(exc, httpx.ProxyError):
        return f"the proxy failed ({detail})"
    if isinstance(exc, httpx.ConnectError):
        return f"could not connect ({detail})"
    return f"the connection broke ({detail})"


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False
