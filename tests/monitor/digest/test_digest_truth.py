"""The digest's counts hold for every item, twins count once, dates carry their year, templates show their text.

Expected figures are counted in each test from the rows it stores (or from the fixture file), apart from the
digest's queries; no test reads the machine clock for the digest's day.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, col, delete, select, update
from typer.testing import CliRunner

from monitor.cli.main import app
from monitor.core.settings import Settings
from monitor.digest.build import build_company_digest, build_digest
from monitor.digest.model import (
    CompanyDigest,
    Digest,
    QueueHealth,
    TaskLine,
    TemplateSummary,
    TemplateUse,
)
from monitor.digest.render import TEMPLATES_LISTED, render_html, render_terminal, render_text
from monitor.digest.sections import MAX_OVERDUE_SHOWN
from monitor.runtime.config_file import load_settings
from monitor.runtime.context import open_database
from monitor.store.models import Company, CompanyReply, Review, SourceRow
from monitor.store.task_models import OutreachTask
from responders.outreach.queue import update_queue
from responders.outreach.workflow import claim_task, close_task, log_contact
from tests.db_fixtures import add_company, add_reply, add_review, add_source, at, edit_review, sqlite_session
from tests.fixture_path import fixture

runner = CliRunner()
APP_STORE = fixture("app_store_export", "sg_food_delivery_app_store_400.csv")
HOSTILE = "{{7*7}} {% raw %}<script>alert(1)</script>"


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    yield from sqlite_session(tmp_path)


def _one(company: CompanyDigest) -> Digest:
    return Digest(day=company.day, generated_at=company.generated_at, companies=[company])


def _cli(config: Path, *args: str) -> None:
    result = runner.invoke(app, ["-c", str(config), *args])
    assert result.exit_code == 0, result.output


def _export_rows() -> list[dict[str, str]]:
    with APP_STORE.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


# --- a store read through two sources ---------------------------------------------------------------------------


@pytest.fixture
def imported_twice(tmp_path: Path) -> Path:
    """The App Store export imported under two source names: every review is stored twice, as twins."""
    config = tmp_path / "monitor.toml"
    config.write_text(f'database_url = "sqlite:///{tmp_path / "m.db"}"\nbackfill_window_days = 3650\n')
    for name in ("store-export", "store-export-2"):
        _cli(config, "import", str(APP_STORE), "--company", "Grab", "--format", "app_store", "--source-name", name)
    engine = open_database(load_settings(config, env={}).database_url)
    with Session(engine) as s:
        # One moment for both imports, so that imports on either side of midnight make one digest day.
        seen = max(r.first_seen for r in s.exec(select(Review)).all())
        s.exec(update(Review).values(first_seen=seen))  # type: ignore[call-overload]
        s.commit()
    engine.dispose()
    return config


def _first_copies(s: Session) -> list[Review]:
    source = s.exec(select(SourceRow).where(SourceRow.name == "store-export")).one()
    return list(s.exec(select(Review).where(Review.source_id == source.id)).all())


def test_a_store_read_through_two_sources_is_one_history_in_the_backfill_and_the_chart(imported_twice: Path) -> None:
    engine = open_database(load_settings(imported_twice, env={}).database_url)
    with Session(engine) as s:
        assert len(s.exec(select(Review)).all()) == 2 * len(_export_rows())  # each source keeps its copy
        first = _first_copies(s)
        replied = {r.review_id for r in s.exec(select(CompanyReply)).all()}
        day = first[0].first_seen.astimezone(UTC).date()
        digest = build_digest(session=s, day=day, now=datetime.combine(day, datetime.max.time(), UTC)).companies[0]
    unhappy = [r for r in first if r.unhappy]
    assert digest.twins_merged == len(first)
    assert digest.new_reviews == len(_export_rows())
    assert digest.backfill is not None
    assert digest.backfill.reviews == len(_export_rows())
    assert Counter({f"{m.month:%Y-%m}": m.reviews for m in digest.backfill.months}) == Counter(
        row["date"][:7] for row in _export_rows()
    )
    assert digest.backfill.unhappy == len(unhappy)
    assert digest.backfill.answered == sum(1 for r in unhappy if r.id in replied or r.private_reply)
    assert digest.daily[-1].unhappy == len(unhappy)  # the chart's day counts each reviewer once too
    text = render_text(_one(digest))
    fresh = len(_export_rows()) - digest.backfill.reviews
    assert f"{len(_export_rows()):,} reviews first seen, {digest.backfill.reviews:,} of them history" in text
    assert f"of the other {fresh:,}: 0 from unhappy reviewers, 0 urgent" in text


def test_complaint_themes_of_a_store_read_twice_are_those_of_the_store_read_once(
    imported_twice: Path, tmp_path: Path
) -> None:
    once = tmp_path / "once"
    once.mkdir()
    config = once / "monitor.toml"
    config.write_text(f'database_url = "sqlite:///{once / "m.db"}"\n')
    _cli(
        config, "import", str(APP_STORE), "--company", "Grab", "--format", "app_store", "--source-name", "store-export"
    )
    found = []
    for where in (config, imported_twice):
        engine = open_database(load_settings(where, env={}).database_url)
        with Session(engine) as s:
            day = max(r.first_seen for r in s.exec(select(Review)).all()).astimezone(UTC).date()
            digest = build_digest(session=s, day=day, now=datetime.combine(day, datetime.max.time(), UTC))
            found.append([(t.term, t.count, t.baseline) for t in digest.companies[0].themes])
        engine.dispose()
    assert found[0] and found[1] == found[0]


def test_the_response_rate_counts_each_reviewer_once_answered_if_any_copy_shows_a_reply(imported_twice: Path) -> None:
    last = max(datetime.fromisoformat(row["date"]) for row in _export_rows()).date()
    first_day = last - timedelta(days=29)
    engine = open_database(load_settings(imported_twice, env={}).database_url)
    with Session(engine) as s:
        in_span = [
            r
            for r in _first_copies(s)
            if r.unhappy and r.published_at and first_day <= r.published_at.astimezone(UTC).date() <= last
        ]
        replied = {r.review_id for r in s.exec(select(CompanyReply)).all()}
        answered = [r.id for r in in_span if r.id in replied]
        assert len(answered) >= 2, "the fixture's last 30 days hold answered unhappy reviews; the test needs them"
        # Counted before any change: every reviewer whose copies show a reply, or a private one.
        expected = (len(in_span), sum(1 for r in in_span if r.id in replied or r.private_reply))
        # The first source lost every other reply (a page that hides them); the second source still shows them.
        hidden = answered[::2]
        s.exec(delete(CompanyReply).where(col(CompanyReply.review_id).in_(hidden)))  # type: ignore[call-overload]
        s.commit()
        digest = build_digest(session=s, day=last, now=datetime.combine(last, datetime.max.time(), UTC)).companies[0]
    rate = digest.response
    assert rate is not None and rate.first_day == first_day
    assert (rate.unhappy, rate.replied) == expected
    expected_replied = expected[1]
    assert rate.personally + rate.with_template == rate.replied
    line = f"Answered {expected_replied:,} of {expected[0]:,} unhappy reviewers"
    assert line in render_text(_one(digest)) and line in render_html(_one(digest))


def test_template_replies_and_answers_seen_through_two_sources_count_once(session: Session) -> None:
    company = add_company(session)
    page = add_source(session, company, "play", "google_play")
    api = add_source(session, company, "play-api", "google_play_api")
    day = date(2024, 3, 11)
    copies: list[tuple[Review, Review]] = []
    for n in range(3):
        pair = []
        for source, seen in ((page, "2024-03-11 08:00"), (api, "2024-03-11 09:00")):
            review = add_review(
                session, source, published=at("2024-03-11 07:00"), first_seen=at(seen), handle=f"h{n}", name=f"N{n}"
            )
            review.site_review_id = f"gp:{n}"
            session.add(review)
            pair.append(review)
        copies.append((pair[0], pair[1]))
    session.flush()
    # Reviewer 0: both copies show the template reply. Reviewer 1: only the API shows a personal one. 2: none.
    for review in copies[0]:
        add_reply(session, review, published=at("2024-03-11 10:00"), template_id="t1")
    add_reply(session, copies[1][1], published=at("2024-03-11 10:00"), text="Hi N1, I called you back.")
    digest = build_company_digest(session=session, company=company, day=day, now=at("2024-03-12 06:00"))
    assert (digest.new_reviews, digest.new_unhappy, digest.twins_merged) == (3, 3, 3)
    assert [s.total for s in digest.sources] == [3]
    assert (digest.template_share_day.replies, digest.template_share_day.templated) == (2, 1)
    assert [(u.id, u.replies) for u in digest.templates] == [("t1", 1)]
    assert digest.daily[-1].unhappy == 3
    rate = digest.response
    assert rate is not None
    assert (rate.unhappy, rate.replied, rate.personally, rate.with_template) == (3, 2, 1, 1)


# --- dates, counts and template texts as rendered ---------------------------------------------------------------


def test_dates_carry_their_year_only_when_it_is_not_the_digests(session: Session) -> None:
    company = add_company(session, timezone="Europe/Berlin")
    src = add_source(session, company)
    add_review(session, src, published=at("2024-12-30 09:00"), first_seen=at("2025-01-10 08:00"), handle="old")
    add_review(session, src, published=at("2025-01-09 10:00"), first_seen=at("2025-01-10 08:00"), handle="new")
    digest = build_company_digest(session=session, company=company, day=date(2025, 1, 10), now=at("2025-01-11 06:00"))
    page = render_html(_one(digest))
    text = render_text(_one(digest))
    assert "30 Dec 2024 10:00" in page and "09 Jan 11:00" in page  # Berlin time; this year's date without it
    assert "09 Jan 2025" not in page
    # The chart spans the turn of the year: its first day is last year's.
    chart_first = date(2025, 1, 10) - timedelta(days=len(digest.daily) - 1)
    assert f">{chart_first.day} {chart_first:%b %Y}<" in page and ">10 Jan<" in page
    span = f"published {chart_first.day} {chart_first:%b %Y} – 10 Jan"
    assert span in page and span in text


def _many() -> CompanyDigest:
    seen = at("2024-03-11 08:00")
    overdue = [TaskLine(i, f"R{i}", None, "new", "high", seen) for i in range(MAX_OVERDUE_SHOWN)]
    uses = [TemplateUse(f"tpl-{i:02}", "template", f"Canned text number {i}, {{…}}", 1, 1, 5) for i in range(11)]
    return CompanyDigest(
        company="Acme",
        company_id=1,
        timezone="UTC",
        day=date(2024, 3, 11),
        window_start=seen,
        window_end=seen,
        generated_at=seen,
        templates=uses,
        queue=QueueHealth(open=20, overdue=MAX_OVERDUE_SHOWN + 3, overdue_oldest=overdue),
    )


def test_lists_cut_for_reading_still_say_how_many_more_there_are() -> None:
    company = _many()
    more_templates = len(company.families_used) - TEMPLATES_LISTED
    for rendered in (render_text(_one(company)), render_html(_one(company))):
        assert "and 3 more" in rendered  # overdue tasks beyond those listed
        assert f"and {more_templates} more canned messages" in rendered
    assert "and 3 more overdue: monitor tasks list --overdue" in render_text(_one(company))


def test_template_sections_show_canned_texts_and_family_names_not_bare_ids(session: Session) -> None:
    company = add_company(session)
    src = add_source(session, company)
    sent = {"tv-1": 2, "tv-2": 1, "tpl-alone-83": 1}
    for template_id, count in sent.items():
        for n in range(count):
            review = add_review(session, src, published=at("2024-03-11 07:00"), handle=f"{template_id}-{n}")
            add_reply(session, review, published=at("2024-03-11 09:00"), template_id=template_id)
    family = {
        "family_id": "fam-5c2",
        "family_name": "We are sorry to hear {…}",
        "family_skeleton": "We are sorry to hear {…}. Please write to help@acme.example.",
        "family_size": 40,
        "family_share": 0.25,
    }

    def provider(_s: Session, _company_id: int) -> list[TemplateSummary]:
        return [
            TemplateSummary("tv-1", "template", 30, 30, "We are sorry to hear that.", "x", **family),  # type: ignore[arg-type]
            TemplateSummary("tv-2", "template", 10, 10, "We are sorry to hear this.", "x", **family),  # type: ignore[arg-type]
            TemplateSummary("tpl-alone-83", "template", 7, 7, "Thank you for your feedback, {name}!", "x"),
        ]

    digest = build_company_digest(
        session=session, company=company, day=date(2024, 3, 11), now=at("2024-03-12 06:00"), templates_for=provider
    )
    used = digest.families_used
    assert [(f.name, f.replies, f.size) for f in used if f.grouped] == [("We are sorry to hear {…}", 3, 40)]
    for rendered in (render_text(_one(digest)), render_html(_one(digest))):
        assert "We are sorry to hear {…}" in rendered
        assert "40 replies all-time, 25% of all replies" in rendered
        assert "Please write to help@acme.example." in rendered  # the family's canned text
        assert "Thank you for your feedback, {name}!" in rendered
        assert "7 recipients all-time" in rendered
        assert "tpl-alone-83" not in rendered and "fam-5c2" not in rendered


def test_the_loop_effect_line_gives_counts_and_says_too_few(session: Session) -> None:
    company = add_company(session)
    src = add_source(session, company)
    day = date(2024, 3, 11)
    changes = [5.0] * 4 + [1.0] + [2.0] * 7  # personally answered reviewers, from 2 stars to ...
    for n, rating in enumerate(changes):
        review = add_review(session, src, published=at("2024-03-05 08:00"), rating=2.0, handle=f"p{n}")
        add_reply(session, review, published=at("2024-03-05 12:00"), text=f"Hi p{n}, I looked at your order.")
        if rating != 2.0:
            edit_review(session, review, observed=at("2024-03-08 08:00"), rating=rating)
    for n in range(3):
        review = add_review(session, src, published=at("2024-03-06 08:00"), rating=1.0, handle=f"t{n}")
        add_reply(session, review, published=at("2024-03-06 12:00"), template_id="t1")
    digest = build_company_digest(session=session, company=company, day=day, now=at("2024-03-12 06:00"))
    up = sum(1 for r in changes if r > 2.0)
    down = sum(1 for r in changes if r < 2.0)
    mean = sum(r - 2.0 for r in changes) / len(changes)
    expected = (
        f"answered personally: {up} of {len(changes)} raised their rating ({up / len(changes):.0%}), "
        f"{down} lowered it ({down / len(changes):.0%}), mean {mean:+.2f} stars"
    )
    for rendered in (render_text(_one(digest)), render_html(_one(digest))):
        assert expected in rendered
        assert "answered with a template: too few to judge (3 of 3" in rendered
        assert "not answered: none" in rendered


def test_each_agent_s_work_is_listed_from_the_report_figures(session: Session) -> None:
    company = add_company(session)
    src = add_source(session, company)
    reviews = [
        add_review(session, src, published=at("2024-03-11 07:00"), handle=f"a{n}", name=f"Reviewer {n}")
        for n in range(3)
    ]
    opened = at("2024-03-11 08:00")
    update_queue(session=session, settings=Settings(), review_ids=[r.id or 0 for r in reviews], now=opened)
    tasks = list(session.exec(select(OutreachTask).order_by(col(OutreachTask.id))).all())
    assert len(tasks) == 3
    contacted = {tasks[0].id: at("2024-03-11 10:00"), tasks[1].id: at("2024-03-11 14:00")}
    for task in tasks[:2]:
        claim_task(session=session, task_id=task.id or 0, actor="ann", now=opened, expiry_minutes=600)
        log_contact(
            session=session, task_id=task.id or 0, actor="ann", note="called", now=contacted[task.id], contacted=True
        )
    close_task(
        session=session, task_id=tasks[0].id or 0, actor="ann", outcome="resolved", note="", now=at("2024-03-11 15:00")
    )
    claim_task(session=session, task_id=tasks[2].id or 0, actor="{{7*7}}<b>bob</b>", now=opened, expiry_minutes=600)
    session.commit()
    digest = build_company_digest(session=session, company=company, day=date(2024, 3, 11), now=at("2024-03-12 06:00"))
    ann = next(a for a in digest.agents if a.agent == "ann")
    hours = sorted((moment - opened).total_seconds() / 3600 for moment in contacted.values())
    assert (ann.claimed, ann.contacted, ann.closed["resolved"]) == (2, 2, 1)
    assert ann.median_hours_to_first_contact == pytest.approx(sum(hours) / 2)
    text = render_text(_one(digest))
    assert f"ann: claimed 2, contacted 2, closed 1 (1 resolved), median first contact {sum(hours) / 2:.1f} h" in text
    page = render_html(_one(digest))
    assert "{{7*7}}&lt;b&gt;bob&lt;/b&gt;" in page and "<b>bob" not in page


def test_hostile_text_and_template_syntax_stay_text_everywhere(session: Session) -> None:
    company = add_company(session, name=HOSTILE)
    src = add_source(session, company, name=HOSTILE)
    review = add_review(session, src, published=at("2024-03-11 07:00"), body=HOSTILE, title=HOSTILE, name=HOSTILE)
    add_reply(session, review, published=at("2024-03-11 09:00"), template_id="t1", text=HOSTILE)

    def provider(_s: Session, _company_id: int) -> list[TemplateSummary]:
        return [TemplateSummary("t1", "template", 3, 3, HOSTILE, HOSTILE, family_id="f", family_name=HOSTILE)]

    digest = build_company_digest(
        session=session, company=company, day=date(2024, 3, 11), now=at("2024-03-12 06:00"), templates_for=provider
    )
    page = render_html(_one(digest))
    assert "<script" not in page and "{% raw %}" in page
    assert page.count("{{7*7}} {% raw %}&lt;script&gt;alert(1)&lt;/script&gt;") >= 5
    for rendered in (render_text(_one(digest)), render_terminal(_one(digest))):
        assert rendered.count("{{7*7}}") >= 5


def test_a_company_without_sources_still_renders(session: Session) -> None:
    company: Company = add_company(session)
    digest = build_company_digest(session=session, company=company, day=date(2024, 3, 11), now=at("2024-03-12 06:00"))
    assert digest.response is None and digest.backfill is None
    assert "0 new reviews, 0 from unhappy reviewers, 0 urgent" in render_text(_one(digest))
