"""Any page that embeds schema.org `Review` data: JSON-LD first, microdata when there is no JSON-LD review.

JSON-LD comes from every `<script type="application/ld+json">` block; a block may hold one object, an
array, or an `@graph`. Reviews are found wherever they sit: top-level `Review` items, or nested under a
Product / Organization / LocalBusiness `review` key. A node that is only a reference (`{"@id": ...}`) is
resolved to the full node with that `@id` on the page, so a review listed twice is read once.

Field mapping: `reviewRating.ratingValue` → rating, `bestRating` → rating scale (5 when absent);
`author` (text, or a Person/Organization with `name` and `url`) → author name and handle;
`datePublished` / `dateModified` → times; `reviewBody`, else `description`, else `text` → body;
`name`, else `headline` → title; `inLanguage` → language; the reviewed item's name goes to
`extra["item_reviewed"]`.

Review ids: the review's `@id`, else its `url` (both resolved against the page URL, as JSON-LD does with
relative IRIs); blank-node ids (`_:b0`) and a `url` shared by several reviews are not ids. Without either,
the id is a stable hash of author + publication time + the first 200 characters of the body, so a
re-crawl maps the same review to the same id (an edited body then shows up as a new review).

A date that is impossible, out of range, before 1990 or in the future leaves that review without the date and
a note in `problems`. A JSON-LD block nested deeper than 64 levels or holding more than 100,000 objects, and a
microdata item nested deeper than 32 items, is skipped with a note; the page's other blocks are still read.

schema.org has no property for the business's public answer, so records from this adapter have no reply.
A page whose structured data holds an `AggregateRating` but no individual reviews gives an empty page and
a note in `problems`: such sites publish only the aggregate.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urljoin

import soupsieve
from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, Tag, XMLParsedAsHTMLWarning

from monitor.core.errors import ConfigError, LayoutChanged
from monitor.core.records import ReviewRecord
from monitor.http.policy import normalise_hosts
from sources.base import Option, Page, PageResult, Source
from sources.fields import derived_id, html_to_text, parse_datetime, parse_rating
from sources.guards import json_text
from sources.guards.limits import check_markup_size

__all__ = ["ALLOWED_HOSTS", "JsonLd", "check_allowed_hosts", "derived_review_id", "parse_html"]

# Review and the schema.org subtypes that are reviews written by a person.
REVIEW_TYPES = frozenset({"Review", "UserReview", "CriticReview", "EmployerReview"})
AGGREGATE_TYPE = "AggregateRating"
DEFAULT_SCALE = 5
_BODY_PREFIX = 200
# Real structured data nests a handful of levels; beyond these bounds a block is a trap, not data, and is skipped.
MAX_JSONLD_DEPTH = 64
MAX_JSONLD_NODES = 100_000
MAX_MICRODATA_DEPTH = 32
# Microdata values live in an attribute for these elements (HTML Living Standard, "microdata" section).
_URL_ATTRS = {"a": "href", "area": "href", "link": "href", "img": "src", "audio": "src", "video": "src"}


# Declared by every adapter whose pages may link to any host: the hosts besides the locator's that redirects and
# next-page links may lead to (see `monitor.http.policy`).
ALLOWED_HOSTS = Option(
    "allowed_hosts",
    "other hosts redirects and next-page links may lead to, e.g. ['cdn.example.com', '*.example.org']",
    list,
)


def check_allowed_hosts(source: Source) -> None:
    """Refuse a malformed `allowed_hosts` entry when the source is configured, not when it first crawls."""
    normalise_hosts(source.opts.get("allowed_hosts") or ())


class JsonLd(Source):
    """Reviews from the schema.org structured data (JSON-LD or microdata) a page embeds."""

    name = "jsonld"
    help = "any page embedding schema.org Review data (JSON-LD or microdata); no company replies"
    locator_help = "URL of the page that embeds the reviews"
    options: ClassVar[tuple[Option, ...]] = (
        Option(
            "next_selector",
            "CSS selector of the next-page link, e.g. 'a[rel=next]'; without it only the given page is read",
        ),
        ALLOWED_HOSTS,
    )
    newest_first = False  # the order of embedded reviews is the site's choice

    def __init__(self, locator: str, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(locator, options)
        check_allowed_hosts(self)
        if self.opts["next_selector"]:
            try:
                soupsieve.compile(self.opts["next_selector"])
            except soupsieve.SelectorSyntaxError as exc:
                raise ConfigError(f"jsonld: option 'next_selector' is not a CSS selector: {exc}") from exc

    def parse(self, page: Page) -> PageResult:
        """Reviews in the page's structured data; `next_url` from `next_selector` when configured."""
        check_markup_size(page, "structured-data page")
        soup = parse_html(page.body, page.charset)
        problems: list[str] = []
        documents, found_jsonld = _jsonld_documents(soup, problems)
        graph = _Graph(documents)
        reviews = graph.reviews()
        microdata = _microdata_reviews(soup, problems) if not reviews else []
        if not found_jsonld and not microdata and not _has_microdata_aggregate(soup):
            raise LayoutChanged(
                f"structured-data page {page.url}: expected schema.org Review data as "
                '<script type="application/ld+json"> or microdata; found neither'
            )

        records: list[ReviewRecord] = []
        seen_ids: set[str] = set()
        items = reviews or microdata
        shared_urls = _shared_urls(items, page.url)
        for position, item in enumerate(items, start=1):

            def note(message: str, position: int = position) -> None:
                problems.append(f"review {position}: {message}")

            try:
                record = _record(item, page.url, graph, shared_urls, note)
            except ValueError as exc:
                problems.append(f"review {position}: {exc}")
                continue
            if record.site_review_id in seen_ids:
                continue  # the same review published twice on one page (e.g. in two script blocks)
            seen_ids.add(record.site_review_id)
            records.append(record)

        if not items:
            aggregate = graph.aggregate() or _microdata_aggregate(soup)
            if aggregate is None:
                found = (
                    f"found only these types: {', '.join(sorted(graph.types))}"
                    if graph.types
                    else "; ".join(problems or ["found no typed items"])
                )
                raise LayoutChanged(
                    f"structured-data page {page.url}: expected schema.org Review or AggregateRating items; {found}"
                )
            problems.append(f"the site publishes only the aggregate rating ({_describe(aggregate)}), no reviews")
        return PageResult(records=records, next_url=self._next_url(soup, page.url), problems=problems)

    def _next_url(self, soup: BeautifulSoup, page_url: str) -> str | None:
        selector = self.opts["next_selector"]
        link = soup.select_one(selector) if selector else None
        href = str(link.get("href") or "").strip() if link is not None else ""
        url = urljoin(page_url, href) if href else None
        return url if url != page_url else None


