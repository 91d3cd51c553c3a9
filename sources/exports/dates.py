"""Dates as exports write them, and the one order (day-first or month-first) every date of a file is read in.

Spreadsheets save dates in their locale's order: `21/08/2023 22:42` in most of the world, `8/21/2023 10:42 PM`
in the US. A single value such as `3/4/2024` cannot say which it is, so the order is decided once per file from
all its dates (`DateOrderScan`): a first field above 12 is a day (day-first), a second field above 12 is a day
(month-first). A file with evidence of both orders, or with ambiguous dates and no evidence, is refused with a
message that names the option to set; an explicit `day_first` option always wins.

`parse_export_date` reads every common spelling: ISO 8601 with `T` or a space, single-digit months, days and
hours, seconds optional, fractions, AM/PM, `Z`/`UTC`/`GMT` or a numeric offset, month names (`Aug 21, 2023`,
`21 August 2023`, `21-Aug-23`), a weekday before the date (`Mon, 21 Aug 2023 10:00:00 +0000`, RFC 2822; a weekday
that is not the date's refuses the value), compact `20230821`, and epoch seconds or milliseconds. Values without a
zone are UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Literal

from monitor.core.errors import BadExport

__all__ = [
    "DAY_FIRST_OPTION",
    "DateOrderScan",
    "Evidence",
    "date_evidence",
    "parse_day_first",
    "parse_export_date",
    "written",
]

DAY_FIRST_OPTION = "-o day_first=true|false"

Evidence = Literal["day_first", "month_first", "ambiguous"]

_TIME = (
    r"(?:[T ]+(?P<h>\d{1,2})(?::(?P<mi>\d{2}))?(?::(?P<s>\d{2})(?:[.,](?P<f>\d{1,9}))?)?"
    r"(?:\s*(?P<ampm>[AaPp]\.?[Mm]\.?))?)?"
)
_ZONE = r"(?:\s*(?P<zone>Z|UTC|GMT|(?:UTC|GMT)?[+-]\d{1,2}(?::?\d{2})?))?"
# 21/08/2023, 8-21-2023, 21.08.23, with an optional time and zone.
_NUMERIC = re.compile(rf"^(?P<a>\d{{1,2}})[-/.](?P<b>\d{{1,2}})[-/.](?P<y>\d{{4}}|\d{{2}}){_TIME}{_ZONE}$", re.I)
# 2023-08-21, 2023/8/21 (year first is never read month-last), with an optional time and zone.
_YEAR_FIRST = re.compile(rf"^(?P<y>\d{{4}})[-/.](?P<m>\d{{1,2}})[-/.](?P<d>\d{{1,2}}){_TIME}{_ZONE}$", re.I)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<mon>[A-Za-z]{3,9})\.?"
# 21 August 2023, and Excel's `21-Aug-23` with a two-digit year.
_DAY_MONTH_NAME = re.compile(
    rf"^(?P<d>\d{{1,2}})(?:st|nd|rd|th)?[ -]{_MONTH}[ ,-]+(?P<y>\d{{4}}|\d{{2}}){_TIME}{_ZONE}$"
)
_MONTH_NAME_DAY = re.compile(rf"^{_MONTH} (?P<d>\d{{1,2}})(?:st|nd|rd|th)?,? (?P<y>\d{{4}}){_TIME}{_ZONE}$")
_EPOCH = re.compile(r"^\d{9,13}(?:\.\d+)?$")
# A weekday before the date, as RFC 2822 (`Mon, 21 Aug 2023 10:00:00 +0000`) and long formats write it.
_WEEKDAY = re.compile(r"^(?P<wd>[A-Za-z]{3,9})\.?,? (?=\d|[A-Za-z]{3,9}\.? \d)")
# English names, whatever the machine's locale, as the file writes them.
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WEEKDAYS = {
    name: number
    for number, names in enumerate(
        (
            ("mon", "monday"),
            ("tue", "tues", "tuesday"),
            ("wed", "wednesday"),
            ("thu", "thur", "thurs", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
            ("sun", "sunday"),
        )
    )
    for name in names
}
_BLANK = {"", "nan", "none", "null", "nat"}


def parse_day_first(value: Any) -> bool | None:
    """The `day_first` option: True, False, or None for `auto` (decided from the file's own dates)."""
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"", "auto"}:
        return None
    if text in {"true", "yes", "1", "on"}:
        return True
    if text in {"false", "no", "0", "off"}:
        return False
    raise ValueError(f"day_first must be true, false or auto, got {str(value)[:20]!r}")


