"""The web app on the hostile review set: every page shows stranger text as text, in the HTML and in a browser.

The store holds the hostile review set of `tests/hostile_text.py` (written the way a crawl and an import write it).
Every script payload in it sets `window.__xss`: in chromium, that stays undefined, no dialog opens, no element
is made from review text, and the text reads as the reviewer typed it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from monitor.core.settings import Settings
from monitor.runtime.config_file import load_settings
from monitor.runtime.context import open_database
from monitor.store.db import utcnow
from monitor.store.models import Review
from monitor.store.task_models import TaskReview
from monitor.store.user_models import create_user, issue_api_token, start_session, user_by_name
from monitor.web.app import create_app
from tests.hostile_text import (
    CLOSERS,
    IMG,
    READABLE,
    RICH,
    SCRIPT,
    TEMPLATE,
    assert_inert_html,
    build_hostile_store,
)
from tests.web.support import PASSWORD, live_server

SCRIPTS = ("/static/app.js",)
ABSENT = "undefined"


@dataclass
class HostileSite:
    """The hostile store and what the tests need to find their way in it."""

    engine: Engine
    tasks: dict[str, int]  # the task of each review, by the site's review id (h1 … h12, x2)
    token: str  # an API token of the manager


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileSite]:
    config = build_hostile_store(tmp_path_factory.mktemp("hostile"))
    engine = open_database(load_settings(config, env={}).database_url)
    with Session(engine) as session:
        create_user(session, "meg", "manager", PASSWORD)
        token = issue_api_token(session, "meg")
        session.commit()
        rows = session.exec(
            select(Review.site_review_id, TaskReview.task_id).join(TaskReview, TaskReview.review_id == Review.id)
        ).all()
    yield HostileSite(engine, {review: task for review, task in rows}, token)
    engine.dispose()


def _signed_in(site: HostileSite) -> str:
    """A session of the manager meg (the sign-in form's password check is slow on purpose)."""
    with Session(site.engine) as session:
        token = start_session(session, user_by_name(session, "meg"), utcnow())
        session.commit()
    return token


def _app(site: HostileSite) -> FastAPI:
    return create_app(site.engine, settings=Settings())


@pytest.fixture
def client(site: HostileSite) -> Iterator[httpx.Client]:
    with live_server(_app(site)) as url, httpx.Client(base_url=url, timeout=60) as http:
        http.cookies.set("rrm_session", _signed_in(site))
        yield http


def _pages(site: HostileSite) -> list[str]:
    return [
        "/board?view=all",
        "/board?view=all&status=all&q=%3Cscript%3E",
        *(f"/tasks/{task}" for task in sorted(site.tasks.values())),
        "/manage",
        "/manage/templates",
        "/manage/sources",
        "/manage/digest?date=2024-06-03",
    ]


def test_every_page_is_inert_html_that_shows_the_text(client: httpx.Client, site: HostileSite) -> None:
    seen = {}
    for path in _pages(site):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["content-type"] == "text/html; charset=utf-8", path
        seen[path] = assert_inert_html(answer.text, path, scripts=SCRIPTS)
    board = seen["/board?view=all"]
    assert f"{IMG} {SCRIPT}" in board and '=HYPERLINK("http://evil.example","Evil")' in board
    first = seen[f"/tasks/{site.tasks['h1']}"]
    assert f"Awful {SCRIPT}" in first and CLOSERS in first and "{{7*7}} {% raw %}" in first
    assert RICH in seen[f"/tasks/{site.tasks['h11']}"] and READABLE in seen[f"/tasks/{site.tasks['h12']}"]
    assert TEMPLATE in seen[f"/tasks/{site.tasks['x2']}"]  # a title from an imported file


def test_every_response_carries_the_policy_and_nosniff(client: httpx.Client, site: HostileSite) -> None:
    bearer = {"Authorization": f"Bearer {site.token}"}
    answers = [
        client.get("/board"),
        client.get("/signin"),
        client.get("/no/such/page"),
        client.get("/static/app.js"),
        client.get("/healthz"),
        client.get("/tasks/2147483647"),
        client.post("/tasks/1/claim", data={}),  # no form token
        client.get("/api/v1/reviews?limit=500", headers=bearer),
        client.get("/api/v1/tasks?limit=oops", headers=bearer),
        httpx.get(str(client.base_url.join("/board")), follow_redirects=False),  # not signed in: a redirect
    ]
    for answer in answers:
        where = f"{answer.request.method} {answer.request.url.path} {answer.status_code}"
        assert "script-src 'self'" in answer.headers.get("content-security-policy", ""), where
        assert answer.headers.get("x-content-type-options") == "nosniff", where
    reviews = answers[7].json()["items"]
    assert any(r["title"] == f"Awful {SCRIPT}" for r in reviews)  # JSON holds the text as it is: data, not HTML


def test_an_unexpected_error_page_carries_them_too(site: HostileSite) -> None:
    app = _app(site)

    @app.get("/fails")
    def fails() -> None:
        raise RuntimeError("a bug")

    with live_server(app) as url:
        answer = httpx.get(f"{url}/fails", timeout=30)
    assert answer.status_code == 500
    assert "script-src 'self'" in answer.headers.get("content-security-policy", "")
    assert answer.headers.get("x-content-type-options") == "nosniff"


def test_no_payload_runs_in_a_browser_and_the_text_reads_as_typed(browser_page: object, site: HostileSite) -> None:
    from playwright.sync_api import Page, expect

    page = browser_page
    assert isinstance(page, Page)
    dialogs: list[str] = []
    errors: list[str] = []
    policy: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console", lambda message: policy.append(message.text) if "Content Security Policy" in message.text else None
    )
    with live_server(_app(site)) as url:
        page.context.add_cookies([{"name": "rrm_session", "value": _signed_in(site), "url": url}])
        for path in _pages(site):
            page.goto(f"{url}{path}")
            assert page.evaluate("typeof window.__xss") == ABSENT, path
            # Nothing was made from review text: no image, no inline SVG, no handler, one script (the app's own).
            made = page.evaluate(
                "[document.querySelectorAll('img, svg, iframe, object, embed').length,"
                " document.querySelectorAll('[onerror], [onload], [onclick]').length,"
                " Array.from(document.scripts).filter(s => !s.src.endsWith('/static/app.js')).length]"
            )
            assert made == [0, 0, 0], (path, made)
            # A 5,000-letter word or a 100,000-character review wraps: the page is never wider than the window.
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path

        page.goto(f"{url}/tasks/{site.tasks['h1']}")
        expect(page.locator(".task-head h1 bdi")).to_have_text(f"{IMG} {SCRIPT}")
        expect(page.locator("article.review h3").first).to_have_text(f"Awful {SCRIPT}")
        expect(page.locator("article.review .reply p.body").first).to_contain_text("<!channel> <!here> <@U123>")
        assert page.locator("article.review header a").count() == 0  # the javascript: link is not a link

        page.fill("#draft", f"We apologize for any inconvenience caused. {SCRIPT} {IMG} {CLOSERS}")
        expect(page.locator("#findings li[data-rule=reflex_apology]")).to_be_visible()  # painted by the script
        expect(page.locator("#draft-marked")).to_contain_text(SCRIPT)
        assert page.evaluate("typeof window.__xss") == ABSENT

        page.goto(f"{url}/tasks/{site.tasks['h12']}")
        expect(page.locator("article.review p.body").first).to_have_text(f"{READABLE} terrible")
        page.goto(f"{url}/board?view=all")
        expect(page.locator("#board")).to_contain_text(f"{IMG} {SCRIPT}")
    assert dialogs == [] and errors == [] and policy == []
