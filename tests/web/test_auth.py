"""Signing in and out: sessions in HttpOnly SameSite cookies, form tokens on every POST, a limit on guessing."""

from __future__ import annotations

import httpx
from sqlmodel import Session, select

from monitor.store.user_models import ApiToken, WebSession, disable_user
from monitor.web.pages import safe_next
from tests.web.support import PASSWORD, WebDb, bearer, csrf_of, sign_in


def _signin_form(client: httpx.Client) -> str:
    return csrf_of(client.get("/signin").text)


def test_pages_need_a_signed_in_person(client: httpx.Client) -> None:
    answer = client.get("/board?view=mine", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/signin?next=%2Fboard%3Fview%3Dmine")


def test_sign_in_sets_a_safe_cookie_and_sign_out_ends_the_session(client: httpx.Client, web_db: WebDb) -> None:
    token = _signin_form(client)
    answer = client.post(
        "/signin",
        data={"username": "ann", "password": PASSWORD, "csrf_token": token, "next": "/tasks/1"},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/tasks/1"
    cookie = next(v for k, v in answer.headers.multi_items() if k == "set-cookie" and v.startswith("rrm_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    stolen = client.cookies["rrm_session"]
    board = client.get("/board")
    assert board.status_code == 200 and "ann (agent)" in board.text
    with Session(web_db.engine) as session:
        row = session.exec(select(WebSession)).one()
        assert row.token_hash != stolen  # only the hash is stored
    out = client.post("/signout", data={"csrf_token": csrf_of(board.text)}, follow_redirects=False)
    assert out.status_code == 303
    # The old cookie is worthless even if someone kept it.
    again = httpx.get(f"{client.base_url}/board", cookies={"rrm_session": stolen}, follow_redirects=False)
    assert again.status_code == 303


def test_the_cookie_is_secure_behind_a_proxy_that_says_https(client: httpx.Client) -> None:
    https = {"X-Forwarded-Proto": "https"}
    form = client.get("/signin", headers=https)
    assert "Secure" in form.headers["set-cookie"]
    token = csrf_of(form.text)
    client.cookies.clear()  # a Secure cookie is not sent back over plain http: send it by hand
    answer = client.post(
        "/signin",
        data={"username": "ann", "password": PASSWORD, "csrf_token": token},
        headers={**https, "Cookie": f"rrm_signin={token}"},
        follow_redirects=False,
    )
    cookie = next(v for k, v in answer.headers.multi_items() if k == "set-cookie" and v.startswith("rrm_session="))
    assert "Secure" in cookie


def test_wrong_password_and_unknown_name_look_the_same(client: httpx.Client) -> None:
    for name in ("ann", "nobody"):
        answer = client.post(
            "/signin", data={"username": name, "password": "wrong password!", "csrf_token": _signin_form(client)}
        )
        assert answer.status_code == 401
        assert "Wrong user name or password." in answer.text


def test_sign_in_without_the_form_token_is_refused(client: httpx.Client) -> None:
    client.get("/signin")
    answer = client.post("/signin", data={"username": "ann", "password": PASSWORD}, follow_redirects=False)
    assert answer.status_code == 403
    assert "rrm_session" not in client.cookies


def test_five_failures_lock_the_name_from_that_address_for_a_while(client: httpx.Client) -> None:
    for _ in range(5):
        answer = client.post(
            "/signin", data={"username": "bob", "password": "guess guess", "csrf_token": _signin_form(client)}
        )
        assert answer.status_code == 401
    locked = client.post("/signin", data={"username": "bob", "password": PASSWORD, "csrf_token": _signin_form(client)})
    assert locked.status_code == 429 and "Too many failed sign-ins" in locked.text
    assert int(locked.headers["retry-after"]) > 0
    # Another name from the same address is not affected.
    sign_in(client, "ann")


def test_a_disabled_person_loses_sessions_and_tokens_at_once(client: httpx.Client, web_db: WebDb) -> None:
    sign_in(client, "bob")
    assert client.get("/board").status_code == 200
    assert client.get("/api/v1/tasks", headers=bearer(web_db, "bob")).status_code == 200
    with Session(web_db.engine) as session:
        disable_user(session, "bob")
        session.commit()
    assert client.get("/board", follow_redirects=False).status_code == 303
    assert client.get("/api/v1/tasks", headers=bearer(web_db, "bob")).status_code == 401
    client.cookies.clear()
    answer = client.post("/signin", data={"username": "bob", "password": PASSWORD, "csrf_token": _signin_form(client)})
    assert answer.status_code == 401


def test_api_tokens_are_stored_as_hashes_only(web_db: WebDb) -> None:
    with Session(web_db.engine) as session:
        stored = {row.token_hash for row in session.exec(select(ApiToken)).all()}
    assert stored and not stored & set(web_db.tokens.values())


def test_redirects_stay_on_this_site() -> None:
    assert safe_next("/tasks/3?x=1") == "/tasks/3?x=1"
    for bad in ("https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)", "", "/a\nb"):
        assert safe_next(bad) == "/board"
