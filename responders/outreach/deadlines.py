"""Business-time arithmetic for outreach deadlines: pure functions of a company calendar and a moment.

Rules (all in the company's local time zone, only business days count):
- first contact is due the same business day at close of business when the complaint arrives on a business day
  before 14:00 and before close; otherwise the next business day at 12:00 (kept inside business hours);
- a deadline is "due soon" when it falls within the next 2 business hours, "breached" once it has passed.
Every function takes and returns aware UTC datetimes; local time is only used inside.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor.core.errors import ConfigError

if TYPE_CHECKING:
    from monitor.store.models import Company

__all__ = [
    "DUE_SOON_BUSINESS_HOURS",
    "BusinessCalendar",
    "add_business_hours",
    "calendar_for",
    "deadline_state",
    "first_contact_due",
    "parse_due",
]

DUE_SOON_BUSINESS_HOURS = 2.0
_MAX_DAYS_SCANNED = 400  # a calendar with business days finds one within a week; this only stops bad input


@dataclass(frozen=True)
class BusinessCalendar:
    """A company's working week: time zone, opening hours [start, end) and business weekdays (Monday = 0)."""

    timezone: str = "UTC"
    hours: tuple[int, int] = (9, 17)
    days: tuple[int, ...] = (0, 1, 2, 3, 4)

    def __post_init__(self) -> None:
        self.zone  # noqa: B018  (validates the name now, not at the first deadline)
        start, end = self.hours
        if not (0 <= start < end <= 24):
            raise ConfigError(f"business hours {start}:00-{end}:00 are not a valid range (start before end, 0-24)")
        if not self.days or any(d not in range(7) for d in self.days):
            raise ConfigError(f"business days {self.days!r} must be weekdays 0 (Monday) to 6 (Sunday), at least one")

    @property
    def zone(self) -> ZoneInfo:
        """The time zone, or a clear error naming the bad value."""
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"{self.timezone!r} is not a known time zone (use an IANA name such as 'Europe/Berlin')"
            ) from None

    @classmethod
    def from_company(cls, timezone: str, settings: Mapping[str, Any]) -> BusinessCalendar:
        """The calendar stored on a company row (its `settings` JSON as written by the config sync)."""
        # Companies created by `monitor import` have no settings yet: they get the documented defaults.
        hours = settings.get("business_hours", (9, 17))
        days = settings.get("business_days", (0, 1, 2, 3, 4))
        return cls(timezone=timezone or "UTC", hours=(int(hours[0]), int(hours[1])), days=tuple(int(d) for d in days))

    def is_business_day(self, day: date) -> bool:
        """True when `day` is one of the business weekdays."""
        return day.weekday() in self.days

    def local(self, moment: datetime) -> datetime:
        """`moment` in the company's local time."""
        _require_aware(moment)
        return moment.astimezone(self.zone)

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        """The UTC moment of local wall-clock `hour:minute` on `day` (hour 24 means the next midnight)."""
        if hour == 24:
            return self.at(day + timedelta(days=1), 0, minute)
        # zoneinfo resolves a wall time inside a DST gap or overlap with fold=0: the offset before the change.
        return datetime.combine(day, time(hour, minute), tzinfo=self.zone).astimezone(UTC)

    def open_interval(self, day: date) -> tuple[datetime, datetime]:
        """Opening and closing moment (UTC) of `day`."""
        return self.at(day, self.hours[0]), self.at(day, self.hours[1])

    def next_business_day(self, day: date) -> date:
        """The first business day strictly after `day`."""
        for offset in range(1, _MAX_DAYS_SCANNED):
            candidate = day + timedelta(days=offset)
            if self.is_business_day(candidate):
                return candidate
        raise ConfigError("the business calendar has no business days")  # unreachable after validation


def calendar_for(company: Company) -> BusinessCalendar:
    """The business calendar of a company row."""
    return BusinessCalendar.from_company(company.timezone, company.settings)


def first_contact_due(
    arrived: datetime,
    calendar: BusinessCalendar,
    *,
    same_day_cutoff: time = time(14, 0),
    next_day_at: time = time(12, 0),
) -> datetime:
    """When first contact is due for a complaint that arrived at `arrived`."""
    local = calendar.local(arrived)
    today = local.date()
    start, end = calendar.hours
    closing_today = calendar.at(today, end)
    cutoff = min(calendar.at(today, same_day_cutoff.hour, same_day_cutoff.minute), closing_today)
    if calendar.is_business_day(today) and arrived.astimezone(UTC) < cutoff:
        return closing_today
    day = calendar.next_business_day(today)
    # The next-day time is kept inside opening hours so a deadline never falls while nobody works.
    hour_minutes = min(max(next_day_at.hour * 60 + next_day_at.minute, start * 60), end * 60)
    return calendar.at(day, hour_minutes // 60, hour_minutes % 60)


def add_business_hours(start: datetime, hours: float, calendar: BusinessCalendar) -> datetime:
    """The moment `hours` of business time after `start` (time outside opening hours does not count)."""
    _require_aware(start)
    if hours < 0:
        raise ValueError("hours must not be negative")
    remaining = timedelta(hours=hours)
    moment = start.astimezone(UTC)
    day = calendar.local(moment).date()
    for _ in range(_MAX_DAYS_SCANNED):
        if calendar.is_business_day(day):
            opens, closes = calendar.open_interval(day)
            begin = max(moment, opens)
            if begin < closes:
                available = closes - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += timedelta(days=1)
        moment = max(moment, calendar.at(day, 0))
    raise ConfigError("the business calendar has no business days")  # unreachable after validation


def deadline_state(due: datetime | None, now: datetime, calendar: BusinessCalendar) -> str | None:
    """'breached', 'due_soon' (within 2 business hours) or 'ok'; None when nothing is due."""
    if due is None:
        return None
    if due <= now:
        return "breached"
    if due <= add_business_hours(now, DUE_SOON_BUSINESS_HOURS, calendar):
        return "due_soon"
    return "ok"


_RELATIVE = re.compile(r"^(today|tomorrow)\s+(\d{1,2}):(\d{2})$")


def parse_due(text: str, now: datetime, calendar: BusinessCalendar) -> datetime:
    """A follow-up time from `tomorrow 10:00`, `today 16:30` or ISO 8601 (local company time when no offset)."""
    value = text.strip().lower()
    match = _RELATIVE.match(value)
    if match:
        hour, minute = int(match.group(2)), int(match.group(3))
        if hour > 23 or minute > 59:
            raise ValueError(f"{text!r}: {hour:02d}:{minute:02d} is not a time of day")
        day = calendar.local(now).date() + timedelta(days=1 if match.group(1) == "tomorrow" else 0)
        due = calendar.at(day, hour, minute)
    else:
        try:
            parsed = datetime.fromisoformat(text.strip())
        except ValueError:
            raise ValueError(
                f"{text!r} is not a time: use ISO 8601 (2025-03-04T10:00, optionally with +01:00) "
                "or 'today HH:MM' / 'tomorrow HH:MM' (company local time)"
            ) from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=calendar.zone)
        due = parsed.astimezone(UTC)
    if due <= now:
        raise ValueError(f"{text!r} is in the past; a follow-up must be due later than now")
    return due


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r} given; use an aware UTC datetime")
