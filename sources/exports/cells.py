"""One export cell at a time: text repair, ratings, counts, dates, and what a bad cell costs.

A bad cell costs that cell, not the row: the mapper records a `Dropped` note and keeps the review without the
value. Only a cell the review cannot exist without (its text, or a field its derived id is hashed from) skips
the row, by raising `RowSkipped` with a short reason that the import counts ("rating unreadable", ...).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from unicodedata import normalize

from ftfy.chardata import CONTROL_CHARS

from monitor.core.encoding_repair import repair_encoding
from sources.exports.dates import date_evidence, parse_export_date
from sources.fields import BadDate, in_range, parse_rating, rating_from_text
from sources.fields import derived_id as fields_derived_id

__all__ = [
    "CellError",
    "Dropped",
    "RowContext",
    "RowNotes",
    "RowSkipped",
    "date_cell",
    "derived_id",
    "optional_text",
    "read_count",
    "read_date",
    "read_flag",
    "read_rating",
    "read_text",
    "repair_text",
    "required_rating",
    "swapped_date",
    "text_cell",
]

_BLANK = {"", "nan", "none", "null", "nat"}
_MAX_COUNT = 2**31 - 1
# What `repair_encoding` (ftfy) can change in text, besides composing accents (NFC): a character a UTF-8
# sequence leaves behind when read as a single-byte encoding is followed by another non-ASCII one (every such
# sequence is two bytes or more, each of them 0x80 or above); the Latin-1 and C1 range ("Ã", "\x92" for "’");
# the control characters ftfy removes; lone surrogates. Text with none of these, such as English with a curly
# apostrophe or an emoji, comes out of ftfy as it went in, and skipping it saves most of an import's reading time.
_MAY_NEED_FTFY = re.compile(
    "[^\\x00-\\x7f]{2}|[\\x80-\\xff\\ud800-\\udfff" + "".join(f"\\u{code:04x}" for code in sorted(CONTROL_CHARS)) + "]"
)


@dataclass(frozen=True, slots=True)
class RowContext:
    """Reading options a row mapper needs."""

    # The file's date order: True day-first, False month-first, None when the file holds no `1/2/2024` dates.
    day_first: bool | None = None
    rating_scale: int = 5
    columns: Mapping[str, str] = field(default_factory=dict)  # generic layout: role -> column name
    # Dates after this (plus a day of time-zone slack) are refused; None: the time of reading.
    now: datetime | None = None


class RowSkipped(ValueError):
    """A row that cannot become a review; `reason` is the short category the import counts it under."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


class CellError(ValueError):
    """One cell that cannot be read; `reason` is its short category (`unreadable`, `out of range`)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Dropped:
    """A cell left out of a kept review: its short category and the full explanation."""

    reason: str
    detail: str


@dataclass(slots=True)
class RowNotes:
    """What mapping one row noted besides the record."""

    dropped: list[Dropped] = field(default_factory=list)
    # The id this row got when its dates were read in the other day/month order (so a corrected re-import
    # finds the review an earlier, wrongly ordered import stored).
    alias: str | None = None
    # The review id is the site's own (not hashed from the row): a second row with it is the same review.
    own_id: bool = False

    def drop(self, reason: str, detail: str) -> None:
        """Note a cell left out of the review."""
        self.dropped.append(Dropped(reason, detail))


def repair_text(value: Any) -> str:
    """Text with mojibake repaired, line endings as `\\n` and outer whitespace stripped; '' when blank."""
    if value is None:
        return ""
    text = str(value)
    if text.strip().lower() in _BLANK:
        return ""
    if not text.isascii():  # plain ASCII cannot hold mojibake; skipping ftfy keeps big imports fast
        text = repair_encoding(text) if _MAY_NEED_FTFY.search(text) else normalize("NFC", text)
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def optional_text(value: Any) -> str | None:
    """Repaired text, or None when blank."""
    return repair_text(value) or None


def read_text(value: Any, what: str) -> str:
    """The review text; `RowSkipped` when the cell holds something that is not text (a JSON object or list)."""
    if isinstance(value, dict | list):
        raise RowSkipped(f"{what} unreadable", f"{what} is a JSON {type(value).__name__}, not text")
    return repair_text(value)


def read_date(value: Any, ctx: RowContext, what: str) -> datetime | None:
    """A date cell in UTC, None when blank; `CellError` when unreadable or not a possible review date."""
    try:
        moment = parse_export_date(value, day_first=ctx.day_first)
    except ValueError as exc:
        evidence = date_evidence(value)
        hint = ""
        # Only a date written in the other order than the one in force is explained by the option.
        if (ctx.day_first, evidence) in ((True, "month_first"), (False, "day_first")):
            order = str(evidence).replace("_", "-")
            hint = f"; this date is {order}, so the option day_first={str(ctx.day_first).lower()} does not fit it"
        raise CellError("unreadable", f"{what} {exc}{hint}") from None
    if moment is None:
        return None
    try:
        return in_range(moment, now=ctx.now)
    except BadDate as exc:
        raise CellError("out of range", f"{what} {str(value)[:40]!r}: {exc}") from None


def swapped_date(value: Any, ctx: RowContext) -> datetime | None:
    """The date `value` would be in the file's other day/month order, when it is ambiguous and still possible."""
    if ctx.day_first is None or date_evidence(value) != "ambiguous":
        return None
    try:
        moment = parse_export_date(value, day_first=not ctx.day_first)
        return in_range(moment, now=ctx.now) if moment else None
    except ValueError:
        return None


