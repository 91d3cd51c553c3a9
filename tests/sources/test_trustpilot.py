"""Trustpilot adapter on two real snapshots of the same company page."""

from __future__ import annotations

import gzip
import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from monitor.core.errors import ConfigError, LayoutChanged
from sources.base import Page, get_source_class
from sources.trustpilot import Trustpilot
from tests.fixture_path import fixture

URL = "https://www.trustpilot.com/review/eventnet.de"
OLDER = "trustpilot_eventnet.de_2024-06-19.html.gz"
NEWER = "trustpilot_eventnet.de_2024-07-02.html.gz"
NEXT_DATA = re.compile(r'(<script id="__NEXT_DATA__" type="application/json"[^>]*>)(.*?)(</script>)', re.S)


def _html(name: str) -> str:
    return gzip.decompress(fixture("trustpilot", name).read_bytes()).decode("utf-8")


def _page(html: str, url: str = URL) -> Page:
    return Page(url=url, status=200, body=html.encode("utf-8"), headers={"content-type": "text/html"})


def _edited(name: str, edit: Any) -> Page:
    """The real page with its __NEXT_DATA__ JSON changed by `edit(data)`."""
    html = _html(name)
    match = NEXT_DATA.search(html)
    assert match
    data = json.loads(match.group(2))
    edit(data)
    start, end = match.span(2)
    return _page(html[:start] + json.dumps(data) + html[end:])


def _parse(name: str) -> Any:
    return Trustpilot(URL).parse(_page(_html(name)))


def test_registered() -> None:
    assert get_source_class("trustpilot") is Trustpilot


def test_older_snapshot_has_18_reviews() -> None:
    result = _parse(OLDER)
    assert len(result.records) == 18
    assert result.next_url is None  # totalPages is 1
    assert result.problems == []


def test_newer_snapshot_has_20_reviews_and_4_replies() -> None:
    result = _parse(NEWER)
    assert len(result.records) == 20
    replies = [r.reply for r in result.records if r.reply]
    assert len(replies) == 4
    assert {r.text for r in replies} >= {"Danke 🙌", "Vielen lieben Dank für die tolle Bewertung!"}
    assert all(r.published_at and r.published_at.tzinfo == UTC for r in replies)


def test_newer_snapshot_is_superset_with_two_new_ids() -> None:
    older = {r.site_review_id for r in _parse(OLDER).records}
    newer = {r.site_review_id for r in _parse(NEWER).records}
    assert older < newer
    assert len(newer - older) == 2


def test_review_fields_are_mapped() -> None:
    records = {r.site_review_id: r for r in _parse(NEWER).records}
    review = records["667d00c443645513f3ae5f18"]
    assert review.url == "https://www.trustpilot.com/reviews/667d00c443645513f3ae5f18"
    assert review.author_name == "Saskia Herrmann"
    assert review.author_handle == "667d00af3a6fe0521e28cf2f"
    assert review.rating == 5.0
    assert review.rating_scale == 5
    assert review.title == "Immer wieder gerne... "
    assert review.body.startswith("Eine spontane Anfrage")
    assert review.language == "de"
    assert review.published_at == datetime(2024, 6, 27, 8, 3, 48, tzinfo=UTC)
    assert review.updated_at is None
    assert review.helpful_votes == 0
    assert review.reply is None
    assert all(r.published_at and r.published_at.tzinfo is not None for r in records.values())


def test_next_url_follows_pagination_and_keeps_query() -> None:
    def three_pages(data: dict[str, Any]) -> None:
        data["props"]["pageProps"]["filters"]["pagination"].update(currentPage=2, totalPages=3)

    page = _edited(NEWER, three_pages)
    page = Page(url=URL + "?sort=recency&page=2", status=200, body=page.body, headers=page.headers)
    result = Trustpilot(URL).parse(page)
    assert result.next_url == URL + "?sort=recency&page=3"


def test_last_page_has_no_next_url() -> None:
    def last_of_three(data: dict[str, Any]) -> None:
        data["props"]["pageProps"]["filters"]["pagination"].update(currentPage=3, totalPages=3)

    assert Trustpilot(URL).parse(_edited(NEWER, last_of_three)).next_url is None


def test_empty_review_list_is_a_legit_empty_page() -> None:
    def no_reviews(data: dict[str, Any]) -> None:
        data["props"]["pageProps"]["reviews"] = []

    result = Trustpilot(URL).parse(_edited(NEWER, no_reviews))
    assert result.records == []
    assert result.next_url is None


def test_missing_reviews_key_is_layout_changed() -> None:
    def drop_reviews(data: dict[str, Any]) -> None:
        del data["props"]["pageProps"]["reviews"]

    with pytest.raises(LayoutChanged, match=r"props\.pageProps\.reviews"):
        Trustpilot(URL).parse(_edited(NEWER, drop_reviews))


def test_review_without_id_is_layout_changed() -> None:
    def drop_id(data: dict[str, Any]) -> None:
        del data["props"]["pageProps"]["reviews"][0]["id"]

    with pytest.raises(LayoutChanged, match="'id'"):
        Trustpilot(URL).parse(_edited(NEWER, drop_id))


def test_missing_pagination_is_reported_not_fatal() -> None:
    def drop_pagination(data: dict[str, Any]) -> None:
        del data["props"]["pageProps"]["filters"]["pagination"]

    result = Trustpilot(URL).parse(_edited(NEWER, drop_pagination))
    assert len(result.records) == 20
    assert result.next_url is None
    assert any("pagination" in p for p in result.problems)


def test_legacy_markup_is_layout_changed() -> None:
    html = fixture("legacy_snippets", "trustpilot.html").read_text(encoding="utf-8")
    with pytest.raises(LayoutChanged, match="__NEXT_DATA__"):
        Trustpilot(URL).parse(_page(html))


def test_json_instead_of_page_is_layout_changed() -> None:
    page = Page(url=URL, status=200, body=b'{"data": []}', headers={"content-type": "application/json"})
    with pytest.raises(LayoutChanged):
        Trustpilot(URL).parse(page)


@pytest.mark.parametrize(
    ("locator", "options", "expected"),
    [
        (URL, {}, URL + "?sort=recency"),
        ("eventnet.de", {}, URL + "?sort=recency"),
        (URL + "?sort=relevance", {}, URL + "?sort=relevance"),
        (URL, {"sort": ""}, URL),
    ],
)
def test_start_urls(locator: str, options: dict[str, str], expected: str) -> None:
    assert Trustpilot(locator, options).start_urls() == [expected]


def test_unknown_sort_is_config_error() -> None:
    with pytest.raises(ConfigError, match="recency"):
        Trustpilot(URL, {"sort": "newest"})
