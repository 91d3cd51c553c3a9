"""Google Play adapter on a real saved app page (Dunzo Delivery Partner, 2021)."""

from __future__ import annotations

import gzip
import re
from collections import Counter
from datetime import UTC, datetime

import pytest

from monitor.errors import ConfigError, LayoutChanged
from sources.base import Page, get_source_class
from sources.google_play import GooglePlay
from sources.records import ReviewRecord
from tests.fixture_path import fixture

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
