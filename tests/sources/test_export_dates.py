"""Export dates written with a weekday (RFC 2822 and long formats) and Excel's `21-Aug-23`: read as written, and a
weekday that is not the date's own refuses the value instead of storing a misread date."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sources.exports.dates import DateOrderScan, date_evidence, parse_export_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mon, 21 Aug 2023 10:00:00 +0000", datetime(2023, 8, 21, 10, tzinfo=UTC)),
        ("Mon, 21 Aug 2023 23:30:00 -0500", datetime(2023, 8, 22, 4, 30, tzinfo=UTC)),
        ("Tue, 22 Aug 2023 01:00:00 +0300", datetime(2023, 8, 21, 22, tzinfo=UTC)),
        ("Monday 21 August 2023", datetime(2023, 8, 21, tzinfo=UTC)),
        ("Monday, August 21, 2023 10:42 PM", datetime(2023, 8, 21, 22, 42, tzinfo=UTC)),
        ("Mon. 21/08/2023 10:00", datetime(2023, 8, 21, 10, tzinfo=UTC)),
        ("Thu 2023-08-24T10:00:00Z", datetime(2023, 8, 24, 10, tzinfo=UTC)),
        ("21-Aug-23", datetime(2023, 8, 21, tzinfo=UTC)),
        ("21-Aug-23 10:00", datetime(2023, 8, 21, 10, tzinfo=UTC)),
        ("1-Mar-99", datetime(1999, 3, 1, tzinfo=UTC)),
        ("May 5, 2024", datetime(2024, 5, 5, tzinfo=UTC)),  # a month, not a weekday
    ],
)
def test_dates_with_a_weekday_or_a_month_name_are_read_as_written(text: str, expected: datetime) -> None:
    assert parse_export_date(text, day_first=True) == expected


@pytest.mark.parametrize(
    ("text", "day_first", "reason"),
    [
        ("Mon, 23 Aug 2023 10:00:00 +0000", True, "names a Monday, but 23 Aug 2023 is a Wednesday"),
        ("Mon 03/04/2023", False, "names a Monday, but 4 Mar 2023 is a Saturday"),
        ("Funday, 21 Aug 2023", True, "is not a date/time"),
        ("Mon 1692612000", True, "is not a date/time"),
    ],
)
def test_a_weekday_that_is_not_the_dates_own_refuses_the_value(text: str, day_first: bool, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_export_date(text, day_first=day_first)


def test_the_weekday_does_not_hide_a_dates_order_from_the_scan() -> None:
    assert date_evidence("Mon, 21/08/2023") == "day_first"
    assert date_evidence("Mon, 8/21/2023") == "month_first"
    scan = DateOrderScan()
    for number, value in enumerate(["Mon 4/3/2023", "Mon, 8/21/2023"], start=2):
        scan.note(number, value)
    assert scan.decide(where="x.csv", label="line") is False
    assert parse_export_date("Mon 4/3/2023", day_first=False) == datetime(2023, 4, 3, tzinfo=UTC)
