"""The outreach queue: which reviews become tasks, reviewer identity, reopening, backfill, priority, rating changes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from monitor.core.records import ReplyRecord, ReviewRecord
from monitor.core.settings import Settings
from monitor.store.models import CompanyReply, Review
from monitor.store.repository import upsert_reviews
from monitor.store.task_models import OutreachTask, TaskEvent, TaskReview
from responders.outreach.eligibility import count_backfill_skipped
from responders.outreach.identity import normalise_handle
from responders.outreach.priority import compute_priority
from responders.outreach.queue import update_queue
from responders.outreach.views import list_tasks
from responders.outreach.workflow import claim_task, close_task, log_contact
from tests.db_fixtures import add_company, add_reply, add_review, add_source, at, edit_review, sqlite_session

NOW = at("2025-03-05 12:00")
SETTINGS = Settings()


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    yield from sqlite_session(tmp_path)


def _queue(session: Session, reviews: list[Review], now: datetime = NOW) -> object:
    return update_queue(session=session, settings=SETTINGS, review_ids=[r.id or 0 for r in reviews], now=now)


def _tasks(session: Session) -> list[OutreachTask]:
    return list(session.exec(select(OutreachTask).order_by(col(OutreachTask.id))).all())


def _linked(session: Session, task: OutreachTask) -> set[int]:
    return set(session.exec(select(TaskReview.review_id).where(TaskReview.task_id == task.id)).all())


def _event_kinds(session: Session, task: OutreachTask) -> list[str]:
    return list(session.exec(select(TaskEvent.kind).where(TaskEvent.task_id == task.id).order_by(col(TaskEvent.id))))


def test_one_task_per_reviewer_and_idempotent(session: Session) -> None:
    company = add_company(session)
    source = add_source(session, company)
    first = add_review(session, source, published=at("2025-03-03 10:00"), handle="abc")
    second = add_review(session, source, published=at("2025-03-04 10:00"), handle="abc")
    other = add_review(session, source, published=at("2025-03-04 11:00"), handle="xyz", name="Jane Doe")
    happy = add_review(session, source, published=at("2025-03-04 11:00"), handle="h", unhappy=False, rating=5)

    result = update_queue(
        session=session,
        settings=SETTINGS,
        review_ids=[first.id or 0, second.id or 0, other.id or 0, happy.id or 0],
        now=NOW,
    )
    assert (result.created, result.linked) == (2, 0)
    tasks = _tasks(session)
    assert [_linked(session, t) for t in tasks] == [{first.id, second.id}, {other.id}]
    # Same display name, different handle: a different person.
    assert tasks[0].reviewer_key != tasks[1].reviewer_key

    again = update_queue(
        session=session, settings=SETTINGS, review_ids=[first.id or 0, second.id or 0, other.id or 0], now=NOW
    )
    assert (again.created, again.linked, again.reopened) == (0, 0, 0)
    assert len(_tasks(session)) == 2
    assert session.exec(select(TaskEvent).where(TaskEvent.kind == "created")).all().__len__() == 2


def test_later_review_links_to_the_open_task_and_tells_the_owner(session: Session) -> None:
    source = add_source(session, add_company(session))
    first = add_review(session, source, published=at("2025-03-03 10:00"))
    _queue(session, [first])
    task = _tasks(session)[0]
    claim_task(session=session, task_id=task.id or 0, actor="ann", now=NOW, expiry_minutes=120)
    later = add_review(session, source, published=at("2025-03-05 09:00"))
    result = _queue(session, [later], now=NOW + timedelta(hours=1))
    session.refresh(task)
    assert result.linked == 1 and result.created == 0  # type: ignore[attr-defined]
    assert _linked(session, task) == {first.id, later.id}
    assert task.needs_attention and task.owner == "ann"
    assert task.priority > 0


@pytest.mark.parametrize(
    ("kind_a", "handle_a", "kind_b", "handle_b", "same"),
    [
        ("trustpilot", "5f3a", "trustpilot", "5F3A", True),  # two pages of one site share its user ids
        ("trustpilot", "12345", "google_play", "12345", False),  # the same id on two sites: two people
        ("trustpilot", "https://www.example.org/users/jd/", "app_store", "http://example.org/users/jd", True),
        ("jsonld", "jd", "jsonld", "jd", False),  # generic adapters: each source is its own namespace
    ],
)
def test_identity_across_sources(
    session: Session, kind_a: str, handle_a: str, kind_b: str, handle_b: str, same: bool
) -> None:
    company = add_company(session)
    a = add_review(
        session, add_source(session, company, "a", kind_a), published=at("2025-03-03 10:00"), handle=handle_a
    )
    b = add_review(
        session, add_source(session, company, "b", kind_b), published=at("2025-03-03 11:00"), handle=handle_b
    )
    _queue(session, [a, b])
    assert len(_tasks(session)) == (1 if same else 2)


def test_display_names_link_only_within_a_source_without_handles(session: Session) -> None:
    company = add_company(session)
    no_handles = add_source(session, company, "feed", "feed")
    with_handles = add_source(session, company, "tp", "trustpilot")
    other_feed = add_source(session, company, "feed2", "feed")
    reviews = [
        add_review(session, no_handles, published=at("2025-03-03 10:00"), handle=None, name="Jane  Doe"),
        add_review(session, no_handles, published=at("2025-03-03 11:00"), handle=None, name="jane doe"),
        add_review(session, no_handles, published=at("2025-03-03 11:00"), handle=None, name="Anonymous"),
        add_review(session, no_handles, published=at("2025-03-03 12:00"), handle=None, name="anonymous"),
        add_review(session, other_feed, published=at("2025-03-03 12:00"), handle=None, name="Jane Doe"),
        add_review(session, with_handles, published=at("2025-03-03 12:00"), handle="t1", name="Jane Doe"),
        add_review(session, with_handles, published=at("2025-03-03 13:00"), handle=None, name="Jane Doe"),
        add_review(session, with_handles, published=at("2025-03-03 14:00"), handle=None, name="Jane Doe"),
    ]
    _queue(session, reviews)
    groups = sorted(len(_linked(session, t)) for t in _tasks(session))
    # the two "Jane Doe" of the handle-less feed link; everything else stands alone.
    assert groups == [1, 1, 1, 1, 1, 1, 2]


def test_normalise_handle() -> None:
    assert normalise_handle(" HTTPS://www.Example.org/u/JD/?ref=x#top ") == "example.org/u/jd"
    assert normalise_handle("AbC") == "abc"
    assert normalise_handle("example.org/u/jd?tab=reviews") == "example.org/u/jd"
    # In a nickname "#" and "?" are part of the name: two people, two keys.
    assert normalise_handle("Gamer#1") == "gamer#1" != normalise_handle("Gamer#2")
    assert normalise_handle(" Why? ") == "why?"


def test_template_reply_creates_a_task_personal_newer_reply_does_not(session: Session) -> None:
    source = add_source(session, add_company(session))
    templated = add_review(session, source, published=at("2025-03-03 10:00"), handle="a")
    add_reply(session, templated, published=at("2025-03-03 15:00"), template_id="tpl-1")
    personal = add_review(session, source, published=at("2025-03-03 10:00"), handle="b")
    add_reply(session, personal, published=at("2025-03-03 15:00"))
    same_day = add_review(session, source, published=at("2025-03-03 10:00"), handle="c")
    add_reply(session, same_day, published=at("2025-03-03 00:00"))  # the site shows only the reply's date
    stale = add_review(session, source, published=at("2025-02-01 10:00"), updated_at=at("2025-03-03 09:00"), handle="d")
    add_reply(session, stale, published=at("2025-02-02 10:00"))  # answered the first version only
    result = _queue(session, [templated, personal, same_day, stale])
    tasks = _tasks(session)
    assert result.created == 2  # type: ignore[attr-defined]
    by_handle = {t.reviewer_handle: t for t in tasks}
    assert set(by_handle) == {"a", "d"}
    assert by_handle["a"].template_reply and not by_handle["d"].template_reply


def test_reply_followed_by_an_edit_needs_outreach(session: Session) -> None:
    source = add_source(session, add_company(session))
    review = add_review(session, source, published=at("2025-03-01 10:00"))
    add_reply(session, review, published=at("2025-03-01 12:00"))
    assert _queue(session, [review]).created == 0  # type: ignore[attr-defined]
    edit_review(session, review, observed=at("2025-03-04 08:00"), body="Still broken after their reply.")
    assert _queue(session, [review]).created == 1  # type: ignore[attr-defined]


def test_backfill_window(session: Session) -> None:
    company = add_company(session)
    source = add_source(session, company)
    seen = at("2025-03-05 08:00")
    old = add_review(
        session, source, published=at("2024-11-01 10:00"), first_seen=seen, seen_in_backfill=True, handle="o"
    )
    undated = add_review(session, source, published=seen, first_seen=seen, seen_in_backfill=True, handle="u")
    undated.published_at = None
    recent = add_review(
        session, source, published=at("2025-02-20 10:00"), first_seen=seen, seen_in_backfill=True, handle="r"
    )
    live_old = add_review(session, source, published=at("2024-11-01 10:00"), first_seen=seen, handle="l")
    session.flush()
    result = _queue(session, [old, undated, recent, live_old])
    assert (result.created, result.skipped_backfill) == (2, 2)  # type: ignore[attr-defined]
    assert {t.reviewer_handle for t in _tasks(session)} == {"r", "l"}
    assert count_backfill_skipped(session=session, company_id=company.id or 0, window_days=30) == 2
    wide = Settings(backfill_window_days=200)
    assert update_queue(session=session, settings=wide, review_ids=[old.id or 0], now=NOW).created == 1


def test_later_review_reopens_a_closed_task_for_the_same_owner(session: Session) -> None:
    source = add_source(session, add_company(session))
    first = add_review(session, source, published=at("2025-03-03 10:00"))
    _queue(session, [first])
    task = _tasks(session)[0]
    tid = task.id or 0
    claim_task(session=session, task_id=tid, actor="ann", now=NOW, expiry_minutes=120)
    log_contact(session=session, task_id=tid, actor="ann", note="called", contacted=True, now=NOW)
    close_task(session=session, task_id=tid, actor="ann", outcome="resolved", note="", now=NOW)

    later = add_review(session, source, published=at("2025-03-10 10:00"), first_seen=at("2025-03-10 10:05"))
    result = _queue(session, [later], now=at("2025-03-10 11:00"))
    session.refresh(task)
    assert (result.reopened, result.created) == (1, 0)  # type: ignore[attr-defined]
    assert task.status == "claimed" and task.owner == "ann" and task.needs_attention
    assert task.outcome is None and task.due_at == at("2025-03-10 17:00")
    assert _event_kinds(session, task)[-2:] == ["reopened", "needs_attention"]
    mine = list_tasks(session=session, now=at("2025-03-10 11:00"), owner="ann")
    assert [r.task.id for r in mine] == [tid] and mine[0].task.needs_attention


def test_edit_reopens_closed_task_only_while_still_unhappy(session: Session) -> None:
    source = add_source(session, add_company(session))
    review = add_review(session, source, published=at("2025-03-03 10:00"))
    _queue(session, [review])
    tid = _tasks(session)[0].id or 0
    close_task(session=session, task_id=tid, actor="bob", outcome="not_actionable", note="spam?", now=NOW)
    review.unhappy = False
    edit_review(session, review, observed=at("2025-03-06 10:00"), rating=4)
    assert _queue(session, [review]).reopened == 0  # type: ignore[attr-defined]
    review.unhappy = True
    edit_review(session, review, observed=at("2025-03-07 10:00"), rating=1, body="Worse now.")
    assert _queue(session, [review]).reopened == 1  # type: ignore[attr-defined]
    assert session.get(OutreachTask, tid).status == "new"  # type: ignore[union-attr]


def test_closing_the_loop_records_rating_change_within_90_days(session: Session) -> None:
    source = add_source(session, add_company(session))
    review = add_review(session, source, published=at("2025-03-03 10:00"), rating=1)
    late_review = add_review(session, source, published=at("2025-03-03 10:00"), rating=2, handle="late")
    _queue(session, [review, late_review])
    task, late_task = _tasks(session)
    for t in (task, late_task):
        claim_task(session=session, task_id=t.id or 0, actor="ann", now=NOW, expiry_minutes=120)
        log_contact(session=session, task_id=t.id or 0, actor="ann", note="called", contacted=True, now=NOW)
    review.unhappy = False
    edit_review(session, review, observed=NOW + timedelta(days=20), rating=4)
    late_review.unhappy = False
    edit_review(session, late_review, observed=NOW + timedelta(days=120), rating=5)
    result = _queue(session, [review, late_review], now=NOW + timedelta(days=120))
    assert result.rating_changes == 1  # type: ignore[attr-defined]
    session.refresh(task)
    session.refresh(late_task)
    assert (task.rating_before, task.rating_after, task.rating_changed_at) == (1, 4, NOW + timedelta(days=20))
    assert task.rating_at_contact == 1
    assert late_task.rating_after is None and _event_kinds(session, late_task)[-1] == "review_edited"
    events = session.exec(select(TaskEvent).where(TaskEvent.kind == "rating_changed")).all()
    assert [(e.task_id, e.data["rating_before"], e.data["rating_after"]) for e in events] == [(task.id, 1, 4)]
    # The outreach record never suggests changing or removing the review.
    notes = " ".join(e.note.lower() for e in session.exec(select(TaskEvent)).all())
    assert "remove" not in notes and "change your" not in notes
    assert _queue(session, [review]).rating_changes == 0  # type: ignore[attr-defined]


def test_store_revisions_feed_the_queue(session: Session) -> None:
    """Through the real store: a first crawl creates the task, a re-crawl with a better rating closes the loop."""
    source = add_source(session, add_company(session))
    record = ReviewRecord(
        site_review_id="tp-1",
        body="Parcel never arrived.",
        author_name="Sam",
        author_handle="consumer-9",
        rating=1,
        rating_scale=5,
        published_at=at("2025-03-03 09:00"),
        reply=ReplyRecord(text="We are sorry to hear that.", published_at=at("2025-03-03 11:00")),
    )
    stored = upsert_reviews(session=session, source=source, records=[record], now=at("2025-03-03 12:00"))
    review = session.get(Review, stored.new_ids[0])
    assert review is not None
    review.unhappy = True
    company_reply = session.exec(select(CompanyReply).where(CompanyReply.review_id == review.id)).one()
    company_reply.template_id = "tpl-7"
    assert _queue(session, [review]).created == 1  # type: ignore[attr-defined]
    task = _tasks(session)[0]
    claim_task(session=session, task_id=task.id or 0, actor="ann", now=NOW, expiry_minutes=120)
    log_contact(session=session, task_id=task.id or 0, actor="ann", note="emailed", contacted=True, now=NOW)
    better = replace(record, rating=4)
    changed = upsert_reviews(session=session, source=source, records=[better], now=NOW + timedelta(days=3))
    assert changed.changed_ids == [review.id]
    result = update_queue(
        session=session, settings=SETTINGS, review_ids=changed.changed_ids, now=NOW + timedelta(days=3)
    )
    session.refresh(task)
    assert result.rating_changes == 1 and (task.rating_before, task.rating_after) == (1, 4)


def test_priority_formula() -> None:
    base = {
        "severity": 0.5,
        "rating": 2.0,
        "rating_scale": 5,
        "complaint_at": NOW,
        "now": NOW,
        "helpful_votes": 0,
        "template_reply": False,
        "review_count": 1,
        "flags": [],
    }
    plain, _ = compute_priority(**base)  # type: ignore[arg-type]
    worse, _ = compute_priority(**{**base, "severity": 1.0})  # type: ignore[arg-type]
    older, _ = compute_priority(**{**base, "complaint_at": NOW - timedelta(days=20)})  # type: ignore[arg-type]
    reach, _ = compute_priority(**{**base, "helpful_votes": 100})  # type: ignore[arg-type]
    templ, _ = compute_priority(**{**base, "template_reply": True})  # type: ignore[arg-type]
    repeat, _ = compute_priority(**{**base, "review_count": 3})  # type: ignore[arg-type]
    legal, legal_label = compute_priority(**{**base, "severity": 0.0, "flags": ["legal"]})  # type: ignore[arg-type]
    assert worse > plain > older
    assert reach == plain + 10 and templ == plain + 10 and repeat == plain + 10
    assert legal == 35 and legal_label == "urgent"  # a legal threat is urgent whatever the score
    top, top_label = compute_priority(
        **{
            **base,
            "severity": 1.0,
            "helpful_votes": 10_000,
            "template_reply": True,
            "review_count": 9,
            "flags": ["legal", "abuse"],
        }  # type: ignore[arg-type]
    )
    assert (top, top_label) == (100, "urgent")
    low, low_label = compute_priority(**{**base, "severity": 0.0, "complaint_at": NOW - timedelta(days=60)})  # type: ignore[arg-type]
    assert (low, low_label) == (0, "low")
    # Without a severity the rating decides: 1 star is worse than 3 stars.
    one, _ = compute_priority(**{**base, "severity": None, "rating": 1.0})  # type: ignore[arg-type]
    three, _ = compute_priority(**{**base, "severity": None, "rating": 3.0})  # type: ignore[arg-type]
    assert one > three


def test_list_order_breached_then_due_soon_then_priority(session: Session) -> None:
    source = add_source(session, add_company(session))
    calm = add_review(session, source, published=at("2025-03-05 09:00"), handle="calm", severity=0.1)
    legal = add_review(session, source, published=at("2025-03-05 09:00"), handle="legal", severity=0.2, flags="legal")
    breached = add_review(session, source, published=at("2025-03-03 09:00"), handle="late", severity=0.0)
    soon = add_review(
        session,
        source,
        published=at("2025-03-04 15:00"),
        first_seen=at("2025-03-04 15:00"),
        handle="soon",
        severity=0.0,
    )
    _queue(session, [calm, legal, breached, soon])
    now = at("2025-03-05 10:30")  # 'soon' is due today 12:00, within two business hours
    rows = list_tasks(session=session, now=now)
    assert [r.task.reviewer_handle for r in rows] == ["late", "soon", "legal", "calm"]
    assert [r.due_state for r in rows] == ["breached", "due_soon", "ok", "ok"]
    assert [r.task.reviewer_handle for r in list_tasks(session=session, now=now, overdue=True)] == ["late"]
    assert rows[2].task.priority_label == "urgent"


def test_unhappy_flag_is_required(session: Session) -> None:
    source = add_source(session, add_company(session))
    unknown = add_review(session, source, published=at("2025-03-03 10:00"), unhappy=None)
    assert _queue(session, [unknown]).created == 0  # type: ignore[attr-defined]
    assert datetime.now(UTC) > NOW  # the fixture times are in the past: no hidden dependence on the clock
