"""Google Play: an app's reviews and developer replies, from its details page and its reviews endpoint.

The details page (`/store/apps/details?id=<app>&hl=<lang>&gl=<country>`) carries its data in
`AF_initDataCallback({key: 'ds:NN', ..., data: [...]})` script blocks. One block holds a first
batch of reviews as `[[review, review, ...], [null, <token>]]`, each review a positional array:

    [review_id, [user_name, avatar], stars, null, text, [epoch_s, nanos], thumbs_up,
     [developer_name, reply_text, [epoch_s, nanos]] | null, null, [user_id, user_name, ...], app_version, ...]

The block number moves between page versions, so the block is found by the shape of its data,
never by its key. That layout is checked against a real saved page, whose embedded batch is not in
date order: its token names a helpfulness ranking, so it is Google's "most relevant" pick.

The full listing comes from the endpoint the store's web app calls to show more reviews:
`POST /_/PlayStoreUi/data/batchexecute?hl=<lang>&gl=<country>` with the form field `f.req`, a
JSON `[[["UsvDTd", "<inner JSON>", null, "generic"]]]` whose inner JSON asks for one page:

    [null, null, [2, <sort: 2 = newest>, [<count>, null, <continuation token | null>], null, [null, null]],
     ["<app id>", 7]]

(the trailing `[null, null]` is "no star filter"). The answer starts with the anti-XSSI line `)]}'`
and holds a row `["wrb.fr", "UsvDTd", "<JSON payload>", ...]`; the payload has the same shape as the
embedded block, `[[review, ...], [null, "<next token>"]]`, with no token on the last page; an
empty payload or review list also ends the listing.

This endpoint format is taken from the site's observed public behaviour as described in public
documentation of open-source Google Play scrapers; no live capture of an endpoint answer is on file.
The tests wrap the real review arrays of the saved page in that documented envelope, so the review
layout is checked against real data and the envelope against its description only. An answer that
does not have that envelope raises `LayoutChanged` saying what was missing.

`pages()` reads the details page first (its reviews are marked out of listing order, so an incremental
crawl never stops on them), then walks the endpoint newest first, page by page, until the listing
ends or `max_pages` requests were made, leaving out reviews it already yielded. A details page without
embedded reviews is then no error, as the endpoint lists them all; with option `reviews_endpoint = false`
only the details page is read and it must hold reviews. The endpoint is fetched like any page: robots.txt
and the host's politeness apply, so if robots.txt disallows it the run keeps the embedded reviews and
reports itself partial.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import parse_qs, quote, urlsplit

from monitor.core.channels import PUBLIC_REPLY_ONLY
from monitor.core.errors import ConfigError, LayoutChanged
from monitor.core.records import ReplyRecord, ReviewRecord
from sources.base import Fetch, Option, Page, PageResult, Source
from sources.guards import json_text

__all__ = ["GooglePlay"]

REVIEW_URL = "https://play.google.com/store/apps/details"
ENDPOINT_PATH = "/_/PlayStoreUi/data/batchexecute"
REVIEWS_RPC = "UsvDTd"
SORT_NEWEST = 2
XSSI_PREFIX = ")]}'"
_DATA_BLOCK = re.compile(r"AF_initDataCallback\(\s*\{.*?\bdata\s*:", re.S)
_APP_ID = re.compile(r"^[A-Za-z][\w]*(\.[\w]+)+$")


class GooglePlay(Source):
    """Reviews and developer replies of a Google Play app: its details page, then its reviews endpoint."""

    name = "google_play"
    channel = PUBLIC_REPLY_ONLY
    help = "Google Play app: the reviews on its page and, newest first, from its reviews endpoint, with replies"
    locator_help = "app id (e.g. com.example.app) or the app's play.google.com details URL"
    options: ClassVar[tuple[Option, ...]] = (
        Option("lang", "language of the page and of the reviews it lists (hl)", default="en"),
        Option("country", "store country (gl)", default="us"),
        Option("base_url", "Google Play base URL", default="https://play.google.com"),
        Option(
            "reviews_endpoint",
            "also read the reviews endpoint, newest first, page by page (false: the details page only)",
            type=bool,
            default=True,
        ),
        Option("page_size", "reviews asked for per endpoint request", type=int, default=100),
    )

    def __init__(self, locator: str, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(locator, options)
        self.app_id = _app_id(self.locator)
        if self.opts["page_size"] < 1:
            raise ConfigError(f"google_play: option 'page_size' must be at least 1, got {self.opts['page_size']}")

    @property
    def _base(self) -> str:
        return str(self.opts["base_url"]).rstrip("/")

    def _locale_query(self) -> str:
        return f"hl={quote(str(self.opts['lang']))}&gl={quote(str(self.opts['country']))}"

    def start_urls(self) -> list[str]:
        """The app's details page in the configured language and country."""
        return [f"{self._base}/store/apps/details?id={quote(self.app_id)}&{self._locale_query()}"]

    def endpoint_url(self) -> str:
        """The reviews endpoint the details page calls, in the configured language and country."""
        return f"{self._base}{ENDPOINT_PATH}?{self._locale_query()}"

    def endpoint_form(self, token: str | None) -> dict[str, str]:
        """The form asking the endpoint for one page of newest reviews, after `token` (None: the first page)."""
        inner = [
            None,
            None,
            [2, SORT_NEWEST, [self.opts["page_size"], None, token], None, [None, None]],
            [self.app_id, 7],
        ]
        outer = [[[REVIEWS_RPC, _compact(inner), None, "generic"]]]
        return {"f.req": _compact(outer)}

    async def pages(self, fetch: Fetch, *, max_pages: int | None = None) -> AsyncIterator[PageResult]:
        """The details page's reviews, then the endpoint's pages newest first; `max_pages` bounds requests."""
        if max_pages is not None and max_pages < 1:
            return
        requests = 1
        details = await fetch(self.start_urls()[0])
        seen: set[str] = set()
        # A 304 says the page is unchanged; its reviews are "most relevant", so newer ones may still exist.
        if details.status != 304:
            if not self.opts["reviews_endpoint"]:
                yield replace(self.parse(details), in_listing_order=False)
                return
            # The endpoint lists every review, so a page without embedded ones is no reason to stop here.
            embedded = self._records(_embedded_reviews(details), details.url)
            seen.update(r.site_review_id for r in embedded)
            if embedded:
                yield PageResult(records=embedded, in_listing_order=False)
        elif not self.opts["reviews_endpoint"]:
            return
        token: str | None = None
        while max_pages is None or requests < max_pages:
            answer = await fetch(self.endpoint_url(), form=self.endpoint_form(token))
            requests += 1
            result, next_token = self.parse_endpoint(answer)
            # The store would merge repeats by site id anyway; dropping them keeps the page counts honest.
            fresh = [r for r in result.records if r.site_review_id not in seen]
            seen.update(r.site_review_id for r in fresh)
            yield replace(result, records=fresh)
            if not result.records or next_token is None or next_token == token:
                return
            token = next_token

    def parse(self, page: Page) -> PageResult:
        """The reviews embedded in the details page; the endpoint's pages are read by `parse_endpoint`."""
        raw_reviews = _embedded_reviews(page)
        if not raw_reviews:
            raise LayoutChanged(
                f"Google Play page {page.url}: none of its AF_initDataCallback blocks holds "
                "review-shaped data (an app without any review would look the same)"
            )
        return PageResult(records=self._records(raw_reviews, page.url))

    def parse_endpoint(self, page: Page) -> tuple[PageResult, str | None]:
        """One answer of the reviews endpoint: its reviews and the continuation token (None on the last page)."""
        payload = _endpoint_payload(page.text, page.url)
        if not payload:
            return PageResult(records=[]), None  # a valid empty answer: the listing has ended
        items = payload[0]
        if items is None:
            items = []
        if not isinstance(items, list):
            raise LayoutChanged(
                f"Google Play reviews endpoint {page.url}: the payload's first element is "
                f"{type(items).__name__}, not the list of reviews"
            )
        raw_reviews = [item for item in items if _is_review(item)]
        if items and not raw_reviews:
            raise LayoutChanged(
                f"Google Play reviews endpoint {page.url}: none of the {len(items)} items in the payload's "
                "review list is review-shaped"
            )
        problems = [
            f"endpoint item {n}: not a review array of the known layout; skipped"
            for n, item in enumerate(items)
            if not _is_review(item)
        ]
        records = self._records(raw_reviews, page.url)
        return PageResult(records=records, problems=problems), _continuation(payload, page.url)

    def _records(self, raw_reviews: list[list[Any]], url: str) -> list[ReviewRecord]:
        language = parse_qs(urlsplit(url).query).get("hl", [None])[0]
        records: list[ReviewRecord] = []
        seen: set[str] = set()
        for raw in raw_reviews:
            if raw[0] in seen:
                continue
            seen.add(raw[0])
            records.append(self._review(raw, language))
        return records

    def _review(self, raw: list[Any], language: str | None) -> ReviewRecord:
        user = raw[9] if len(raw) > 9 and isinstance(raw[9], list) and raw[9] else None
        thumbs_up = raw[6] if isinstance(raw[6], int) else None
        version = raw[10] if len(raw) > 10 and isinstance(raw[10], str) else None
        return ReviewRecord(
            site_review_id=raw[0],
            body=raw[4] or "",
            url=f"{REVIEW_URL}?id={quote(self.app_id)}&reviewId={quote(raw[0], safe=':')}",
            author_name=raw[1][0],
            author_handle=str(user[0]) if user and user[0] else None,
            rating=float(raw[2]),
            rating_scale=5,
            # Play lists the reviews written in the page's language (hl); it shows none per review.
            language=language,
            published_at=_timestamp(raw[5]),
            helpful_votes=thumbs_up,
            reply=_reply(raw[7]),
            extra={"app_version": version} if version else {},
        )


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _endpoint_payload(text: str, url: str) -> list[Any]:
    """The decoded payload of the `UsvDTd` row of an endpoint answer; `LayoutChanged` says what is missing."""
    where = f"Google Play reviews endpoint {url}"
    body = text.lstrip()
    if not body.startswith(XSSI_PREFIX):
        raise LayoutChanged(f"{where}: the answer does not start with the anti-XSSI prefix {XSSI_PREFIX}")
    envelopes = list(_json_arrays(body[len(XSSI_PREFIX) :]))
    rows = [row for envelope in envelopes for row in envelope if isinstance(row, list) and row[:1] == ["wrb.fr"]]
    if not rows:
        raise LayoutChanged(f"{where}: no wrb.fr row in the answer ({len(envelopes)} JSON array(s) after the prefix)")
    row = next((r for r in rows if len(r) > 1 and r[1] == REVIEWS_RPC), None)
    if row is None:
        names = ", ".join(sorted({str(r[1]) for r in rows if len(r) > 1})) or "none"
        raise LayoutChanged(f"{where}: no wrb.fr row for {REVIEWS_RPC} (rows for: {names})")
    if len(row) < 3 or not isinstance(row[2], str):
        # An error answer carries no payload, only a status further along the row.
        raise LayoutChanged(
            f"{where}: the {REVIEWS_RPC} row carries no JSON payload string (row: {_compact(row)[:200]})"
        )
    try:
        payload = json_text.loads(row[2])
    except json.JSONDecodeError as exc:
        raise LayoutChanged(f"{where}: the {REVIEWS_RPC} payload is not JSON ({exc})") from exc
    if not isinstance(payload, list):
        raise LayoutChanged(f"{where}: the {REVIEWS_RPC} payload is {type(payload).__name__}, not a list")
    return payload


