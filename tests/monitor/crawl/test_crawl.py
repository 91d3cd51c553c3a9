"""The crawl runner end to end: real recorded pages over real local HTTP, into a migrated database."""

from __future__ import annotations

import asyncio
import gzip
import json
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from monitor.core.settings import Settings
from monitor.crawl.runner import CrawlOutcome, crawl_sources
from monitor.http.fetcher import Fetcher
from monitor.store.health import Health
from monitor.store.models import CompanyReply, CrawlRun, Review, ReviewRevision
from tests.db_fixtures import migrated_sqlite, settings_with
from tests.fixture_path import fixture
from tests.site import Reset, Status, TestSite

OLD = "trustpilot_eventnet.de_2024-06-19.html.gz"
NEW = "trustpilot_eventnet.de_2024-07-02.html.gz"


def page(name: str) -> bytes:
    return gzip.decompress(fixture("trustpilot", name).read_bytes())


def config(tmp_path: Path, site: TestSite) -> Settings:
    return settings_with(
        tmp_path,
        f'[[company.source]]\nname = "eventnet"\nkind = "trustpilot"\nlocator = "{site.url("/review/eventnet.de")}"\n'
        "min_delay = 0.0\n",
    )


def crawl(engine, settings: Settings, **kwargs: object) -> CrawlOutcome:  # type: ignore[no-untyped-def]
    async def go() -> list[CrawlOutcome]:
        async with Fetcher(user_agent="monitor-tests/1.0", sleep=_no_sleep) as fetcher:
            return await crawl_sources(
                engine=engine, settings=settings, sources=settings.all_sources(), fetcher=fetcher, **kwargs
            )  # type: ignore[arg-type]

    return asyncio.run(go())[0]


async def _no_sleep(_seconds: float) -> None:
    return None


def stored(engine) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return (
            session.exec(select(func.count()).select_from(Review)).one(),
            session.exec(select(func.count()).select_from(CompanyReply)).one(),
            session.exec(select(func.count()).select_from(ReviewRevision)).one(),
        )


@pytest.fixture
def site() -> TestSite:
    with TestSite() as s:
        s.set_robots("User-agent: *\nAllow: /\n")
        yield s  # type: ignore[misc]


def test_older_then_newer_snapshot_adds_exactly_two(tmp_path: Path, site: TestSite) -> None:
    engine = migrated_sqlite(tmp_path)
    settings = config(tmp_path, site)
    site.add_page("/review/eventnet.de?sort=recency", page(OLD), "text/html; charset=utf-8")
    first = crawl(engine, settings)
    assert (first.health, first.new) == (Health.OK, 18)
    site.add_page("/review/eventnet.de?sort=recency", page(NEW), "text/html; charset=utf-8")
    second = crawl(engine, settings)
    assert (second.health, second.new, second.changed) == (Health.OK, 2, 0)
    reviews, replies, revisions = stored(engine)
    assert (reviews, replies, revisions) == (20, 4, 20)
    third = crawl(engine, settings)
    assert (third.new, third.changed) == (0, 0)
    assert stored(engine) == (20, 4, 20)


def test_legacy_markup_is_layout_changed_and_changes_nothing(tmp_path: Path, site: TestSite) -> None:
    engine = migrated_sqlite(tmp_path)
    settings = config(tmp_path, site)
    site.add_page("/review/eventnet.de?sort=recency", page(OLD), "text/html; charset=utf-8")
    crawl(engine, settings)
    before = stored(engine)
    site.add_page(
        "/review/eventnet.de?sort=recency", fixture("legacy_snippets", "trustpilot.html").read_bytes(), "text/html"
    )
    outcome = crawl(engine, settings)
    assert outcome.health == Health.LAYOUT_CHANGED
    assert "monitor probe" in outcome.message
    assert stored(engine) == before
    with Session(engine) as session:
        runs = session.exec(select(CrawlRun).order_by(CrawlRun.id)).all()
        assert [r.health for r in runs] == ["ok", "layout_changed"]


@pytest.mark.parametrize(
    ("fault", "health"),
    [
        (Status(403), Health.BLOCKED),
        (Status(429), Health.BLOCKED),
        (Status(503), Health.UNREACHABLE),
        (Reset(), Health.UNREACHABLE),
    ],
)
def test_faults_give_their_verdict_and_store_nothing(
    tmp_path: Path, site: TestSite, fault: object, health: Health
) -> None:
    engine = migrated_sqlite(tmp_path)
    settings = config(tmp_path, site)
    site.add_page("/review/eventnet.de?sort=recency", page(OLD), "text/html; charset=utf-8")
    site.add_fault("/review/eventnet.de?sort=recency", fault)  # type: ignore[arg-type]
    outcome = crawl(engine, settings)
    assert outcome.health == health
    assert outcome.message
    assert stored(engine) == (0, 0, 0)


