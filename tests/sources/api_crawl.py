"""Crawling the official store API adapters through the real fetcher against `tests.api_fakes`, into a database."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy.engine import Engine

from monitor.core.settings import Settings, SourceConfig
from monitor.crawl.runner import Collected, CrawlOutcome, collect, crawl_sources, policy_for
from monitor.http.fetcher import Fetcher, FetchStats
from tests.db_fixtures import settings_with

USER_AGENT = "monitor-tests/1.0"


async def no_sleep(_seconds: float) -> None:
    """Waits (Retry-After, backoff) pass at once in tests."""
    return None


async def read(src: SourceConfig, *, max_pages: int = 50, stats: FetchStats | None = None) -> Collected:
    """One read of a source through the real fetcher and its request policy; nothing is stored."""
    async with Fetcher(user_agent=USER_AGENT, sleep=no_sleep) as fetcher:
        return await collect(src=src, fetch=fetcher.bind(policy_for(src), stats), max_pages=max_pages)


def crawl(engine: Engine, settings: Settings, *names: str) -> list[CrawlOutcome]:
    """Crawl the named sources (all when none is named) into the database."""
    chosen = [s for s in settings.all_sources() if not names or s.name in names]

    async def go() -> list[CrawlOutcome]:
        async with Fetcher(user_agent=USER_AGENT, sleep=no_sleep) as fetcher:
            return await crawl_sources(engine=engine, settings=settings, sources=chosen, fetcher=fetcher)

    return asyncio.run(go())


def toml_source(name: str, kind: str, locator: str, options: dict[str, str], **settings: object) -> str:
    """One `[[company.source]]` block."""
    inline = ", ".join(f'{key} = "{value}"' for key, value in options.items())
    lines = [
        "[[company.source]]",
        f'name = "{name}"',
        f'kind = "{kind}"',
        f'locator = "{locator}"',
        f"options = {{ {inline} }}",
        "min_delay = 0.0",
        *(f"{key} = {_toml(value)}" for key, value in settings.items()),
    ]
    return "\n".join(lines) + "\n"


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def config(folder: Path, *blocks: str) -> Settings:
    """Settings of one company (Acme) with these source blocks, on a SQLite file in `folder`."""
    return settings_with(folder, "".join(blocks))