def parse_html(body: bytes, charset: str | None = None) -> BeautifulSoup:
    """The page parsed with lxml; bs4's guesses about what the markup "really" is are not warnings here.

    `charset` (the page's byte order mark or Content-Type, see `Page.charset`) is tried before what the markup
    declares, as browsers do; bytes it cannot decode fall back to the markup's own declaration.
    """
    with warnings.catch_warnings():
        # A feed or a bare string given to an HTML adapter is reported as LayoutChanged by the caller.
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        return BeautifulSoup(body, "lxml", from_encoding=charset)


def derived_review_id(author: str | None, published: datetime | None, body: str) -> str:
    """A stable id for a review the site gives no id: a hash of author, time and the body's first characters."""
    return derived_id(author, published, body)


def _jsonld_documents(soup: BeautifulSoup, problems: list[str]) -> tuple[list[Any], bool]:
    documents: list[Any] = []
    found = False
    for position, script in enumerate(soup.find_all("script"), start=1):
        kind = str(script.get("type") or "").split(";")[0].strip().lower()
        if kind != "application/ld+json":
            continue
        found = True
        # One broken block (often hand-edited, or built to trap parsers) must not hide the reviews in the others.
        try:
            document = json_text.loads(script.get_text())
        except json_text.TooDeep:
            problems.append(f"JSON-LD block {position} nests deeper than {MAX_JSONLD_DEPTH} levels; skipped")
            continue
        except json.JSONDecodeError as exc:
            problems.append(f"JSON-LD block {position} is not valid JSON ({exc}); skipped")
            continue
        oversize = _oversize(document)
        if oversize:
            problems.append(f"JSON-LD block {position} {oversize}; skipped")
            continue
        documents.append(document)
    return documents, found


def _oversize(document: Any) -> str | None:
    """Why a parsed JSON-LD block is too deep or too big to walk, or None when it is fine."""
    stack: list[tuple[Any, int]] = [(document, 1)]
    nodes = 0
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        nodes += 1
        if depth > MAX_JSONLD_DEPTH:
            return f"nests deeper than {MAX_JSONLD_DEPTH} levels"
        if nodes > MAX_JSONLD_NODES:
            return f"holds more than {MAX_JSONLD_NODES} objects and arrays"
        stack.extend((child, depth + 1) for child in children)
    return None


