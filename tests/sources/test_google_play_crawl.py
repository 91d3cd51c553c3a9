"""Google Play through real local HTTP: the details page by GET, then the reviews endpoint by form POST.

The details page is the real saved page. No live endpoint answer is on file: the endpoint answers are
constructed, the documented envelope (`)]}'` line, `wrb.fr` row, `[[review, ...], [null, token]]` payload)
around the saved page's real review arrays (see tests/sources/play_endpoint.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from urllib.parse import parse_qsl

import pytest
from typer.testing import CliRunner

from monitor.cli.main import app
from monitor.core.records import ReviewRecord
from monitor.core.settings import SourceConfig
from monitor.crawl.runner import Collected, collect, policy_for
from monitor.http.fetcher import Fetcher, FetchStats
from monitor.store.health import Health
from tests.site import Status, TestSite
from tests.sources import play_endpoint as pe

TOKEN = "CsUBCsIBKpsBCm73O5rMw_page2"
JSON = "application/json; charset=utf-8"


def asks_for(token: str | None) -> Callable[[bytes], bool]:
    """A body predicate: the POST's `f.req` asks for the page after `token`."""

    def matches(body: bytes) -> bool:
        form = dict(parse_qsl(body.decode("utf-8")))
        return "f.req" in form and pe.sent_token(form) == token

    return matches


@pytest.fixture
def site() -> Iterator[TestSite]:
    with TestSite() as s:
        s.set_robots("User-agent: *\nAllow: /\n")
        arrays = pe.real_review_arrays()
        s.add_post(pe.ENDPOINT_PATH, pe.endpoint_answer(arrays[:20], TOKEN).encode(), JSON, when=asks_for(None))
        s.add_post(pe.ENDPOINT_PATH, pe.endpoint_answer(arrays[20:], None).encode(), JSON, when=asks_for(TOKEN))
        yield s


def source(site: TestSite, **kwargs: object) -> SourceConfig:
    return SourceConfig(
        name="dunzo-play",
        kind="google_play",
        locator=pe.APP,
        company="Dunzo",
        options={"base_url": site.base_url},
        min_delay=0.0,
        **kwargs,  # type: ignore[arg-type]
    )


async def run(
    site: TestSite,
    src: SourceConfig,
    *,
    is_known: Callable[[Sequence[ReviewRecord]], bool] | None = None,
    stats: FetchStats | None = None,
) -> Collected:
    async with Fetcher(user_agent="monitor-tests/1.0") as fetcher:
        fetch = fetcher.bind(policy_for(src), stats)
        return await collect(src=src, fetch=fetch, max_pages=src.max_pages, is_known=is_known)


async def test_crawl_reads_the_endpoint_page_by_page(site: TestSite) -> None:
    site.add_page(pe.DETAILS_PATH, pe.details_with_embedded([]).encode(), "text/html; charset=utf-8")
    got = await run(site, source(site))
    assert got.health == Health.OK, got.message
    assert got.pages == 2
    assert len({r.site_review_id for r in got.records}) == 40
    assert sum(1 for r in got.records if r.reply) == 38
    posts = site.requests_to(pe.ENDPOINT_PATH)
    assert [p.method for p in posts] == ["POST", "POST"]
    assert posts[0].headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert [pe.sent_token(p.form()) for p in posts] == [None, TOKEN]
    assert [r.method for r in site.requests_to(pe.DETAILS_PATH)] == ["GET"]


async def test_real_page_then_endpoint_keeps_each_review_once(site: TestSite) -> None:
    site.add_page(pe.DETAILS_PATH, pe.details_html().encode(), "text/html; charset=utf-8")
    got = await run(site, source(site))
    assert got.health == Health.OK, got.message
    assert got.pages == 3
    assert len(got.records) == len({r.site_review_id for r in got.records}) == 40


async def test_robots_disallowing_the_endpoint_keeps_the_embedded_reviews(site: TestSite) -> None:
    site.set_robots("User-agent: *\nDisallow: /_/\n")
    site.add_page(pe.DETAILS_PATH, pe.details_html().encode(), "text/html; charset=utf-8")
    got = await run(site, source(site))
    assert got.health == Health.PARTIAL
    assert "robots.txt" in got.message
    assert len(got.records) == 40
    assert site.requests_to(pe.ENDPOINT_PATH) == []


async def test_endpoint_post_is_retried_after_a_503(site: TestSite) -> None:
    site.add_page(pe.DETAILS_PATH, pe.details_with_embedded([]).encode(), "text/html; charset=utf-8")
    site.add_fault("/_/PlayStoreUi/data/batchexecute", Status(503, headers={"Retry-After": "0"}), times=1)
    stats = FetchStats()
    got = await run(site, source(site), stats=stats)
    assert got.health == Health.OK, got.message
    assert len(got.records) == 40
    assert stats.retries == 1
    posts = site.requests_to(pe.ENDPOINT_PATH)
    assert len(posts) == 3
    assert posts[0].body == posts[1].body  # the retry sends the same request again


async def test_incremental_run_stops_on_a_known_endpoint_page_not_on_the_embedded_one(site: TestSite) -> None:
    # The embedded reviews are Google's "most relevant" pick: all of them being known proves nothing.
    site.add_page(
        pe.DETAILS_PATH, pe.details_with_embedded(pe.real_review_arrays()[:5]).encode(), "text/html; charset=utf-8"
    )
    got = await run(site, source(site), is_known=lambda _page: True)
    assert got.health == Health.OK, got.message
    assert len(site.requests_to(pe.ENDPOINT_PATH)) == 1
    assert len(got.records) == 20


async def test_malformed_endpoint_answer_is_layout_changed(site: TestSite) -> None:
    site.add_page(pe.DETAILS_PATH, pe.details_with_embedded([]).encode(), "text/html; charset=utf-8")
    site.add_post(pe.ENDPOINT_PATH, b"<html>Sorry</html>", "text/html")
    got = await run(site, source(site))
    assert got.health == Health.LAYOUT_CHANGED
    assert "anti-XSSI prefix" in got.message


def test_probe_reads_page_and_endpoint_end_to_end(site: TestSite) -> None:
    site.add_page(pe.DETAILS_PATH, pe.details_with_embedded([]).encode(), "text/html; charset=utf-8")
    result = CliRunner().invoke(
        app,
        ["probe", "google_play", pe.APP, "-o", f"base_url={site.base_url}", "--min-delay", "0", "--json"],
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    reviews, verdict = lines[:-1], lines[-1]
    assert verdict["health"] == "ok" and verdict["pages"] == 2
    assert len({r["site_id"] for r in reviews}) == 40
    assert sum(1 for r in reviews if r["reply_text"]) == 38
    assert len(site.requests_to(pe.ENDPOINT_PATH)) == 2
