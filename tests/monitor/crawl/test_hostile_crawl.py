"""Runs against sites that answer with something other than reviews while saying all is well.

A bot check or consent wall served with 200, a next-page link that serves the same page again, a listing that
never ends: each must end in a verdict that says so, never in "ok" with nothing (or the same reviews twice) read.
Traffic goes only to the local test site on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from monitor.core.settings import SourceConfig
from monitor.crawl.runner import Collected, collect, policy_for
from monitor.http.fetcher import Fetcher
from monitor.store.health import Health
from sources.base import get_source_class
from tests.site import TestSite

HTML = "text/html; charset=utf-8"


@pytest.fixture
def site() -> Iterator[TestSite]:
    with TestSite() as s:
        yield s


def source(kind: str, locator: str, options: Mapping[str, Any] | None = None) -> SourceConfig:
    return SourceConfig(
        name=f"acme-{kind}", kind=kind, locator=locator, company="Acme", options=dict(options or {}), min_delay=0.0
    )


CSS = {"container": "div.review", "text": "p", "next": "a.next"}


def serve_first_page(site: TestSite, src: SourceConfig, body: bytes, **kwargs: Any) -> None:
    """Serve `body` where the source starts (some adapters add a query to the locator)."""
    (start,) = get_source_class(src.kind)(src.locator, src.options).start_urls()
    site.add_page(start.removeprefix(site.url("")), body, HTML, **kwargs)


def read(src: SourceConfig, *, max_pages: int = 5, **limits: int) -> Collected:
    async def go() -> Collected:
        async with Fetcher(user_agent="monitor-tests/1.0") as fetcher:
            return await collect(src=src, fetch=fetcher.bind(policy_for(src)), max_pages=max_pages, **limits)

    return asyncio.run(go())


def review_rows(*texts: str) -> bytes:
    return "".join(f"<div class='review'><p>{text}</p></div>" for text in texts).encode()


# Walls served with 200

CLOUDFLARE = (
    b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
    b'<h1>Checking if the site connection is secure</h1><form id="challenge-form" action="/r?__cf_chl_f_tk=x">'
    b'</form><script src="/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1"></script></body></html>'
)
GOOGLE_SORRY = (
    b"<html><body><div>Our systems have detected unusual traffic from your computer network.</div>"
    b'<form><div class="g-recaptcha" data-sitekey="x"></div></form></body></html>'
)
CONSENT = (
    b"<html><head><title>Before you continue</title></head><body><h1>Before you continue to Google</h1>"
    b'<form action="https://consent.google.com/save" method="POST"><button>Accept all</button></form></body></html>'
)
DATADOME = b'<html><body><script src="https://ct.captcha-delivery.com/c.js"></script></body></html>'
TRUSTPILOT_EMPTY = json.dumps({"props": {"pageProps": {"reviews": []}}})


@pytest.mark.parametrize(
    "wall", [CLOUDFLARE, GOOGLE_SORRY, CONSENT, DATADOME], ids=["cloudflare", "sorry", "consent", "datadome"]
)
@pytest.mark.parametrize(
    ("kind", "options"),
    [("css", CSS), ("jsonld", {}), ("trustpilot", {})],
)
def test_a_wall_served_with_200_is_blocked(site: TestSite, wall: bytes, kind: str, options: dict[str, Any]) -> None:
    src = source(kind, site.url("/r"), options)
    serve_first_page(site, src, wall)
    got = read(src)
    assert got.health == Health.BLOCKED, got.message
    assert "instead of reviews" in got.message and got.records == []


def test_a_challenge_header_on_an_empty_listing_is_blocked(site: TestSite) -> None:
    # A page the adapter reads without complaint, but with no reviews: the header says why.
    body = f'<script id="__NEXT_DATA__" type="application/json">{TRUSTPILOT_EMPTY}</script>'.encode()
    src = source("trustpilot", site.url("/r"))
    serve_first_page(site, src, body, headers={"cf-mitigated": "challenge"})
    got = read(src)
    assert got.health == Health.BLOCKED and "answer header cf-mitigated: challenge" in got.message


def test_a_wall_after_the_first_pages_keeps_what_was_read(site: TestSite) -> None:
    site.add_page("/r", review_rows("Slow delivery.") + b"<a class='next' href='/r?page=2'>next</a>", HTML)
    site.add_page("/r?page=2", GOOGLE_SORRY, HTML)
    got = read(source("css", site.url("/r"), CSS))
    assert got.health == Health.PARTIAL and [r.body for r in got.records] == ["Slow delivery."]
    assert "reCAPTCHA" in got.message


def test_reviews_beside_a_captcha_form_are_read(site: TestSite) -> None:
    # A review page whose own "write a review" form carries a CAPTCHA is no wall: it has reviews.
    form = b"<form><div class='g-recaptcha'></div><p>Please verify you are human before posting.</p></form>"
    site.add_page("/r", review_rows("Great help, thank you.") + form, HTML)
    got = read(source("css", site.url("/r"), CSS))
    assert got.health == Health.OK and len(got.records) == 1


# Listings that go round or never end


def next_link(path: str) -> bytes:
    return f"<a class='next' href='{path}'>next</a>".encode()


def test_a_next_page_serving_the_same_page_again_stops_without_duplicates(site: TestSite) -> None:
    same = review_rows("Slow delivery.", "Nobody answered.")
    site.add_page("/r", same + next_link("/r?page=2"), HTML)
    for n in range(2, 6):  # every "next" page is the first page again, under a new URL
        site.add_page(f"/r?page={n}", same + next_link(f"/r?page={n + 1}"), HTML)
    got = read(source("css", site.url("/r"), CSS), max_pages=5)
    assert [r.body for r in got.records] == ["Slow delivery.", "Nobody answered."]
    assert got.health == Health.OK and "goes round in a loop" in got.message
    assert site.requests_to("/r?page=3") == []  # stopped at the first repeated page


def test_pages_that_overlap_keep_each_review_once_and_go_on(site: TestSite) -> None:
    # Offset paging shifts by one when a review arrives meanwhile: page 2 repeats page 1's last review.
    site.add_page("/r", review_rows("One.", "Two.") + next_link("/r?page=2"), HTML)
    site.add_page("/r?page=2", review_rows("Two.", "Three."), HTML)
    got = read(source("css", site.url("/r"), CSS))
    assert [r.body for r in got.records] == ["One.", "Two.", "Three."]
    assert got.health == Health.OK and got.problems == []


def test_an_endless_listing_stops_at_the_run_cap(site: TestSite) -> None:
    for n in range(1, 31):
        rows = review_rows(*(f"Review {n}.{k}" for k in range(3)))
        site.add_page(f"/r?page={n}", rows + next_link(f"/r?page={n + 1}"), HTML)
    got = read(source("css", site.url("/r?page=1"), CSS), max_pages=1_000, max_reviews=25)
    assert len(got.records) == 25 and len({r.body for r in got.records}) == 25
    assert got.health == Health.PARTIAL and "stopped at 25 reviews, the most one run reads" in got.message
    assert site.requests_to("/r?page=10") == []


# Listings that claim reviews they do not show


def trustpilot_listing(total: int) -> bytes:
    pagination = {"currentPage": 1, "perPage": 20, "totalCount": total, "totalPages": (total + 19) // 20}
    data = {"props": {"pageProps": {"reviews": [], "filters": {"pagination": pagination}}}}
    return f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(data)}</script>'.encode()


def test_an_empty_listing_that_claims_reviews_is_a_changed_layout(site: TestSite) -> None:
    src = source("trustpilot", site.url("/r"))
    serve_first_page(site, src, trustpilot_listing(240))
    got = read(src)
    assert got.health == Health.LAYOUT_CHANGED
    assert "says its listing holds 240 reviews, but none could be read" in got.message


def test_an_empty_listing_that_claims_none_is_fine(site: TestSite) -> None:
    src = source("trustpilot", site.url("/r"))
    serve_first_page(site, src, trustpilot_listing(0))
    got = read(src)
    assert got.health == Health.OK and got.records == []


def test_an_empty_api_page_that_claims_reviews_is_a_changed_layout(site: TestSite) -> None:
    envelope = {"data": [], "current_page": 1, "last_page": 3, "total": 57}
    src = source("hellopeter", site.url("/api/consumer/business/acme/reviews?page=1"))
    serve_first_page(site, src, json.dumps(envelope).encode())
    got = read(src)
    assert got.health == Health.LAYOUT_CHANGED and "holds 57 reviews" in got.message


# A page too big to parse


def test_a_page_of_two_hundred_thousand_reviews_is_refused_before_parsing(site: TestSite) -> None:
    rows = "".join(f"<div class='review'><p>{n}</p></div>" for n in range(200_000)).encode()
    assert len(rows) < 20_000_000  # within the fetcher's size limit: only the tags are too many
    site.add_page("/r", b"<html><body>" + rows + b"</body></html>", HTML)
    got = read(source("css", site.url("/r"), CSS))
    assert got.health == Health.LAYOUT_CHANGED and got.records == []
    assert "the markup opens 800004 tags (counting every '<'), more than the 100000" in got.message
