"""Many people claim the same task at the same moment: exactly one wins, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlmodel import Session, select

from monitor.core.errors import WorkflowError
from monitor.core.settings import Settings
from monitor.runtime.context import open_database
from monitor.store.db import make_engine
from monitor.store.task_models import OutreachTask, TaskEvent
from responders.outreach.queue import update_queue
from responders.outreach.workflow import claim_task
from tests.db_fixtures import add_company, add_review, add_source, at, sqlite_url

CLAIMERS = 30
NOW = at("2025-03-05 10:00")


def _seed(url: str) -> int:
    """Create the schema through the migrations and one task; return its id."""
    engine = open_database(url)
    with Session(engine) as session:
        source = add_source(session, add_company(session))
        review = add_review(session, source, published=at("2025-03-05 08:00"))
        update_queue(session=session, settings=Settings(), review_ids=[review.id or 0], now=NOW)
        session.commit()
        task_id = session.exec(select(OutreachTask.id)).one()
    engine.dispose()
    assert task_id is not None
    return task_id


def _race(url: str, task_id: int) -> tuple[list[str], list[str], list[BaseException]]:
    """CLAIMERS threads, each on its own connection, claim at once behind a barrier."""
    barrier = threading.Barrier(CLAIMERS)
    winners: list[str] = []
    refused: list[str] = []
    crashed: list[BaseException] = []
    lock = threading.Lock()

    def claimer(name: str) -> None:
        engine = make_engine(url)
        try:
            with Session(engine) as session:
                session.connection()  # connect before the barrier so the claims really overlap
                barrier.wait(timeout=60)
                try:
                    claim_task(session=session, task_id=task_id, actor=name, now=NOW, expiry_minutes=120)
                    session.commit()
                    outcome = winners
                except WorkflowError:
                    session.rollback()
                    outcome = refused
                with lock:
                    outcome.append(name)
        except BaseException as exc:  # reported by the test, never swallowed
            with lock:
                crashed.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=claimer, args=(f"agent{i}",)) for i in range(CLAIMERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return winners, refused, crashed


def _check(url: str, task_id: int, winners: list[str], refused: list[str], crashed: list[BaseException]) -> None:
    assert crashed == []
    assert len(winners) == 1, winners
    assert len(refused) == CLAIMERS - 1
    engine = make_engine(url)
    with Session(engine) as session:
        task = session.get(OutreachTask, task_id)
        assert task is not None and (task.status, task.owner) == ("claimed", winners[0])
        claims = session.exec(select(TaskEvent).where(TaskEvent.kind == "claimed")).all()
        assert [e.actor for e in claims] == winners
    engine.dispose()


def test_claim_race_sqlite(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    task_id = _seed(url)
    _check(url, task_id, *_race(url, task_id))


@pytest.mark.postgres
def test_claim_race_postgresql(pg_url: str) -> None:
    task_id = _seed(pg_url)  # also runs every migration on PostgreSQL
    _check(pg_url, task_id, *_race(pg_url, task_id))
