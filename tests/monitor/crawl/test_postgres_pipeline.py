"""The whole pipeline on PostgreSQL: migrations, crawl over HTTP, store, templates, queue, digest."""

from __future__ import annotations

import asyncio
import gzip
import json

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from monitor.crawl.runner import crawl_sources
from monitor.digest.build import build_digest
from monitor.http.fetcher import Fetcher
from monitor.runtime.config_file import parse_settings
from monitor.runtime.context import open_database
from monitor.store.db import utcnow
from monitor.store.health import Health
from monitor.store.models import CompanyReply, Review, ReviewRevision
from monitor.store.task_models import OutreachTask
from tests.fixture_path import fixture
from tests.site import TestSite

pytestmark = pytest.mark.postgres


def public_replies() -> int:
    """Records whose thread holds a public business message that is not the site's private-reply notice."""
    raw = gzip.decompress(fixture("hellopeter", "cell-c_2021_reviews_first300.jsonl.gz").read_bytes())
    count = 0
    for line in raw.splitlines():
        messages = json.loads(line).get("messages") or []
        count += any(
            m.get("owner") == 2 and m.get("type") == "Public" and "replied privately" not in (m.get("body") or "")
            for m in messages
        )
    return count


def hellopeter_pages(site: TestSite, per_page: int = 25) -> None:
    raw = gzip.decompress(fixture("hellopeter", "cell-c_2021_reviews_first300.jsonl.gz").read_bytes())
    records = [json.loads(line) for line in raw.splitlines()]
    last = (len(records) + per_page - 1) // per_page
    for n in range(1, last + 1):
        envelope = {"data": records[(n - 1) * per_page : n * per_page], "current_page": n, "last_page": last}
        site.add_page(f"/consumer/business/cell-c/reviews?page={n}", json.dumps(envelope).encode(), "application/json")


def test_crawl_twice_on_postgresql_stores_once_and_builds_the_queue(pg_url: str) -> None:
    import tomllib

    with TestSite() as site:
        site.set_robots("User-agent: *\nAllow: /\n")
        hellopeter_pages(site)
        text = (
            f'database_url = "{pg_url}"\nbackfill_window_days = 3650\n[[company]]\nname = "Cell C"\n'
            f'[[company.source]]\nname = "cellc"\nkind = "hellopeter"\nlocator = "cell-c"\n'
            f'options = {{ api_base = "{site.base_url}" }}\nmin_delay = 0.0\n'
        )
        settings = parse_settings(tomllib.loads(text), where="test.toml", env={})
        engine = open_database(pg_url)

        async def crawl(backfill: bool) -> Health:
            async with Fetcher(user_agent="monitor-tests/1.0") as fetcher:
                (outcome,) = await crawl_sources(
                    engine=engine, settings=settings, sources=settings.all_sources(), fetcher=fetcher, backfill=backfill
                )
            return outcome.health

        assert asyncio.run(crawl(backfill=True)) == Health.OK
        with Session(engine) as session:
            first = (
                session.exec(select(func.count()).select_from(Review)).one(),
                session.exec(select(func.count()).select_from(CompanyReply)).one(),
                session.exec(select(func.count()).select_from(ReviewRevision)).one(),
                session.exec(select(func.count()).select_from(OutreachTask)).one(),
            )
            templated = session.exec(
                select(func.count()).select_from(CompanyReply).where(CompanyReply.template_id.is_not(None))  # type: ignore[union-attr]
            ).one()
        assert first[0] == first[2] == 300
        assert first[1] == public_replies()
        assert first[3] > 0 and templated > 0
        assert asyncio.run(crawl(backfill=False)) == Health.OK
        with Session(engine) as session:
            again = (
                session.exec(select(func.count()).select_from(Review)).one(),
                session.exec(select(func.count()).select_from(CompanyReply)).one(),
                session.exec(select(func.count()).select_from(ReviewRevision)).one(),
                session.exec(select(func.count()).select_from(OutreachTask)).one(),
            )
            digest = build_digest(session=session, day=utcnow().date())
        assert again == first
        assert digest.companies and digest.companies[0].new_reviews == 300
        engine.dispose()


def test_crawl_lock_is_exclusive_across_connections_on_postgresql(pg_url: str) -> None:
    from monitor.crawl.locks import source_lock
    from monitor.store.db import make_engine

    first, second = make_engine(pg_url), make_engine(pg_url)
    try:
        with source_lock(first, "cellc") as held:
            assert held
            with source_lock(second, "cellc") as also:
                assert not also
            with source_lock(second, "other-source") as other:
                assert other
        with source_lock(second, "cellc") as again:
            assert again
    finally:
        first.dispose()
        second.dispose()
