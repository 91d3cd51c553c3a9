"""Trustpilot company pages: reviews and company replies from the page's embedded `__NEXT_DATA__` JSON.

The company page (`https://www.trustpilot.com/review/<domain>`) is a Next.js page; the reviews of the
current page, their company replies and the pagination state are all in one JSON document inside
`<script id="__NEXT_DATA__">`, so the rendered markup is never scraped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from monitor.core.channels import PUBLIC_REPLY_AND_PRIVATE_MESSAGE
from monitor.core.errors import ConfigError, LayoutChanged
from monitor.core.records import ReplyRecord, ReviewRecord
from sources.base import Option, Page, PageResult, Source
from sources.fields import parse_datetime, parse_rating
from sources.guards import json_text

__all__ = ["Trustpilot"]

SITE = "https://www.trustpilot.com"
SORT_ORDERS = ("recency", "relevance", "")  # "" leaves the URL's (or the site's) order alone
_NEXT_DATA = re.compile(r"<script\b[^>]*\bid=[\"']__NEXT_DATA__[\"'][^>]*>(.*?)</script>", re.S | re.I)


class Trustpilot(Source):
    """Reviews and public company replies from a Trustpilot company page."""

    name = "trustpilot"
    channel = PUBLIC_REPLY_AND_PRIVATE_MESSAGE
    help = "Trustpilot company page: reviews, ratings and the company's public replies"
    locator_help = "company page URL, e.g. https://www.trustpilot.com/review/example.com (or just example.com)"
    options: ClassVar[tuple[Option, ...]] = (
        Option(
            "sort",
            "review order: 'recency' (newest first, lets a re-crawl stop early) or 'relevance' (site default)",
            default="recency",
        ),
    )

    def __init__(self, locator: str, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(locator, options)
        if self.opts["sort"] not in SORT_ORDERS:
            raise ConfigError(
                f"trustpilot: option 'sort' must be one of {', '.join(SORT_ORDERS)}; got {self.opts['sort']!r}"
            )

    def start_urls(self) -> list[str]:
        """The company page, in the configured order."""
        url = self.locator
        if "://" not in url:
            url = f"{SITE}/review/{url.strip('/')}"
        if self.opts["sort"] and "sort" not in dict(parse_qsl(urlsplit(url).query)):
            url = _with_query(url, sort=self.opts["sort"])
        return [url]

    def parse(self, page: Page) -> PageResult:
        """Reviews of one company page; `next_url` is the following page while there is one."""
        data = _next_data(page)
        page_props = data.get("props", {}).get("pageProps") if isinstance(data.get("props"), dict) else None
        if not isinstance(page_props, dict) or "reviews" not in page_props:
            raise LayoutChanged(f"Trustpilot page {page.url}: __NEXT_DATA__ has no props.pageProps.reviews")
        reviews = page_props["reviews"]
        if not isinstance(reviews, list):
            raise LayoutChanged(f"Trustpilot page {page.url}: props.pageProps.reviews is not a list")

        records: list[ReviewRecord] = []
        problems: list[str] = []
        for position, raw in enumerate(reviews, start=1):
            try:
                records.append(_review(raw, page.url))
            except ValueError as exc:
                problems.append(f"review {position}: {exc}")

        next_url, pagination_problem = _next_page(page, page_props, has_reviews=bool(reviews))
        if pagination_problem:
            problems.append(pagination_problem)
        return PageResult(records=records, next_url=next_url, problems=problems, listed_count=_total(page_props))


def _next_data(page: Page) -> dict[str, Any]:
    match = _NEXT_DATA.search(page.text)
    if not match:
        raise LayoutChanged(
            f'Trustpilot page {page.url}: no <script id="__NEXT_DATA__"> found (old or unknown page layout)'
        )
    try:
        data = json_text.loads(match.group(1))
    except json.JSONDecodeError as exc:
        raise LayoutChanged(f"Trustpilot page {page.url}: __NEXT_DATA__ is not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise LayoutChanged(f"Trustpilot page {page.url}: __NEXT_DATA__ is not a JSON object")
    return data


def _review(raw: Any, url: str) -> ReviewRecord:
    if not isinstance(raw, dict) or not raw.get("id"):
        # A review without its id cannot be tracked across crawls: the layout is not the one we know.
        raise LayoutChanged(f"Trustpilot page {url}: a review entry has no 'id'")
    review_id = str(raw["id"])
    dates = raw.get("dates") or {}
    consumer = raw.get("consumer") or {}
    likes = raw.get("likes")
    labels = raw.get("labels") or {}
    verification = labels.get("verification") or {}
    extra: dict[str, Any] = {}
    if dates.get("experiencedDate"):
        extra["experienced_date"] = dates["experiencedDate"]
    if verification.get("verificationLevel"):
        extra["verification"] = verification["verificationLevel"]
    if consumer.get("countryCode"):
        extra["country"] = consumer["countryCode"]
    return ReviewRecord(
        site_review_id=review_id,
        body=str(raw.get("text") or ""),
        url=f"{SITE}/reviews/{review_id}",
        author_name=consumer.get("displayName"),
        author_handle=str(consumer["id"]) if consumer.get("id") else None,
        rating=parse_rating(raw.get("rating")),
        rating_scale=5,
        title=raw.get("title") or None,
        language=raw.get("language") or None,
        published_at=parse_datetime(dates.get("publishedDate")),
        updated_at=parse_datetime(dates.get("updatedDate")),
        helpful_votes=likes if isinstance(likes, int) and not isinstance(likes, bool) else None,
        reply=_reply(raw.get("reply")),
        extra=extra,
    )


def _reply(raw: Any) -> ReplyRecord | None:
    if not isinstance(raw, dict) or not str(raw.get("message") or "").strip():
        return None
    return ReplyRecord(text=str(raw["message"]), published_at=parse_datetime(raw.get("publishedDate")))


def _total(page_props: dict[str, Any]) -> int | None:
    """The number of reviews the listing says it holds (`filters.pagination.totalCount`), None when it is not given."""
    filters = page_props.get("filters")
    pagination = filters.get("pagination") if isinstance(filters, dict) else None
    total = pagination.get("totalCount") if isinstance(pagination, dict) else None
    return total if isinstance(total, int) and not isinstance(total, bool) else None


def _next_page(page: Page, page_props: dict[str, Any], *, has_reviews: bool) -> tuple[str | None, str | None]:
    if not has_reviews:
        return None, None
    filters = page_props.get("filters")
    pagination = filters.get("pagination") if isinstance(filters, dict) else None
    if not isinstance(pagination, dict):
        return None, "no filters.pagination in __NEXT_DATA__; only this page was read"
    current, total = pagination.get("currentPage"), pagination.get("totalPages")
    if not isinstance(current, int) or not isinstance(total, int):
        return None, "filters.pagination has no currentPage/totalPages; only this page was read"
    if current >= total:
        return None, None
    return _with_query(page.url, page=str(current + 1)), None


def _with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(params)
    return urlunsplit(parts._replace(query=urlencode(query)))