def read_rating(value: Any, ctx: RowContext) -> float | None:
    """A star rating on the file's scale, None when blank; `CellError` otherwise.

    Besides plain numbers, the written forms that exports and spreadsheets carry are read: `4/5`, `8 out of 10`,
    `4 stars`, `★★★★☆`. A rating that names its own scale is converted to the file's (8/10 of 5 stars is 4).
    """
    try:
        rating = parse_rating(value)
    except ValueError:
        rating = _written_rating(str(value), ctx.rating_scale)
    if rating is not None and not 0 <= rating <= ctx.rating_scale:
        raise CellError("out of range", f"rating {rating:g} is outside 0..{ctx.rating_scale}")
    return rating


def _written_rating(text: str, file_scale: int) -> float | None:
    """A rating written with its scale or as stars, on `file_scale`; `CellError` when there is none."""
    try:
        rating, scale = rating_from_text(text, file_scale)
    except ValueError:
        raise CellError("unreadable", f"not a rating: {text.strip()[:20]!r}") from None
    if rating is None or scale == file_scale:
        return rating
    if not 0 <= rating <= scale:
        raise CellError("out of range", f"rating {text.strip()[:20]!r} is outside its own scale")
    return round(rating * file_scale / scale, 2)


def read_count(value: Any, what: str) -> int | None:
    """A non-negative whole number, None when blank; `CellError` otherwise."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    if text.lower() in _BLANK:
        return None
    try:
        number = float(text)
    except ValueError:
        raise CellError("unreadable", f"{what} {text[:20]!r} is not a number") from None
    if not math.isfinite(number) or number < 0 or not number.is_integer():
        raise CellError("unreadable", f"{what} {text[:20]!r} is not a count")
    if number > _MAX_COUNT:
        # More than any review's votes, and more than the database's integer column holds.
        raise CellError("out of range", f"{what} {text[:20]!r} is too large to be a count")
    return int(number)


def read_flag(value: Any) -> bool | None:
    """A yes/no cell, None when blank or unclear."""
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    if text in {"true", "1", "yes"}:
        return True
    if text in {"false", "0", "no"}:
        return False
    return None


def derived_id(*parts: Any) -> str:
    """A stable review id hashed from `parts`, with export text repaired first (see `sources.fields.derived_id`)."""
    return fields_derived_id(*(repair_text(p) if isinstance(p, str) else p for p in parts))


def text_cell(value: Any, notes: RowNotes, what: str) -> str | None:
    """A text cell, None when blank; a JSON object or list there is no text: left out of the review, noted."""
    if isinstance(value, dict | list):
        notes.drop(f"{what} unreadable", f"{what} is a JSON {type(value).__name__}, not text; kept without it")
        return None
    return optional_text(value)


def date_cell(value: Any, ctx: RowContext, notes: RowNotes, what: str, *, identity: bool = False) -> datetime | None:
    """A date that, when bad, is dropped from the review; or skips the row when the review's id is hashed from it."""
    try:
        return read_date(value, ctx, what)
    except CellError as exc:
        if identity:
            raise RowSkipped(
                f"{what} {exc.reason}", f"{exc}; the review has no id of its own and its date is part of it"
            ) from None
        notes.drop(f"{what} {exc.reason}", f"{exc}; kept without the {what}")
        return None


def required_rating(value: Any, ctx: RowContext) -> float:
    """A store's star rating: 1 to 5 whole stars; `RowSkipped` when blank, unreadable or outside them."""
    try:
        rating = read_rating(value, ctx)
    except CellError as exc:
        raise RowSkipped(f"rating {exc.reason}", str(exc)) from None
    if rating is None:
        # Every App Store, Google Play and HelloPeter review has stars: a blank cell is a damaged row, and a review
        # stored without its rating would be judged by its words alone.
        raise RowSkipped("rating missing", "the rating cell is empty")
    if rating < 1 or rating != int(rating):
        # Stores give 1 to 5 whole stars: 0 or 3.5 is a damaged cell (a blank saved as 0), never the reviewer's.
        raise RowSkipped("rating out of range", f"rating {rating:g} is not 1 to 5 whole stars")
    return rating
