"""feed adapter on RSS 2.0 / Atom feeds: constructed around real review texts, plus two real feed items."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.core.errors import LayoutChanged
from sources.base import Page, get_source_class
from sources.feed import Feed
from tests.fixture_path import fixture

URL = "https://feeds.example.org/cell-c/reviews.xml"
RSS = "hellopeter_cellc_rss2_constructed.xml"
APPLE = "app_store_foodpanda_atom_constructed.xml"
REDDIT = "reddit_entry_atom_real.xml"
VIMEO = "vimeo_item_rss_real.xml"


def _page(body: bytes | str, url: str = URL, content_type: str = "application/xml") -> Page:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return Page(url=url, status=200, body=data, headers={"content-type": content_type})


def _parse(name: str, url: str = URL) -> object:
    return Feed(url).parse(_page(fixture("feed", name).read_bytes(), url))


def _text(name: str) -> str:
    return fixture("feed", name).read_text(encoding="utf-8")


def test_registered() -> None:
    assert get_source_class("feed") is Feed


def test_rss2_items_become_unrated_records() -> None:
    result = Feed(URL).parse(_page(_text(RSS)))
    assert result.problems == []
    assert [r.author_name for r in result.records] == ["Yuw M", "Mishi B", "Zane C"]
    assert all(r.rating is None and r.rating_scale is None for r in result.records)
    assert all(r.language == "en-za" for r in result.records)
    assert [r.published_at for r in result.records] == [
        datetime(2022, 1, 1, 15, 23, 6, tzinfo=UTC),
        datetime(2022, 1, 1, 13, 13, 54, tzinfo=UTC),
        datetime(2022, 1, 1, 12, 25, 36, tzinfo=UTC),
    ]


def test_rss2_id_is_guid_else_link_else_derived() -> None:
    with_guid, with_link, bare = Feed(URL).parse(_page(_text(RSS))).records
    assert with_guid.site_review_id == "hellopeter-review-3759350"
    assert with_link.site_review_id == with_link.url
    assert with_link.url == (
        "https://www.hellopeter.com/cell-c/reviews/scam-run-920031a60230b08281bc926127a604114ab8c2ac-3759314"
    )
    assert bare.url is None
    assert bare.site_review_id.startswith("derived-")
    assert bare.site_review_id == Feed(URL).parse(_page(_text(RSS))).records[2].site_review_id


def test_rss2_body_is_text_from_html() -> None:
    with_guid, encoded, _ = Feed(URL).parse(_page(_text(RSS))).records
    # Escaped HTML in <description>: paragraphs and <br> become line breaks, entities are decoded.
    assert "I'm not happy work cellc and would like to move all\nmy things to another network..\nYour Monthly" in (
        with_guid.body
    )
    assert "Subscription & Value Added Services" in with_guid.body
    assert "<p>" not in with_guid.body
    # content:encoded wins over the shortened <description>.
    assert encoded.body.endswith("they have the worst customer care.")
    assert encoded.author_name == "Mishi B"  # RSS <author> "e-mail (Name)"
    assert encoded.title == "SCAM.... RUN"


def test_rss2_next_page_from_atom_link_is_resolved() -> None:
    assert Feed(URL).parse(_page(_text(RSS))).next_url == "https://feeds.example.org/cell-c/reviews.xml?page=2"


def test_apple_atom_feed_ratings_authors_and_next_page() -> None:
    result = _parse(APPLE)
    assert result.problems == []
    ids = [r.site_review_id for r in result.records]
    assert ids == ["8000000001", "8000000002", "8000000003"]
    first, second, _ = result.records
    assert (first.author_name, first.rating, first.rating_scale, first.body) == ("Naylin55", 5.0, 5, "Great Service")
    assert first.author_handle == "https://itunes.apple.com/sg/reviews/id2000000001"
    assert second.rating == 1.0
    assert second.body.startswith("If it is happened you received missing items in your order")
    # Written with a -08:00 offset, stored in UTC.
    assert second.published_at == datetime(2021, 11, 29, 12, 38, 8, tzinfo=UTC)
    assert second.published_at.tzinfo is UTC
    # The feed's xml:lang is every entry's language.
    assert {r.language for r in result.records} == {"en"}
    assert result.next_url is not None and "/page=2/" in result.next_url


def test_real_reddit_atom_entry() -> None:
    result = _parse(REDDIT)
    (entry,) = result.records
    assert entry.site_review_id == "t3_5sze8g"
    assert entry.author_name == "/u/SearchEnvy"
    assert entry.author_handle == "https://www.reddit.com/user/SearchEnvy"
    assert entry.title == "6 of the Best Messaging Apps for Different Scenarios"
    assert (
        entry.url
        == "https://www.reddit.com/r/Modernmarketing/comments/5sze8g/6_of_the_best_messaging_apps_for_different/"
    )
    assert entry.published_at == datetime(2017, 2, 9, 11, 5, 5, tzinfo=UTC)
    assert entry.updated_at is None
    assert entry.body.startswith("submitted by /u/SearchEnvy to /r/Modernmarketing")
    assert result.next_url is None


def test_real_vimeo_item_ignores_its_media_content_element() -> None:
    (item,) = _parse(VIMEO).records
    assert item.site_review_id == "tag:vimeo,2011-09-21:clip29399134"
    assert item.published_at == datetime(2011, 9, 21, 21, 47, 37, tzinfo=UTC)
    assert item.author_name is None
    # The body is the description's text, not the unprefixed media <content> block.
    assert item.body == "Cast: HubSpot"


def test_atom_entry_without_author_takes_the_feeds() -> None:
    text = _text(REDDIT)
    start, end = text.index("<author>"), text.index("</author>") + len("</author>")
    text = text[:start] + text[end:]
    text = text.replace("<title>/r/", "<author><name>Reddit</name></author><title>/r/", 1)
    (entry,) = Feed(URL).parse(_page(text)).records
    assert (entry.author_name, entry.author_handle) == ("Reddit", None)


def test_item_without_text_uses_its_title_and_empty_item_is_reported() -> None:
    rss = (
        '<rss version="2.0"><channel><title>Alerts</title>'
        "<item><title>Cell C &amp; the fibre outage</title><link>https://news.example.org/1</link></item>"
        "<item><link>https://news.example.org/2</link></item>"
        "<item><title>x</title><pubDate>sometime</pubDate></item>"
        "</channel></rss>"
    )
    result = Feed(URL).parse(_page(rss))
    assert [r.body for r in result.records] == ["Cell C & the fibre outage", "x"]
    assert result.records[1].published_at is None
    assert result.problems == [
        "item 2: has neither text nor title; skipped",
        "item 3: date 'sometime' is neither RFC 822 nor ISO 8601",
    ]


def test_empty_feed_is_an_empty_page() -> None:
    result = Feed(URL).parse(_page('<feed xmlns="http://www.w3.org/2005/Atom"><title>No alerts</title></feed>'))
    assert result.records == []
    assert result.next_url is None


@pytest.mark.parametrize("prefix", ["rdf", "r"])
def test_rss1_rdf_feed(prefix: str) -> None:
    # The item's identity is rdf:about whatever prefix the document binds to the RDF namespace.
    rdf = (
        f'<{prefix}:RDF xmlns:{prefix}="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel {prefix}:about="https://forum.example.org/"><title>F</title>'
        f'</channel><item {prefix}:about="https://forum.example.org/t/1"><title>Refund refused</title>'
        "<description>Third time I ask.</description><dc:creator>Jo</dc:creator>"
        f"<dc:date>2024-05-01T09:30:00+02:00</dc:date></item></{prefix}:RDF>"
    )
    (item,) = Feed(URL).parse(_page(rdf)).records
    assert item.site_review_id == "https://forum.example.org/t/1"
    assert (item.author_name, item.body) == ("Jo", "Third time I ask.")
    assert item.published_at == datetime(2024, 5, 1, 7, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("source", "content_type", "message"),
    [
        (("legacy_snippets", "trustpilot.html"), "text/html", "got <"),
        (("app_store", "customerreviews_page1_constructed.json"), "application/json", "no XML document"),
        (("jsonld", "product_page_constructed.html"), "text/html", "got <html>"),
    ],
)
def test_not_a_feed_is_layout_changed(source: tuple[str, str], content_type: str, message: str) -> None:
    body = fixture(*source).read_bytes()
    with pytest.raises(LayoutChanged, match=message):
        Feed(URL).parse(_page(body, content_type=content_type))


def test_other_xml_is_layout_changed() -> None:
    sitemap = (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://x.test/</loc></url></urlset>'
    )
    with pytest.raises(LayoutChanged, match="got <urlset>"):
        Feed(URL).parse(_page(sitemap))


def test_entity_declarations_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("LOCAL-SECRET", encoding="utf-8")
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 8))
    body = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY l0 "lol">{laughs}'
        f'<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
        '<rss version="2.0"><channel><item><title>&l7;</title><description>&xxe;</description></item></channel></rss>'
    )
    with pytest.raises(LayoutChanged, match="DTD internal subset; refused"):
        Feed(URL).parse(_page(body))


def test_unescaped_html_in_description_is_read_as_text() -> None:
    rss = (
        '<rss version="2.0"><channel><title>Forum</title><item><guid>t-9</guid><title>Billing</title>'
        "<description><p>Charged <b>twice</b> this month.</p><p>No answer yet.</p></description></item>"
        "</channel></rss>"
    )
    (item,) = Feed(URL).parse(_page(rss)).records
    assert item.body == "Charged twice this month.\nNo answer yet."
