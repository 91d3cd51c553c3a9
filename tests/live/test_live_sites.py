"""Canaries against the real sites: opt-in with `pytest -m live`, never part of `make test`.

They tell whether a site changed its pages since the adapters were written; a failure here is the early
warning that `monitor sources` would otherwise give only after the next scheduled crawl.
"""

from __future__ import annotations

import asyncio

import pytest

from monitor.core.settings import SourceConfig
from monitor.crawl.runner import Collected, collect, policy_for
from monitor.http.fetcher import Fetcher
from monitor.store.health import Health

pytestmark = pytest.mark.live

CASES = [
    ("trustpilot", "https://www.trustpilot.com/review/www.amazon.com", {}),
    ("app_store", "284882215", {"country": "us", "max_pages": 1}),
    ("google_play", "com.whatsapp", {"lang": "en", "country": "us"}),
]


def probe(kind: str, locator: str, options: dict[str, object]) -> Collected:
    src = SourceConfig(name="live", kind=kind, locator=locator, company="live", options=options, min_delay=2.0)

    async def run() -> Collected:
        async with Fetcher(user_agent="review-response-monitor-canary/0.1") as fetcher:
            return await collect(src=src, fetch=fetcher.bind(policy_for(src)), max_pages=2)

    return asyncio.run(run())


@pytest.mark.parametrize(("kind", "locator", "options"), CASES, ids=[c[0] for c in CASES])
def test_live_site_still_parses(kind: str, locator: str, options: dict[str, object]) -> None:
    got = probe(kind, locator, options)
    assert got.health == Health.OK, got.message
    assert got.records, "the site answered but no reviews were found"
    assert all(r.site_review_id and (r.body or r.rating is not None) for r in got.records)
