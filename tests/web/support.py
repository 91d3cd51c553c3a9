"""Builders for the web app's tests: a database with tasks and people, a signed-in client, a live server."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from monitor.core.settings import Settings
from monitor.runtime.context import open_database
from monitor.store.db import utcnow
from monitor.store.task_models import OutreachTask, TaskReview
from monitor.store.user_models import create_user, issue_api_token, start_session, user_by_name
from monitor.web.app import create_app
from responders.outreach.queue import update_queue
from tests.db_fixtures import add_company, add_reply, add_review, add_source

PASSWORD = "correct horse battery"
HOSTILE = "<script>alert('x')</script><img src=x onerror=alert(1)>"
HEBREW = "השירות היה נורא, אף אחד לא ענה לי במשך שבוע"


@dataclass
class WebDb:
    """A database with tasks and three people (two agents and a manager), and their API tokens."""

    engine: Engine
    tokens: dict[str, str] = field(default_factory=dict)
    task_ids: list[int] = field(default_factory=list)
    hostile_task: int = 0
    hebrew_task: int = 0


def seed(engine: Engine, *, tasks: int = 6) -> WebDb:
    """Companies, reviews and the queue built from them, plus users ann and bob (agents) and meg (manager)."""
    db = WebDb(engine)
    now = utcnow()
    with Session(engine, expire_on_commit=False) as session:
        acme = add_company(session, "Acme", timezone="Europe/Berlin")
        beta = add_company(session, "Beta", timezone="Asia/Jerusalem", days=(6, 0, 1, 2, 3))
        trust = add_source(session, acme, "acme-trustpilot")
        play = add_source(session, beta, "beta-play", kind="google_play")
        ids = []
        for n in range(tasks):
            review = add_review(
                session,
                trust,
                published=now - timedelta(hours=3 + n),
                handle=f"user{n}",
                name=f"Customer {n}",
                rating=1.0 + (n % 2),
                body=f"Order {n} never arrived and support never answered my emails.",
                language="en",
            )
            if n % 3 == 0:
                add_reply(session, review, published=now - timedelta(hours=1), template_id=None, text="We are sorry.")
            ids.append(review.id or 0)
        hostile = add_review(
            session, trust, published=now - timedelta(hours=2), handle="evil", name=HOSTILE, body=HOSTILE, language="en"
        )
        hebrew = add_review(
            session, play, published=now - timedelta(hours=5), handle="dana", name="דנה", body=HEBREW, language="he"
        )
        flagged = add_review(
            session,
            play,
            published=now - timedelta(hours=6),
            handle="lawyer",
            name="Larry Legal",
            body="I will take you to court over this refund.",
            language="en",
            flags="legal",
        )
        ids += [hostile.id or 0, hebrew.id or 0, flagged.id or 0]
        update_queue(session=session, settings=Settings(), review_ids=ids, now=now)
        for name, role in (("ann", "agent"), ("bob", "agent"), ("meg", "manager")):
            create_user(session, name, role, PASSWORD)
            db.tokens[name] = issue_api_token(session, name)
        session.commit()
        db.task_ids = list(session.exec(select(OutreachTask.id).order_by(OutreachTask.id)).all())  # type: ignore[arg-type]
        db.hostile_task = _task_of(session, hostile.id or 0)
        db.hebrew_task = _task_of(session, hebrew.id or 0)
    return db


def _task_of(session: Session, review_id: int) -> int:
    return session.exec(select(TaskReview.task_id).where(TaskReview.review_id == review_id)).one()


def sqlite_web_db(folder: Path, *, tasks: int = 6) -> WebDb:
    """A migrated SQLite file in `folder` with the seed data."""
    return seed(open_database(f"sqlite:///{folder / 'web.db'}"), tasks=tasks)


def app_for(db: WebDb) -> FastAPI:
    """The app on the seeded database, with settings that name no store API (a reply says where it cannot go)."""
    return create_app(db.engine, settings=Settings())


def csrf_of(html: str) -> str:
    """The form token in a page."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no form token on the page"
    return match.group(1)


def sign_in(client: httpx.Client, name: str, password: str = PASSWORD) -> httpx.Client:
    """Sign `client` in as `name` through the sign-in form."""
    form = client.get("/signin")
    assert form.status_code == 200
    answer = client.post(
        "/signin",
        data={"username": name, "password": password, "csrf_token": csrf_of(form.text), "next": "/board"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return client


def enter_as(client: httpx.Client, db: WebDb, name: str) -> httpx.Client:
    """Give `client` a session of `name` without the sign-in form (whose password check is slow on purpose)."""
    with Session(db.engine) as session:
        token = start_session(session, user_by_name(session, name), utcnow())
        session.commit()
    client.cookies.set("rrm_session", token)
    return client


def bearer(db: WebDb, name: str) -> dict[str, str]:
    """The Authorization header of `name`'s API token."""
    return {"Authorization": f"Bearer {db.tokens[name]}"}


@contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    """Serve `app` with uvicorn on 127.0.0.1 in a thread; yields its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the web server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
