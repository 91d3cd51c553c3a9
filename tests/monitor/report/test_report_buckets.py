"""Filing reviews under their company's local periods, and drawing the complaints read for themes, checked here
against Python's own calendar arithmetic and against ranking every complaint (SQLite and PostgreSQL)."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Table, select
from sqlmodel import Session

from monitor.report.build import _scope, build_report
from monitor.report.periods import By, periods, previous_period
from monitor.report.rows import review_rows
from monitor.report.themes import _fetch
from monitor.store.models import Company
from tests.db_fixtures import add_company, add_review, add_source, at, on_database, sqlite_session

NOW = at("2025-06-01 12:00")
# Zones with summer time on either hemisphere, offsets of half and three quarters of an hour, and one whose
# summer time moves the clock by half an hour.
ZONES = ("UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Lord_Howe")
FIRST, LAST = date(2024, 1, 1), date(2024, 12, 31)


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    yield from sqlite_session(tmp_path)


def _instants(zone: str, rng: random.Random) -> list[datetime]:
    """Moments a second either side of local midnights (month starts, Mondays, summer-time days) and random ones."""
    local = ZoneInfo(zone)
    found: list[datetime] = []
    day = date(2023, 12, 1)
    while day <= date(2025, 1, 1):
        if day.day == 1 or day.weekday() == 0 or rng.random() < 0.05:
            midnight = datetime(day.year, day.month, day.day, tzinfo=local).astimezone(UTC)
            found += [midnight - timedelta(seconds=1), midnight, midnight + timedelta(seconds=1)]
        day += timedelta(days=1)
    start = datetime(2023, 12, 1, tzinfo=UTC)
    found += [start + timedelta(seconds=rng.randrange(400 * 86400)) for _ in range(300)]
    return found


def _key(moment: datetime, zone: str, by: By) -> str:
    day = moment.astimezone(ZoneInfo(zone)).date()
    if by == "month":
        day = day.replace(day=1)
    elif by == "week":
        day -= timedelta(days=day.weekday())
    return day.isoformat()


def _fill(session: Session) -> dict[str, list[datetime]]:
    rng = random.Random(5)
    moments: dict[str, list[datetime]] = {}
    for index, zone in enumerate(ZONES):
        source = add_source(session, add_company(session, f"C{index}", timezone=zone), name=f"s{index}")
        moments[f"C{index}"] = _instants(zone, rng)
        for number, moment in enumerate(moments[f"C{index}"]):
            add_review(session, source, published=moment, handle=f"{index}-{number}")
    session.flush()
    return moments


def _check_periods(session: Session) -> None:
    moments = _fill(session)
    for by in ("day", "week", "month"):
        report = build_report(session=session, first_day=FIRST, last_day=LAST, by=by, now=NOW)
        plan = periods(FIRST, LAST, by)
        keys = {p.key for p in plan}
        for index, company in enumerate(report.companies):
            zone = ZONES[index]
            inside = [m for m in moments[company.company] if FIRST <= m.astimezone(ZoneInfo(zone)).date() <= LAST]
            expected = Counter(_key(m, zone, by) for m in inside)
            assert set(expected) <= keys
            got = {p.key: figures.reviews for p, figures in company.periods if figures.reviews}
            assert got == dict(expected), (zone, by)
            assert company.total.reviews == len(inside)
            # The span before the range, as long as it, in the company's own calendar.
            span = company.previous_period
            before = [
                m
                for m in moments[company.company]
                if span.first_day <= m.astimezone(ZoneInfo(zone)).date() <= span.last_day
            ]
            assert before and company.previous.reviews == len(before), (zone, by)


def test_periods_match_the_local_calendar_in_every_zone_on_sqlite(session: Session) -> None:
    _check_periods(session)


@pytest.mark.postgres
def test_periods_match_the_local_calendar_in_every_zone_on_postgresql(pg_url: str) -> None:
    on_database(pg_url, _check_periods)


def _check_sample(session: Session) -> None:
    """The sample drawn with a hash threshold is the one ranking every complaint gives, even when told wrong sizes."""
    source = add_source(session, add_company(session, "Sampled"))
    rng = random.Random(11)
    for number in range(1500):
        moment = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(366 * 24 * 60))
        add_review(session, source, published=moment, handle=f"h{number}", unhappy=rng.random() < 0.6)
    session.flush()
    company = session.get(Company, source.company_id)
    assert company is not None
    plan = periods(FIRST, LAST, "month")
    scope = _scope(session.connection(), [company], plan, previous_period(plan[0], "month"), "month", NOW)
    with review_rows(scope) as rows:
        ranked_all = sorted(_fetch(scope, rows, 20, rows.c.period, {}))
        sizes = Counter(
            (row_company, str(period)) for row_company, period, unhappy in _groups(session, rows) if unhappy
        )
        assert min(sizes.values()) > 20  # every month is sampled, not read whole
        assert sorted(_fetch(scope, rows, 20, rows.c.period, sizes)) == ranked_all
        # Sizes far above the truth set thresholds that keep too few: those groups are fetched again in full.
        inflated = {key: size * 50 for key, size in sizes.items()}
        assert sorted(_fetch(scope, rows, 20, rows.c.period, inflated)) == ranked_all
        assert len(ranked_all) == 20 * len(sizes)


def _groups(session: Session, rows: Table) -> list[tuple[int, str, int]]:
    result = session.connection().execute(select(rows.c.company, rows.c.period, rows.c.unhappy))
    return [(int(c), str(p), int(u)) for c, p, u in result]


def test_theme_sample_is_the_same_as_ranking_every_complaint_on_sqlite(session: Session) -> None:
    _check_sample(session)


@pytest.mark.postgres
def test_theme_sample_is_the_same_as_ranking_every_complaint_on_postgresql(pg_url: str) -> None:
    on_database(pg_url, _check_sample)
