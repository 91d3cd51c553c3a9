"""What every report query shares: the companies with their sources, time zones and ranges, and the SQL that
files a row under its company's period.

All companies of a report are counted together, each row filed by its company's time zone and range: one pass
over the reviews instead of one per company (a company's replies are not stored apart, so a pass per company
would read every reply again).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, String, and_, case, extract, func, literal, or_
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from monitor.report.periods import PREVIOUS_KEY, WHOLE_KEY, By, period_key, sqlite_shift

__all__ = ["Scope", "Span"]


@dataclass(frozen=True)
class Span:
    """One company's part of a report: rows in [split, end) are the report, [start, previous_end) the period before.

    The period before is a whole day, week or month, so with a range starting mid-month it ends before `split`.
    """

    company_id: int
    source_ids: tuple[int, ...]
    timezone: str
    start: datetime
    previous_end: datetime
    split: datetime
    end: datetime
    # With --by: the UTC instant where each period begins (the period before first) and its key, in order.
    starts: tuple[tuple[datetime, str], ...] = ()

    def within(self, column: Any, *, report_only: bool = False) -> ColumnElement[bool]:
        """A timestamp column inside this company's range (with the period before, unless `report_only`)."""
        if report_only:
            return and_(column >= self.split, column < self.end)
        if self.previous_end >= self.split:
            return and_(column >= self.start, column < self.end)  # one range: an index serves it in one scan
        return or_(
            and_(column >= self.start, column < self.previous_end), and_(column >= self.split, column < self.end)
        )


@dataclass(frozen=True)
class Scope:
    """The companies of one report, how it is split, and the moment it describes."""

    connection: Connection
    by: By | None
    now: datetime
    spans: tuple[Span, ...]

    @property
    def dialect(self) -> str:
        """The database's dialect name: `sqlite` or `postgresql`."""
        return self.connection.dialect.name

    @property
    def company_ids(self) -> list[int]:
        """The companies of the report."""
        return [span.company_id for span in self.spans]

    @property
    def source_ids(self) -> list[int]:
        """Every source of the report's companies."""
        return [source for span in self.spans for source in span.source_ids]

    def _per_company(self, company: Any, value: Callable[[Span], Any], default: Any) -> Any:
        """`value(span)` for the row's company: a constant with one company, else a CASE over the companies."""
        if len(self.spans) == 1:
            return value(self.spans[0])
        return case(*[(company == span.company_id, value(span)) for span in self.spans], else_=default)

    def bucket(self, column: Any, company: Any) -> ColumnElement[str]:
        """The key of the period a timestamp falls in, in its company's time zone (`company`: the row's company id).

        With `by`: the local start day `YYYY-MM-DD` of its day, week or month. Without: "previous" for the period
        before, "all" for the report.
        """
        if self.by is None:
            before = [(and_(company == span.company_id, column < span.split), PREVIOUS_KEY) for span in self.spans]
            return case(*before, else_=WHOLE_KEY) if before else literal(WHOLE_KEY, String)
        if self.dialect == "postgresql":
            if all(span.starts for span in self.spans):
                keyed: ColumnElement[str] = self._per_company(
                    company, lambda span: _starts_bucket(column, span.starts), None
                )
                return keyed
            zone = self._per_company(company, lambda span: span.timezone, "UTC")
            return period_key(func.timezone(zone, column), self.by, self.dialect)
        shift = self._per_company(
            company, lambda span: sqlite_shift(column, span.timezone, span.start, span.end), "+0 seconds"
        )
        return period_key(func.datetime(column, shift), self.by, self.dialect)

    def within(self, column: Any, owner: Callable[[Span], Any], *, report_only: bool = False) -> ColumnElement[bool]:
        """Rows of the report's companies (`owner(span)`: the row belongs to that company) inside its range."""
        each = or_(*[and_(owner(span), span.within(column, report_only=report_only)) for span in self.spans])
        if len(self.spans) < 2:
            return each
        # The companies' ranges differ only by their time zones. Their hull, which the rows satisfy anyway, lets
        # the planner read a short range from the column's index instead of every row (the span before a year's
        # report is 8 % of the reviews: a sequential scan of all of them took 0.4 s of a 4.5 s report).
        first = min(span.split if report_only else span.start for span in self.spans)
        last = max(span.end for span in self.spans)
        return and_(column >= first, column < last, each)

    def hours_between(self, later: Any, earlier: Any) -> ColumnElement[Any]:
        """The hours from `earlier` to `later`, computed by the database."""
        if self.dialect == "postgresql":
            return extract("epoch", later - earlier) / 3600.0
        return (func.julianday(later) - func.julianday(earlier)) * 24.0


def _starts_bucket(column: Any, starts: tuple[tuple[datetime, str], ...]) -> ColumnElement[str]:
    """PostgreSQL: the key of the last period starting at or before `column` (NULL before the first).

    A binary search of the periods' UTC starts (``width_bucket``) costs a fraction of converting each row to its
    local time and formatting its calendar period, which was half of a year's report on a million reviews.
    """
    instants = postgresql.array([literal(moment, DateTime(timezone=True)) for moment, _ in starts])
    keys = postgresql.array([literal(key, String) for _, key in starts])
    return keys[func.width_bucket(column, instants)]
