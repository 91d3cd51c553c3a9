"""Report periods: days, weeks or months of a company's calendar, and the SQL that files a timestamp under one.

A period is a local calendar span in the company's time zone. The database does the filing, so a year of
reviews is counted with GROUP BY instead of being read row by row. PostgreSQL looks each timestamp up among the
UTC instants where the periods begin (`Scope.bucket`), which are computed here from the zone's rules; SQLite,
which knows no time zones, shifts each timestamp by the zone's UTC offset, with a CASE over the few
offset changes (daylight saving) that fall inside the report's range (`sqlite_shift`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import String, case, func, literal
from sqlalchemy.sql.elements import ColumnElement

__all__ = [
    "BY_CHOICES",
    "PREVIOUS_KEY",
    "WHOLE_KEY",
    "By",
    "Period",
    "offset_changes",
    "period_key",
    "periods",
    "previous_period",
    "sqlite_shift",
    "utc_bounds",
]

By = Literal["day", "week", "month"]
BY_CHOICES: tuple[By, ...] = ("day", "week", "month")
WHOLE_KEY = "all"  # the single period of a report without --by
PREVIOUS_KEY = "previous"  # the equally long span before a report without --by


@dataclass(frozen=True)
class Period:
    """One period of a report: its key in the SQL filing, its label, and its first and last local day."""

    key: str
    label: str
    first_day: date
    last_day: date  # inclusive

    @property
    def days(self) -> int:
        """How many calendar days the period covers (the first and last period may be cut by the range)."""
        return (self.last_day - self.first_day).days + 1


def _start_of(day: date, by: By) -> date:
    if by == "week":
        return day - timedelta(days=day.weekday())
    if by == "month":
        return day.replace(day=1)
    return day


def _next_start(start: date, by: By) -> date:
    if by == "week":
        return start + timedelta(days=7)
    if by == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=1)


def _label(start: date, by: By) -> str:
    if by == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if by == "month":
        return f"{start:%Y-%m}"
    return start.isoformat()


def periods(first_day: date, last_day: date, by: By | None) -> list[Period]:
    """The periods from `first_day` to `last_day` (inclusive); the first and last are cut to the range."""
    if by is None:
        return [Period(WHOLE_KEY, f"{first_day.isoformat()} to {last_day.isoformat()}", first_day, last_day)]
    found: list[Period] = []
    start = _start_of(first_day, by)
    while start <= last_day:
        following = _next_start(start, by)
        found.append(
            Period(start.isoformat(), _label(start, by), max(start, first_day), min(following - timedelta(1), last_day))
        )
        start = following
    return found


def previous_period(first: Period, by: By | None) -> Period:
    """The period before `first`: the whole calendar period before it; without --by, as many whole months before
    a range of whole months (a quarter, a year), else an equally long span."""
    if by is None:
        last = first.first_day - timedelta(days=1)
        start = last - timedelta(days=first.days - 1)
        if first.first_day.day == 1 and (first.last_day + timedelta(days=1)).day == 1:
            # Whole months (a quarter, a year): the same number of whole months before, whatever their lengths.
            months = (
                (first.last_day.year - first.first_day.year) * 12 + first.last_day.month - first.first_day.month + 1
            )
            index = first.first_day.year * 12 + first.first_day.month - 1 - months
            start = date(index // 12, index % 12 + 1, 1)
        return Period(PREVIOUS_KEY, f"{start.isoformat()} to {last.isoformat()}", start, last)
    start = _start_of(_start_of(first.first_day, by) - timedelta(days=1), by)
    return Period(start.isoformat(), _label(start, by), start, _next_start(start, by) - timedelta(days=1))


def utc_bounds(first_day: date, last_day: date, timezone: str) -> tuple[datetime, datetime]:
    """The UTC instants where local `first_day` begins and local `last_day` ends, in `timezone`."""
    zone = ZoneInfo(timezone or "UTC")
    start = datetime.combine(first_day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def _offset(zone: ZoneInfo, moment: datetime) -> timedelta:
    return moment.astimezone(zone).utcoffset() or timedelta(0)


@lru_cache(maxsize=256)
def offset_changes(timezone: str, start: datetime, end: datetime) -> tuple[tuple[datetime, timedelta], ...]:
    """The zone's UTC offset at `start`, then each (instant, new offset) where it changes before `end`."""
    zone = ZoneInfo(timezone or "UTC")
    changes = [(start, _offset(zone, start))]
    step = timedelta(days=1)  # no zone changes its offset twice within a day
    moment = start
    while moment < end:
        following = min(moment + step, end)
        if _offset(zone, following) != changes[-1][1]:
            low, high = moment, following  # the change lies in (low, high]: halve to the second
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if _offset(zone, middle) == changes[-1][1]:
                    low = middle
                else:
                    high = middle
            changes.append((high.replace(microsecond=0), _offset(zone, high)))
        moment = following
    return tuple(changes)


def _seconds(offset: timedelta) -> str:
    return f"{int(offset.total_seconds()):+d} seconds"


def sqlite_shift(column: Any, timezone: str, start: datetime, end: datetime) -> ColumnElement[Any]:
    """The SQLite date modifier ("+3600 seconds") that turns a UTC `column` in [start, end) into local time."""
    changes = offset_changes(timezone, start, end)
    if len(changes) == 1:
        return literal(_seconds(changes[0][1]), String)
    whens = [(column < changes[i + 1][0], _seconds(changes[i][1])) for i in range(len(changes) - 1)]
    return case(*whens, else_=_seconds(changes[-1][1]))


def period_key(local: ColumnElement[Any], by: By, dialect: str) -> ColumnElement[str]:
    """The key of the day, week or month of a local timestamp: its first day as `YYYY-MM-DD`."""
    if dialect == "postgresql":
        return func.to_char(func.date_trunc(by, local), "YYYY-MM-DD")
    if dialect != "sqlite":
        raise ValueError(f"reports support SQLite and PostgreSQL, not {dialect}")
    if by == "month":
        return func.strftime("%Y-%m-01", local)
    if by == "week":
        return func.date(local, "-6 days", "weekday 1")
    return func.date(local)
