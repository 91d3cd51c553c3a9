"""jsonld adapter on the real Trustpilot pages' JSON-LD, real microdata snippets and a constructed product page."""

from __future__ import annotations

import gzip
import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from monitor.core.errors import ConfigError, LayoutChanged
from sources.base import Page, get_source_class
from sources.jsonld import JsonLd, derived_review_id
from sources.trustpilot import Trustpilot
from tests.fixture_path import fixture

TRUSTPILOT_URL = "https://www.trustpilot.com/review/eventnet.de"
OLDER = "trustpilot_eventnet.de_2024-06-19.html.gz"
NEWER = "trustpilot_eventnet.de_2024-07-02.html.gz"
PRODUCT_URL = "https://apps.example.org/grabfood"
LD_BLOCK = re.compile(r'(<script data-business-unit-json-ld="true" type="application/ld\+json">)(.*?)(</script>)', re.S)


def _page(body: bytes | str, url: str = TRUSTPILOT_URL) -> Page:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return Page(url=url, status=200, body=data, headers={"content-type": "text/html"})


def _trustpilot_html(name: str) -> str:
    return gzip.decompress(fixture("trustpilot", name).read_bytes()).decode("utf-8")


def _edited_graph(name: str, edit: Any) -> Page:
    """The real Trustpilot page with its business-unit JSON-LD changed by `edit(data)`."""
    html = _trustpilot_html(name)
    match = LD_BLOCK.search(html)
    assert match
    data = json.loads(match.group(2))
    edit(data)
    start, end = match.span(2)
    return _page(html[:start] + json.dumps(data) + html[end:])


def _parse(page: Page, **options: Any) -> Any:
    return JsonLd(page.url, options).parse(page)


def test_registered() -> None:
    assert get_source_class("jsonld") is JsonLd


@pytest.mark.parametrize(("name", "count"), [(OLDER, 18), (NEWER, 20)])
def test_trustpilot_json_ld_reviews_are_read_once_each(name: str, count: int) -> None:
    # The LocalBusiness lists every review again as an {"@id"} reference: each must count once.
    result = _parse(_page(_trustpilot_html(name)))
    assert len(result.records) == count
    assert len({r.site_review_id for r in result.records}) == count
    assert result.problems == []
    assert result.next_url is None


def test_trustpilot_json_ld_agrees_with_the_dedicated_adapter() -> None:
    page = _page(_trustpilot_html(NEWER))
    dedicated = {r.site_review_id: r for r in Trustpilot(TRUSTPILOT_URL).parse(page).records}
    generic = _parse(page).records
    assert {r.site_review_id.rsplit("/", 1)[-1] for r in generic} == set(dedicated)
    for record in generic:
        twin = dedicated[record.site_review_id.rsplit("/", 1)[-1]]
        assert record.author_name == twin.author_name
        assert record.rating == twin.rating
        assert record.published_at == twin.published_at
        # Trustpilot's JSON-LD drops the line breaks its __NEXT_DATA__ keeps ("unterstützt.Wir"): same words.
        assert "".join(record.body.split()) == "".join(twin.body.split())
        assert record.language == twin.language
        assert record.author_handle and twin.author_handle and twin.author_handle in record.author_handle


def test_trustpilot_review_fields() -> None:
    records = {r.site_review_id: r for r in _parse(_page(_trustpilot_html(NEWER))).records}
    review = records["https://www.trustpilot.com/#/schema/Review/eventnet.de/667d00c443645513f3ae5f18"]
    assert review.author_name == "Saskia Herrmann"
    assert review.author_handle == "https://www.trustpilot.com/users/667d00af3a6fe0521e28cf2f/"
    assert (review.rating, review.rating_scale) == (5.0, 5)
    assert review.title == "Immer wieder gerne..."
    assert review.body.startswith("Eine spontane Anfrage in einer recht umtriebigen Zeit.")
    assert review.published_at == datetime(2024, 6, 27, 8, 3, 48, tzinfo=UTC)
    assert review.extra == {"item_reviewed": "Eventnet"}
    assert review.reply is None


