"""Credentials of the official store APIs, and the fetcher's API requests: headers stay at home, writes go once.

Keys are made for each test with `cryptography`; the token endpoint is the local fake of tests/api_fakes.py, which
verifies the assertion's signature with the test's public key.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest

from monitor.core.errors import Blocked, ConfigError, Unreachable
from monitor.http.fetcher import Fetcher, FetchStats, HostPolicy
from monitor.http.page import ApiRequest
from monitor.http.policy import RequestPolicy
from monitor.http.service_auth import (
    JWT_BEARER_GRANT,
    AppStoreConnectKey,
    AppStoreConnectTokens,
    GoogleServiceAccount,
    GoogleTokens,
    describe_api_error,
    redact_authorization,
)
from tests.api_fakes import ANDROID_SCOPE, FakeStoreApis, Fault, app_store_connect_key, service_account_key
from tests.site import TestSite

EMAIL = "reviews@acme-project.iam.gserviceaccount.com"


@pytest.fixture
def fake() -> Iterator[FakeStoreApis]:
    with FakeStoreApis() as api:
        yield api


def _policy(*urls: str, retries: int = 2) -> HostPolicy:
    return HostPolicy(min_delay=0.0, respect_robots=False, max_retries=retries, destinations=RequestPolicy(urls))


async def _no_sleep(_seconds: float) -> None:
    return None


async def test_the_jwt_bearer_exchange_is_signed_with_the_key_and_cached(fake: FakeStoreApis, tmp_path: Path) -> None:
    path, public = service_account_key(tmp_path, fake.token_uri)
    fake.google_keys[EMAIL] = public
    # The fake checks the assertions against the real time, so the test's clock stays in the recent past.
    start = float(int(time.time()) - 3590)
    clock = [start]
    tokens = GoogleTokens(GoogleServiceAccount.from_file(str(path)), ANDROID_SCOPE, clock=lambda: clock[0])
    async with Fetcher(user_agent="t/1") as fetcher:
        fetch = fetcher.bind(_policy(fake.token_uri))
        assert await tokens.authorization(fetch) == "Bearer ya29.fake-1"
        clock[0] += 3000  # still an hour's token: reused
        assert await tokens.authorization(fetch) == "Bearer ya29.fake-1"
        clock[0] += 560  # within a minute of expiry: renewed
        assert await tokens.authorization(fetch) == "Bearer ya29.fake-2"
    (first, _second) = fake.logged("POST", "/token")
    form = dict(pair.split("=", 1) for pair in first.body.decode().split("&"))
    assert form["grant_type"] == JWT_BEARER_GRANT.replace(":", "%3A")
    assertion = form["assertion"]
    claims = jwt.decode(assertion, public, algorithms=["RS256"], audience=fake.token_uri)
    assert claims["iss"] == EMAIL and claims["scope"] == ANDROID_SCOPE
    assert claims["exp"] - claims["iat"] == 3600 and claims["iat"] == start
    assert jwt.get_unverified_header(assertion)["kid"] == "k1"


async def test_a_refused_key_is_blocked_with_what_to_check(fake: FakeStoreApis, tmp_path: Path) -> None:
    path, _public = service_account_key(tmp_path, fake.token_uri)  # never registered with the fake
    tokens = GoogleTokens(GoogleServiceAccount.from_file(str(path)), ANDROID_SCOPE)
    async with Fetcher(user_agent="t/1") as fetcher:
        with pytest.raises(Blocked, match=r"refused the service-account key .*sa\.json \(HTTP 400\).*clock"):
            await tokens.authorization(fetcher.bind(_policy(fake.token_uri)))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist"),
        ("{not json", "is not JSON"),
        ('{"type": "authorized_user", "client_id": "x"}', "not a service-account key"),
        ('{"type": "service_account", "client_email": "a@b"}', "has no 'private_key'"),
        (
            '{"type": "service_account", "client_email": "a@b", "private_key": "nope", "token_uri": "https://t"}',
            "not a usable RS256 private key",
        ),
    ],
)
def test_unusable_key_files_name_the_option(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "key.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ConfigError, match=message) as caught:
        GoogleServiceAccount.from_file(str(path), option="credentials_file")
    assert "option 'credentials_file'" in str(caught.value) and "\n" not in str(caught.value)


def test_the_private_key_never_shows_in_a_repr(tmp_path: Path) -> None:
    path, _ = service_account_key(tmp_path, "https://oauth2.example/token")
    account = GoogleServiceAccount.from_file(str(path))
    assert "PRIVATE KEY" not in repr(account)


async def test_app_store_connect_tokens_are_es256_for_at_most_twenty_minutes(tmp_path: Path) -> None:
    path, public = app_store_connect_key(tmp_path)
    clock = [2_000_000.0]
    key = AppStoreConnectKey.from_file(str(path), key_id="KEY123", issuer_id="issuer-uuid")
    tokens = AppStoreConnectTokens(key, clock=lambda: clock[0])
    first = await tokens.authorization(None)  # type: ignore[arg-type]
    clock[0] += 60
    assert await tokens.authorization(None) == first  # type: ignore[arg-type]
    clock[0] += 20 * 60
    assert await tokens.authorization(None) != first  # type: ignore[arg-type]
    token = first.removeprefix("Bearer ")
    # The signature is checked with the public key; the test's clock is long past, so expiry is not.
    claims = jwt.decode(
        token, public, algorithms=["ES256"], audience="appstoreconnect-v1", options={"verify_exp": False}
    )
    assert jwt.get_unverified_header(token) == {"alg": "ES256", "kid": "KEY123", "typ": "JWT"}
    assert claims == {"iss": "issuer-uuid", "iat": 2_000_000, "exp": 2_000_000 + 1200, "aud": "appstoreconnect-v1"}
    assert key.token(0, lifetime=3600).count(".") == 2
    assert jwt.decode(key.token(0, lifetime=3600), options={"verify_signature": False})["exp"] == 1200


def test_an_rsa_key_is_no_app_store_connect_key(tmp_path: Path) -> None:
    path, _ = service_account_key(tmp_path, "https://t")
    pem = json.loads(path.read_text())["private_key"]
    p8 = tmp_path / "AuthKey.p8"
    p8.write_text(pem)
    with pytest.raises(ConfigError, match=r"option 'private_key_file'.*ES256"):
        AppStoreConnectKey.from_file(str(p8), key_id="K", issuer_id="I")


def test_redaction_and_api_error_reasons() -> None:
    assert redact_authorization("Bearer ya29.secret") == "Bearer <redacted>"
    assert describe_api_error(b'{"error": {"code": 403, "message": "The caller does not have permission"}}') == (
        "The caller does not have permission"
    )
    assert describe_api_error(b'{"errors": [{"status": "409", "detail": "already \\u001b[31mthere"}]}') == (
        "already [31mthere"
    )
    assert describe_api_error(b"<html>") == ""


async def test_headers_go_to_the_same_origin_only(tmp_path: Path) -> None:
    with TestSite() as home, TestSite(host="127.0.0.2") as other:
        home.add_page("/start", b"", "text/plain", headers={})
        home.add_fault("/start", _redirect(home.url("/next")), times=1)
        home.add_page("/next", b"ok", "text/plain")
        home.add_fault("/next", _redirect(other.url("/elsewhere")), times=1)
        other.add_page("/elsewhere", b"far", "text/plain")
        policy = HostPolicy(
            min_delay=0.0,
            respect_robots=False,
            destinations=RequestPolicy([home.url("/"), other.url("/")]),
        )
        async with Fetcher(user_agent="t/1") as fetcher:
            page = await fetcher.fetch(home.url("/start"), policy=policy, headers={"Authorization": "Bearer s3cret"})
        assert page.body == b"far"
        assert home.requests_to("/start")[0].headers["authorization"] == "Bearer s3cret"
        assert home.requests_to("/next")[0].headers["authorization"] == "Bearer s3cret"
        assert "authorization" not in other.requests_to("/elsewhere")[0].headers


def _redirect(to: str) -> object:
    from tests.site import Status

    return Status(302, headers={"Location": to})


async def test_send_goes_once_and_answers_any_status(fake: FakeStoreApis) -> None:
    url = f"{fake.base_url}/v1/customerReviewResponses"
    fake.add_fault("POST", "/v1/customerReviewResponses", Fault(503, body=b'{"errors": [{"detail": "down"}]}'))
    stats = FetchStats()
    async with Fetcher(user_agent="t/1", sleep=_no_sleep) as fetcher:
        page = await fetcher.send(
            ApiRequest("POST", url, {"X-A": "1"}, b"{}"), policy=_policy(url, retries=4), stats=stats
        )
        assert page.status == 503 and describe_api_error(page.body) == "down"
        assert len(fake.logged("POST")) == 1 and stats.retries == 0
        fake.add_fault("POST", "/v1/customerReviewResponses", Fault(drop=True))
        with pytest.raises(Unreachable, match="after 1 attempt"):
            await fetcher.send(ApiRequest("POST", url, {}, b"{}"), policy=_policy(url, retries=4))
    assert len(fake.logged("POST")) == 2


async def test_send_obeys_the_request_policy(fake: FakeStoreApis) -> None:
    async with Fetcher(user_agent="t/1") as fetcher:
        with pytest.raises(Exception, match="not the source's host"):
            await fetcher.send(ApiRequest("POST", "http://127.0.0.9:1/x"), policy=_policy(fake.base_url + "/"))
    assert not fake.requests
