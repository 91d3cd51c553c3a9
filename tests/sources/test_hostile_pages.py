"""Adapters against hostile pages: dates that cannot be, structured data built to exhaust the parser.

One bad row or block is that row's or block's problem: it is noted in the page's problems and the rest of the
page (and the run) goes on.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from monitor.core.errors import LayoutChanged
from monitor.store.health import Health
from monitor.store.models import Review
from sources.base import Page, PageResult, get_source_class
from sources.fields import BadDate, parse_datetime
from tests.crawling import crawl_all
from tests.db_fixtures import migrated_sqlite, settings_with
from tests.site import TestSite

URL = "http://127.0.0.1:9/reviews"
OVERFLOW = "9999-12-31T23:59:59-14:00"  # valid ISO 8601, but past the last year a datetime holds in UTC
FUTURE = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(kind: str, body: str, **options: Any) -> PageResult:
    source = get_source_class(kind)(URL, options)
    return source.parse(Page(url=URL, status=200, body=body.encode(), headers={"content-type": "text/html"}))


def jsonld_review(body: str, published: str, **extra: Any) -> str:
    node = {"@type": "Review", "reviewBody": body, "author": {"name": "Ana"}, "datePublished": published, **extra}
    return f'<script type="application/ld+json">{json.dumps(node)}</script>'


# Dates


@pytest.mark.parametrize(
    "value",
    [
        OVERFLOW,
        "0001-01-01T00:00:00+14:00",
        "31-02-2024",
        10**20,
        float("inf"),
        "1989-12-31T23:59:59Z",
        0,
        FUTURE,
    ],
)
def test_a_date_that_cannot_be_a_reviews_is_a_value_error(value: Any) -> None:
    with pytest.raises(BadDate):
        parse_datetime(value)


def test_dates_come_back_in_utc() -> None:
    assert parse_datetime("2024-06-01T10:00:00+02:00") == datetime(2024, 6, 1, 8, 0, tzinfo=UTC)
    assert parse_datetime("2024-06-01T10:00:00+02:00").tzinfo is UTC  # type: ignore[union-attr]
    assert parse_datetime(datetime.now(UTC) + timedelta(hours=20)) is not None  # clocks differ a little


def test_jsonld_keeps_a_review_whose_date_overflows_without_the_date() -> None:
    result = parse(
        "jsonld",
        jsonld_review("Never again.", OVERFLOW, dateModified="1969-07-20")
        + jsonld_review("Fine service.", "2024-03-01T12:00:00+01:00"),
    )
    assert [r.body for r in result.records] == ["Never again.", "Fine service."]
    assert result.records[0].published_at is None and result.records[0].updated_at is None
    assert result.records[1].published_at == datetime(2024, 3, 1, 11, 0, tzinfo=UTC)
    assert len(result.problems) == 2
    assert "review 1: datePublished" in result.problems[0] and "out of range" in result.problems[0]
    assert "before 1990" in result.problems[1]


def test_css_keeps_reviews_with_impossible_dates_without_them() -> None:
    rows = "".join(
        f"<div class='review'><p>Review {n}</p><time datetime='{date}'></time></div>"
        for n, date in enumerate([OVERFLOW, "1985-05-05", FUTURE, "2024-01-02"], start=1)
    )
    result = parse("css", rows, container="div.review", text="p", date="time@datetime")
    assert [r.body for r in result.records] == ["Review 1", "Review 2", "Review 3", "Review 4"]
    assert [r.published_at is None for r in result.records] == [True, True, True, False]
    assert [p.split(":")[0] for p in result.problems] == ["review 1", "review 2", "review 3"]
    assert "out of range" in result.problems[0] and "in the future" in result.problems[2]


def test_css_date_format_results_are_checked_too() -> None:
    row = "<div class='review'><p>Old</p><span class='d'>01.01.1901</span></div>"
    result = parse("css", row, container="div.review", text="p", date=".d", date_format="%d.%m.%Y")
    assert result.records[0].published_at is None and "before 1990" in result.problems[0]


def test_feed_keeps_items_whose_dates_cannot_be() -> None:
    feed = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>Mentions</title>'
        f"<entry><id>urn:1</id><title>One</title><summary>First.</summary><published>{OVERFLOW}</published></entry>"
        "<entry><id>urn:2</id><title>Two</title><summary>Second.</summary>"
        "<published>2024-05-01T09:00:00Z</published></entry></feed>"
    )
    result = parse("feed", feed)
    assert [r.site_review_id for r in result.records] == ["urn:1", "urn:2"]
    assert result.records[0].published_at is None
    assert result.records[1].published_at == datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
    assert len(result.problems) == 1 and "item 1" in result.problems[0] and "out of range" in result.problems[0]


def test_rss_dates_before_1990_are_noted() -> None:
    feed = (
        "<rss version='2.0'><channel><title>t</title><item><guid>g1</guid><description>Old news.</description>"
        "<pubDate>Thu, 01 Jan 1970 00:00:00 GMT</pubDate></item></channel></rss>"
    )
    result = parse("feed", feed)
    assert result.records[0].published_at is None and "before 1990" in result.problems[0]


def test_one_overflowing_date_does_not_lose_the_run(tmp_path: Path) -> None:
    with TestSite() as site:
        site.add_page(
            "/reviews",
            (jsonld_review("Never again.", OVERFLOW) + jsonld_review("Fine.", "2024-03-01T12:00:00Z")).encode(),
            "text/html",
        )
        settings = settings_with(
            tmp_path,
            f'[[company.source]]\nname = "ld"\nkind = "jsonld"\nlocator = "{site.url("/reviews")}"\nmin_delay = 0.0\n',
        )
        engine = migrated_sqlite(tmp_path)

        (outcome,) = crawl_all(engine, settings)
    assert outcome.health == Health.OK and outcome.new == 2
    assert "1 problem(s) noted" in outcome.message and "out of range" in outcome.message


# Structured data built to exhaust the parser


def test_jsonld_nested_a_hundred_thousand_deep_is_skipped_and_the_valid_blocks_kept() -> None:
    deep = '<script type="application/ld+json">' + "[" * 100_000 + "]" * 100_000 + "</script>"
    result = parse("jsonld", deep + jsonld_review("Still read.", "2024-02-02"))
    assert [r.body for r in result.records] == ["Still read."]
    assert result.problems == ["JSON-LD block 1 nests deeper than 64 levels; skipped"]


def test_jsonld_deeper_than_the_bound_but_parseable_is_skipped() -> None:
    nested: Any = {"@type": "Review", "reviewBody": "buried"}
    for _ in range(200):
        nested = {"@type": "Thing", "about": nested}
    block = f'<script type="application/ld+json">{json.dumps(nested)}</script>'
    result = parse("jsonld", block + jsonld_review("Kept.", "2024-02-02"))
    assert [r.body for r in result.records] == ["Kept."]
    assert result.problems == ["JSON-LD block 1 nests deeper than 64 levels; skipped"]


def test_jsonld_with_too_many_nodes_is_skipped() -> None:
    block = '<script type="application/ld+json">[' + ",".join(["{}"] * 150_000) + "]</script>"
    result = parse("jsonld", block + jsonld_review("Kept.", "2024-02-02"))
    assert [r.body for r in result.records] == ["Kept."]
    assert result.problems == ["JSON-LD block 1 holds more than 100000 objects and arrays; skipped"]


def test_microdata_nested_too_deep_is_skipped_and_the_others_kept() -> None:
    depth = 2_000
    trap = (
        '<div itemscope itemtype="https://schema.org/Review">'
        + '<div itemprop="about" itemscope itemtype="https://schema.org/Thing">' * depth
        + "</div>" * depth
        + '<p itemprop="reviewBody">trap</p></div>'
    )
    fine = '<div itemscope itemtype="https://schema.org/Review"><p itemprop="reviewBody">Kept.</p></div>'
    result = parse("jsonld", f"<html><body>{trap}{fine}</body></html>")
    assert [r.body for r in result.records] == ["Kept."]
    assert result.problems == ["microdata review 1 nests deeper than 32 items; skipped"]


# Numbers no review can have


def trustpilot_page(*reviews: str) -> str:
    """A Trustpilot page whose reviews are given as raw JSON text (so NaN and 1e400 stay as the site wrote them)."""
    data = '{"props": {"pageProps": {"reviews": [' + ", ".join(reviews) + "]}}}"
    return f'<script id="__NEXT_DATA__" type="application/json">{data}</script>'


def trustpilot_review(n: int, rating: str, likes: str = "0") -> str:
    return (
        f'{{"id": "r{n}", "text": "Review {n}.", "rating": {rating}, "likes": {likes}, '
        '"dates": {"publishedDate": "2024-03-01T12:00:00Z"}, "consumer": {"displayName": "Ana"}}'
    )


def crawl_one(tmp_path: Path, site: TestSite, kind: str, body: str | bytes, *, content_type: str = "text/html") -> Any:
    (start,) = get_source_class(kind)(site.url("/reviews"), {}).start_urls()
    site.add_page(start.removeprefix(site.url("")), body.encode() if isinstance(body, str) else body, content_type)
    settings = settings_with(
        tmp_path,
        f'[[company.source]]\nname = "s"\nkind = "{kind}"\nlocator = "{site.url("/reviews")}"\nmin_delay = 0.0\n',
    )
    engine = migrated_sqlite(tmp_path)

    (outcome,) = crawl_all(engine, settings)
    with Session(engine) as session:
        stored = {r.site_review_id: r for r in session.exec(select(Review)).all()}
    return outcome, stored


def test_ratings_scales_and_counts_no_review_can_have_are_left_out(tmp_path: Path) -> None:
    body = "".join(
        [
            jsonld_review("Scale of 1e30.", "2024-03-01", reviewRating={"ratingValue": 3, "bestRating": 1e30}),
            jsonld_review("Fine.", "2024-03-01", reviewRating={"ratingValue": 4, "bestRating": 5}),
        ]
    ).replace("1e+30", "1e30")
    with TestSite() as site:
        outcome, stored = crawl_one(tmp_path, site, "jsonld", body)
    assert outcome.health == Health.OK, outcome.message
    assert len(stored) == 2
    ratings = sorted((r.body, r.rating, r.rating_scale) for r in stored.values())
    assert ratings == [("Fine.", 4.0, 5), ("Scale of 1e30.", None, None)]


def test_nan_infinite_negative_and_huge_numbers_from_json_are_left_out(tmp_path: Path) -> None:
    body = trustpilot_page(
        trustpilot_review(1, "NaN"),
        trustpilot_review(2, "1e400"),  # infinity once read
        trustpilot_review(3, "-Infinity"),
        trustpilot_review(4, "47"),
        trustpilot_review(5, "1", likes=str(10**30)),
        trustpilot_review(6, "2", likes="-5"),
        trustpilot_review(7, "4", likes="12"),
    )
    with TestSite() as site:
        outcome, stored = crawl_one(tmp_path, site, "trustpilot", body)
    assert outcome.health == Health.OK, outcome.message
    # NaN and infinities are no rating: the adapter skips those reviews, as every Trustpilot review has stars.
    got = {key: (r.rating, r.helpful_votes) for key, r in stored.items()}
    assert got == {"r4": (None, 0), "r5": (1.0, None), "r6": (2.0, None), "r7": (4.0, 12)}
    assert [e for e in outcome.errors if "is not a finite number" in e] == [
        "review 1: not a rating: 'nan' is not a finite number",
        "review 2: not a rating: 'inf' is not a finite number",
        "review 3: not a rating: '-inf' is not a finite number",
    ]
    notes = [e for e in outcome.errors if e.startswith("review r")]
    assert [n.split(":")[0] for n in notes] == ["review r4", "review r5", "review r6"]
    assert "rating 47.0 is not 0 to 5" in notes[0] and "a number of about 31 digits" in notes[1]


def test_an_infinite_best_rating_costs_its_review_not_the_page() -> None:
    result = parse(
        "jsonld",
        jsonld_review("Scale of 1e400.", "2024-03-01", reviewRating={"ratingValue": 3, "bestRating": "1e400"})
        + jsonld_review("Fine.", "2024-03-01", reviewRating={"ratingValue": 4, "bestRating": 5}),
    )
    assert [r.body for r in result.records] == ["Fine."]
    assert result.problems == ["review 1: not a rating: '1e400' is not a finite number"]


DEEP_JSON = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(
    ("kind", "locator"), [("hellopeter", URL), ("app_store", "https://apps.apple.com/app/id284882215")]
)
def test_json_nested_a_hundred_thousand_deep_is_a_changed_layout_not_a_crash(kind: str, locator: str) -> None:
    source = get_source_class(kind)(locator, {})
    with pytest.raises(LayoutChanged):
        source.parse(Page(url=URL, status=200, body=DEEP_JSON.encode(), headers={"content-type": "application/json"}))


def test_a_deep_json_page_ends_the_run_as_layout_changed(tmp_path: Path) -> None:
    body = f'<script id="__NEXT_DATA__" type="application/json">{DEEP_JSON}</script>'
    with TestSite() as site:
        outcome, stored = crawl_one(tmp_path, site, "trustpilot", body)
    assert outcome.health == Health.LAYOUT_CHANGED and stored == {}
    assert "nests deeper than the decoder can follow" in outcome.message


# Which encoding a page is in

GREEK = "Πολύ κακή εξυπηρέτηση, κανείς δεν απάντησε."
FRENCH = "Très déçu, personne n'a répondu à mes courriels."


def css_row(text: str) -> str:
    return f"<html><body><div class='review'><p>{text}</p></div></body></html>"


def crawl_css(tmp_path: Path, body: bytes, content_type: str) -> list[str]:
    with TestSite() as site:
        site.add_page("/reviews", body, content_type)
        settings = settings_with(
            tmp_path,
            f'[[company.source]]\nname = "s"\nkind = "css"\nlocator = "{site.url("/reviews")}"\nmin_delay = 0.0\n'
            'options = { container = "div.review", text = "p" }\n',
        )
        engine = migrated_sqlite(tmp_path)

        (outcome,) = crawl_all(engine, settings)
    assert outcome.health == Health.OK, outcome.message
    with Session(engine) as session:
        return [r.body for r in session.exec(select(Review)).all()]


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        # The header names the encoding; the page does not.
        (css_row(GREEK).encode("iso-8859-7"), "text/html; charset=iso-8859-7", GREEK),
        (css_row(GREEK).encode("windows-1253"), 'text/html; charset="Windows-1253"', GREEK),
        # The header wins over a meta tag that says otherwise.
        (
            ("<meta charset='utf-8'>" + css_row(GREEK)).encode("iso-8859-7"),
            "text/html; charset=iso-8859-7",
            GREEK,
        ),
        # A byte order mark wins over the header.
        (b"\xef\xbb\xbf" + css_row(GREEK).encode("utf-8"), "text/html; charset=iso-8859-7", GREEK),
        (css_row(GREEK).encode("utf-16"), "text/html; charset=iso-8859-1", GREEK),
        # A charset that is no text encoding, or none at all, leaves it to the meta tag.
        (("<meta charset='iso-8859-7'>" + css_row(GREEK)).encode("iso-8859-7"), "text/html; charset=base64", GREEK),
        (("<meta charset='windows-1252'>" + css_row(FRENCH)).encode("cp1252"), "text/html", FRENCH),
    ],
    ids=["header", "quoted-label", "header-over-meta", "utf8-bom", "utf16-bom", "no-text-encoding", "meta-only"],
)
def test_the_encoding_follows_bom_then_header_then_document(
    tmp_path: Path, body: bytes, content_type: str, expected: str
) -> None:
    assert crawl_css(tmp_path, body, content_type) == [expected]


def test_a_json_page_is_read_in_the_charset_its_header_names(tmp_path: Path) -> None:
    body = trustpilot_page(trustpilot_review(1, "1").replace("Review 1.", FRENCH.replace("'", "\\u0027")))
    with TestSite() as site:
        outcome, stored = crawl_one(
            tmp_path, site, "trustpilot", body.encode("cp1252"), content_type="text/html; charset=windows-1252"
        )
    assert outcome.health == Health.OK and [r.body for r in stored.values()] == [FRENCH]


LONG_NUMBER = "9" * 5_000  # more digits than Python converts to an integer


def test_a_number_too_long_to_read_costs_its_json_ld_block_not_the_page() -> None:
    block = f'<script type="application/ld+json">{{"@type": "Review", "reviewBody": "x", "id": {LONG_NUMBER}}}</script>'
    result = parse("jsonld", block + jsonld_review("Kept.", "2024-02-02"))
    assert [r.body for r in result.records] == ["Kept."]
    assert len(result.problems) == 1 and "a number too long to read" in result.problems[0]


def test_a_number_too_long_to_read_is_a_changed_layout_not_a_crash(tmp_path: Path) -> None:
    with TestSite() as site:
        outcome, stored = crawl_one(
            tmp_path, site, "trustpilot", trustpilot_page(trustpilot_review(1, "1", LONG_NUMBER))
        )
    assert outcome.health == Health.LAYOUT_CHANGED and stored == {}
    assert "a number too long to read" in outcome.message


@pytest.mark.parametrize("page", ["\u00b2", "9" * 5_000])
def test_a_next_page_number_that_is_no_number_does_not_crash_the_page(page: str) -> None:
    record = {"id": 1, "review_content": "Nobody answered.", "review_rating": 1, "created_at": "2024-03-01 10:00:00"}
    envelope = {
        "data": [record],
        "next_page_url": f"https://api.hellopeter.com/consumer/business/acme/reviews?page={page}",
    }
    source = get_source_class("hellopeter")("https://api.hellopeter.com/consumer/business/acme/reviews?page=1", {})
    result = source.parse(Page(url=source.locator, status=200, body=json.dumps(envelope).encode()))
    assert [r.body for r in result.records] == ["Nobody answered."]
    assert result.next_url == envelope["next_page_url"]  # not a page number of ours: the API's own link, checked as any
