"""Google Play adapter on a real saved app page (Dunzo Delivery Partner, 2021) and its reviews endpoint.

The endpoint answers are constructed: the documented envelope around the saved page's real review arrays.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime

import pytest

from monitor.core.errors import ConfigError, LayoutChanged
from monitor.core.records import ReviewRecord
from sources.base import Page, PageResult, get_source_class
from sources.google_play import GooglePlay
from tests.fixture_path import fixture
from tests.sources import play_endpoint as pe

APP = "runner.dunzo.com.dunzo_runner"
URL = f"https://play.google.com/store/apps/details?id={APP}&hl=en&gl=us"
FIRST_ID = "gp:AOqpTOHEgM3NmwIJVaMoPNqYFIX2K6Xwi6bRYbFfUv-92AYvT8OPGKrFv5Rx2jeN5DrIiDwpnd2c2kG5lvN-ONI"
TEMPLATE = (
    "Hey, we regret the inconvenience caused to you. Please write to us at partner-review@dunzo.in and we "
    "would be happy to help resolve the concern. Warm regards, Dunzo."
)


def _html() -> str:
    path = fixture("google_play", "dunzo-delivery-partner_play_listing_2021.html.gz")
    return gzip.decompress(path.read_bytes()).decode("utf-8")


def _parse(html: str, url: str = URL) -> list[ReviewRecord]:
    page = Page(url=url, status=200, body=html.encode("utf-8"), headers={"content-type": "text/html"})
    return GooglePlay(APP).parse(page).records


def test_registered() -> None:
    assert get_source_class("google_play") is GooglePlay


def test_embedded_reviews_and_replies() -> None:
    page = Page(url=URL, status=200, body=_html().encode("utf-8"), headers={"content-type": "text/html"})
    result = GooglePlay(APP).parse(page)
    records = result.records
    assert len(records) == 40
    assert len({r.site_review_id for r in records}) == 40
    assert result.next_url is None
    replies = [r.reply for r in records if r.reply]
    assert len(replies) == 38
    assert Counter(r.text for r in replies).most_common(1) == [(TEMPLATE, 29)]
    assert all(not r.text.startswith("\n") for r in replies)
    assert sum(1 for r in records if r.rating is not None and r.rating <= 2) == 29
    assert all(r.published_at and r.published_at.tzinfo == UTC for r in records)


def test_review_fields_are_mapped() -> None:
    review = _parse(_html())[0]
    assert review.site_review_id == FIRST_ID
    assert review.url == f"https://play.google.com/store/apps/details?id={APP}&reviewId={FIRST_ID}"
    assert review.author_name == "Saifudheen K"
    assert review.author_handle == "104658391462289286910"
    assert review.rating == 1.0 and review.rating_scale == 5
    assert review.body.startswith("These days we see almost every day an increase in petrol rates.")
    assert review.published_at == datetime(2021, 7, 6, 14, 17, 48, 751000, tzinfo=UTC)
    assert review.helpful_votes == 82
    assert review.language == "en"
    assert review.extra == {"app_version": "3.22.0.0"}
    assert review.reply is not None
    assert review.reply.author == "Dunzo Digital"
    assert review.reply.text == TEMPLATE
    assert review.reply.published_at == datetime(2021, 7, 6, 14, 20, 15, 345000, tzinfo=UTC)


def test_block_is_found_by_shape_not_by_key() -> None:
    html = _html()
    assert "key: 'ds:18'" in html
    moved = html.replace("key: 'ds:18'", "key: 'ds:77'")
    assert len(_parse(moved)) == 40


def test_page_without_review_block_is_layout_changed() -> None:
    html = _html()
    # Turn the first review id into a number: the block no longer has the review shape.
    broken = html.replace(f'[["{FIRST_ID}"', "[[12345", 1)
    assert broken != html
    with pytest.raises(LayoutChanged, match="review-shaped"):
        _parse(broken)


def test_page_without_data_blocks_is_layout_changed() -> None:
    html = re.sub(r"AF_initDataCallback", "someOtherCallback", _html())
    with pytest.raises(LayoutChanged, match="AF_initDataCallback"):
        _parse(html)


def test_trustpilot_page_is_layout_changed() -> None:
    html = gzip.decompress(fixture("trustpilot", "trustpilot_eventnet.de_2024-07-02.html.gz").read_bytes())
    with pytest.raises(LayoutChanged):
        _parse(html.decode("utf-8"))


@pytest.mark.parametrize(
    ("locator", "options", "expected"),
    [
        (APP, {}, URL),
        (f"https://play.google.com/store/apps/details?id={APP}&hl=de", {}, URL),
        (APP, {"lang": "hi", "country": "in"}, f"https://play.google.com/store/apps/details?id={APP}&hl=hi&gl=in"),
        (
            APP,
            {"base_url": "http://127.0.0.1:8000/"},
            f"http://127.0.0.1:8000/store/apps/details?id={APP}&hl=en&gl=us",
        ),
    ],
)
def test_start_urls(locator: str, options: dict[str, str], expected: str) -> None:
    assert GooglePlay(locator, options).start_urls() == [expected]


@pytest.mark.parametrize("locator", ["not an app id", "https://play.google.com/store/apps/top"])
def test_bad_locator_is_config_error(locator: str) -> None:
    with pytest.raises(ConfigError):
        GooglePlay(locator)


# The reviews endpoint.
# No live endpoint answer is on file: the answers below wrap the REAL review arrays of the saved page in the
# envelope the endpoint is documented to use (see tests/sources/play_endpoint.py).

ENDPOINT_URL = "https://play.google.com/_/PlayStoreUi/data/batchexecute?hl=en&gl=us"
TOKEN = "CsUBCsIBKpsBCm73O5rMw_page2"


class FakePlay:
    """Answers the adapter's requests from canned pages, recording (url, form) of each."""

    def __init__(self, details: str, answers: dict[str | None, str], *, details_status: int = 200) -> None:
        self.details = details
        self.answers = answers
        self.details_status = details_status
        self.calls: list[tuple[str, dict[str, str] | None]] = []

    async def __call__(self, url: str, *, form: Mapping[str, str] | None = None) -> Page:
        self.calls.append((url, dict(form) if form is not None else None))
        if form is None:
            assert url == URL
            return pe.page(url, self.details, "text/html", status=self.details_status)
        assert url == ENDPOINT_URL
        return pe.page(url, self.answers[pe.sent_token(dict(form))])

    @property
    def posts(self) -> list[dict[str, str]]:
        return [form for _, form in self.calls if form is not None]