def _json_arrays(text: str) -> Iterator[list[Any]]:
    """Every JSON array that starts a line; chunked answers put a length line before each of them."""
    offset = 0
    resume = 0  # lines inside an array already decoded are skipped
    for line in text.splitlines(keepends=True):
        start = offset + len(line) - len(line.lstrip())
        offset += len(line)
        if start < resume or not text.startswith("[", start):
            continue
        try:
            value, resume = json_text.raw_decode(text, start)
        except json.JSONDecodeError:
            continue
        if isinstance(value, list):
            yield value


def _continuation(payload: list[Any], url: str) -> str | None:
    """The next page's token from the payload's `[null, token]` element, or None on the last page."""
    if len(payload) < 2 or payload[1] is None:
        return None
    cursor = payload[1]
    if not isinstance(cursor, list):
        raise LayoutChanged(
            f"Google Play reviews endpoint {url}: the continuation element is {type(cursor).__name__}, "
            "not [null, token]"
        )
    token = cursor[1] if len(cursor) > 1 else None
    if token is not None and not isinstance(token, str):
        raise LayoutChanged(
            f"Google Play reviews endpoint {url}: the continuation token is {type(token).__name__}, not a string"
        )
    return token or None


def _app_id(locator: str) -> str:
    parts = urlsplit(locator)
    if parts.scheme:
        app_id = parse_qs(parts.query).get("id", [""])[0]
        if not app_id:
            raise ConfigError(f"google_play: the URL {locator!r} has no ?id=<app id>")
        return app_id
    if not _APP_ID.match(locator):
        raise ConfigError(f"google_play: {locator!r} is not an app id like com.example.app")
    return locator