def written(value: Any) -> str:
    """A date cell as it is read: every run of white space (a no-break space too) one space, none at the ends."""
    return " ".join(str(value).split())


def date_evidence(value: Any) -> Evidence | None:
    """What one value says about the file's date order: `day_first`, `month_first`, `ambiguous` or nothing."""
    return _evidence(written(value)) if isinstance(value, str) else None


def _evidence(text: str) -> Evidence | None:
    """`date_evidence` of a cell already read as `written`."""
    if not text[:1].isdigit():
        text = _without_weekday(text)[0]
        if not text[:1].isdigit():
            return None
    match = _NUMERIC.match(text)
    if match is None:
        return None
    a, b = int(match["a"]), int(match["b"])
    if a > 12 >= b >= 1:
        return "day_first"
    if b > 12 >= a >= 1:
        return "month_first"
    if a != b and 1 <= a <= 12 and 1 <= b <= 12:
        return "ambiguous"
    return None  # 5/5/2024 reads the same either way; 13/14/2024 is no date at all


@dataclass
class DateOrderScan:
    """Evidence of one file's date order, gathered value by value; `decide` gives the order or refuses the file."""

    day_first_at: tuple[int, str] | None = None
    month_first_at: tuple[int, str] | None = None
    ambiguous_at: tuple[int, str] | None = None
    ambiguous: int = 0

    def note(self, number: int, value: Any) -> None:
        """Take the evidence of one date cell found on row `number`."""
        if not isinstance(value, str):
            return
        # Read once: the scan sees every date cell of the file.
        text = written(value)
        kind = _evidence(text)
        if kind == "day_first" and self.day_first_at is None:
            self.day_first_at = (number, text)
        elif kind == "month_first" and self.month_first_at is None:
            self.month_first_at = (number, text)
        elif kind == "ambiguous":
            self.ambiguous += 1
            if self.ambiguous_at is None:
                self.ambiguous_at = (number, text)

    def decide(self, *, where: str, label: str) -> bool | None:
        """True for day-first, False for month-first, None when no date needs an order; `BadExport` otherwise."""
        if self.day_first_at and self.month_first_at:
            (n1, v1), (n2, v2) = self.day_first_at, self.month_first_at
            raise BadExport(
                f"{where}: dates are written in both orders ({label} {n1}: {v1!r} is day-first; {label} {n2}: "
                f"{v2!r} is month-first), so none of them can be trusted; nothing was stored. Correct the file, or "
                f"read every date one way with {DAY_FIRST_OPTION}"
            )
        if self.day_first_at:
            return True
        if self.month_first_at:
            return False
        if self.ambiguous_at:
            number, value = self.ambiguous_at
            raise BadExport(
                f"{where}: cannot tell whether dates such as {value!r} ({label} {number}) are day-first or "
                f"month-first: none of the {self.ambiguous} such dates has a day above 12; nothing was stored. "
                f"Say which with {DAY_FIRST_OPTION} (true: 3/4/2024 is 3 April; false: it is March 4)"
            )
        return None

    def describe(self, label: str) -> str:
        """How the decision was made, for the import summary."""
        if self.day_first_at:
            return f"day-first (e.g. {label} {self.day_first_at[0]}: {self.day_first_at[1]!r})"
        if self.month_first_at:
            return f"month-first (e.g. {label} {self.month_first_at[0]}: {self.month_first_at[1]!r})"
        return "as written (no day/month order to decide)"


