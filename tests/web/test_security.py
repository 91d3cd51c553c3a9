"""Hostile review text stays text, every POST needs the form token, and agents cannot use managers' pages."""

from __future__ import annotations

import httpx
import pytest

from tests.web.support import HOSTILE, WebDb, bearer, csrf_of, enter_as


def test_review_text_with_markup_is_shown_as_text(client: httpx.Client, web_db: WebDb) -> None:
    enter_as(client, web_db, "ann")
    for path in ("/board?view=all", f"/tasks/{web_db.hostile_task}", "/board?view=all&q=%3Cscript%3E"):
        html = client.get(path).text
        assert "<script>alert" not in html and "<img src=x" not in html, path
        assert "&lt;script&gt;alert(" in html and "&lt;img src=x onerror=alert(1)&gt;" in html, path
    api = client.get(f"/api/v1/tasks/{web_db.hostile_task}", headers=bearer(web_db, "ann")).json()
    assert api["reviews"][0]["body"] == HOSTILE  # the API returns JSON text as it is; JSON is not HTML


def test_pages_carry_a_content_security_policy(client: httpx.Client) -> None:
    answer = client.get("/signin")
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/tasks/{task}/claim", {}),
        ("/tasks/{task}/log", {"note": "called"}),
        ("/tasks/{task}/close", {"outcome": "not_actionable"}),
        ("/tasks/{task}/check", {"draft": "Hello"}),
        ("/signout", {}),
    ],
)
def test_a_post_without_the_form_token_is_rejected(
    client: httpx.Client, web_db: WebDb, path: str, data: dict[str, str]
) -> None:
    enter_as(client, web_db, "ann")
    target = path.format(task=web_db.task_ids[0])
    for token in (None, "forged-token-value-0123456789"):
        form = dict(data) if token is None else {**data, "csrf_token": token}
        answer = client.post(target, data=form, follow_redirects=False)
        assert answer.status_code == 403, (target, answer.text)
    detail = client.get(f"/api/v1/tasks/{web_db.task_ids[0]}", headers=bearer(web_db, "ann")).json()
    assert detail["status"] == "new" and detail["owner"] is None  # nothing happened


def test_the_api_with_a_session_cookie_needs_the_form_token_header(client: httpx.Client, web_db: WebDb) -> None:
    board = enter_as(client, web_db, "ann").get("/board").text
    task = web_db.task_ids[0]
    assert client.get("/api/v1/tasks").status_code == 200  # reading with the cookie is fine
    assert client.post(f"/api/v1/tasks/{task}/claim").status_code == 403
    answer = client.post(f"/api/v1/tasks/{task}/claim", headers={"X-CSRF-Token": csrf_of(board)})
    assert answer.status_code == 200 and answer.json()["owner"] == "ann"


@pytest.mark.parametrize("path", ["/manage", "/manage/templates", "/manage/sources", "/manage/digest"])
def test_an_agent_gets_403_on_manager_pages(client: httpx.Client, web_db: WebDb, path: str) -> None:
    enter_as(client, web_db, "ann")
    assert client.get(path).status_code == 403
    client.cookies.clear()
    enter_as(client, web_db, "meg")
    assert client.get(path).status_code == 200


def test_an_agent_gets_403_on_manager_steps(client: httpx.Client, web_db: WebDb) -> None:
    task = web_db.task_ids[0]
    headers = bearer(web_db, "ann")
    assert client.post(f"/api/v1/tasks/{task}/assign", json={"assignee": "ann"}, headers=headers).status_code == 403
    answer = client.post(f"/api/v1/tasks/{task}/snooze", json={"until": "2999-01-01"}, headers=headers)
    assert answer.status_code == 403 and "message" in answer.json()
    page = enter_as(client, web_db, "ann").get("/board").text
    token = csrf_of(page)
    steps = [
        (f"/tasks/{task}/assign", {"assignee": "ann"}),
        (f"/tasks/{task}/snooze", {"until": "2999-01-01"}),
        (f"/tasks/{task}/dismiss", {"reason": "spam"}),
        ("/board/bulk", {"action": "close", "task_id": str(task), "reason": "spam"}),
    ]
    for path, data in steps:
        assert client.post(path, data={**data, "csrf_token": token}).status_code == 403, path
    assert 'action="/board/bulk"' not in page  # an agent is not even shown the bulk form


def test_the_api_wants_a_valid_token(client: httpx.Client) -> None:
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic YTpi"}):
        answer = client.get("/api/v1/tasks", headers=headers)
        assert answer.status_code == 401
        assert answer.json()["message"]
        assert answer.headers["www-authenticate"] == "Bearer"
