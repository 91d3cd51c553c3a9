"""Apple App Store: customer reviews from Apple's public customer-reviews feed, in its JSON form.

Feed URL: `https://itunes.apple.com/{country}/rss/customerreviews/page={n}/id={app_id}/sortby=mostrecent/json`,
pages 1 to 10 (Apple serves at most ten pages of fifty, newest first). The document is
`{"feed": {"entry": [...], "link": [...]}}`; each review entry holds its values under `label` keys
(`id`, `author.name`, `author.uri`, `im:rating`, `title`, `content`, `updated`, `im:version`,
`im:voteSum`, `im:voteCount`). Page 1 may start with an entry describing the app itself (it has no
`im:rating`); it is skipped. A page past the last one has no `entry` at all.

The feed carries no developer responses, so records from it never have a reply.

No real capture of this feed is on file: the adapter follows the feed's public documented shape, and its
tests run on a page constructed in that shape around real App Store review texts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

from monitor.core.channels import PUBLIC_REPLY_ONLY
from monitor.core.errors import ConfigError, LayoutChanged
from monitor.core.records import ReviewRecord
from sources.base import Option, Page, PageResult, Source
from sources.fields import html_to_text, parse_datetime, parse_rating
from sources.guards import json_text

__all__ = ["AppStore"]

APPLE_MAX_PAGES = 10
_APP_ID = re.compile(r"^(?:id)?(\d+)$")
_APP_ID_IN_URL = re.compile(r"/id(\d+)(?:[/?#]|$)")
_PAGE_IN_PATH = re.compile(r"/page=(\d+)")


class AppStore(Source):
    """Customer reviews of an iOS app from Apple's public reviews feed."""

    name = "app_store"
    channel = PUBLIC_REPLY_ONLY
    help = "Apple App Store customer reviews (public reviews feed; it has no developer replies)"
    locator_help = "numeric app id (e.g. 284882215 or id284882215) or the app's apps.apple.com URL"
    options: ClassVar[tuple[Option, ...]] = (
        Option("country", "two-letter store country whose reviews are read", default="us"),
        Option("max_pages", "how many feed pages to read (Apple serves at most 10)", type=int, default=10),
        Option("base_url", "base URL of the feed host", default="https://itunes.apple.com"),
    )

    def __init__(self, locator: str, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(locator, options)
        self.app_id = _app_id(self.locator)
        if self.opts["max_pages"] < 1:
            raise ConfigError(f"app_store: option 'max_pages' must be at least 1, got {self.opts['max_pages']}")

    def start_urls(self) -> list[str]:
        """Page 1 of the app's most-recent reviews feed."""
        base = str(self.opts["base_url"]).rstrip("/")
        country = quote(str(self.opts["country"]).lower())
        return [f"{base}/{country}/rss/customerreviews/page=1/id={self.app_id}/sortby=mostrecent/json"]

    def parse(self, page: Page) -> PageResult:
        """Reviews of one feed page; `next_url` is the following page until the last one Apple serves."""
        feed = _feed(page)
        entries = feed.get("entry")
        if entries is None:
            entries = []  # the feed leaves `entry` out on a page with no reviews
        elif isinstance(entries, dict):
            entries = [entries]  # a page with one entry has an object, not a list
        elif not isinstance(entries, list):
            raise LayoutChanged(f"App Store feed {page.url}: feed.entry is neither a list nor an object")

        records: list[ReviewRecord] = []
        problems: list[str] = []
        for position, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict):
                raise LayoutChanged(f"App Store feed {page.url}: entry {position} is not an object")
            if "im:rating" not in entry:
                continue  # the entry describing the app itself
            try:
                records.append(self._review(entry, page.url))
            except ValueError as exc:
                problems.append(f"entry {position}: {exc}")
        next_url = self._next_url(page.url, feed) if records else None
        return PageResult(records=records, next_url=next_url, problems=problems)

    def _review(self, entry: dict[str, Any], url: str) -> ReviewRecord:
        review_id = _label(entry, "id")
        if not review_id:
            raise LayoutChanged(f"App Store feed {url}: a review entry has no id.label")
        content = entry.get("content")
        if not isinstance(content, dict) or "label" not in content:
            raise LayoutChanged(f"App Store feed {url}: review {review_id} has no content.label")
        body = str(content["label"])
        if (content.get("attributes") or {}).get("type") == "html":
            body = html_to_text(body)
        author = entry.get("author") if isinstance(entry.get("author"), dict) else {}
        votes = _int(_label(entry, "im:voteSum"))
        extra: dict[str, Any] = {"country": str(self.opts["country"]).lower()}
        if _label(entry, "im:version"):
            extra["app_version"] = _label(entry, "im:version")
        if _int(_label(entry, "im:voteCount")) is not None:
            extra["vote_count"] = _int(_label(entry, "im:voteCount"))
        return ReviewRecord(
            site_review_id=review_id,
            body=body,
            author_name=_label(author, "name"),
            author_handle=_label(author, "uri"),
            rating=parse_rating(_label(entry, "im:rating")),
            rating_scale=5,
            title=_label(entry, "title"),
            # The feed shows one time per review, when it was last written.
            published_at=parse_datetime(_label(entry, "updated")),
            helpful_votes=votes,
            extra=extra,
        )

    def _next_url(self, url: str, feed: dict[str, Any]) -> str | None:
        match = _PAGE_IN_PATH.search(urlsplit(url).path)
        if not match:
            return None
        current = int(match.group(1))
        links = _links(feed)
        # The feed's own links point at its XML form; only their page numbers are used.
        wanted = links["next"] if links.get("next", 0) > current else current + 1
        last = min(self.opts["max_pages"], APPLE_MAX_PAGES, links.get("last", APPLE_MAX_PAGES))
        if wanted > last:
            return None
        # Scheme and host cannot contain "/page=", so the first one is the path's.
        return _PAGE_IN_PATH.sub(f"/page={wanted}", url, count=1)


def _app_id(locator: str) -> str:
    match = _APP_ID.match(locator) or _APP_ID_IN_URL.search(urlsplit(locator).path)
    if not match:
        raise ConfigError(f"app_store: {locator!r} is not an App Store app id or app URL (…/id<digits>)")
    return match.group(1)


def _feed(page: Page) -> dict[str, Any]:
    try:
        document = json_text.loads(page.body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        kind = page.content_type or "unknown content"
        raise LayoutChanged(f"App Store feed {page.url}: expected the JSON reviews feed, got {kind}") from exc
    feed = document.get("feed") if isinstance(document, dict) else None
    if not isinstance(feed, dict):
        raise LayoutChanged(f"App Store feed {page.url}: JSON has no 'feed' object")
    return feed


def _label(node: Any, key: str) -> str | None:
    value = node.get(key) if isinstance(node, dict) else None
    label = value.get("label") if isinstance(value, dict) else None
    return str(label) if label not in (None, "") else None


def _int(text: str | None) -> int | None:
    return int(text) if text is not None and text.lstrip("-").isdigit() else None


def _links(feed: dict[str, Any]) -> dict[str, int]:
    """Page numbers of the feed's rel=next/last/... links."""
    links = feed.get("link")
    if isinstance(links, dict):
        links = [links]
    pages: dict[str, int] = {}
    for link in links if isinstance(links, list) else []:
        attributes = link.get("attributes") if isinstance(link, dict) else None
        if not isinstance(attributes, dict):
            continue
        match = _PAGE_IN_PATH.search(str(attributes.get("href") or ""))
        if attributes.get("rel") and match:
            pages[str(attributes["rel"])] = int(match.group(1))
    return pages