def _embedded_reviews(page: Page) -> list[list[Any]]:
    """The review arrays embedded in a details page; `LayoutChanged` when it has no data blocks at all."""
    blocks = list(_data_blocks(page.text))
    if not blocks:
        raise LayoutChanged(f"Google Play page {page.url}: no AF_initDataCallback data blocks found")
    return [item for block in blocks for item in _review_items(block)]


def _data_blocks(html: str) -> Iterator[Any]:
    """The `data` value of every AF_initDataCallback block that parses as JSON."""
    for match in _DATA_BLOCK.finditer(html):
        start = match.end()
        while start < len(html) and html[start].isspace():
            start += 1
        try:
            data, _ = json_text.raw_decode(html, start)
        except json.JSONDecodeError:
            continue  # some blocks hold JavaScript, not JSON; they are never the review block
        yield data


def _review_items(data: Any) -> list[list[Any]]:
    """The review arrays of one block when its first element is a list of them, else nothing."""
    if not isinstance(data, list) or not data or not isinstance(data[0], list) or not data[0]:
        return []
    items = data[0]
    return items if all(_is_review(item) for item in items) else []


def _is_review(item: Any) -> bool:
    return (
        isinstance(item, list)
        and len(item) >= 8
        and isinstance(item[0], str)
        and bool(item[0])
        and isinstance(item[1], list)
        and bool(item[1])
        and isinstance(item[1][0], str)
        and isinstance(item[2], int)
        and not isinstance(item[2], bool)
        and 1 <= item[2] <= 5
        and (item[4] is None or isinstance(item[4], str))
        and _timestamp(item[5]) is not None
        and (item[7] is None or (isinstance(item[7], list) and len(item[7]) >= 2))
    )


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, list) or not value or not isinstance(value[0], int):
        return None
    nanos = value[1] if len(value) > 1 and isinstance(value[1], int) else 0
    return datetime.fromtimestamp(value[0], tz=UTC) + timedelta(microseconds=nanos // 1000)


def _reply(raw: Any) -> ReplyRecord | None:
    if not isinstance(raw, list) or len(raw) < 2 or not isinstance(raw[1], str) or not raw[1].strip():
        return None
    # Google puts a line break in front of every reply text; it is not part of what the developer wrote.
    return ReplyRecord(
        text=raw[1].strip(),
        published_at=_timestamp(raw[2]) if len(raw) > 2 else None,
        author=raw[0] if isinstance(raw[0], str) and raw[0] else None,
    )
