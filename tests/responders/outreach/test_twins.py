"""One review read through two sources of the same store (page adapter and official API) makes one task."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from monitor.core.settings import Settings
from monitor.store.models import Review, SourceRow
from monitor.store.task_models import OutreachTask, TaskEvent, TaskReview
from responders.outreach.queue import rebuild_queue, update_queue
from responders.outreach.twins import find_twins
from responders.outreach.workflow import close_task
from tests.db_fixtures import add_company, add_review, add_source, at, sqlite_session

NOW = at("2025-03-05 12:00")
SETTINGS = Settings()
LONG = "The app logs me out every single time I switch to another app."


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    yield from sqlite_session(tmp_path)


def _review(session: Session, source: SourceRow, site_id: str, **fields: object) -> Review:
    review = add_review(session, source, published=at("2025-03-04 10:00"), **fields)  # type: ignore[arg-type]
    review.site_review_id = site_id
    session.add(review)
    session.flush()
    return review


def _queue(session: Session, *reviews: Review) -> None:
    update_queue(session=session, settings=SETTINGS, review_ids=[r.id or 0 for r in reviews], now=NOW)


def _tasks(session: Session) -> list[OutreachTask]:
    return list(session.exec(select(OutreachTask).order_by(col(OutreachTask.id))).all())


def _linked(session: Session, task: OutreachTask) -> set[int]:
    return set(session.exec(select(TaskReview.review_id).where(TaskReview.task_id == task.id)).all())


def test_the_api_copy_of_a_queued_review_joins_its_task_quietly(session: Session) -> None:
    company = add_company(session)
    scraper = add_source(session, company, "play", "google_play")
    api = add_source(session, company, "play-api", "google_play_api")
    seen = _review(session, scraper, "gp:AOqpTOa1", handle="118234")
    _queue(session, seen)
    (task,) = _tasks(session)
    task.owner, task.status = "ann", "claimed"
    session.add(task)
    again = _review(session, api, "gp:AOqpTOa1", handle=None, name="Ann Reviewer")
    _queue(session, again)
    assert _tasks(session) == [task]
    assert _linked(session, task) == {seen.id, again.id}
    session.refresh(task)
    assert not task.needs_attention  # the reviewer did not write again
    notes = session.exec(select(TaskEvent.note).where(TaskEvent.task_id == task.id)).all()
    assert "the same review, read through another source" in notes


def test_a_closed_task_is_not_reopened_by_the_api_copy(session: Session) -> None:
    company = add_company(session)
    scraper = add_source(session, company, "play", "google_play")
    api = add_source(session, company, "play-api", "google_play_api")
    _queue(session, _review(session, scraper, "gp:1", handle="118234"))
    (task,) = _tasks(session)
    close_task(session=session, task_id=task.id or 0, actor="ann", outcome="not_actionable", note="spam", now=NOW)
    _queue(session, _review(session, api, "gp:1", handle=None))
    session.refresh(task)
    assert task.status == "not_actionable" and task.reopen_count == 0 and len(_tasks(session)) == 1


@pytest.mark.parametrize("api_first", [True, False])
def test_twins_queued_together_make_one_task(session: Session, api_first: bool) -> None:
    company = add_company(session)
    scraper = add_source(session, company, "play", "google_play")
    api = add_source(session, company, "play-api", "google_play_api")
    order = [(api, None), (scraper, "118234")] if api_first else [(scraper, "118234"), (api, None)]
    pair = [_review(session, source, "gp:2", handle=handle, name="Ann") for source, handle in order]
    rebuild_queue(session=session, settings=SETTINGS, now=NOW)
    (task,) = _tasks(session)
    assert _linked(session, task) == {pair[0].id, pair[1].id}
    # The key is the one of the copy stored first, so later reviews find the same task.
    assert task.reviewer_key.startswith("name:" if api_first else "handle:google_play:")


def test_the_same_id_in_another_company_or_store_is_another_review(session: Session) -> None:
    acme, other = add_company(session), add_company(session, "Other")
    a = _review(session, add_source(session, acme, "play", "google_play"), "gp:3", handle="1")
    b = _review(session, add_source(session, other, "play2", "google_play_api"), "gp:3", handle=None)
    c = _review(session, add_source(session, acme, "tp", "trustpilot"), "gp:3", handle="2")
    _queue(session, a, b, c)
    assert len(_tasks(session)) == 3


def test_app_store_feed_and_connect_are_linked_by_nickname_and_text(session: Session) -> None:
    company = add_company(session)
    feed = add_source(session, company, "ios", "app_store")
    connect = add_source(session, company, "ios-api", "app_store_connect")
    public = _review(
        session, feed, "10254939112", handle="https://itunes.apple.com/us/reviews/id42", name="Anne J", body=LONG
    )
    private = _review(session, connect, "00000028-b08c-0014-729e-fbd5", handle=None, name="Anne J", body=f" {LONG} ")
    short = _review(session, connect, "00000028-b08c-0014-729e-fbd6", handle=None, name="Anne J", body="Bad app")
    twins = find_twins(session, [(private, connect), (short, connect)], {})
    assert set(twins) == {private.id}
    _queue(session, public, private, short)
    tasks = _tasks(session)
    assert sorted(len(_linked(session, t)) for t in tasks) == [1, 2]


def test_an_export_of_the_store_is_a_twin_too(session: Session) -> None:
    company = add_company(session)
    export = add_source(session, company, "play-export", "file", format="google_play")
    api = add_source(session, company, "play-api", "google_play_api")
    _queue(
        session, _review(session, export, "gp:9", handle=None, name="Ann"), _review(session, api, "gp:9", handle=None)
    )
    assert len(_tasks(session)) == 1


@pytest.mark.parametrize("layout", ["google_play", "play_console"])
def test_an_export_imported_in_auto_mode_is_a_twin_by_the_layout_it_was_read_as(session: Session, layout: str) -> None:
    company = add_company(session)
    export = add_source(session, company, "play-export", "file", format="auto", layout=layout)
    api = add_source(session, company, "play-api", "google_play_api")
    _queue(
        session, _review(session, export, "gp:9", handle=None, name="Ann"), _review(session, api, "gp:9", handle=None)
    )
    assert len(_tasks(session)) == 1


def test_twins_do_not_raise_the_priority_as_a_second_complaint(session: Session) -> None:
    company = add_company(session)
    scraper = add_source(session, company, "play", "google_play")
    api = add_source(session, company, "play-api", "google_play_api")
    _queue(session, _review(session, scraper, "gp:5", handle="118234", name="Ann", body=LONG))
    (task,) = _tasks(session)
    alone = task.priority
    _queue(session, _review(session, api, "gp:5", handle=None, name="Ann", body=LONG))
    session.refresh(task)
    assert task.priority == alone  # the same complaint read twice
    other = "And now the refund I was promised last week has still not arrived on my card."
    _queue(session, _review(session, scraper, "gp:6", handle="118234", name="Ann", body=other))
    session.refresh(task)
    assert task.priority == min(100, alone + 5)  # a second complaint by the same reviewer does count