def parse_export_date(value: Any, *, day_first: bool | None) -> datetime | None:
    """An export cell as an aware UTC datetime; None when blank; `ValueError` saying why when it is no date.

    `day_first` is the file's order for `1/2/2024`-style values; None means the file was found to hold no
    such value, so one met here is ambiguous and refused.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a date/time")
    if isinstance(value, int | float):
        return _epoch(float(value), str(value))
    text = written(value)
    if text.lower() in _BLANK:
        return None
    text, weekday = _without_weekday(text)
    if weekday is not None:
        return _on_weekday(_calendar_date(text, day_first), weekday, written(value)).astimezone(UTC)
    if _EPOCH.match(text):
        return _epoch(float(text), text)
    if len(text) == 8 and text.isdigit():
        return _build(text, int(text[:4]), int(text[4:6]), int(text[6:]), None).astimezone(UTC)
    moment = _calendar_date(text, day_first)
    if moment is not None:
        return moment.astimezone(UTC)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text[:40]!r} is not a date/time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _without_weekday(text: str) -> tuple[str, int | None]:
    """`text` without a leading weekday name, and that weekday (Monday 0), or `text` and None."""
    match = _WEEKDAY.match(text)
    if match is None or match["wd"].lower() not in _WEEKDAYS:
        return text, None
    return text[match.end() :], _WEEKDAYS[match["wd"].lower()]


def _on_weekday(local: datetime | None, weekday: int, text: str) -> datetime:
    """The date of a cell that named its weekday (as written, in its own zone), once that weekday is the date's."""
    if local is None:
        raise ValueError(f"{text[:40]!r} is not a date/time")
    if local.weekday() != weekday:
        # A weekday that does not fit says the day or month was misread (or mistyped): the date is not trusted.
        named = _DAY_NAMES[weekday]
        raise ValueError(
            f"{text[:40]!r} names a {named}, but {local.day} {_MONTH_NAMES[local.month - 1]} "
            f"{local.year} is a {_DAY_NAMES[local.weekday()]}"
        )
    return local


def _calendar_date(text: str, day_first: bool | None) -> datetime | None:
    """A date written with its year, month and day (numbers or month names) in its own zone, or None."""
    match = _YEAR_FIRST.match(text)
    if match:
        return _build(text, int(match["y"]), int(match["m"]), int(match["d"]), match)
    match = _NUMERIC.match(text)
    if match:
        a, b = int(match["a"]), int(match["b"])
        if day_first is None and a != b and a <= 12 and b <= 12:
            raise ValueError(f"{text[:40]!r} may be day-first or month-first; set {DAY_FIRST_OPTION}")
        if day_first is None:
            day, month = max(a, b), min(a, b)  # the day is the field above 12 (or both are equal)
        else:
            day, month = (a, b) if day_first else (b, a)
        return _build(text, _year(match["y"]), month, day, match)
    match = _DAY_MONTH_NAME.match(text) or _MONTH_NAME_DAY.match(text)
    if match and match["mon"].lower() in _MONTHS:
        return _build(text, _year(match["y"]), _MONTHS[match["mon"].lower()], int(match["d"]), match)
    return None


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 1900 if year >= 70 else 2000  # 2-digit years as spreadsheets expand them
    return year


def _epoch(number: float, text: str) -> datetime:
    seconds = number / 1000 if abs(number) > 1e11 else number  # milliseconds since 1970 are > 1e11 after 1973
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"timestamp {text[:24]} is out of range") from None


def _build(text: str, year: int, month: int, day: int, match: re.Match[str] | None) -> datetime:
    hour = minute = second = micro = 0
    zone: timezone = UTC
    if match is not None:
        if match["h"] is not None:
            hour, minute, second = int(match["h"]), int(match["mi"] or 0), int(match["s"] or 0)
            micro = int((match["f"] or "0")[:6].ljust(6, "0"))
        if match["ampm"]:
            if not 1 <= hour <= 12:
                raise ValueError(f"{text[:40]!r} is not a date/time (hour {hour} with AM/PM)")
            hour = hour % 12 + (12 if match["ampm"][0] in "Pp" else 0)
        if match["zone"]:
            zone = _zone(match["zone"], text)
    try:
        moment = datetime(year, month, day, hour, minute, second, micro, tzinfo=zone)
    except ValueError as exc:
        raise ValueError(f"{text[:40]!r} is not a possible date/time ({exc})") from None
    return moment


def _zone(text: str, whole: str) -> timezone:
    upper = text.upper()
    if upper in {"Z", "UTC", "GMT"}:
        return UTC
    offset = upper.removeprefix("UTC").removeprefix("GMT")
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    hours, minutes = (int(digits), 0) if len(digits) <= 2 else (int(digits[:-2]), int(digits[-2:]))
    if hours > 14 or minutes > 59:
        raise ValueError(f"{whole[:40]!r} has no real time zone offset")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))