def _type_names(node: Mapping[str, Any]) -> list[str]:
    raw = node.get("@type")
    names = raw if isinstance(raw, list) else [raw]
    # "http://schema.org/Review" and "schema:Review" both name Review.
    return [str(n).rsplit("/", 1)[-1].rsplit("#", 1)[-1].rsplit(":", 1)[-1] for n in names if n]


class _Graph:
    """The JSON-LD nodes of one page, with `@id` references resolvable to their full nodes."""

    def __init__(self, documents: list[Any]) -> None:
        self.documents = documents
        self.by_id: dict[str, dict[str, Any]] = {}
        self.types: set[str] = set()
        for node in self._walk(documents, resolve=False):
            self.types.update(_type_names(node))
            node_id = node.get("@id")
            # The fullest node with an id wins over bare references to it.
            if isinstance(node_id, str) and len(node) > len(self.by_id.get(node_id, {})):
                self.by_id[node_id] = node

    def first(self, value: Any) -> Any:
        """A property's first value (microdata and JSON-LD both allow several), resolved."""
        if isinstance(value, list):
            value = value[0] if value else None
        return self._resolve_one(value)

    def _resolve_one(self, value: Any) -> Any:
        """The full node for a bare `{"@id": ...}` reference; anything else unchanged."""
        if isinstance(value, dict) and set(value) == {"@id"}:
            return self.by_id.get(str(value["@id"]), value)
        return value

    def reviews(self) -> list[dict[str, Any]]:
        return [n for n in self._walk(self.documents, resolve=True) if REVIEW_TYPES & set(_type_names(n))]

    def aggregate(self) -> dict[str, Any] | None:
        for node in self._walk(self.documents, resolve=True):
            if AGGREGATE_TYPE in _type_names(node):
                return node
        return None

    def _walk(self, value: Any, *, resolve: bool) -> Iterator[dict[str, Any]]:
        """Every object node once, depth first in document order; references followed when `resolve`."""
        seen: set[int] = set()
        stack: list[Any] = [value]
        while stack:
            current = stack.pop()
            if resolve:
                current = self._resolve_one(current)
            if isinstance(current, list):
                stack.extend(reversed(current))
            elif isinstance(current, dict) and id(current) not in seen:
                seen.add(id(current))
                yield current
                stack.extend(reversed(list(current.values())))


def _shared_urls(items: list[dict[str, Any]], page_url: str) -> set[str]:
    """`url` values that cannot identify a review: the page itself, or one URL given to several reviews."""
    counts: dict[str, int] = {}
    for item in items:
        url = item.get("url")
        if isinstance(url, str) and url.strip():
            absolute = urljoin(page_url, url.strip())
            counts[absolute] = counts.get(absolute, 0) + 1
    return {url for url, count in counts.items() if count > 1 or url == page_url}


def _record(
    item: dict[str, Any], page_url: str, graph: _Graph, shared_urls: set[str], note: Callable[[str], None]
) -> ReviewRecord:
    author_name, author_handle = _author(graph.first(item.get("author")), page_url)
    published = _date(item.get("datePublished"), "datePublished", note)
    body_raw = _text(item.get("reviewBody")) or _text(item.get("description")) or _text(item.get("text")) or ""
    body = html_to_text(body_raw)
    rating, scale = _rating(graph.first(item.get("reviewRating")))
    url = _text(item.get("url"))
    url = urljoin(page_url, url) if url else None

    node_id = _text(item.get("@id"))
    if node_id and not node_id.startswith("_:"):
        site_id = urljoin(page_url, node_id)
    elif url and url not in shared_urls:
        site_id = url
    else:
        site_id = derived_review_id(author_name, published, body)

    extra: dict[str, Any] = {}
    reviewed = graph.first(item.get("itemReviewed"))
    if isinstance(reviewed, dict) and _text(reviewed.get("name")):
        extra["item_reviewed"] = _text(reviewed.get("name"))
    title = _text(item.get("name")) or _text(item.get("headline"))
    return ReviewRecord(
        site_review_id=site_id,
        body=body,
        url=url,
        author_name=author_name,
        author_handle=author_handle,
        rating=rating,
        rating_scale=scale if rating is not None else None,
        title=html_to_text(title) if title else None,
        language=_language(item.get("inLanguage")),
        published_at=published,
        updated_at=_date(item.get("dateModified"), "dateModified", note),
        extra=extra,
    )


def _date(value: Any, field: str, note: Callable[[str], None]) -> datetime | None:
    """A date property in UTC; a value that is no possible review date is noted and left out, keeping the review."""
    try:
        return parse_datetime(_text(value))
    except ValueError as exc:
        note(f"{field}: {exc}; left empty")
        return None


