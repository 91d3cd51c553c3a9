"""App Store adapter on a feed page built in the public feed's shape around real review texts."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from monitor.core.errors import ConfigError, LayoutChanged
from sources.app_store import AppStore
from sources.base import Page, get_source_class
from tests.fixture_path import fixture

APP = "1000000001"
FEED = f"https://itunes.apple.com/sg/rss/customerreviews/page={{}}/id={APP}/sortby=mostrecent/json"


def _document() -> dict[str, Any]:
    path = fixture("app_store", "customerreviews_page1_constructed.json")
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def _page(document: Any, number: int = 1, url: str | None = None) -> Page:
    return Page(
        url=url or FEED.format(number),
        status=200,
        body=json.dumps(document).encode("utf-8"),
        headers={"content-type": "application/json"},
    )


def _source(**options: Any) -> AppStore:
    return AppStore(APP, {"country": "sg", **options})


def test_registered() -> None:
    assert get_source_class("app_store") is AppStore


def test_page_one_skips_the_app_entry() -> None:
    document = _document()
    assert "im:rating" not in document["feed"]["entry"][0]
    result = _source().parse(_page(document))
    assert len(result.records) == len(document["feed"]["entry"]) - 1 == 5
    assert [r.site_review_id for r in result.records] == [f"80000000{i:02d}" for i in range(1, 6)]
    assert result.problems == []
    assert all(r.reply is None and not r.private_reply for r in result.records)


def test_review_fields_are_mapped() -> None:
    review = _source().parse(_page(_document())).records[1]
    assert review.author_name == "JeffM101"
    assert review.author_handle == "https://itunes.apple.com/sg/reviews/id2000000002"
    assert review.title == "Worse food app ever experienced"
    assert review.body.startswith("I have tried using this crap app In both  Singapore and Thailand")
    assert review.rating == 1.0 and review.rating_scale == 5
    # -08:00 in the feed, UTC in the record.
    assert review.published_at == datetime(2021, 11, 30, 3, 57, 21, tzinfo=UTC)
    assert review.helpful_votes == 1
    assert review.extra == {"country": "sg", "app_version": "21.24.0", "vote_count": 2}
    assert review.url is None


def test_next_url_uses_the_next_link_page_number_on_the_json_feed() -> None:
    result = _source().parse(_page(_document()))
    assert result.next_url == FEED.format(2)  # the feed's own link points at the XML form


def test_next_url_counts_up_without_links_and_stops_at_max_pages() -> None:
    document = _document()
    del document["feed"]["link"]
    assert _source().parse(_page(document, 4)).next_url == FEED.format(5)
    assert _source(max_pages=4).parse(_page(document, 4)).next_url is None
    assert _source().parse(_page(document, 10)).next_url is None


def test_next_url_keeps_a_local_base_url() -> None:
    local = f"http://127.0.0.1:8000/sg/rss/customerreviews/page=1/id={APP}/sortby=mostrecent/json"
    assert _source().parse(_page(_document(), url=local)).next_url == local.replace("page=1", "page=2")


def test_last_link_ends_the_listing() -> None:
    document = _document()
    for link in document["feed"]["link"]:
        if link["attributes"]["rel"] == "last":
            link["attributes"]["href"] = link["attributes"]["href"].replace("page=10", "page=3")
        if link["attributes"]["rel"] == "next":
            link["attributes"]["href"] = link["attributes"]["href"].replace("page=2", "page=4")
    assert _source().parse(_page(document, 3)).next_url is None


def test_page_without_entries_is_legit_empty() -> None:
    document = _document()
    del document["feed"]["entry"]
    result = _source().parse(_page(document, 2))
    assert result.records == []
    assert result.next_url is None


def test_single_entry_object_is_read() -> None:
    document = _document()
    document["feed"]["entry"] = document["feed"]["entry"][3]
    assert [r.title for r in _source().parse(_page(document, 3)).records] == [
        "Hope that you receive the item correctly"
    ]


def test_bad_rating_is_a_row_problem() -> None:
    document = _document()
    document["feed"]["entry"][1]["im:rating"]["label"] = "five"
    result = _source().parse(_page(document))
    assert len(result.records) == 4
    assert result.problems and "entry 2" in result.problems[0]


def test_entry_without_id_is_layout_changed() -> None:
    document = _document()
    del document["feed"]["entry"][1]["id"]
    with pytest.raises(LayoutChanged, match=r"id\.label"):
        _source().parse(_page(document))


def test_html_page_is_layout_changed() -> None:
    html = gzip.decompress(fixture("trustpilot", "trustpilot_eventnet.de_2024-07-02.html.gz").read_bytes())
    page = Page(url=FEED.format(1), status=200, body=html, headers={"content-type": "text/html"})
    with pytest.raises(LayoutChanged, match="expected the JSON reviews feed, got text/html"):
        _source().parse(page)


def test_json_without_feed_is_layout_changed() -> None:
    document = _document()["feed"]
    with pytest.raises(LayoutChanged, match="'feed'"):
        _source().parse(_page(document))


@pytest.mark.parametrize(
    ("locator", "options", "expected"),
    [
        (APP, {}, f"https://itunes.apple.com/us/rss/customerreviews/page=1/id={APP}/sortby=mostrecent/json"),
        (f"id{APP}", {"country": "SG"}, FEED.format(1)),
        (f"https://apps.apple.com/sg/app/foodpanda/id{APP}?l=en", {"country": "sg"}, FEED.format(1)),
        (
            APP,
            {"base_url": "http://127.0.0.1:8000/"},
            f"http://127.0.0.1:8000/us/rss/customerreviews/page=1/id={APP}/sortby=mostrecent/json",
        ),
    ],
)
def test_start_urls(locator: str, options: dict[str, Any], expected: str) -> None:
    assert AppStore(locator, options).start_urls() == [expected]


@pytest.mark.parametrize(
    ("locator", "options"),
    [("foodpanda", {}), ("https://apps.apple.com/sg/app/foodpanda", {}), (APP, {"max_pages": 0})],
)
def test_bad_configuration_is_config_error(locator: str, options: dict[str, Any]) -> None:
    with pytest.raises(ConfigError):
        AppStore(locator, options)
