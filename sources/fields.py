"""Small field converters shared by adapters: timestamps, ratings, HTML-to-text."""

from __future__ import annotations

import hashlib
import html
import math
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from bs4 import BeautifulSoup

__all__ = [
    "EARLIEST",
    "BadDate",
    "derived_id",
    "html_to_text",
    "in_range",
    "parse_datetime",
    "parse_rating",
    "rating_from_text",
]

# No review site predates this; an earlier date is a placeholder (0, 1970) or a wrong field, not a review's time.
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
# Clocks and time zones differ a little; a date further ahead than this is wrong, not early.
FUTURE_SLACK = timedelta(days=1)


class BadDate(ValueError):
    """A recognisable date that cannot be a review's: impossible, out of range, before 1990 or in the future."""


_DAY_FIRST = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def parse_datetime(value: Any, *, day_first: bool = True, now: datetime | None = None) -> datetime | None:
    """Parse ISO 8601, epoch seconds/milliseconds or `DD-MM-YYYY[ HH:MM]` into an aware UTC datetime.

    Naive values are taken as UTC. Returns None for empty input; raises ValueError for text that is not a
    recognisable time, for an impossible one (month 13, a year past 9999 once in UTC) and for one outside
    `in_range`, so callers can report the row instead of storing a wrong date or losing the page.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return in_range(value, now=now)
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value  # milliseconds since 1970 are > 1e11 after 1973
        try:
            moment = datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError) as exc:
            raise BadDate(f"timestamp {str(value)[:24]} is out of range") from exc
        return in_range(moment, now=now)
    text = str(value).strip()
    if not text or text.lower() in {"nan", "none", "null"}:
        return None
    if text.isdigit():
        return parse_datetime(int(text), now=now)
    match = _DAY_FIRST.match(text)
    if match:
        a, b, year, hh, mm, ss = match.groups()
        day, month = (int(a), int(b)) if day_first else (int(b), int(a))
        try:
            moment = datetime(int(year), month, day, int(hh or 0), int(mm or 0), int(ss or 0), tzinfo=UTC)
        except ValueError as exc:
            raise BadDate(f"not a possible date/time: {text[:40]!r} ({exc})") from exc
        return in_range(moment, now=now)
    iso = text.replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError as exc:
        raise ValueError(f"not a date/time: {text[:40]!r}") from exc
    return in_range(parsed, now=now)


def in_range(moment: datetime, *, now: datetime | None = None) -> datetime:
    """`moment` in UTC (naive taken as UTC); `BadDate` when it has no UTC form, is before 1990 or over a day ahead."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    try:
        utc = aware.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        # 9999-12-31T23:59:59-14:00 is a valid text but lies past the last year a datetime can hold in UTC.
        raise BadDate(f"date/time {aware.isoformat()[:40]} is out of range") from exc
    if utc < EARLIEST:
        raise BadDate(f"date {utc:%Y-%m-%d} is before {EARLIEST:%Y}, so it is not a review's date")
    latest = (now or datetime.now(UTC)) + FUTURE_SLACK
    if utc > latest:
        raise BadDate(f"date {utc:%Y-%m-%d %H:%M} UTC is in the future")
    return utc


def parse_rating(value: Any) -> float | None:
    """A star rating as a float, None when absent; ValueError when present but not a finite number."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a rating: {value!r}")
    if isinstance(value, int | float):
        number = float(value) if not isinstance(value, int) or value.bit_length() < 1024 else math.inf
    else:
        text = str(value).strip()
        if not text or text.lower() in {"nan", "none", "null"}:
            return None
        try:
            number = float(text.replace(",", "."))
        except ValueError as exc:
            raise ValueError(f"not a rating: {text[:20]!r}") from exc
    # JSON's NaN, Infinity and 1e400 (infinity once read) are no number of stars, and no scale either.
    if not math.isfinite(number):
        raise ValueError(f"not a rating: {str(value)[:20]!r} is not a finite number")
    return number


_RATIO = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:/|out\s+of|of)\s*(\d+(?:[.,]\d+)?)", re.I)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_SCALE_BEFORE = re.compile(r"(?:/|\bout\s+of|\bof)\s*$", re.I)
_FILLED_STARS = "★⭐"
_EMPTY_STARS = "☆"


def rating_from_text(text: str, default_scale: int) -> tuple[float | None, int]:
    """A rating and its scale from visible text or an attribute; ValueError when no rating is in it."""
    cleaned = text.strip()
    if not cleaned:
        return None, default_scale
    filled = sum(cleaned.count(star) for star in _FILLED_STARS)
    if filled and not _NUMBER.search(cleaned):
        empty = cleaned.count(_EMPTY_STARS)
        return float(filled), (filled + empty) if empty else default_scale
    ratio = _RATIO.search(cleaned)
    if ratio:
        value, scale = parse_rating(ratio.group(1)), parse_rating(ratio.group(2))
        if scale and scale >= 1:
            return value, round(scale)
    number = _NUMBER.search(cleaned)
    if number:
        if _SCALE_BEFORE.search(cleaned[: number.start()]):
            # "-/5", "? of 5": the only number is the scale, and the rating itself is missing.
            raise ValueError(f"no rating in {cleaned[:40]!r}")
        return parse_rating(number.group(0)), default_scale
    if cleaned.count(_EMPTY_STARS):
        return 0.0, cleaned.count(_EMPTY_STARS)
    raise ValueError(f"no rating in {cleaned[:40]!r}")


_BLOCK_TAGS = ("br", "p", "div", "li")


# Fragments made only of these tags (typical of reply boxes) are converted without building a parse tree.
_SIMPLE_TAG = re.compile(r"</?(?:br|p|div|li|span|b|i|u|em|strong)\s*/?>", re.I)
_BLOCK_TAG = re.compile(r"<(?:br|p|div|li)\s*/?>", re.I)


def html_to_text(markup: str) -> str:
    """Visible text of an HTML fragment, with line breaks kept and `&nbsp;` folded into spaces."""
    if "<" not in markup and "&" not in markup:
        return markup.strip()
    if "<" not in _SIMPLE_TAG.sub("", markup):
        text = html.unescape(_SIMPLE_TAG.sub("", _BLOCK_TAG.sub("\n", markup)))
        return _tidy(text)
    soup = BeautifulSoup(markup, "lxml")
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_before("\n")
    return _tidy(soup.get_text())


def _tidy(text: str) -> str:
    text = text.replace("\xa0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


_ID_TEXT_PREFIX = 200


def derived_id(*parts: Any) -> str:
    """A stable review id for sites and files that give none, hashed from e.g. author, time and text.

    Times count to the minute in UTC (re-saved spreadsheets drop seconds); text counts by its first 200
    whitespace-folded characters, so a re-export that trims trailing text still maps to the same id.
    """
    normalised: list[str] = []
    for part in parts:
        if isinstance(part, datetime):
            normalised.append(part.astimezone(UTC).strftime("%Y-%m-%dT%H:%M"))
        elif part is None:
            normalised.append("")
        else:
            normalised.append(" ".join(str(part).split())[:_ID_TEXT_PREFIX])
    return "derived-" + hashlib.sha256("\x1f".join(normalised).encode("utf-8")).hexdigest()[:24]
