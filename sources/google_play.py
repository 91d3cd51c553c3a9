"""Google Play: the reviews (and developer replies) embedded in an app's details page.

The details page (`/store/apps/details?id=<app>&hl=<lang>&gl=<country>`) carries its data in
`AF_initDataCallback({key: 'ds:NN', ..., data: [...]})` script blocks. One block holds the first
batch of reviews as positional arrays:

    [review_id, [user_name, avatar], stars, null, text, [epoch_s, nanos], thumbs_up,
     [developer_name, reply_text, [epoch_s, nanos]] | null, null, [user_id, user_name, ...], app_version, ...]

The block number moves between page versions, so the block is found by the shape of its data,
never by its key.

Only these embedded reviews are read (one page, newest/most relevant first as Google chose).
Further reviews come from the store's `batchexecute` endpoint (rpc `UsvDTd`), which needs POST
requests with continuation tokens; it is not implemented because no real capture of it is on file
to test against, and the fetcher this interface receives only does GET.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import parse_qs, quote, urlsplit

from monitor.errors import ConfigError, LayoutChanged
from sources.base import Option, Page, PageResult, Source
from sources.records import ReplyRecord, ReviewRecord

__all__ = ["GooglePlay"]

REVIEW_URL = "https://play.google.com/store/apps/details"
_DATA_BLOCK = re.compile(r"AF_initDataCallback\(\s*\{.*?\bdata\s*:", re.S)
_APP_ID = re.compile(r"^[A-Za-z][\w]*(\.[\w]+)+$")


class GooglePlay(Source):
    """Reviews and developer replies embedded in a Google Play app page."""

    name = "google_play"
    help = "Google Play app page: the reviews embedded in it, with the developer's replies"
    locator_help = "app id (e.g. com.example.app) or the app's play.google.com details URL"
    options: ClassVar[tuple[Option, ...]] = (
        Option("lang", "language of the page and of the reviews it lists (hl)", default="en"),
        Option("country", "store country (gl)", default="us"),
        Option("base_url", "Google Play base URL", default="https://play.google.com"),
    )

    def __init__(self, locator: str, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(locator, options)
        self.app_id = _app_id(self.locator)

    def start_urls(self) -> list[str]:
        """The app's details page in the configured language and country."""
        base = str(self.opts["base_url"]).rstrip("/")
        return [
            f"{base}/store/apps/details?id={quote(self.app_id)}"
            f"&hl={quote(str(self.opts['lang']))}&gl={quote(str(self.opts['country']))}"
        ]

    def parse(self, page: Page) -> PageResult:
        """The reviews embedded in one app page; there is no next page (see the module docstring)."""
        blocks = list(_data_blocks(page.text))
        if not blocks:
            raise LayoutChanged(f"Google Play page {page.url}: no AF_initDataCallback data blocks found")
        raw_reviews = [item for block in blocks for item in _review_items(block)]
        if not raw_reviews:
            raise LayoutChanged(
                f"Google Play page {page.url}: none of {len(blocks)} AF_initDataCallback blocks holds "
                "review-shaped data (an app without any review would look the same)"
            )
        language = parse_qs(urlsplit(page.url).query).get("hl", [None])[0]
        records: list[ReviewRecord] = []
        seen: set[str] = set()
        for raw in raw_reviews:
            if raw[0] in seen:
                continue
            seen.add(raw[0])
            records.append(self._review(raw, language))
        return PageResult(records=records)

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


def _data_blocks(html: str) -> Iterator[Any]:
    """The `data` value of every AF_initDataCallback block that parses as JSON."""
    decoder = json.JSONDecoder()
    for match in _DATA_BLOCK.finditer(html):
        start = match.end()
        while start < len(html) and html[start].isspace():
            start += 1
        try:
            data, _ = decoder.raw_decode(html, start)
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
