"""Numbers no review can have, left out of a crawled review before it is stored.

Adapters read numbers as the site wrote them, and JSON allows `NaN`, `Infinity`, `1e400` (infinity once read) and
integers of any length. Stored as they are, a rating of NaN or 10**30 is nonsense in every report, and an integer
beyond 64 bits makes SQLite refuse the whole run's transaction (PostgreSQL's `integer` ends at 2**31 - 1). Every
crawled review passes `checked` before it is kept, whatever adapter (or plugin) built it: a field that cannot be
is dropped with a note, and the review is kept.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from monitor.core.records import ReviewRecord

__all__ = ["MAX_COUNT", "MAX_RATING_SCALE", "checked"]

# No review site rates out of more than 100 (percentages); a larger "best rating" is a wrong field.
MAX_RATING_SCALE = 100
# The largest value of the databases' integer columns (PostgreSQL `integer`).
MAX_COUNT = 2**31 - 1


def checked(record: ReviewRecord) -> tuple[ReviewRecord, list[str]]:
    """`record` without the numbers it cannot have, and one note per field left out."""
    problems: list[str] = []
    changes: dict[str, Any] = {}
    where = f"review {record.site_review_id[:80]}"
    scale, rating = record.rating_scale, record.rating
    if scale is not None and not _whole(scale, 1, MAX_RATING_SCALE):
        problems.append(f"{where}: rating scale {_shown(scale)} is not 1 to {MAX_RATING_SCALE}; rating left empty")
        changes.update(rating=None, rating_scale=None)
    elif rating is not None and not _between(rating, 0, scale or MAX_RATING_SCALE):
        problems.append(f"{where}: rating {_shown(rating)} is not 0 to {scale or MAX_RATING_SCALE}; left empty")
        changes.update(rating=None, rating_scale=None)
    votes = record.helpful_votes
    if votes is not None and not _whole(votes, 0, MAX_COUNT):
        problems.append(f"{where}: helpful votes {_shown(votes)} is not 0 to {MAX_COUNT}; left empty")
        changes["helpful_votes"] = None
    return (replace(record, **changes) if changes else record), problems


def _whole(value: object, low: int, high: int) -> bool:
    if isinstance(value, float) and value.is_integer():  # 5.0 is a scale of 5
        return low <= value <= high
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _between(value: object, low: float, high: float) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) and low <= value <= high


def _shown(value: object) -> str:
    # A huge integer is not written out (Python refuses to beyond 4,300 digits): its size is what matters.
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**15:
        return f"{'-' if value < 0 else ''}(a number of about {int(value.bit_length() * 0.30103) + 1} digits)"
    return repr(value)[:40]
