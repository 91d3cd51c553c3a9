"""Report figures on rows made here: the loop effect from revisions, agents from task events, periods in a
company's time zone (SQLite and PostgreSQL), undated reviews, and hostile text in HTML, CSV and the terminal."""

from __future__ import annotations

import csv
import io
import statistics
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from rich.console import Console
from sqlmodel import Session, select

from monitor.core.settings import Settings
from monitor.core.spreadsheet import safe_cell, safe_row
from monitor.digest.render import template_environment
from monitor.report.build import build_report
from monitor.report.export import report_json, write_csv
from monitor.report.html import render_html
from monitor.report.model import MIN_TO_JUDGE, Figures
from monitor.report.periods import offset_changes, periods, previous_period
from monitor.report.text import render_plain, render_terminal
from monitor.store.task_models import OutreachTask
from monitor.store.template_models import ReplyTemplate
from responders.outreach.queue import update_queue
from responders.outreach.workflow import claim_task, close_task, log_contact
from tests.db_fixtures import (
    add_company,
    add_reply,
    add_review,
    add_source,
    at,
    edit_review,
    on_database,
    sqlite_session,
)

NOW = at("2024-06-01 12:00")
MARCH = (date(2024, 3, 1), date(2024, 3, 31))


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    yield from sqlite_session(tmp_path)


def _report(session: Session, first: date, last: date, by: str | None = "month", **kw: object) -> Figures:
    session.flush()
    report = build_report(session=session, first_day=first, last_day=last, by=by, now=NOW, **kw)  # type: ignore[arg-type]
    return report.companies[0].total


