"""Posting the public reply from the web app: the task page's form and POST /api/v1/tasks/{id}/reply.

The store is the local fake Google Play Developer API of tests/api_fakes.py (written from the documented formats,
no real capture); the source is crawled through the real command line, then the web app is served on 127.0.0.1.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from monitor.cli.main import app as cli
from monitor.runtime.config_file import load_settings
from monitor.runtime.context import open_database
from monitor.store.task_models import OutreachTask, TaskEvent
from monitor.store.user_models import create_user, issue_api_token
from monitor.web.app import create_app
from tests.api_fakes import FakeStoreApis, service_account_key
from tests.monitor.crawl.test_reply_posting import EMAIL, GOOD, PACKAGE, play_reviews, play_source
from tests.web.support import PASSWORD, csrf_of, live_server

HOSTILE = "<script>alert('x')</script> Ann, version 4.1.3 fixes the crash when you open your orders; sorry."


@dataclass
class World:
    """A crawled store API, its database with two agents, the served app and its tokens."""

    fake: FakeStoreApis
    engine: object
    url: str
    tokens: dict[str, str]
    task_id: int

    def api(self, name: str, body: dict[str, object]) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[name]}"}
        return httpx.post(f"{self.url}/api/v1/tasks/{self.task_id}/reply", json=body, headers=headers, timeout=30)

    def posts(self) -> int:
        return len(self.fake.logged("POST", ":reply"))


def _config(folder: Path, fake: FakeStoreApis) -> Path:
    key, public = service_account_key(folder, fake.token_uri)
    fake.google_keys[EMAIL] = public
    path = folder / "monitor.toml"
    path.write_text(
        f'database_url = "sqlite:///{folder / "monitor.db"}"\nuser_agent = "monitor-tests/1.0"\n'
        f'[[company]]\nname = "Acme"\n{play_source(fake, key)}',
        encoding="utf-8",
    )
    return path


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with FakeStoreApis() as fake:
        fake.play[PACKAGE] = play_reviews()
        config = _config(tmp_path, fake)
        crawled = CliRunner().invoke(cli, ["-c", str(config), "crawl"])
        assert crawled.exit_code == 0, crawled.output
        settings = load_settings(config, env={})
        engine = open_database(settings.database_url)
        with Session(engine) as session:
            tokens = {}
            for name in ("ann", "bob"):
                create_user(session, name, "agent", PASSWORD)
                tokens[name] = issue_api_token(session, name)
            session.commit()
            task_id = session.exec(select(OutreachTask.id).where(OutreachTask.reviewer_name == "Ann Reviewer")).one()
        assert (
            CliRunner().invoke(cli, ["-c", str(config), "tasks", "claim", str(task_id), "--as", "ann"]).exit_code == 0
        )
        fake.requests.clear()
        with live_server(create_app(engine, settings=settings)) as url:
            yield World(fake, engine, url, tokens, task_id or 0)
        engine.dispose()


def _events(world: World) -> list[TaskEvent]:
    with Session(world.engine) as session:  # type: ignore[arg-type]
        return list(session.exec(select(TaskEvent).where(TaskEvent.task_id == world.task_id)).all())


def test_the_api_previews_then_posts_once_for_the_holder(world: World) -> None:
    preview = world.api("ann", {"text": GOOD, "dry_run": True})
    assert preview.status_code == 200, preview.text
    shown = preview.json()
    assert shown["dry_run"] is True and shown["site"] == "Google Play"
    assert shown["request"].startswith("POST ") and "Bearer <redacted>" in shown["request"]
    assert not world.fake.requests  # a dry run sends nothing, not even for a token

    posted = world.api("ann", {"text": GOOD})
    assert posted.status_code == 200, posted.text
    answer = posted.json()
    assert answer["posted"] is True and answer["text"] == GOOD and answer["task"]["status"] == "contacted"
    assert world.posts() == 1
    assert [e.kind for e in _events(world)].count("reply_posted") == 1

    again = world.api("ann", {"text": GOOD})
    assert again.status_code == 409 and "already posted" in again.json()["message"]
    assert world.posts() == 1


def test_the_api_refuses_others_and_gated_findings_unless_a_reason_is_given(world: World) -> None:
    other = world.api("bob", {"text": GOOD})
    assert other.status_code == 409 and "held by ann" in other.json()["message"]
    asking = GOOD + " Please update your review to 5 stars once it works."
    gated = world.api("ann", {"text": asking})
    assert gated.status_code == 409
    assert "asks_review_change" in {f["rule"] for f in gated.json()["findings"]}
    assert world.posts() == 0
    forced = world.api("ann", {"text": asking, "reason": "the reviewer asked how to update their review"})
    assert forced.status_code == 200, forced.text
    assert world.posts() == 1
    assert world.api("ann", {"text": ""}).status_code == 422
    no_token = httpx.post(f"{world.url}/api/v1/tasks/{world.task_id}/reply", json={"text": GOOD}, timeout=30)
    assert no_token.status_code == 401


def test_without_the_configuration_the_api_says_how_to_start_it(world: World) -> None:
    with live_server(create_app(world.engine)) as url:  # type: ignore[arg-type]
        answer = httpx.post(
            f"{url}/api/v1/tasks/{world.task_id}/reply",
            json={"text": GOOD},
            headers={"Authorization": f"Bearer {world.tokens['ann']}"},
            timeout=30,
        )
    assert answer.status_code == 503 and "monitor -c monitor.toml web" in answer.json()["message"]
    assert world.posts() == 0


def _signed_in(world: World, client: httpx.Client) -> str:
    form = client.get("/signin")
    answer = client.post(
        "/signin",
        data={"username": "ann", "password": PASSWORD, "csrf_token": csrf_of(form.text), "next": "/board"},
    )
    assert answer.status_code in (200, 303), answer.text
    page = client.get(f"/tasks/{world.task_id}")
    assert page.status_code == 200 and 'id="reply-form"' in page.text
    return csrf_of(page.text)


def test_the_task_page_previews_escaped_and_posts_the_reply(world: World) -> None:
    with httpx.Client(base_url=world.url, timeout=30, follow_redirects=True) as client:
        token = _signed_in(world, client)
        form = {"csrf_token": token, "text": HOSTILE, "action": "preview"}
        preview = client.post(f"/tasks/{world.task_id}/reply", data=form)
        assert preview.status_code == 200
        assert 'id="reply-preview"' in preview.text and "Bearer &lt;redacted&gt;" in preview.text
        assert "<script>alert('x')</script>" not in preview.text and "&lt;script&gt;" in preview.text
        assert world.posts() == 0

        refused = client.post(f"/tasks/{world.task_id}/reply", data={"text": GOOD, "action": "post"})
        assert refused.status_code == 403 and world.posts() == 0  # no form token: no post

        posted = client.post(f"/tasks/{world.task_id}/reply", data={**form, "text": GOOD, "action": "post"})
        assert posted.status_code == 200 and str(posted.url).endswith("?done=replied")
        assert "The reply was posted on the site" in posted.text
        assert world.posts() == 1
        sent = json.loads(world.fake.logged("POST", ":reply")[0].body)
        assert sent == {"replyText": GOOD}

        twice = client.post(f"/tasks/{world.task_id}/reply", data={**form, "text": GOOD, "action": "post"})
        assert twice.status_code == 409 and "already posted" in twice.text and world.posts() == 1
