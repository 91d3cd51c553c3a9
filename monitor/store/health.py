"""Health verdicts of crawl runs, and the advice shown with each."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Health", "advice"]


class Health(StrEnum):
    """How a crawl run ended; anything but OK and PARTIAL changes no stored review."""

    RUNNING = "running"
    OK = "ok"
    PARTIAL = "partial"
    BLOCKED = "blocked"
    UNREACHABLE = "unreachable"
    LAYOUT_CHANGED = "layout_changed"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    SKIPPED = "skipped"  # another run of the same source was in progress; no run row is written


_ADVICE = {
    Health.OK: "",
    Health.PARTIAL: "some pages failed; what was read is stored, the next run retries the rest",
    Health.BLOCKED: "the site refused the crawler; raise min_delay, lower concurrency, or check robots.txt",
    Health.UNREACHABLE: "the site could not be reached; check the locator and the network, the next run retries",
    Health.LAYOUT_CHANGED: (
        "the page no longer looks as the adapter expects; try `monitor probe`, then update the adapter"
    ),
    Health.FAILED: "the source failed; see the error and `monitor probe`",
    Health.INTERRUPTED: "the run was stopped before it finished; nothing from it was stored",
    Health.RUNNING: "",
    Health.SKIPPED: "wait for the running crawl to finish",
}


def advice(health: Health) -> str:
    """What the user can try for a run that ended with `health`."""
    return _ADVICE[health]