def two_pages(chunked: bool = False) -> dict[str | None, str]:
    arrays = pe.real_review_arrays()
    return {
        None: pe.endpoint_answer(arrays[:20], TOKEN, chunked=chunked),
        TOKEN: pe.endpoint_answer(arrays[20:], None, chunked=chunked),
    }


async def collect_pages(source: GooglePlay, fetch: FakePlay, max_pages: int | None = None) -> list[PageResult]:
    return [result async for result in source.pages(fetch, max_pages=max_pages)]


@pytest.mark.parametrize("chunked", [False, True], ids=["single-line", "length-framed"])
async def test_endpoint_pages_bring_every_review_and_reply(chunked: bool) -> None:
    """A page with no embedded reviews, then two endpoint pages of 20 real review arrays each."""
    fetch = FakePlay(pe.details_with_embedded([]), two_pages(chunked))
    results = await collect_pages(GooglePlay(APP), fetch)
    assert [len(r.records) for r in results] == [20, 20]
    records = [rec for r in results for rec in r.records]
    assert len({r.site_review_id for r in records}) == 40
    replies = [r.reply for r in records if r.reply]
    assert len(replies) == 38
    assert Counter(r.text for r in replies).most_common(1) == [(TEMPLATE, 29)]
    first = records[0]
    assert first.site_review_id == FIRST_ID
    assert (first.author_name, first.rating, first.helpful_votes, first.language) == ("Saifudheen K", 1.0, 82, "en")
    assert first.reply is not None and first.reply.published_at == datetime(2021, 7, 6, 14, 20, 15, 345000, tzinfo=UTC)
    assert all(r.in_listing_order for r in results)


async def test_endpoint_requests_ask_for_newest_pages_and_follow_the_token() -> None:
    fetch = FakePlay(pe.details_with_embedded([]), two_pages())
    await collect_pages(GooglePlay(APP, {"page_size": 20}), fetch)
    assert [form is None for _, form in fetch.calls] == [True, False, False]
    first, second = (pe.inner_request(form) for form in fetch.posts)
    assert first == [None, None, [2, 2, [20, None, None], None, [None, None]], [APP, 7]]
    # The continuation token of page 1's answer is what page 2's request sends; the last page ends the walk.
    assert second[2][2] == [20, None, TOKEN]
    assert pe.sent_token(fetch.posts[1]) == TOKEN


async def test_embedded_reviews_come_first_out_of_listing_order_and_are_not_repeated() -> None:
    arrays = pe.real_review_arrays()
    fetch = FakePlay(pe.details_with_embedded(arrays[:10]), two_pages())
    results = await collect_pages(GooglePlay(APP), fetch)
    assert [len(r.records) for r in results] == [10, 10, 20]
    assert [r.in_listing_order for r in results] == [False, True, True]
    ids = [rec.site_review_id for r in results for rec in r.records]
    assert sorted(ids) == sorted(a[0] for a in arrays)
    assert len(fetch.posts) == 2