def _text(value: Any) -> str | None:
    """A property's text: the first of several values, a `@value` object's value; None when empty."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("@value")
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value).strip()
    return text or None


def _author(value: Any, page_url: str) -> tuple[str | None, str | None]:
    if isinstance(value, dict):
        name = _text(value.get("name"))
        handle = _text(value.get("url")) or _text(value.get("@id"))
        if handle and handle.startswith("_:"):
            handle = None
        return name, urljoin(page_url, handle) if handle else None
    return _text(value), None


def _rating(value: Any) -> tuple[float | None, int]:
    if not isinstance(value, dict):
        # Some sites put the bare number in reviewRating.
        return parse_rating(_text(value)), DEFAULT_SCALE
    rating = parse_rating(_text(value.get("ratingValue")))
    best = parse_rating(_text(value.get("bestRating")))
    scale = round(best) if best else DEFAULT_SCALE
    if rating is not None and rating > scale:
        raise ValueError(f"rating {rating:g} is above its bestRating {scale}")
    return rating, scale


def _language(value: Any) -> str | None:
    if isinstance(value, dict):
        return _text(value.get("alternateName")) or _text(value.get("name"))
    return _text(value)


def _describe(aggregate: Mapping[str, Any]) -> str:
    value = _text(aggregate.get("ratingValue")) or "?"
    best = _text(aggregate.get("bestRating")) or str(DEFAULT_SCALE)
    count = _text(aggregate.get("reviewCount")) or _text(aggregate.get("ratingCount"))
    return f"{value} of {best}" + (f" from {count} reviews" if count else "")


def _scopes_of_type(soup: BeautifulSoup, wanted: frozenset[str]) -> list[Tag]:
    found: list[Tag] = []
    for tag in soup.select("[itemscope]"):
        types = {t.rsplit("/", 1)[-1] for t in str(tag.get("itemtype") or "").split()}
        if types & wanted:
            found.append(tag)
    return found


class _TooDeep(Exception):
    """A microdata item nests more items than `MAX_MICRODATA_DEPTH`."""


def _microdata_reviews(soup: BeautifulSoup, problems: list[str]) -> list[dict[str, Any]]:
    """Microdata Review items, as the same dicts JSON-LD gives (nested items become nested dicts)."""
    items: list[dict[str, Any]] = []
    for position, tag in enumerate(_scopes_of_type(soup, REVIEW_TYPES), start=1):
        try:
            items.append(_microdata_item(tag))
        except _TooDeep:
            problems.append(f"microdata review {position} nests deeper than {MAX_MICRODATA_DEPTH} items; skipped")
    return items


def _has_microdata_aggregate(soup: BeautifulSoup) -> bool:
    return bool(_scopes_of_type(soup, frozenset({AGGREGATE_TYPE})))


def _microdata_aggregate(soup: BeautifulSoup) -> dict[str, Any] | None:
    scopes = _scopes_of_type(soup, frozenset({AGGREGATE_TYPE}))
    try:
        return _microdata_item(scopes[0]) if scopes else None
    except _TooDeep:
        return None


def _microdata_item(scope: Tag, depth: int = 1) -> dict[str, Any]:
    if depth > MAX_MICRODATA_DEPTH:
        raise _TooDeep
    item: dict[str, Any] = {"@type": str(scope.get("itemtype") or "").split()}
    if scope.get("itemid"):
        item["@id"] = str(scope["itemid"])
    for prop in _own_properties(scope):
        value: Any = _microdata_item(prop, depth + 1) if prop.has_attr("itemscope") else _microdata_value(prop)
        for name in str(prop.get("itemprop") or "").split():
            item.setdefault(name, []).append(value)
    return item


def _own_properties(scope: Tag) -> Iterator[Tag]:
    """Elements with `itemprop` that belong to `scope`, not to an item nested inside it."""
    stack = list(reversed([c for c in scope.children if isinstance(c, Tag)]))
    while stack:
        tag = stack.pop()
        if tag.has_attr("itemprop"):
            yield tag
        if not tag.has_attr("itemscope"):
            stack.extend(reversed([c for c in tag.children if isinstance(c, Tag)]))


def _microdata_value(tag: Tag) -> str:
    if tag.name == "meta":
        return str(tag.get("content") or "")
    if tag.name in _URL_ATTRS:
        return str(tag.get(_URL_ATTRS[tag.name]) or "")
    if tag.name == "time" and tag.get("datetime"):
        return str(tag["datetime"])
    if tag.get("content"):
        return str(tag["content"])
    return html_to_text(tag.decode_contents())
