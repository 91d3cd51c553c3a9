"""Managers' steps on tasks: assign, snooze and dismiss, each with its event and refusing closed tasks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from monitor.core.errors import WorkflowError
from monitor.core.settings import Settings
from monitor.store.task_models import OutreachTask, TaskEvent
from responders.outreach.queue import update_queue
from responders.outreach.workflow import assign_task, claim_task, dismiss_task, log_contact, snooze_task
from tests.db_fixtures import add_company, add_review, add_source, at, sqlite_session

NOW = at("2025-03-05 10:00")


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    yield from sqlite_session(tmp_path)


@pytest.fixture
def task_id(session: Session) -> int:
    source = add_source(session, add_company(session))
    review = add_review(session, source, published=at("2025-03-05 08:00"))
    update_queue(session=session, settings=Settings(), review_ids=[review.id or 0], now=NOW)
    session.commit()
    return session.exec(select(OutreachTask.id)).one() or 0


def _events(session: Session, task_id: int) -> list[tuple[str, str]]:
    rows = session.exec(select(TaskEvent).where(TaskEvent.task_id == task_id).order_by(col(TaskEvent.id))).all()
    return [(e.kind, e.actor) for e in rows]


def test_assign_hands_over_and_keeps_the_status(session: Session, task_id: int) -> None:
    task = assign_task(session=session, task_id=task_id, actor="meg", assignee="ann", now=NOW)
    assert (task.status, task.owner, task.claimed_at) == ("claimed", "ann", NOW)
    log_contact(session=session, task_id=task_id, actor="ann", note="called", now=NOW, contacted=True)
    task = assign_task(session=session, task_id=task_id, actor="meg", assignee="bob", now=NOW + timedelta(hours=1))
    assert (task.status, task.owner) == ("contacted", "bob")
    assert assign_task(session=session, task_id=task_id, actor="meg", assignee="bob", now=NOW).owner == "bob"
    assert _events(session, task_id)[1:] == [("assigned", "meg"), ("contacted", "ann"), ("assigned", "meg")]


def test_snooze_moves_the_due_time_not_the_first_contact_deadline(session: Session, task_id: int) -> None:
    before = session.get(OutreachTask, task_id)
    assert before is not None
    first_due = before.first_contact_due
    until = NOW + timedelta(days=3)
    task = snooze_task(session=session, task_id=task_id, actor="meg", until=until, now=NOW)
    assert task.due_at == until and task.first_contact_due == first_due
    with pytest.raises(WorkflowError, match="future"):
        snooze_task(session=session, task_id=task_id, actor="meg", until=NOW, now=NOW)


def test_dismiss_closes_any_open_task_and_needs_a_reason(session: Session, task_id: int) -> None:
    claim_task(session=session, task_id=task_id, actor="ann", now=NOW, expiry_minutes=120)
    with pytest.raises(WorkflowError, match="reason"):
        dismiss_task(session=session, task_id=task_id, actor="meg", reason="  ", now=NOW)
    task = dismiss_task(session=session, task_id=task_id, actor="meg", reason="spam account", now=NOW)
    assert (task.status, task.outcome, task.due_at) == ("not_actionable", "not_actionable", None)
    for step in (
        lambda: dismiss_task(session=session, task_id=task_id, actor="meg", reason="again", now=NOW),
        lambda: assign_task(session=session, task_id=task_id, actor="meg", assignee="bob", now=NOW),
        lambda: snooze_task(session=session, task_id=task_id, actor="meg", until=NOW + timedelta(days=1), now=NOW),
    ):
        with pytest.raises(WorkflowError, match="closed"):
            step()
