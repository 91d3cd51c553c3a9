"""The Google Business Profile API adapter, through the real fetcher against a local fake of the documented API.

No real capture of an API answer exists: the fake (tests/api_fakes.py) answers in the documented formats, pages with
`nextPageToken` → `pageToken`, and checks the JWT-bearer token exchange with the test's throw-away key.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.core.errors import ConfigError
from monitor.core.settings import SourceConfig
from monitor.store.health import Health
from sources.apis.google_business import GoogleBusiness
from sources.base import Page
from tests.api_fakes import BUSINESS_SCOPE, FakeStoreApis, business_review, service_account_key
from tests.sources.api_crawl import read

LOCATION = "accounts/111/locations/222"
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def fake() -> Iterator[FakeStoreApis]:
    with FakeStoreApis() as api:
        yield api


@pytest.fixture
def key(tmp_path: Path, fake: FakeStoreApis) -> Path:
    path, public = service_account_key(tmp_path, fake.token_uri)
    fake.google_keys["reviews@acme-project.iam.gserviceaccount.com"] = public
    return path


def reviews() -> list[dict[str, object]]:
    return [
        business_review(
            "r1", LOCATION, "Waited 40 minutes for a table we had booked.", "ONE", NOW - timedelta(hours=2)
        ),
        business_review("r2", LOCATION, None, "FOUR", NOW - timedelta(days=1), anonymous=True),
        business_review(
            "r3", LOCATION, "Lovely staff", "FIVE", NOW - timedelta(days=2), reply="Thank you, Jane!", name="Jane"
        ),
    ]


def source(fake: FakeStoreApis, key: Path) -> SourceConfig:
    return SourceConfig(
        name="acme-cafe",
        kind="google_business",
        locator=LOCATION,
        company="Acme",
        options={"credentials_file": str(key), "api_base": fake.base_url},
        min_delay=0.0,
    )


def test_a_documented_answer_becomes_records() -> None:
    adapter = GoogleBusiness(LOCATION, {"credentials_file": "k.json"})
    body = json.dumps({"reviews": reviews(), "nextPageToken": "t2", "totalReviewCount": 3}).encode()
    result = adapter.parse(Page(url="https://x", status=200, body=body))
    first, rating_only, replied = result.records
    assert (first.site_review_id, first.rating, first.author_name) == ("r1", 1.0, "Jane Doe")
    assert first.published_at == NOW - timedelta(hours=2)
    assert rating_only.body == "" and rating_only.author_name is None and rating_only.rating == 4.0
    assert replied.reply is not None and replied.reply.text == "Thank you, Jane!"
    assert result.next_url is not None and "pageToken=t2" in result.next_url


@pytest.mark.parametrize("locator", ["locations/222", "accounts/1/locations/2/reviews", "https://g.page/acme"])
def test_the_locator_is_a_location_name(locator: str) -> None:
    with pytest.raises(ConfigError, match="accounts/"):
        GoogleBusiness(locator, {"credentials_file": "k.json"})


async def test_listing_pages_newest_update_first(fake: FakeStoreApis, key: Path) -> None:
    fake.business[LOCATION] = reviews()
    got = await read(source(fake, key))
    assert got.health == Health.OK, got.message
    assert [r.site_review_id for r in got.records] == ["r1", "r2", "r3"]
    listing = fake.logged("GET", "/reviews")
    assert len(listing) == 2 and "pageToken=2" in listing[1].path and "orderBy=updateTime+desc" in listing[0].path
    assert fake.tokens == {"ya29.fake-1": BUSINESS_SCOPE}


async def test_an_unknown_location_says_what_to_check(fake: FakeStoreApis, key: Path) -> None:
    got = await read(source(fake, key))
    assert got.health == Health.FAILED
    assert "HTTP 404" in got.message and "check the locator" in got.message