def test_aggregate_only_is_an_empty_page_with_a_note() -> None:
    def drop_reviews(data: dict[str, Any]) -> None:
        data["@graph"] = [n for n in data["@graph"] if n.get("@type") != "Review"]
        for node in data["@graph"]:
            node.pop("review", None)

    result = _parse(_edited_graph(NEWER, drop_reviews))
    assert result.records == []
    assert len(result.problems) == 1
    assert "only the aggregate rating" in result.problems[0]
    assert "4.6 of 5 from 20 reviews" in result.problems[0]


def test_json_ld_without_reviews_names_the_types_found() -> None:
    def only_organisation(data: dict[str, Any]) -> None:
        data["@graph"] = [n for n in data["@graph"] if n.get("@type") in ("Organization", "WebSite")]

    page = _edited_graph(NEWER, only_organisation)
    # The page's second block (a Dataset) has no reviews either.
    with pytest.raises(LayoutChanged, match=r"found only these types: .*Dataset.*Organization.*WebSite"):
        _parse(page)


def test_page_without_structured_data_is_layout_changed() -> None:
    html = fixture("css", "capterra.html").read_text(encoding="utf-8")
    with pytest.raises(LayoutChanged, match=r"application/ld\+json.*found neither"):
        _parse(_page(html))


def test_only_broken_json_ld_is_layout_changed_with_the_reason() -> None:
    html = '<html><head><script type="application/ld+json">{"@type": "Review",}</script></head></html>'
    with pytest.raises(LayoutChanged, match="not valid JSON"):
        _parse(_page(html))


def test_feed_given_to_jsonld_is_layout_changed() -> None:
    feed = fixture("feed", "reddit_entry_atom_real.xml").read_bytes()
    with pytest.raises(LayoutChanged, match="found neither"):
        _parse(_page(feed))


@pytest.mark.parametrize(
    ("name", "author", "rating", "title", "published", "body_start", "item"),
    [
        (
            "getapp.html",
            "Maria Douich",
            4.0,
            None,
            datetime(2017, 1, 17, 19, 47, 50, tzinfo=UTC),
            "Hubspot enables us to automate many marketing tasks",
            None,
        ),
        (
            "indeed.html",
            "Channel Account Executive",
            5.0,
            "Free food, beers on tap, great open office environment, amazing benefits and earning potential",
            None,
            "The training here is very in depth",
            "HubSpot",
        ),
    ],
)
def test_real_microdata_reviews(
    name: str,
    author: str,
    rating: float,
    title: str | None,
    published: datetime | None,
    body_start: str,
    item: str | None,
) -> None:
    result = _parse(_page(fixture("css", name).read_bytes(), url="https://www.example.test/hubspot/reviews"))
    assert len(result.records) == 1
    review = result.records[0]
    assert review.author_name == author
    assert (review.rating, review.rating_scale) == (rating, 5)
    assert review.title == title
    assert review.published_at == published
    assert review.body.startswith(body_start)
    assert review.extra.get("item_reviewed") == item
    # No itemid in these snippets: the id is derived, and the same on every parse.
    assert review.site_review_id == derived_review_id(author, published, review.body)