def test_interrupted_run_is_marked_and_next_run_stores_everything_once(tmp_path: Path, site: TestSite) -> None:
    engine = migrated_sqlite(tmp_path)
    settings = config(tmp_path, site)
    site.add_page("/review/eventnet.de?sort=recency", page(OLD), "text/html; charset=utf-8")
    with Session(engine) as session:  # what a process killed mid-crawl leaves behind: a run still "running"
        from monitor.store.repository import sync_config

        src = sync_config(session=session, settings=settings)["eventnet"]
        session.add(CrawlRun(source_id=src.id or 0))
        session.commit()
    outcome = crawl(engine, settings)
    assert (outcome.health, outcome.new) == (Health.OK, 18)
    with Session(engine) as session:
        assert [r.health for r in session.exec(select(CrawlRun).order_by(CrawlRun.id)).all()] == ["interrupted", "ok"]
    assert stored(engine)[0] == 18


def test_conditional_requests_skip_unchanged_pages_but_only_after_a_stored_run(tmp_path: Path, site: TestSite) -> None:
    engine = migrated_sqlite(tmp_path)
    settings = config(tmp_path, site)
    legacy = fixture("legacy_snippets", "trustpilot.html").read_bytes()
    site.add_page("/review/eventnet.de?sort=recency", legacy, "text/html", etag='"v1"')
    assert crawl(engine, settings).health == Health.LAYOUT_CHANGED
    # The failed run stored no ETag, so the next run downloads the page in full even though the server,
    # asked "changed since v1?", would have said no.
    site.add_page("/review/eventnet.de?sort=recency", page(OLD), "text/html; charset=utf-8", etag='"v1"')
    first = crawl(engine, settings)
    assert (first.health, first.new) == (Health.OK, 18)
    sent = [r.headers.get("if-none-match") for r in site.requests if r.path.startswith("/review/")]
    assert sent[-1] is None
    second = crawl(engine, settings)
    assert (second.health, second.new) == (Health.OK, 0)
    assert "not modified" in second.message
    assert [r.headers.get("if-none-match") for r in site.requests if r.path.startswith("/review/")][-1] == '"v1"'
    assert stored(engine)[0] == 18


def test_urgent_new_reviews_are_alerted_once_but_history_is_not(
    tmp_path: Path, alert_endpoint: tuple[str, list[dict]]
) -> None:
    url, received = alert_endpoint
    raw = gzip.decompress(fixture("hellopeter", "cell-c_2021_reviews_first300.jsonl.gz").read_bytes())
    records = [json.loads(line) for line in raw.splitlines()[:3]]
    threat_text = "This is fraud. I am taking you to the ombudsman and my lawyer."
    old_threat = dict(records[2], id=99000000, review_rating=1, messages=[], review_content=threat_text)
    threat = dict(records[0], id=99000001, review_rating=1, messages=[], review_content=threat_text)
    calm = dict(records[1], id=99000002, review_rating=5, messages=[], review_content="Great service, thanks.")
    path = "/consumer/business/acme/reviews?page=1"
    with TestSite() as api:
        api.set_robots("User-agent: *\nAllow: /\n")

        def serve(*items: dict) -> None:
            envelope = {"data": list(items), "current_page": 1, "last_page": 1, "next_page_url": None}
            api.add_page(path, json.dumps(envelope).encode(), "application/json")

        settings = settings_with(
            tmp_path,
            f'alert_urls = ["{url}"]\n[[company.source]]\nname = "hp"\nkind = "hellopeter"\nlocator = "acme"\n'
            f'options = {{ api_base = "{api.base_url}" }}\nmin_delay = 0.0\n',
        )
        engine = migrated_sqlite(tmp_path)
        serve(calm, old_threat)
        first = crawl(engine, settings)  # the first crawl reads history: stored, queued if recent, never alerted
        assert first.health == Health.OK and first.new == 2 and received == []
        serve(threat, calm, old_threat)
        second = crawl(engine, settings)
        assert second.new == 1 and "1 urgent review alert(s) sent" in second.message
        assert len(received) == 1
        assert "legal" in received[0]["title"] and "ombudsman" in received[0]["message"]
        third = crawl(engine, settings)
        assert third.new == 0 and len(received) == 1


def test_a_second_crawl_of_a_running_source_is_skipped(tmp_path: Path, site: TestSite) -> None:
    from monitor.crawl.locks import source_lock

    engine = migrated_sqlite(tmp_path)
    settings = config(tmp_path, site)
    site.add_page("/review/eventnet.de?sort=recency", page(OLD), "text/html; charset=utf-8")
    with source_lock(engine, "eventnet") as held:
        assert held
        outcome = crawl(engine, settings)
    assert outcome.health == Health.SKIPPED and "still running" in outcome.message
    with Session(engine) as session:
        assert session.exec(select(CrawlRun)).all() == []
    assert crawl(engine, settings).health == Health.OK  # the lock is free again


def test_an_adapter_crash_on_odd_data_is_a_failed_run_not_a_traceback(tmp_path: Path, site: TestSite) -> None:
    engine = migrated_sqlite(tmp_path)
    settings = config(tmp_path, site)
    odd = page(OLD).decode().replace('"dates":{', '"dates":"2024-01-01","was":{', 1).encode()
    site.add_page("/review/eventnet.de?sort=recency", odd, "text/html; charset=utf-8")
    outcome = crawl(engine, settings)
    assert outcome.health == Health.FAILED and "adapter failed" in outcome.message
    with Session(engine) as session:
        assert [r.health for r in session.exec(select(CrawlRun)).all()] == ["failed"]
    assert stored(engine) == (0, 0, 0)
