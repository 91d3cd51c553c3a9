"""Crawl every source of a configuration once, as `monitor crawl` does: shared by the crawl tests."""

from __future__ import annotations

import asyncio

from sqlalchemy.engine import Engine

from monitor.core.settings import Settings
from monitor.crawl.runner import CrawlOutcome, crawl_sources
from monitor.http.fetcher import Fetcher


def crawl_all(engine: Engine, settings: Settings) -> list[CrawlOutcome]:
    """The outcome of one crawl of every configured source, with the tests' user agent."""

    async def crawl() -> list[CrawlOutcome]:
        async with Fetcher(user_agent="monitor-tests/1.0") as fetcher:
            return await crawl_sources(
                engine=engine, settings=settings, sources=settings.all_sources(), fetcher=fetcher
            )

    return asyncio.run(crawl())