async def test_valid_empty_answer_ends_the_listing() -> None:
    arrays = pe.real_review_arrays()
    answers = {None: pe.endpoint_answer(arrays[:20], TOKEN), TOKEN: pe.endpoint_answer(None, None)}
    fetch = FakePlay(pe.details_with_embedded([]), answers)
    results = await collect_pages(GooglePlay(APP), fetch)
    assert [len(r.records) for r in results] == [20, 0]
    assert len(fetch.posts) == 2


async def test_repeated_token_does_not_loop() -> None:
    arrays = pe.real_review_arrays()
    fetch = FakePlay(
        pe.details_with_embedded([]),
        {None: pe.endpoint_answer(arrays, "same"), "same": pe.endpoint_answer(arrays, "same")},
    )
    await collect_pages(GooglePlay(APP), fetch)
    assert [pe.sent_token(f) for f in fetch.posts] == [None, "same"]


@pytest.mark.parametrize(("max_pages", "posts"), [(1, 0), (2, 1), (3, 2), (10, 2)])
async def test_max_pages_bounds_all_requests(max_pages: int, posts: int) -> None:
    fetch = FakePlay(pe.details_with_embedded(pe.real_review_arrays()[:5]), two_pages())
    await collect_pages(GooglePlay(APP), fetch, max_pages=max_pages)
    assert len(fetch.calls) == 1 + posts
    assert len(fetch.posts) == posts


async def test_endpoint_can_be_turned_off() -> None:
    fetch = FakePlay(_html(), two_pages())
    results = await collect_pages(GooglePlay(APP, {"reviews_endpoint": "false"}), fetch)
    assert [len(r.records) for r in results] == [40]
    assert fetch.posts == []


async def test_page_without_embedded_reviews_is_layout_changed_when_the_endpoint_is_off() -> None:
    fetch = FakePlay(pe.details_with_embedded([]), two_pages())
    with pytest.raises(LayoutChanged, match="review-shaped"):
        await collect_pages(GooglePlay(APP, {"reviews_endpoint": False}), fetch)


async def test_not_modified_details_page_still_walks_the_endpoint() -> None:
    fetch = FakePlay("", two_pages(), details_status=304)
    results = await collect_pages(GooglePlay(APP), fetch)
    assert sum(len(r.records) for r in results) == 40


def test_bad_page_size_is_config_error() -> None:
    with pytest.raises(ConfigError, match="page_size"):
        GooglePlay(APP, {"page_size": 0})


def _wrb(payload: str | None, rpc: str = "UsvDTd") -> str:
    return ")]}'\n\n" + json.dumps([["wrb.fr", rpc, payload, None, None, None, "generic"]])


REAL_REVIEW = json.dumps(pe.real_review_arrays()[0])


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ('[["wrb.fr","UsvDTd","[]"]]', "anti-XSSI prefix"),
        ("<html><body>Sorry, something went wrong</body></html>", "anti-XSSI prefix"),
        (')]}\'\n\n[["di",51],["af.httprm",50]]', "no wrb.fr row"),
        (")]}'\n\nnot json at all", "no wrb.fr row"),
        (_wrb("[]", rpc="qnKhOb"), r"no wrb.fr row for UsvDTd \(rows for: qnKhOb\)"),
        (_wrb(None), "carries no JSON payload"),
        (_wrb("[[[broken"), "payload is not JSON"),
        (_wrb('{"reviews": []}'), "payload is dict, not a list"),
        (_wrb('["not a list of reviews"]'), "first element is str"),
        (_wrb('[[["x", 1], [2, 3]], null]'), r"none of the 2 items .* is review-shaped"),
        (_wrb(f'[[{REAL_REVIEW}], "next"]'), "continuation element is str"),
        (_wrb(f"[[{REAL_REVIEW}], [null, 42]]"), "continuation token is int"),
    ],
)
def test_malformed_endpoint_answer_is_layout_changed(text: str, missing: str) -> None:
    with pytest.raises(LayoutChanged, match=missing) as caught:
        GooglePlay(APP).parse_endpoint(pe.page(ENDPOINT_URL, text))
    assert ENDPOINT_URL in str(caught.value)


def test_odd_item_in_an_endpoint_page_is_skipped_with_a_problem() -> None:
    arrays = pe.real_review_arrays()[:3]
    text = pe.endpoint_answer([arrays[0], ["not", "a", "review"], arrays[1], arrays[2]], TOKEN)
    result, token = GooglePlay(APP).parse_endpoint(pe.page(ENDPOINT_URL, text))
    assert [r.site_review_id for r in result.records] == [a[0] for a in arrays]
    assert result.problems == ["endpoint item 1: not a review array of the known layout; skipped"]
    assert token == TOKEN


@pytest.mark.parametrize("payload", ["[]", "[null]", "[[], null]", "[[]]"])
def test_empty_endpoint_payloads_have_no_reviews_and_no_token(payload: str) -> None:
    result, token = GooglePlay(APP).parse_endpoint(pe.page(ENDPOINT_URL, _wrb(payload)))
    assert (result.records, token) == ([], None)
