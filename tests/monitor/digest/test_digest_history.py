"""The digest tells the truth about history arriving, the response rate, urgency, agents and dates.

The history is the real App Store export of tests/fixtures/app_store_export/ imported as a new user would; the
expected figures are counted in the tests from the file and from the stored rows, apart from the digest's queries.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from monitor.cli.main import app
from monitor.digest.build import build_digest
from monitor.digest.model import MAX_MONTH_ROWS, Backfill, BackfillMonth, CompanyDigest, Digest
from monitor.digest.render import _local, render_html, render_text
from monitor.runtime.config_file import load_settings
from monitor.runtime.context import open_database
from monitor.store.models import CompanyReply, Review
from tests.fixture_path import fixture

runner = CliRunner()
APP_STORE = fixture("app_store_export", "sg_food_delivery_app_store_400.csv")


def _config(tmp_path: Path) -> Path:
    config = tmp_path / "monitor.toml"
    config.write_text(f'database_url = "sqlite:///{tmp_path / "m.db"}"\nbackfill_window_days = 3650\n')
    return config


def _cli(config: Path, *args: str) -> str:
    result = runner.invoke(app, ["-c", str(config), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def _digest(config: Path, day: date | None = None) -> CompanyDigest:
    engine = open_database(load_settings(config, env={}).database_url)
    with Session(engine) as session:
        if day is None:  # the day the reviews arrived, read from the store rather than the clock
            day = max(r.first_seen for r in session.exec(select(Review)).all()).date()
        return build_digest(session=session, day=day).companies[0]


@pytest.fixture
def imported(tmp_path: Path) -> Path:
    config = _config(tmp_path)
    _cli(config, "import", str(APP_STORE), "--company", "Grab")
    return config


def build_digest_of(company: CompanyDigest) -> Digest:
    """A digest of one company, for the renderers."""
    return Digest(day=company.day, generated_at=company.generated_at, companies=[company])


def _export_rows() -> list[dict[str, str]]:
    with APP_STORE.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def test_an_imported_history_is_summarised_by_publication_period_not_listed_as_news(imported: Path) -> None:
    digest = _digest(imported)
    assert digest.backfill is not None
    per_month = Counter(row["date"][:7] for row in _export_rows())
    assert {f"{m.month:%Y-%m}": m.reviews for m in digest.backfill.months} == per_month
    assert digest.backfill.reviews == digest.new_reviews == len(_export_rows())
    engine = open_database(load_settings(imported, env={}).database_url)
    with Session(engine) as session:
        replied = {r.review_id for r in session.exec(select(CompanyReply)).all()}
        unhappy = [r for r in session.exec(select(Review)).all() if r.unhappy]
    assert digest.backfill.unhappy == len(unhappy)
    assert digest.backfill.answered == sum(1 for r in unhappy if r.id in replied or r.private_reply)
    assert digest.sources == [] and digest.new_unhappy == 0  # none of it is the day's news
    # The export spans more than two years of months: the digest sums them up by year.
    assert len(per_month) > MAX_MONTH_ROWS
    per_year = Counter(row["date"][:4] for row in _export_rows())
    assert {p.label: p.reviews for p in digest.backfill.periods()} == per_year
    text = render_text(build_digest_of(digest))
    assert "History arriving" in text and f"{len(_export_rows()):,} of the" in text
    assert "summarised by publication year" in text
    first = digest.backfill.periods()[0]
    noun = "review" if first.reviews == 1 else "reviews"
    assert f"  {first.label}: {first.reviews:,} {noun}, {first.unhappy:,} unhappy" in text
    assert f"{digest.backfill.months[0].month:%b %Y}:" not in text
    html = render_html(build_digest_of(digest))
    assert f">{first.label}</td>" in html


def test_a_history_of_two_years_or_less_is_shown_by_month() -> None:
    months = [BackfillMonth(date(2023 + (m // 12), m % 12 + 1, 1), m + 1, 1, 0) for m in range(MAX_MONTH_ROWS)]
    backfill = Backfill(reviews=300, unhappy=24, answered=0, older_than=datetime(2025, 1, 1, tzinfo=UTC), months=months)
    assert not backfill.by_year
    assert [(p.label, p.reviews) for p in backfill.periods()] == [(f"{m.month:%b %Y}", m.reviews) for m in months]
    longer = Backfill(300, 25, 0, datetime(2025, 1, 1, tzinfo=UTC), [*months, BackfillMonth(date(2025, 1, 1), 5, 1, 1)])
    assert longer.by_year
    assert [(p.label, p.reviews, p.unhappy, p.answered) for p in longer.periods()] == [
        ("2023", sum(range(1, 13)), 12, 0),
        ("2024", sum(range(13, 25)), 12, 0),
        ("2025", 5, 1, 1),
    ]


def test_the_header_says_how_many_unhappy_reviewers_were_answered(imported: Path) -> None:
    last = max(datetime.fromisoformat(row["date"]) for row in _export_rows()).date()
    digest = _digest(imported, day=last)
    assert digest.response is not None
    first = last - timedelta(days=29)
    engine = open_database(load_settings(imported, env={}).database_url)
    with Session(engine) as session:
        replied = {r.review_id for r in session.exec(select(CompanyReply)).all()}
        unhappy = [
            r
            for r in session.exec(select(Review)).all()
            if r.unhappy and r.published_at and first <= r.published_at.astimezone(UTC).date() <= last
        ]
    if not unhappy:  # nothing in the last 30 days of the file: the year is counted instead
        pytest.fail("the fixture's last 30 days hold unhappy reviews; the test needs them")
    answered = sum(1 for r in unhappy if r.id in replied or r.private_reply)
    assert (digest.response.unhappy, digest.response.replied) == (len(unhappy), answered)
    line = f"Answered {answered:,} of {len(unhappy):,} unhappy reviewers"
    assert line in render_text(build_digest_of(digest))
    assert line in render_html(build_digest_of(digest))


def _recent_export(tmp_path: Path, rows: list[tuple[str, str, int]]) -> Path:
    when = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    path = tmp_path / "recent.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["ref", "comment", "stars", "when", "name"])
        writer.writerows([ref, text, stars, when, f"Reviewer {ref}"] for ref, text, stars in rows)
    return path


def _import_generic(config: Path, export: Path) -> None:
    args = ["import", str(export), "--company", "Acme", "--format", "generic"]
    for option in ("id_column=ref", "text_column=comment", "rating_column=stars", "date_column=when"):
        args += ["-o", option]
    args += ["-o", "author_column=name"]
    _cli(config, *args)


def test_urgent_counts_every_review_not_only_those_listed_and_nobody_answered_is_said(tmp_path: Path) -> None:
    config = _config(tmp_path)
    threats = [
        (f"L{i}", f"Order {i} never came. I will take you to court, my lawyer has the file.", 1) for i in range(12)
    ]
    _import_generic(config, _recent_export(tmp_path, [*threats, ("H1", "Lovely food, fast delivery", 5)]))
    digest = _digest(config)
    assert digest.backfill is None
    shown = sum(len(s.shown) for s in digest.sources)
    assert digest.urgent == 12 > shown  # the listing is cut; the count is not
    assert digest.response is not None and (digest.response.unhappy, digest.response.replied) == (12, 0)
    text = render_text(build_digest_of(digest))
    assert "Answered 0 of 12 unhappy reviewers" in text and "12 urgent" in text


def test_agents_and_the_loop_effect_appear_and_names_are_escaped(tmp_path: Path) -> None:
    config = _config(tmp_path)
    _import_generic(config, _recent_export(tmp_path, [("A1", "Charged twice and no refund, terrible", 1)]))
    task_id = json.loads(_cli(config, "tasks", "list", "--json"))[0]["id"]
    _cli(config, "tasks", "claim", str(task_id), "--as", "<script>alert(1)</script>")
    digest = _digest(config)
    assert [a.agent for a in digest.agents] == ["<script>alert(1)</script>"]
    assert digest.agents[0].claimed == 1
    page = render_html(build_digest_of(digest))
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "claimed 1" in page
    assert "Loop effect" in page and "too few to judge" in page


def test_dates_carry_the_year_when_it_is_not_the_digests_year() -> None:
    moment = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
    assert _local(moment, "UTC", 2026) == "04 Mar 2025 09:30"
    assert _local(moment, "UTC", 2025) == "04 Mar 09:30"
    # The zone decides the local year: New Year's Eve in UTC is already next year in Auckland.
    assert _local(datetime(2025, 12, 31, 20, 0, tzinfo=UTC), "Pacific/Auckland", 2026) == "01 Jan 09:00"
