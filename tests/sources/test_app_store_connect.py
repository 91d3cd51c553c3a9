"""The App Store Connect API adapter, through the real fetcher against a local fake of the documented API.

No real capture of an API answer exists: the fake (tests/api_fakes.py) answers JSON:API documents in the documented
shape, pages with `links.next`, and checks every request's ES256 token with the test's throw-away key.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest

from monitor.core.errors import ConfigError
from monitor.core.settings import SourceConfig
from monitor.store.health import Health
from sources.apis.app_store_connect import AppStoreConnect
from sources.base import Page
from tests.api_fakes import FakeStoreApis, Fault, app_store_connect_key, asc_review
from tests.sources.api_crawl import read

APP_ID = "1234567890"
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def fake() -> Iterator[FakeStoreApis]:
    with FakeStoreApis() as api:
        yield api


@pytest.fixture
def key(tmp_path: Path, fake: FakeStoreApis) -> Path:
    path, public = app_store_connect_key(tmp_path)
    fake.asc_keys["KEY123"] = ("issuer-uuid", public)
    return path


def source(fake: FakeStoreApis, key: Path, **options: str) -> SourceConfig:
    return SourceConfig(
        name="acme-asc",
        kind="app_store_connect",
        locator=APP_ID,
        company="Acme",
        options={
            "key_id": "KEY123",
            "issuer_id": "issuer-uuid",
            "private_key_file": str(key),
            "api_base": fake.base_url,
            **options,
        },
        min_delay=0.0,
    )


def reviews() -> list[dict[str, object]]:
    return [
        asc_review("00000028-b08c-0014-729e-000000000001", "It logs me out every day.", 1, NOW - timedelta(hours=1)),
        asc_review(
            "00000028-b08c-0014-729e-000000000002",
            "Nice, but no dark mode.",
            4,
            NOW - timedelta(days=1),
            nickname="Juan C",
            title="Almost",
            response="Dark mode comes in 3.0, Juan.",
        ),
        asc_review("00000028-b08c-0014-729e-000000000003", "Love it", 5, NOW - timedelta(days=3), title="Great"),
    ]


def test_a_documented_document_becomes_records() -> None:
    adapter = AppStoreConnect(APP_ID, {"key_id": "k", "issuer_id": "i", "private_key_file": "k.p8"})
    document = {
        "data": [
            {
                "type": "customerReviews",
                "id": "00000028-b08c-0014-729e-fbd500000000",
                "attributes": {
                    "rating": 2,
                    "title": "Awesome?",
                    "body": "It crashes on launch.",
                    "reviewerNickname": "Anne Johnson",
                    "createdDate": "2017-11-15T08:10:34-08:00",
                    "territory": "USA",
                },
                "relationships": {"response": {"data": {"type": "customerReviewResponses", "id": "r1"}}},
            }
        ],
        "included": [
            {
                "type": "customerReviewResponses",
                "id": "r1",
                "attributes": {
                    "responseBody": "Anne, 2.1 fixes the crash.",
                    "lastModifiedDate": "2017-11-16T10:00:00-08:00",
                    "state": "PENDING_PUBLISH",
                },
            }
        ],
        "links": {"self": "https://api/v1/apps/1/customerReviews", "next": "https://api/v1/apps/1/customerReviews?c=2"},
    }
    result = adapter.parse(Page(url="https://api/x", status=200, body=json.dumps(document).encode()))
    (record,) = result.records
    assert (record.rating, record.title, record.author_name) == (2, "Awesome?", "Anne Johnson")
    assert record.published_at == datetime(2017, 11, 15, 16, 10, 34, tzinfo=UTC)
    assert record.reply is not None and record.reply.text == "Anne, 2.1 fixes the crash."
    assert record.extra == {"territory": "USA", "response_state": "PENDING_PUBLISH"}
    assert result.next_url == "https://api/v1/apps/1/customerReviews?c=2"


def test_the_locator_is_a_numeric_app_id_and_the_key_options_are_required() -> None:
    with pytest.raises(ConfigError, match="numeric Apple app id"):
        AppStoreConnect("com.acme.app", {"key_id": "k", "issuer_id": "i", "private_key_file": "k.p8"})
    with pytest.raises(ConfigError, match="issuer_id"):
        AppStoreConnect(APP_ID, {"key_id": "k", "private_key_file": "k.p8"})


async def test_listing_follows_links_next_with_signed_tokens(fake: FakeStoreApis, key: Path) -> None:
    fake.asc[APP_ID] = reviews()
    got = await read(source(fake, key))
    assert got.health == Health.OK, got.message
    assert [r.body for r in got.records] == ["It logs me out every day.", "Nice, but no dark mode.", "Love it"]
    assert got.records[1].reply is not None and got.records[1].reply.text == "Dark mode comes in 3.0, Juan."
    listing = fake.logged("GET", "/customerReviews")
    assert len(listing) == 2 and "cursor=2" in listing[1].path and "include=response" in listing[0].path
    token = listing[0].headers["authorization"].removeprefix("Bearer ")
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert header["kid"] == "KEY123" and header["alg"] == "ES256"
    assert claims["iss"] == "issuer-uuid" and claims["aud"] == "appstoreconnect-v1"
    assert 0 < claims["exp"] - claims["iat"] <= 20 * 60
    assert not fake.logged("POST", "/token") and not fake.logged("GET", "/robots.txt")


async def test_a_next_link_to_another_host_is_refused(fake: FakeStoreApis, key: Path) -> None:
    fake.asc[APP_ID] = reviews()
    original = fake._app_store

    def hostile(*args: object) -> tuple[int, dict[str, str], bytes]:
        status, headers, body = original(*args)  # type: ignore[arg-type]
        document = json.loads(body)
        if "links" in document and "next" in document["links"]:
            document["links"]["next"] = "http://169.254.169.254/latest/meta-data/"
        return status, headers, json.dumps(document).encode()

    fake._app_store = hostile  # type: ignore[method-assign]
    got = await read(source(fake, key))
    assert got.health == Health.PARTIAL and len(got.records) == 2
    assert "169.254.169.254" in got.message and "refused" in got.message


async def test_a_key_apple_does_not_know_is_refused_with_advice(fake: FakeStoreApis, tmp_path: Path) -> None:
    fake.asc[APP_ID] = reviews()
    unknown, _ = app_store_connect_key(tmp_path, name="other.p8")
    got = await read(source(fake, unknown))
    assert got.health == Health.BLOCKED
    assert "HTTP 401" in got.message and "key_id, issuer_id and private_key_file" in got.message


async def test_a_file_that_is_no_ec_key_names_the_option(fake: FakeStoreApis, tmp_path: Path) -> None:
    bad = tmp_path / "AuthKey.p8"
    bad.write_text("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    got = await read(source(fake, bad))
    assert got.health == Health.FAILED and "option 'private_key_file'" in got.message
    assert not fake.requests


async def test_server_errors_are_retried(fake: FakeStoreApis, key: Path) -> None:
    fake.asc[APP_ID] = reviews()
    fake.add_fault("GET", "/v1/apps", Fault(503))
    got = await read(source(fake, key))
    assert got.health == Health.OK and len(got.records) == 3