def test_constructed_product_page() -> None:
    page = _page(fixture("jsonld", "product_page_constructed.html").read_bytes(), url=PRODUCT_URL)
    result = _parse(page, next_selector="a[rel=next]")
    assert result.next_url == "https://apps.example.org/grabfood?page=2"
    assert len(result.problems) == 1 and "block 2 is not valid JSON" in result.problems[0]
    by_author = {r.author_name: r for r in result.records}
    assert set(by_author) == {"nunainqaf", "AffirmSg", "Knkmr"}

    nested = by_author["nunainqaf"]  # nested under Product, author as text, relative url
    assert nested.site_review_id == nested.url == "https://apps.example.org/reviews/491"
    assert (nested.rating, nested.title) == (1.0, "Price")

    blank = by_author["AffirmSg"]  # blank-node @id and no url: a derived id; description as body
    assert blank.site_review_id.startswith("derived-")
    assert blank.body.startswith("I stopped all notifications")
    assert blank.rating == 2.0

    graph = by_author["Knkmr"]  # @graph, relative @id, headline, date only, dateModified
    assert graph.site_review_id == "https://apps.example.org/grabfood#review-100"
    assert graph.author_handle == "https://apps.example.org/users/knkmr"
    assert graph.title == "App update"
    assert graph.published_at == datetime(2021, 5, 2, tzinfo=UTC)
    assert graph.updated_at == datetime(2021, 5, 3, tzinfo=UTC)
    assert "\n1. Why do we need to update the app so frequently?" in graph.body
    assert graph.extra == {"item_reviewed": "GrabFood"}


def test_without_next_selector_only_the_page_is_read() -> None:
    page = _page(fixture("jsonld", "product_page_constructed.html").read_bytes(), url=PRODUCT_URL)
    assert _parse(page).next_url is None


def _one_review(review: dict[str, Any], url: str = PRODUCT_URL) -> Any:
    html = f'<script type="application/ld+json">{json.dumps(review)}</script>'
    return _parse(_page(html, url=url))


@pytest.mark.parametrize(
    ("rating", "expected"),
    [
        ({"ratingValue": "8", "bestRating": "10"}, (8.0, 10)),
        ({"ratingValue": 4.5}, (4.5, 5)),
        ({"ratingValue": "3,5", "bestRating": "5", "worstRating": "1"}, (3.5, 5)),
        ("2", (2.0, 5)),
        (None, (None, None)),
    ],
)
def test_rating_and_scale(rating: Any, expected: tuple[Any, Any]) -> None:
    review = {"@type": "Review", "reviewBody": "Cold food again.", "reviewRating": rating}
    record = _one_review(review).records[0]
    assert (record.rating, record.rating_scale) == expected


def test_rating_above_its_best_is_reported_and_skipped() -> None:
    review = {"@type": "Review", "reviewBody": "x", "reviewRating": {"ratingValue": "7", "bestRating": "5"}}
    result = _one_review(review)
    assert result.records == []
    assert "above its bestRating 5" in result.problems[0]


def test_url_shared_by_all_reviews_is_not_an_id() -> None:
    reviews = [
        {"@type": "Review", "url": PRODUCT_URL, "author": "A", "reviewBody": "First"},
        {"@type": "Review", "url": PRODUCT_URL, "author": "B", "reviewBody": "Second"},
    ]
    html = f'<script type="application/ld+json">{json.dumps(reviews)}</script>'
    records = _parse(_page(html, url=PRODUCT_URL)).records
    assert len(records) == 2
    assert all(r.site_review_id.startswith("derived-") for r in records)


def test_same_review_in_two_blocks_is_read_once() -> None:
    review = {"@type": "Review", "@id": "https://x.test/r/1", "reviewBody": "Late delivery."}
    html = "".join(f'<script type="application/ld+json">{json.dumps(review)}</script>' for _ in range(2))
    assert [r.site_review_id for r in _parse(_page(html)).records] == ["https://x.test/r/1"]


def test_derived_id_is_stable_and_sensitive() -> None:
    when = datetime(2021, 5, 2, 14, 24, 8, tzinfo=UTC)
    base = derived_review_id("Knkmr", when, "The update failed")
    assert base == derived_review_id(" Knkmr ", when.replace(second=59), "The  update failed")
    assert base != derived_review_id("Knkmr", when, "The update worked")
    assert base != derived_review_id("Other", when, "The update failed")


def test_bad_next_selector_is_config_error() -> None:
    with pytest.raises(ConfigError, match="next_selector"):
        JsonLd(PRODUCT_URL, {"next_selector": "a[rel="})
