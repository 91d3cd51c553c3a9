"""The Google Play Developer API adapter, through the real fetcher against a local fake of the documented API.

No real capture of an API answer exists: the fake (tests/api_fakes.py) answers in the documented formats, checks the
JWT-bearer token exchange with the test's throw-away key, and pages with `tokenPagination.nextPageToken`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from monitor.core.errors import ConfigError
from monitor.core.settings import SourceConfig
from monitor.http.fetcher import FetchStats
from monitor.store.health import Health
from monitor.store.models import CompanyReply, Review
from sources.apis.common import less_than_daily
from sources.apis.google_play_api import GooglePlayApi
from sources.base import Page
from tests.api_fakes import FakeStoreApis, Fault, play_review, service_account_key
from tests.db_fixtures import migrated_sqlite
from tests.sources.api_crawl import config, crawl, read, toml_source

PACKAGE = "com.acme.app"
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
        play_review(
            "gp:AOqpTOa1", "Crashes\tThe app crashes every time I open my orders.", 1, NOW - timedelta(hours=1)
        ),
        play_review(
            "gp:AOqpTOa2",
            "Good app but checkout is slow",
            3,
            NOW - timedelta(hours=5),
            reply="Thanks, Ben! We made checkout faster in 4.2.",
            replied=NOW - timedelta(hours=2),
            author="Ben",
        ),
        play_review("gp:AOqpTOa3", "Great", 5, NOW - timedelta(days=2), author="Cy", language="pt_BR"),
    ]


def source(fake: FakeStoreApis, key: Path, **settings: object) -> SourceConfig:
    return SourceConfig(
        name="acme-play-api",
        kind="google_play_api",
        locator=PACKAGE,
        company="Acme",
        options={"credentials_file": str(key), "api_base": fake.base_url},
        min_delay=0.0,
        **settings,  # type: ignore[arg-type]
    )


def test_a_documented_answer_becomes_records() -> None:
    adapter = GooglePlayApi(PACKAGE, {"credentials_file": "unused.json"})
    body = json.dumps({"reviews": reviews(), "tokenPagination": {"nextPageToken": "abc"}}).encode()
    result = adapter.parse(Page(url="https://x/reviews", status=200, body=body))
    first, second, third = result.records
    assert (first.site_review_id, first.title, first.body) == (
        "gp:AOqpTOa1",
        "Crashes",
        "The app crashes every time I open my orders.",
    )
    assert first.rating == 1 and first.language == "en" and first.extra["reviewer_language"] == "en_GB"
    assert first.published_at == NOW - timedelta(hours=1) and first.helpful_votes == 3
    assert first.url == f"https://play.google.com/store/apps/details?id={PACKAGE}&reviewId=gp:AOqpTOa1"
    assert second.reply is not None and second.reply.text.startswith("Thanks, Ben!")
    assert second.reply.published_at == NOW - timedelta(hours=2) and second.title is None
    assert third.language == "pt" and third.reply is None
    assert result.next_url is not None and result.next_url.endswith("token=abc")


def test_a_review_without_the_documented_shape_is_a_problem_not_a_crash() -> None:
    adapter = GooglePlayApi(PACKAGE, {"credentials_file": "unused.json"})
    body = json.dumps({"reviews": [reviews()[0], {"reviewId": "gp:x", "comments": []}]}).encode()
    result = adapter.parse(Page(url="https://x/reviews", status=200, body=body))
    assert len(result.records) == 1 and "no userComment" in result.problems[0]


@pytest.mark.parametrize("locator", ["not a package", "https://play.google.com/store/apps/details?id=x"])
def test_the_locator_must_be_a_package_name(locator: str) -> None:
    with pytest.raises(ConfigError, match="package name"):
        GooglePlayApi(locator, {"credentials_file": "k.json"})


def test_the_credentials_file_is_required() -> None:
    with pytest.raises(ConfigError, match="credentials_file"):
        GooglePlayApi(PACKAGE, {})


async def test_listing_pages_with_the_exchanged_token(fake: FakeStoreApis, key: Path) -> None:
    fake.play[PACKAGE] = reviews()
    stats = FetchStats()
    got = await read(source(fake, key), stats=stats)
    assert got.health == Health.OK, got.message
    assert [r.site_review_id for r in got.records] == ["gp:AOqpTOa1", "gp:AOqpTOa2", "gp:AOqpTOa3"]
    assert got.pages == 2  # two reviews per answer in the fake: the token led to the second page
    listing = fake.logged("GET", "/reviews")
    assert [dict(p.split("=") for p in r.path.split("?")[1].split("&")).get("token") for r in listing] == [None, "2"]
    # One token exchange for the whole run, and every API request carried it; robots.txt is not asked for.
    assert len(fake.logged("POST", "/token")) == 1
    assert all(r.headers["authorization"] == "Bearer ya29.fake-1" for r in listing)
    assert not fake.logged("GET", "/robots.txt")


async def test_a_key_the_token_endpoint_refuses_blocks_the_run(fake: FakeStoreApis, key: Path, tmp_path: Path) -> None:
    fake.play[PACKAGE] = reviews()
    other, _ = service_account_key(tmp_path, fake.token_uri, name="other.json")  # its public key is not registered
    got = await read(source(fake, other))
    assert got.health == Health.BLOCKED
    assert "refused the service-account key" in got.message and "other.json" in got.message
    assert not fake.logged("GET", "/reviews")


async def test_a_missing_key_file_names_the_option(fake: FakeStoreApis, tmp_path: Path) -> None:
    got = await read(source(fake, tmp_path / "missing.json"))
    assert got.health == Health.FAILED
    assert "option 'credentials_file'" in got.message and "does not exist" in got.message
    assert not fake.requests


async def test_an_api_refusal_says_what_to_fix(fake: FakeStoreApis, key: Path) -> None:
    fake.play[PACKAGE] = reviews()
    fake.add_fault("GET", "/androidpublisher", Fault(403, body=b'{"error": {"code": 403, "message": "denied"}}'))
    got = await read(source(fake, key))
    assert got.health == Health.BLOCKED
    assert "Play Console" in got.message and "HTTP 403" in got.message


async def test_a_rate_limit_is_waited_out(fake: FakeStoreApis, key: Path) -> None:
    fake.play[PACKAGE] = reviews()
    fake.add_fault("GET", "/androidpublisher", Fault(429, headers={"Retry-After": "3"}))
    stats = FetchStats()
    got = await read(source(fake, key), stats=stats)
    assert got.health == Health.OK and len(got.records) == 3
    assert stats.retries == 1 and stats.status_codes[429] == 1


async def test_a_long_retry_after_stops_the_run_with_the_time(fake: FakeStoreApis, key: Path) -> None:
    fake.play[PACKAGE] = reviews()
    fake.add_fault("GET", "/androidpublisher", Fault(429, headers={"Retry-After": "7200"}))
    got = await read(source(fake, key))
    assert got.health == Health.BLOCKED and "try again after" in got.message


@pytest.mark.parametrize(
    ("schedule", "warned"),
    [
        ("interval:6h", False),
        ("interval:1d", False),
        ("cron:0 7 * * *", False),
        ("interval:2d", True),
        ("cron:0 7 * * mon", True),
        ("manual", True),
    ],
)
def test_schedules_less_often_than_daily_are_warned_about(schedule: str, warned: bool) -> None:
    adapter = GooglePlayApi(PACKAGE, {"credentials_file": "k.json"})
    assert less_than_daily(schedule) is warned
    notice = adapter.schedule_notice(schedule)
    assert (notice is not None) is warned
    if notice:
        assert "7 days" in notice


async def test_the_run_reports_a_weekly_schedule(fake: FakeStoreApis, key: Path) -> None:
    fake.play[PACKAGE] = reviews()
    got = await read(source(fake, key, schedule="interval:7d"))
    assert got.health == Health.OK
    assert any("less often than daily" in p for p in got.problems)


def test_incremental_crawl_stores_once_and_a_quiet_week_is_no_layout_change(
    tmp_path: Path, fake: FakeStoreApis, key: Path
) -> None:
    fake.play[PACKAGE] = reviews()
    settings = config(
        tmp_path,
        toml_source(
            "acme-play-api", "google_play_api", PACKAGE, {"credentials_file": str(key), "api_base": fake.base_url}
        ),
    )
    engine = migrated_sqlite(tmp_path)
    (first,) = crawl(engine, settings)
    assert first.health == Health.OK and first.new == 3
    fake.play[PACKAGE][0]["comments"].append(
        {
            "developerComment": {
                "text": "Sorry Ann, fixed in 4.2",
                "lastModified": {"seconds": str(int(NOW.timestamp()))},
            }
        }
    )
    (second,) = crawl(engine, settings)
    assert (second.health, second.new, second.changed) == (Health.OK, 0, 1)
    with Session(engine) as session:
        assert len(session.exec(select(Review)).all()) == 3
        assert {r.text for r in session.exec(select(CompanyReply)).all()} >= {"Sorry Ann, fixed in 4.2"}
    fake.play[PACKAGE] = []  # nothing created or changed in the last week
    (quiet,) = crawl(engine, settings)
    assert quiet.health == Health.OK, quiet.message
