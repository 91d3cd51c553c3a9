"""The digest's data: day windows in the company's time zone, urgency order, templates, queue, loop, themes, health."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from monitor.digest.build import build_company_digest, latest_activity_day
from monitor.digest.sections import MAX_REVIEWS_PER_SOURCE, day_window
from monitor.store.models import Company, CrawlRun
from monitor.store.task_models import OutreachTask, TaskEvent, TaskFollowUp, TaskReview
from responders.outreach.follow_ups import reviews_mentioning
from tests.db_fixtures import add_company, add_reply, add_review, add_source, at, sqlite_session

DAY = date(2024, 3, 11)  # a Monday
NOW = at("2024-03-12 07:00")


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    yield from sqlite_session(tmp_path)


def _digest(session: Session, company: Company, day: date = DAY):
    return build_company_digest(session=session, company=company, day=day, now=NOW)


def _task(session: Session, company: Company, source_id: int, **fields: object) -> OutreachTask:
    values: dict[str, object] = {
        "company_id": company.id,
        "source_id": source_id,
        "reviewer_key": f"k{fields.get('reviewer_name', 'x')}",
        "complaint_at": at("2024-03-08 10:00"),
        "first_contact_due": at("2024-03-08 17:00"),
        "created_at": at("2024-03-08 10:00"),
    }
    values.update(fields)
    task = OutreachTask(**values)  # type: ignore[arg-type]
    session.add(task)
    session.flush()
    return task


def test_day_window_follows_the_company_time_zone() -> None:
    start, end = day_window(DAY, "Europe/Berlin")
    assert start == at("2024-03-10 23:00") and end == at("2024-03-11 23:00")


def test_new_unhappy_reviews_are_those_first_seen_on_the_local_day(session: Session) -> None:
    company = add_company(session, timezone="Europe/Berlin")
    src = add_source(session, company)
    late_sunday_utc = add_review(session, src, published=at("2024-03-10 23:30"), handle="a")  # Monday in Berlin
    add_review(session, src, published=at("2024-03-10 22:30"), handle="b")  # still Sunday in Berlin
    add_review(session, src, published=at("2024-03-11 12:00"), handle="c", unhappy=False, rating=5.0)
    digest = _digest(session, company)
    assert digest.new_reviews == 2
    assert digest.new_unhappy == 1
    assert [i.review_id for s in digest.sources for i in s.shown] == [late_sunday_utc.id]
    assert latest_activity_day(session, company) == DAY


def test_most_urgent_first_and_a_cap_with_the_rest_counted(session: Session) -> None:
    company = add_company(session)
    src = add_source(session, company)
    quiet = [
        add_review(session, src, published=at("2024-03-11 08:00"), handle=f"q{i}", severity=0.5)
        for i in range(MAX_REVIEWS_PER_SOURCE + 3)
    ]
    reach = add_review(session, src, published=at("2024-03-11 09:00"), handle="r", helpful_votes=40)
    legal = add_review(session, src, published=at("2024-03-11 10:00"), handle="l", flags="legal")
    task = _task(session, company, src.id or 0, reviewer_name="Legal Larry")
    session.add(TaskReview(task_id=task.id or 0, review_id=legal.id or 0))
    session.flush()
    digest = _digest(session, company)
    (listed,) = digest.sources
    assert listed.total == len(quiet) + 2
    assert listed.more == listed.total - MAX_REVIEWS_PER_SOURCE
    assert [i.review_id for i in listed.shown[:2]] == [legal.id, reach.id]
    assert listed.shown[0].task_id == task.id and listed.shown[0].urgent
    assert digest.urgent == 1


def test_template_use_and_share_against_earlier_weeks(session: Session) -> None:
    company = add_company(session)
    src = add_source(session, company)
    for i in range(3):  # this day: 2 of 3 replies to unhappy reviewers are the template
        review = add_review(session, src, published=at("2024-03-11 08:00"), handle=f"d{i}")
        add_reply(session, review, published=at("2024-03-11 09:00"), template_id="t1" if i < 2 else None)
    for i in range(4):  # 3 days before: 1 of 4
        review = add_review(session, src, published=at("2024-03-08 08:00"), handle=f"w{i}")
        add_reply(session, review, published=at("2024-03-08 09:00"), template_id="t1" if i == 0 else None)
    digest = _digest(session, company)
    assert (digest.template_share_day.replies, digest.template_share_day.templated) == (3, 2)
    assert (digest.template_share_7d.replies, digest.template_share_7d.templated) == (4, 1)
    assert digest.template_share_30d.share == pytest.approx(0.25)
    (use,) = digest.templates
    assert (use.id, use.replies, use.unhappy_recipients, use.size) == ("t1", 2, 2, 3)
    assert use.skeleton == "Sorry!"
    by_day = {p.day: p for p in digest.daily}
    assert (by_day[DAY].replies, by_day[DAY].templated, by_day[DAY].unhappy) == (3, 2, 3)


def test_template_facts_come_from_the_provider_when_given(session: Session) -> None:
    from monitor.digest.model import TemplateSummary

    company = add_company(session)
    src = add_source(session, company)
    review = add_review(session, src, published=at("2024-03-11 08:00"))
    add_reply(session, review, published=at("2024-03-11 09:00"), template_id="t9")

    def provider(_session: Session, company_id: int) -> list[TemplateSummary]:
        assert company_id == company.id
        return [TemplateSummary("t9", "template", 120, 130, "Dear {name}, we are sorry {…}", "dear x")]

    digest = build_company_digest(session=session, company=company, day=DAY, now=NOW, templates_for=provider)
    assert digest.templates[0].size == 120
    assert digest.templates[0].skeleton.startswith("Dear {name}")


def test_queue_health(session: Session) -> None:
    company = add_company(session)
    src = add_source(session, company)
    old = _task(session, company, src.id or 0, reviewer_name="Old", due_at=at("2024-03-05 10:00"), owner="ann")
    newer = _task(session, company, src.id or 0, reviewer_name="Newer", due_at=at("2024-03-11 10:00"))
    today = _task(session, company, src.id or 0, reviewer_name="Today", due_at=at("2024-03-12 15:00"), status="claimed")
    _task(
        session,
        company,
        src.id or 0,
        reviewer_name="Done",
        status="resolved",
        outcome="resolved",
        closed_at=at("2024-03-11 12:00"),
        first_contacted_at=at("2024-03-08 14:00"),  # 4 hours after creation
    )
    _task(
        session,
        company,
        src.id or 0,
        reviewer_name="Gone",
        status="no_response",
        outcome="no_response",
        closed_at=at("2024-03-10 12:00"),  # the day before: not counted
        first_contacted_at=at("2024-03-09 10:00"),  # 24 hours after creation
    )
    session.add(TaskFollowUp(task_id=today.id or 0, due_at=at("2024-03-13 10:00"), note="call back with the refund"))
    session.add(TaskFollowUp(task_id=today.id or 0, due_at=at("2024-03-20 10:00")))  # not due soon
    session.add(TaskFollowUp(task_id=old.id or 0, due_at=at("2024-03-12 06:00")))  # already missed
    session.flush()
    q = _digest(session, company).queue
    assert (q.open, q.unclaimed, q.overdue, q.due_today) == (3, 1, 2, 1)
    assert [t.task_id for t in q.overdue_oldest] == [old.id, newer.id]
    assert q.overdue_oldest[0].owner == "ann"
    assert (q.resolved, q.no_response) == (1, 0)
    assert q.median_first_contact == timedelta(hours=14)
    assert [(f.task_id, f.missed) for f in q.follow_ups] == [(old.id, True), (today.id, False)]
    assert sum(n for _, n in q.age_buckets) == 3


def test_closing_the_loop_lists_rating_changes_after_contact(session: Session) -> None:
    company = add_company(session)
    src = add_source(session, company)
    review = add_review(session, src, published=at("2024-03-01 08:00"))
    task = _task(session, company, src.id or 0, reviewer_name="Kim", first_contacted_at=at("2024-03-09 10:00"))
    data = {"review_id": review.id, "rating_before": 1.0, "rating_after": 4.0, "changes": "rating,text"}
    session.add(TaskEvent(task_id=task.id or 0, at=at("2024-03-11 09:00"), kind="rating_changed", data=data))
    before_contact = _task(
        session, company, src.id or 0, reviewer_name="Lee", first_contacted_at=at("2024-03-11 20:00")
    )
    session.add(TaskEvent(task_id=before_contact.id or 0, at=at("2024-03-11 08:00"), kind="review_edited", data={}))
    session.flush()
    (item,) = _digest(session, company).loop
    assert (item.task_id, item.rating_before, item.rating_after, item.text_changed) == (task.id, 1.0, 4.0, True)


def test_growing_complaint_themes_with_quotes_and_fixed_themes(session: Session) -> None:
    company = add_company(session)
    company.settings = {**company.settings, "fixed_themes": ["login"]}
    src = add_source(session, company)
    for i in range(20):  # the 4 weeks before: deliveries were late
        add_review(session, src, published=at("2024-02-20 08:00"), handle=f"b{i}", body="The delivery was late again.")
    refunds = ["Refund never arrived", "Still no refunds", "Not refunded yet", "Refund please", "refund?", "REFUND"]
    for i, text in enumerate(refunds):  # this week: refunds never arrive; deliveries late at the old rate
        add_review(session, src, published=at("2024-03-10 08:00"), handle=f"p{i}", body=f"{text}, order {i}.")
    add_review(session, src, published=at("2024-03-11 08:00"), handle="p9", body="Delivery late.")
    add_review(session, src, published=at("2024-03-11 08:00"), handle="p10", body="Cannot login, refund never arrived")
    digest = _digest(session, company)
    assert digest.themes_basis == "weeks"
    terms = [t.term for t in digest.themes]
    assert [t for t in terms if "refund" in t] == ["refund"]  # one theme for every form, written the usual way
    assert "delivery" not in terms and "late" not in terms
    assert not {"cannot", "still", "please", "order"} & set(terms)
    theme = next(t for t in digest.themes if t.term == "refund")
    assert theme.count == 7 and theme.baseline == 0 and theme.growth and theme.growth > 1.5
    assert theme.quotes and "Refund" in theme.quotes[0].text
    assert [(t.term, t.fixed, t.count) for t in digest.fixed_themes] == [("login", True, 1)]
    assert (
        len(
            reviews_mentioning(session=session, company_id=company.id or 0, theme="login", since=at("2024-03-01 00:00"))
        )
        == 1
    )


def test_broken_sources_with_the_start_of_the_streak(session: Session) -> None:
    company = add_company(session)
    good = add_source(session, company, name="good")
    bad = add_source(session, company, name="bad")
    for source, health, when in (
        (bad, "ok", "2024-03-09 06:00"),
        (bad, "blocked", "2024-03-10 06:00"),
        (bad, "blocked", "2024-03-11 06:00"),
        (good, "blocked", "2024-03-10 06:00"),
        (good, "ok", "2024-03-11 06:00"),
    ):
        session.add(CrawlRun(source_id=source.id or 0, started_at=at(when), health=health, message="HTTP 403"))
    session.flush()
    (problem,) = _digest(session, company).problems
    assert (problem.source, problem.health, problem.since, problem.runs) == (
        "bad",
        "blocked",
        at("2024-03-10 06:00"),
        2,
    )
    assert "robots" in problem.advice
