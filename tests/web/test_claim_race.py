"""Twenty people claim one task through the API at the same moment: exactly one wins, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from monitor.runtime.context import open_database
from monitor.store.task_models import TaskEvent
from monitor.store.user_models import AppUser, issue_api_token
from tests.web.support import WebDb, app_for, live_server, seed

CLAIMERS = 20


def _add_claimers(db: WebDb) -> list[str]:
    with Session(db.engine) as session:
        tokens = []
        for n in range(CLAIMERS):
            session.add(AppUser(name=f"agent{n}", role="agent"))  # API only: no password needed
            session.flush()
            tokens.append(issue_api_token(session, f"agent{n}"))
        session.commit()
    return tokens


def _race(db: WebDb) -> None:
    tokens = _add_claimers(db)
    task = db.task_ids[0]
    barrier = threading.Barrier(CLAIMERS)
    answers: list[httpx.Response] = []
    lock = threading.Lock()
    with live_server(app_for(db)) as url:

        def claim(token: str) -> None:
            with httpx.Client(base_url=url, timeout=60) as http:
                http.get("/healthz")  # connected before the barrier, so the claims really overlap
                barrier.wait(timeout=60)
                answer = http.post(f"/api/v1/tasks/{task}/claim", headers={"Authorization": f"Bearer {token}"})
                with lock:
                    answers.append(answer)

        threads = [threading.Thread(target=claim, args=(t,)) for t in tokens]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    codes = sorted(a.status_code for a in answers)
    assert codes == [200] + [409] * (CLAIMERS - 1), [a.text for a in answers if a.status_code not in (200, 409)]
    winner = next(a.json()["owner"] for a in answers if a.status_code == 200)
    assert all("held by " + winner in a.json()["message"] for a in answers if a.status_code == 409)
    with Session(db.engine) as session:
        claims = session.exec(select(TaskEvent).where(TaskEvent.task_id == task, TaskEvent.kind == "claimed")).all()
    assert [e.actor for e in claims] == [winner]


def test_one_winner_on_sqlite(tmp_path: Path) -> None:
    db = seed(open_database(f"sqlite:///{tmp_path / 'race.db'}"), tasks=2)
    try:
        _race(db)
    finally:
        db.engine.dispose()


@pytest.mark.postgres
def test_one_winner_on_postgresql(pg_url: str) -> None:
    db = seed(open_database(pg_url), tasks=2)
    try:
        _race(db)
    finally:
        db.engine.dispose()
