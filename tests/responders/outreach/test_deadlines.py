"""Business-time deadlines: same-day cut-off, weekends, after hours, time zones and DST."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from monitor.core.errors import ConfigError
from responders.outreach.deadlines import (
    BusinessCalendar,
    add_business_hours,
    deadline_state,
    first_contact_due,
    parse_due,
)

UTC_CAL = BusinessCalendar()
BERLIN = BusinessCalendar(timezone="Europe/Berlin")
NEW_YORK = BusinessCalendar(timezone="America/New_York")


def local(tz: str, text: str) -> datetime:
    """An aware datetime for wall-clock `text` in `tz`, returned in UTC."""
    naive = datetime.strptime(text, "%Y-%m-%d %H:%M")
    return naive.replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)


# 2025-03-03 is a Monday; 2025-03-07 a Friday; 2025-03-08 a Saturday.
@pytest.mark.parametrize(
    ("arrived", "due"),
    [
        ("2025-03-03 10:00", "2025-03-03 17:00"),  # weekday morning: same day, close of business
        ("2025-03-03 07:15", "2025-03-03 17:00"),  # before opening still counts for the same day
        ("2025-03-03 13:59", "2025-03-03 17:00"),  # just before the cut-off
        ("2025-03-03 14:00", "2025-03-04 12:00"),  # at the cut-off: next business day noon
        ("2025-03-03 22:30", "2025-03-04 12:00"),  # after hours
        ("2025-03-07 15:00", "2025-03-10 12:00"),  # Friday afternoon: Monday
        ("2025-03-08 09:00", "2025-03-10 12:00"),  # Saturday: Monday, even in the morning
        ("2025-03-09 23:59", "2025-03-10 12:00"),  # Sunday night
    ],
)
def test_first_contact_due_in_utc_company(arrived: str, due: str) -> None:
    assert first_contact_due(local("UTC", arrived), UTC_CAL) == local("UTC", due)


def test_cut_off_is_local_time_not_utc() -> None:
    # 12:30 UTC is 13:30 in Berlin in winter (before the cut-off) but 14:30 in summer (after it).
    assert first_contact_due(datetime(2025, 1, 15, 12, 30, tzinfo=UTC), BERLIN) == local(
        "Europe/Berlin", "2025-01-15 17:00"
    )
    assert first_contact_due(datetime(2025, 7, 15, 12, 30, tzinfo=UTC), BERLIN) == local(
        "Europe/Berlin", "2025-07-16 12:00"
    )


def test_due_across_spring_dst_change_keeps_local_noon() -> None:
    # New York moves to summer time on Sunday 2025-03-09: Friday's complaint is due Monday 12:00 EDT (16:00 UTC).
    due = first_contact_due(local("America/New_York", "2025-03-07 15:00"), NEW_YORK)
    assert due == datetime(2025, 3, 10, 16, 0, tzinfo=UTC)
    assert due.astimezone(ZoneInfo("America/New_York")).hour == 12


def test_due_across_autumn_dst_change() -> None:
    # Europe leaves summer time on Sunday 2025-10-26: Monday 12:00 CET is 11:00 UTC, Friday's 17:00 was 15:00 UTC.
    assert first_contact_due(local("Europe/Berlin", "2025-10-24 16:00"), BERLIN) == datetime(
        2025, 10, 27, 11, 0, tzinfo=UTC
    )


def test_custom_week_and_short_hours() -> None:
    # Sunday to Thursday, 08:00-13:00: a Thursday complaint after closing is due Sunday, noon kept inside hours.
    cal = BusinessCalendar(timezone="Asia/Jerusalem", hours=(8, 13), days=(6, 0, 1, 2, 3))
    due = first_contact_due(local("Asia/Jerusalem", "2025-03-06 13:30"), cal)
    assert due == local("Asia/Jerusalem", "2025-03-09 12:00")
    # Hours starting after noon move the next-day deadline to opening time.
    late = BusinessCalendar(hours=(13, 20))
    assert first_contact_due(local("UTC", "2025-03-03 15:00"), late) == local("UTC", "2025-03-04 13:00")


def test_unknown_time_zone_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match=r"'Mars/Olympus_Mons' is not a known time zone"):
        BusinessCalendar(timezone="Mars/Olympus_Mons")
    with pytest.raises(ConfigError, match="not a known time zone"):
        BusinessCalendar.from_company("Europe/Atlantis", {})


@pytest.mark.parametrize(
    ("hours", "days"),
    [((17, 9), (0,)), ((9, 25), (0,)), ((9, 17), ()), ((9, 17), (7,))],
)
def test_bad_calendar_is_refused(hours: tuple[int, int], days: tuple[int, ...]) -> None:
    with pytest.raises(ConfigError):
        BusinessCalendar(hours=hours, days=days)


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        first_contact_due(datetime(2025, 3, 3, 10, 0), UTC_CAL)


@pytest.mark.parametrize(
    ("start", "hours", "end"),
    [
        ("2025-03-03 10:00", 2, "2025-03-03 12:00"),
        ("2025-03-03 16:00", 2, "2025-03-04 10:00"),  # one hour today, one tomorrow morning
        ("2025-03-07 16:30", 2, "2025-03-10 10:30"),  # over the weekend
        ("2025-03-08 11:00", 1, "2025-03-10 10:00"),  # from a Saturday
        ("2025-03-03 06:00", 8, "2025-03-03 17:00"),  # a whole working day from before opening
        ("2025-03-03 12:00", 0, "2025-03-03 12:00"),
    ],
)
def test_add_business_hours(start: str, hours: float, end: str) -> None:
    assert add_business_hours(local("UTC", start), hours, UTC_CAL) == local("UTC", end)


def test_add_business_hours_over_dst_counts_working_hours_not_clock_hours() -> None:
    end = add_business_hours(local("America/New_York", "2025-03-07 16:00"), 2, NEW_YORK)
    assert end == local("America/New_York", "2025-03-10 10:00")


def test_deadline_state() -> None:
    now = local("UTC", "2025-03-07 16:30")  # Friday, half an hour before closing
    assert deadline_state(None, now, UTC_CAL) is None
    assert deadline_state(local("UTC", "2025-03-07 16:00"), now, UTC_CAL) == "breached"
    assert deadline_state(now, now, UTC_CAL) == "breached"
    # Monday 10:00 is only 1.5 business hours away although it is almost three days off.
    assert deadline_state(local("UTC", "2025-03-10 10:00"), now, UTC_CAL) == "due_soon"
    assert deadline_state(local("UTC", "2025-03-10 11:00"), now, UTC_CAL) == "ok"


def test_parse_due_relative_and_iso() -> None:
    now = local("Europe/Berlin", "2025-03-03 15:00")
    assert parse_due("tomorrow 10:00", now, BERLIN) == local("Europe/Berlin", "2025-03-04 10:00")
    assert parse_due("Today 16:30", now, BERLIN) == local("Europe/Berlin", "2025-03-03 16:30")
    assert parse_due("2025-03-05T09:00", now, BERLIN) == local("Europe/Berlin", "2025-03-05 09:00")
    assert parse_due("2025-03-05T09:00+00:00", now, BERLIN) == datetime(2025, 3, 5, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("today 09:00", "in the past"),
        ("2020-01-01T10:00", "in the past"),
        ("next week", "not a time"),
        ("tomorrow 25:00", "not a time of day"),
    ],
)
def test_parse_due_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_due(text, local("Europe/Berlin", "2025-03-03 15:00"), BERLIN)