def test_safe_cell_neutralises_formulas_and_leaves_numbers() -> None:
    for text in ("=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "\r=x", '=HYPERLINK("http://x")'):
        assert safe_cell(text) == "'" + text
    for value in ("plain", "1+1=2", "", -5, 3.5, None):
        assert safe_cell(value) == value
    assert safe_row(["=a", 1, "b"]) == ["'=a", 1, "b"]


def test_loop_effect_per_answer_from_revisions(session: Session) -> None:
    source = add_source(session, add_company(session, "Loop"))
    day = at("2024-03-05 10:00")
    personal = [add_review(session, source, published=day, handle=f"p{i}", rating=1.0) for i in range(12)]
    for review in personal:
        add_reply(session, review, published=day + timedelta(hours=5), text="Hi, I called you about the refund.")
    for review in personal[:5]:
        edit_review(session, review, observed=day + timedelta(days=3), rating=4.0)  # +3 each
    lowered = add_review(session, source, published=day, handle="p-low", rating=2.0)
    add_reply(session, lowered, published=day + timedelta(hours=1), text="Personal answer")
    edit_review(session, lowered, observed=day + timedelta(days=2), rating=1.0)  # -1
    templated = [add_review(session, source, published=day, handle=f"t{i}", rating=1.0) for i in range(11)]
    for review in templated:
        add_reply(session, review, published=day + timedelta(hours=2), template_id="t-sorry")
    for review in templated[:2]:
        edit_review(session, review, observed=day + timedelta(days=4), rating=2.0)  # +1 each
    silent = [add_review(session, source, published=day, handle=f"s{i}", rating=1.0) for i in range(3)]
    edit_review(session, silent[0], observed=day + timedelta(days=1), rating=5.0)
    add_review(session, source, published=day, handle="happy", rating=5.0, unhappy=False)
    total = _report(session, *MARCH)
    loop = total.loop
    assert (loop["personal"].judged, loop["personal"].up, loop["personal"].down) == (13, 5, 1)
    assert loop["personal"].mean_change == pytest.approx((5 * 3 - 1) / 13)
    assert (loop["template"].judged, loop["template"].up, loop["template"].down) == (11, 2, 0)
    assert loop["template"].share_up == pytest.approx(2 / 11)
    assert loop["template"].mean_change == pytest.approx(2 / 11)
    assert loop["unanswered"].judged == 3 < MIN_TO_JUDGE and not loop["unanswered"].enough
    assert (total.unhappy_reviews, total.replied_personally, total.replied_with_template) == (27, 13, 11)
    hours = [5.0] * 12 + [1.0] + [2.0] * 11
    assert total.median_hours_to_reply == pytest.approx(statistics.median(hours), abs=1e-6)
    assert total.timed_replies == len(hours)
    text = render_plain(build_report(session=session, first_day=MARCH[0], last_day=MARCH[1], now=NOW))
    assert "not answered: 3 with ratings before and after: too few to judge" in text
    assert "answered personally: 13 reviewers, 38% raised their rating, 8% lowered it, mean change +1.08" in text


def test_ratings_on_other_scales_are_read_on_five_points(session: Session) -> None:
    source = add_source(session, add_company(session, "Scale"))
    review = add_review(session, source, published=at("2024-03-05 10:00"), rating=2.0)
    happy = add_review(session, source, published=at("2024-03-06 10:00"), rating=10.0, unhappy=False)
    for row in (review, happy):
        row.rating_scale = 10
        session.add(row)
    edit_review(session, review, observed=at("2024-03-09 10:00"), rating=6.0)
    total = _report(session, *MARCH)
    assert total.rating_distribution == {1: 0, 2: 0, 3: 1, 4: 0, 5: 1}
    assert total.rating_average == pytest.approx((3 + 5) / 2)
    assert total.loop["unanswered"].change_sum == pytest.approx(2.0)


def test_agents_and_queue_figures_from_task_events(session: Session) -> None:
    company = add_company(session, "Queue")
    source = add_source(session, company)
    reviews = [
        add_review(session, source, published=at("2024-03-04 08:00"), handle=f"u{i}", rating=1.0) for i in range(4)
    ]
    update_queue(
        session=session, settings=Settings(), review_ids=[r.id or 0 for r in reviews], now=at("2024-03-04 08:30")
    )
    tasks = list(session.exec(select(OutreachTask).order_by(OutreachTask.id)).all())
    assert len(tasks) == 4
    first, second, third, fourth = (t.id or 0 for t in tasks)
    due = tasks[0].first_contact_due
    claim = at("2024-03-04 09:00")
    for task_id, agent in ((first, "ann"), (second, "ann"), (third, "bob")):
        claim_task(session=session, task_id=task_id, actor=agent, now=claim, expiry_minutes=10_000)
    log_contact(
        session=session, task_id=first, actor="ann", note="called", now=claim + timedelta(hours=1), contacted=True
    )
    late = due + timedelta(hours=3)
    log_contact(session=session, task_id=second, actor="ann", note="mailed", now=late, contacted=True)
    close_task(session=session, task_id=first, actor="ann", outcome="resolved", note="", now=at("2024-03-06 10:00"))
    close_task(session=session, task_id=fourth, actor="cy", outcome="not_actionable", note="spam", now=claim)
    total = _report(session, *MARCH)
    assert (total.tasks_opened, total.tasks_first_contacts, total.tasks_closed) == (4, 2, 2)
    assert total.outcomes == {"resolved": 1, "no_response": 0, "not_actionable": 1}
    # Second was contacted after its deadline, third is held by bob without contact; fourth was closed unreached.
    assert total.tasks_breached == 3
    report = build_report(session=session, first_day=MARCH[0], last_day=MARCH[1], now=NOW)
    agents = {a.agent: a for a in report.companies[0].agents}
    assert set(agents) == {"ann", "bob", "cy"}
    ann, bob = agents["ann"], agents["bob"]
    assert (ann.claimed, ann.contacted, ann.first_contacts, ann.late_first_contacts) == (2, 2, 2, 1)
    assert ann.closed["resolved"] == 1 and ann.deadline_breaches == 1
    created = tasks[0].created_at
    waits = sorted(((claim + timedelta(hours=1) - created).total_seconds(), (late - created).total_seconds()))
    assert ann.median_hours_to_first_contact == pytest.approx(sum(waits) / 2 / 3600)
    assert (bob.claimed, bob.contacted, bob.overdue_now, bob.deadline_breaches) == (1, 0, 1, 1)
    assert agents["cy"].closed["not_actionable"] == 1
    agent_json = report_json(report)[0]["agents"]
    assert [a["agent"] for a in agent_json] == ["ann", "bob", "cy"]


def _zone_rows(session: Session) -> None:
    source = add_source(session, add_company(session, "Berlin", timezone="Europe/Berlin"))
    for moment in (
        "2024-02-29 23:30",  # 1 March 00:30 in Berlin (winter time)
        "2024-03-15 12:00",
        "2024-03-31 21:30",  # 23:30 on 31 March, summer time since 02:00 that day
        "2024-03-31 22:30",  # 1 April 00:30
        "2024-03-10 12:00",
    ):
        add_review(session, source, published=at(moment), handle=moment)
    undated = add_review(session, source, published=at("2024-03-20 12:00"), handle="undated")
    undated.published_at = None
    session.add(undated)
    # Counted in the same pass, each company in its own zone: 02:00 UTC on 1 April is 31 March in New York.
    other = add_source(session, add_company(session, "New York", timezone="America/New_York"), name="ny")
    for moment in ("2024-04-01 02:00", "2024-04-01 05:00"):
        add_review(session, other, published=at(moment), handle=moment)


def _zone_checks(session: Session) -> None:
    session.flush()
    report = build_report(session=session, first_day=date(2024, 3, 1), last_day=date(2024, 4, 30), by="month", now=NOW)
    company, new_york = report.companies
    assert [(p.label, f.reviews) for p, f in company.periods] == [("2024-03", 4), ("2024-04", 1)]
    assert [(p.label, f.reviews) for p, f in new_york.periods] == [("2024-03", 1), ("2024-04", 1)]
    assert company.previous.reviews == 0 and company.undated_reviews == 1 and company.undated_unhappy == 1
    weeks = build_report(
        session=session,
        first_day=date(2024, 3, 11),
        last_day=date(2024, 3, 31),
        by="week",
        companies=["Berlin"],
        now=NOW,
    )
    labels = [(p.label, p.first_day.isoformat(), f.reviews) for p, f in weeks.companies[0].periods]
    assert labels == [("2024-W11", "2024-03-11", 1), ("2024-W12", "2024-03-18", 0), ("2024-W13", "2024-03-25", 1)]
    # The range is compared with the 21 days before it, 19 February to 10 March (local days).
    assert weeks.companies[0].previous_period.first_day == date(2024, 2, 19)
    assert weeks.companies[0].previous.reviews == 2
    days = build_report(session=session, first_day=date(2024, 3, 31), last_day=date(2024, 4, 1), by="day", now=NOW)
    assert [f.reviews for _, f in days.companies[0].periods] == [1, 1]
    assert [f.reviews for _, f in days.companies[1].periods] == [1, 1]
    # From mid-month, the first period is cut: 1-14 March is not in it (but in the 17 days the range is compared with).
    cut = build_report(
        session=session,
        first_day=date(2024, 3, 15),
        last_day=date(2024, 3, 31),
        by="month",
        companies=["Berlin"],
        now=NOW,
    )
    assert [f.reviews for _, f in cut.companies[0].periods] == [2] and cut.companies[0].previous.reviews == 2


def test_periods_follow_the_company_time_zone_on_sqlite(session: Session) -> None:
    _zone_rows(session)
    _zone_checks(session)


@pytest.mark.postgres
def test_periods_follow_the_company_time_zone_on_postgresql(pg_url: str) -> None:
    on_database(pg_url, _zone_rows, _zone_checks)


def test_period_plan_and_offsets() -> None:
    plan = periods(date(2024, 1, 15), date(2024, 3, 10), "month")
    assert [(p.label, p.first_day.day, p.last_day.day) for p in plan] == [
        ("2024-01", 15, 31),
        ("2024-02", 1, 29),
        ("2024-03", 1, 10),
    ]
    before = previous_period(plan[0], "month")
    assert (before.first_day, before.last_day) == (date(2023, 12, 1), date(2023, 12, 31))
    whole = periods(date(2024, 1, 1), date(2024, 1, 31), None)
    assert previous_period(whole[0], None).first_day == date(2023, 12, 1)
    quarter = previous_period(periods(date(2024, 4, 1), date(2024, 6, 30), None)[0], None)
    assert (quarter.first_day, quarter.last_day) == (date(2024, 1, 1), date(2024, 3, 31))
    days = previous_period(periods(date(2024, 3, 10), date(2024, 3, 19), None)[0], None)
    assert (days.first_day, days.last_day) == (date(2024, 2, 29), date(2024, 3, 9))
    changes = offset_changes("Europe/Berlin", at("2024-01-01 00:00"), at("2025-01-01 00:00"))
    assert [c[0] for c in changes[1:]] == [at("2024-03-31 01:00"), at("2024-10-27 01:00")]


HOSTILE = '<script>alert("x")</script>'
MARKUP = "[bold red]fake[/]"


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_hostile_text_is_escaped_in_html_terminal_and_csv(session: Session) -> None:
    company = add_company(session, f'=HYPERLINK("http://evil") {HOSTILE} {MARKUP}')
    source = add_source(session, company)
    body = f'Refund refund refund "><img src=x onerror=alert(1)> {HOSTILE}'
    for i in range(4):
        review = add_review(session, source, published=at(f"2024-03-0{i + 1} 10:00"), handle=f"h{i}", body=body)
        add_reply(session, review, published=at(f"2024-03-0{i + 1} 12:00"), template_id="t-evil")
    skeleton = f"@SUM(1) <img src=x onerror=alert(2)> {HOSTILE} {MARKUP}"
    session.add(ReplyTemplate(id="t-evil", company_id=company.id or 0, size=4, skeleton=skeleton))
    session.flush()
    report = build_report(
        session=session, first_day=MARCH[0], last_day=date(2024, 4, 30), by="month", now=NOW, theme_words={}
    )
    assert report.companies[0].total.families[0].skeleton == skeleton
    page = render_html(report, template_environment())
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    # The digest's environment is left as it was: the report's helpers live in an overlay.
    assert "volume_chart" not in template_environment().globals
    console = Console(record=True, width=300, file=io.StringIO())
    console.print(render_terminal(report))
    shown = console.export_text()
    assert MARKUP in shown and HOSTILE in shown  # printed as typed, not read as markup
    stream = io.StringIO()
    write_csv(report, stream)
    rows = list(csv.reader(io.StringIO(stream.getvalue())))
    assert rows[1][0].startswith("'=HYPERLINK(")
    assert rows[1][rows[0].index("largest_template")].startswith("'@SUM(1)")
    texts = [cell for row in rows[1:] for cell in row if cell and not _number(cell)]
    assert texts and not [cell for cell in texts if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
