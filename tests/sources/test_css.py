"""css adapter: selector configs for real 2017 review blocks, and what happens when they no longer fit."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import permutations
from typing import Any

import pytest

from monitor.core.errors import ConfigError, LayoutChanged
from sources.base import Page, get_source_class
from sources.css import CssSource, FieldSpec, parse_date, parse_field_spec
from sources.fields import rating_from_text
from tests.fixture_path import fixture

URL = "https://www.example.test/hubspot/reviews"

CONFIGS: dict[str, dict[str, Any]] = {
    "capterra.html": {
        "container": "div.cell-review",
        "author": "div.reviewer-details > div.epsilon",
        "rating": "span.overall-rating",  # "5/5"
        "title": "h3 q",
        "text": "div.review-comments",
        "date": "div.quarter-margin-bottom.micro",  # "Feb 22, 2017"
    },
    "indeed.html": {
        "container": "div.cmp-review-container",
        "id": "@id",
        "author": "span.cmp-reviewer",
        "rating": "meta[itemprop=ratingValue]@content",
        "title": "div.cmp-review-title span[itemprop=name]",
        "text": "span.cmp-review-text",
        "date": "span.cmp-review-date-created",  # "March 10, 2016"
        "required": "text,author",
    },
    "trustradius.html": {
        "container": "div.serp-result",
        "id": "a.permalink@href",
        "url": "a.permalink@href",
        "author": "span.name a",
        "author_handle": "span.name a@href",
        "rating": "span.rating-stars@title",  # "10 out of 10"
        "title": "h4.review-title .summary",
        "text": "div.question-text .ugc, div.question-bullets li.ugc, div.ugc.followup",
    },
    "getapp.html": {
        "container": "[itemtype$='schema.org/Review']",
        "author": "span[itemprop=author] span[itemprop=name]",
        "rating": "meta[itemprop=ratingValue]@content",
        "title": "h4.media-heading",
        "text": "div[itemprop=reviewBody]",
        "date": "meta[itemprop=datePublished]@content",
    },
}

EXPECTED = [
    # snippet, id (None: derived), author, rating, scale, title, date, body start, body end
    (
        "capterra.html",
        None,
        "Donna L",
        5.0,
        5,
        "Easy to navigate and implement",
        datetime(2017, 2, 22, tzinfo=UTC),
        "Comments: I was at a bit of a loss when it came to online engagement",
        "It is easy to navigate and implement as well.",
    ),
    (
        "indeed.html",
        "cmp-review-599168a5d6077849",
        "Channel Account Executive",
        5.0,
        5,
        "Free food, beers on tap, great open office environment, amazing benefits and earning potential",
        datetime(2016, 3, 10, tzinfo=UTC),
        "The training here is very in depth",
        "fast paced but very rewarding.",
    ),
    (
        "trustradius.html",
        "https://www.example.test/reviews/hubspot-2016-11-21-06-51-57",
        "Robert Watts",
        10.0,
        10,
        '"HubSpot review"',
        None,
        "As inbound marketers we use HubSpot to run our inbound campaigns",
        "Great for social media, couldn't recommend it more.",
    ),
    (
        "getapp.html",
        None,
        "Maria Douich",
        4.0,
        5,
        "Great all in one tool",
        datetime(2017, 1, 17, 19, 47, 50, tzinfo=UTC),
        "Hubspot enables us to automate many marketing tasks",
        "to improve our efforts.",
    ),
]


def _page(name: str, url: str = URL) -> Page:
    return Page(url=url, status=200, body=fixture("css", name).read_bytes(), headers={"content-type": "text/html"})


def test_registered() -> None:
    assert get_source_class("css") is CssSource


@pytest.mark.parametrize(
    ("name", "site_id", "author", "rating", "scale", "title", "date", "body_start", "body_end"), EXPECTED
)
def test_real_review_blocks(
    name: str,
    site_id: str | None,
    author: str,
    rating: float,
    scale: int,
    title: str,
    date: datetime | None,
    body_start: str,
    body_end: str,
) -> None:
    result = CssSource(URL, CONFIGS[name]).parse(_page(name))
    assert result.problems == []
    assert len(result.records) == 1
    review = result.records[0]
    assert review.author_name == author
    assert (review.rating, review.rating_scale) == (rating, scale)
    assert review.title == title
    assert review.published_at == date
    assert review.body.startswith(body_start)
    assert review.body.endswith(body_end)
    if site_id is None:
        assert review.site_review_id.startswith("derived-")
    else:
        assert review.site_review_id == site_id


def test_text_joins_every_match_and_links_are_absolute() -> None:
    review = CssSource(URL, CONFIGS["trustradius.html"]).parse(_page("trustradius.html")).records[0]
    # Use cases, the pros list and the follow-up answer are all kept, in page order.
    assert "Everything you need is in one place, no need for other tools" in review.body
    assert review.body.index("As inbound marketers") < review.body.index("Everything you need")
    assert review.url == "https://www.example.test/reviews/hubspot-2016-11-21-06-51-57"
    assert review.author_handle == "https://www.example.test/users/5832ed3c3eeb9e000f63722e"


def test_derived_id_is_stable_across_parses() -> None:
    first = CssSource(URL, CONFIGS["capterra.html"]).parse(_page("capterra.html")).records[0]
    again = CssSource(URL, CONFIGS["capterra.html"]).parse(_page("capterra.html")).records[0]
    assert first.site_review_id == again.site_review_id


@pytest.mark.parametrize(("config_for", "snippet"), list(permutations(sorted(CONFIGS), 2)))
def test_config_for_one_site_on_another_is_layout_changed(config_for: str, snippet: str) -> None:
    with pytest.raises(LayoutChanged, match=r"matched nothing|required fields vanished"):
        CssSource(URL, CONFIGS[config_for]).parse(_page(snippet))


def test_schema_container_on_another_site_names_the_vanished_field() -> None:
    # GetApp's config selects containers by their schema.org type, which Indeed's block shares,
    # but Indeed keeps the body in a <span>, not a <div>.
    with pytest.raises(LayoutChanged, match=r"required fields vanished: text \('div\[itemprop=reviewBody\]'\)"):
        CssSource(URL, CONFIGS["getapp.html"]).parse(_page("indeed.html"))


def test_container_matching_nothing_names_the_selector() -> None:
    with pytest.raises(LayoutChanged, match=r"'div\.cell-review' matched nothing"):
        CssSource(URL, CONFIGS["capterra.html"]).parse(_page("getapp.html"))


def _html_page(html: str, url: str = URL) -> Page:
    return Page(url=url, status=200, body=html.encode("utf-8"), headers={"content-type": "text/html"})


LISTING = """
<div class="r" data-id="a1"><b class="who">Ann</b><p class="t">Cold food again.</p><span class="s">★★☆☆☆</span></div>
<div class="r" data-id="a2"><b class="who">Ben</b><p class="t"></p><span class="s">great</span></div>
<div class="r" data-id="a1"><b class="who">Ann</b><p class="t">Duplicate block.</p></div>
<a class="next" href="?page=3">next</a>
"""


def test_row_problems_do_not_stop_the_page() -> None:
    config = {
        "container": "div.r",
        "id": "@data-id",
        "author": "b.who",
        "text": "p.t",
        "rating": "span.s",
        "next": "a.next",
    }
    result = CssSource(URL, config).parse(_html_page(LISTING, url=URL + "?page=2"))
    assert [r.site_review_id for r in result.records] == ["a1"]
    assert (result.records[0].rating, result.records[0].rating_scale) == (2.0, 5)
    assert result.next_url == URL + "?page=3"
    assert any("review 2: required text not found" in p for p in result.problems)
    assert any("review 3: id 'a1' repeats review 1" in p for p in result.problems)


def test_unreadable_rating_and_date_leave_the_review_with_a_note() -> None:
    html = '<div class="r"><p class="t">Fine.</p><i class="s">great</i><time>someday</time></div>'
    config = {"container": "div.r", "text": "p.t", "rating": "i.s", "date": "time"}
    result = CssSource(URL, config).parse(_html_page(html))
    review = result.records[0]
    assert (review.rating, review.published_at) == (None, None)
    assert len(result.problems) == 2
    assert "no rating in 'great'" in result.problems[0]
    assert "date_format" in result.problems[1]


def test_reply_with_date_and_author() -> None:
    html = (
        '<div class="r"><p class="t">Order never came.</p><div class="reply"><p>We will be in touch.</p><p>^NZ</p>'
        '</div><time class="rd" datetime="2021-03-04T10:00:00+02:00">4 March</time><b class="ra">Cell C</b></div>'
    )
    config = {
        "container": "div.r",
        "text": "p.t",
        "reply": "div.reply",
        "reply_date": "time.rd@datetime",
        "reply_author": "b.ra",
    }
    reply = CssSource(URL, config).parse(_html_page(html)).records[0].reply
    assert reply is not None
    assert reply.text == "We will be in touch.\n^NZ"
    assert reply.published_at == datetime(2021, 3, 4, 8, 0, tzinfo=UTC)
    assert reply.author == "Cell C"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4.5", (4.5, 5)),
        ("4,5", (4.5, 5)),
        ("4/5", (4.0, 5)),
        ("10 out of 10", (10.0, 10)),
        ("10\xa0of\xa010", (10.0, 10)),
        ("★★★★☆", (4.0, 5)),
        ("★★★", (3.0, 5)),
        ("star-rating count-4 size-medium clearfix", (4.0, 5)),
        ("Rated 3 stars", (3.0, 5)),
        ("", (None, 5)),
    ],
)
def test_rating_from_text(text: str, expected: tuple[float | None, int]) -> None:
    assert rating_from_text(text, 5) == expected


@pytest.mark.parametrize("text", ["excellent", "-/5", "? out of 10", "n/a of 5"])
def test_rating_from_text_without_a_rating_is_an_error(text: str) -> None:
    with pytest.raises(ValueError, match="no rating"):
        rating_from_text(text, 5)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("p.body", FieldSpec("p.body", None)),
        ("time@datetime", FieldSpec("time", "datetime")),
        ("@data-review-id", FieldSpec(None, "data-review-id")),
        ("img.stars @alt", FieldSpec("img.stars", "alt")),
        ("a[href$='@example.com']", FieldSpec("a[href$='@example.com']", None)),
    ],
)
def test_field_spec(spec: str, expected: FieldSpec) -> None:
    assert parse_field_spec(spec) == expected


@pytest.mark.parametrize(
    ("text", "date_format", "expected"),
    [
        ("Feb 22, 2017", None, datetime(2017, 2, 22, tzinfo=UTC)),
        ("  March 10,\n 2016 ", None, datetime(2016, 3, 10, tzinfo=UTC)),
        ("17th January 2017", None, datetime(2017, 1, 17, tzinfo=UTC)),
        ("January 2017", None, datetime(2017, 1, 1, tzinfo=UTC)),
        ("2017-01", None, datetime(2017, 1, 1, tzinfo=UTC)),
        ("22-02-2017", None, datetime(2017, 2, 22, tzinfo=UTC)),
        ("2017-01-17T19:47:50Z", None, datetime(2017, 1, 17, 19, 47, 50, tzinfo=UTC)),
        ("2/7/2017", "%m/%d/%Y", datetime(2017, 2, 7, tzinfo=UTC)),
    ],
)
def test_parse_date(text: str, date_format: str | None, expected: datetime) -> None:
    assert parse_date(text, date_format) == expected


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"text": "p"}, "needs option 'container'"),
        ({"container": "div.r"}, "needs option 'text'"),
        ({"container": "div[", "text": "p"}, "'container' is not a CSS selector"),
        ({"container": "div", "text": "p", "rating": "span[x=@y"}, "'rating' is not a CSS selector"),
        ({"container": "div", "text": "p", "required": "text,author"}, "'required' names 'author'"),
        ({"container": "div", "text": "p", "rating_scale": 0}, "rating_scale"),
        ({"container": "div", "text": "p", "colour": "x"}, "has no option 'colour'"),
    ],
)
def test_bad_configuration_is_config_error(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        CssSource(URL, options)
