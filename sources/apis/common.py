"""What the official store API adapters share: authorised JSON reads, paging, API-specific refusals, schedules.

An API adapter reads the company's own data with the company's credentials, so it differs from a page adapter in
four ways: every request carries an `Authorization` header (from `monitor.http.service_auth`), robots.txt does not
apply (`official_api`), a refusal means a credential or permission problem to name precisely, and the adapter can
post the company's reply (it is its own `ReplyChannel`). Key files are read when first needed, never when the
configuration is loaded.
"""

from __future__ import annotations

import json
import re
from abc import abstractmethod
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from monitor.core.channels import PUBLIC_REPLY_ONLY
from monitor.core.errors import Blocked, FetchError, LayoutChanged
from monitor.http.service_auth import ApiCredentials
from sources.base import Fetch, Page, PageResult, ReplyChannel, Source
from sources.guards import json_text

__all__ = ["JSON_HEADERS", "ApiSource", "json_body", "less_than_daily", "timestamp"]

JSON_HEADERS = {"Accept": "application/json"}
JSON_CONTENT = "application/json; charset=utf-8"
_INTERVAL = re.compile(r"^interval:(\d+)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class ApiSource(Source, ReplyChannel):
    """Base of the adapters that read (and reply through) a store's official API with the company's credentials."""

    official_api = True
    channel = PUBLIC_REPLY_ONLY

    _credentials: ApiCredentials | None = None

    @abstractmethod
    def load_credentials(self) -> ApiCredentials:
        """Read the key file named in the options (`ConfigError` naming the option when it is unusable)."""

    @abstractmethod
    def parse_document(self, page: Page, document: dict[str, Any]) -> PageResult:
        """Records of one listing answer, with `next_url` set to the next page's URL while there is one."""

    def credentials(self) -> ApiCredentials:
        """The credentials, read from their file the first time they are needed."""
        if self._credentials is None:
            self._credentials = self.load_credentials()
        return self._credentials

    def trusted_urls(self) -> list[str]:
        """The API's listing URL and, for exchanged tokens, the key's token endpoint."""
        return [*self.start_urls(), *self.credentials().trusted_urls()]

    def reply_channel(self) -> ReplyChannel:
        """This adapter: it reads reviews back and posts replies through the same API."""
        return self

    async def authorization(self, fetch: Fetch) -> str:
        """The `Authorization` header value (exchanging or signing a token when needed)."""
        return await self.credentials().authorization(fetch)

    async def get_json(self, fetch: Fetch, url: str) -> tuple[Page, dict[str, Any]]:
        """GET `url` with the credentials; an API refusal becomes an error that says what to fix."""
        headers = {"Authorization": await self.authorization(fetch), **JSON_HEADERS}
        try:
            page = await fetch(url, headers=headers)
        except FetchError as exc:
            raise self.refused(exc) from None
        return page, json_body(page, self.site)

    def refused(self, exc: FetchError) -> FetchError:
        """The error to report for a refused read: the API's own advice for 401, 403 and 404, else `exc`."""
        if exc.status in (401, 403):
            return Blocked(
                f"the {self.site} API refused {exc.url} (HTTP {exc.status}): {self.refusal_advice(exc.status)}",
                url=exc.url,
                status=exc.status,
            )
        if exc.status == 404:
            return FetchError(
                f"the {self.site} API has nothing at {exc.url} (HTTP 404): {self.refusal_advice(404)}",
                url=exc.url,
                status=404,
            )
        return exc

    def parse(self, page: Page) -> PageResult:
        """Records of one listing answer (see `parse_document`)."""
        return self.parse_document(page, json_body(page, self.site))

    async def pages(self, fetch: Fetch, *, max_pages: int | None = None) -> AsyncIterator[PageResult]:
        """The listing page by page, each request authorised, until the API names no further page."""
        url: str | None = self.start_urls()[0]
        seen: set[str] = set()
        count = 0
        while url and url not in seen:
            if max_pages is not None and count >= max_pages:
                return
            seen.add(url)
            page, document = await self.get_json(fetch, url)
            count += 1
            if page.status == 304:
                return
            result = self.parse_document(page, document)
            yield result
            url = result.next_url if result.records else None


def json_body(page: Page, site: str) -> dict[str, Any]:
    """The JSON object an API answered; `LayoutChanged` when the answer is not one."""
    if page.status == 304:
        return {}
    try:
        value = json_text.loads(page.body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        kind = page.content_type or "unknown content"
        raise LayoutChanged(f"the {site} API answered {page.url} with {kind}, not JSON") from exc
    if not isinstance(value, dict):
        raise LayoutChanged(f"the {site} API answered {page.url} with a JSON {type(value).__name__}, not an object")
    return value


def timestamp(value: Any) -> datetime | None:
    """A Google `Timestamp` object (`{"seconds": "1700000000", "nanos": 5}`) as an aware UTC datetime."""
    if not isinstance(value, dict):
        return None
    seconds = value.get("seconds")
    try:
        whole = int(seconds) if isinstance(seconds, int | str) and not isinstance(seconds, bool) else None
    except ValueError:
        return None
    if whole is None:
        return None
    nanos = value.get("nanos")
    extra = nanos / 1e9 if isinstance(nanos, int) and not isinstance(nanos, bool) and 0 <= nanos < 10**9 else 0.0
    try:
        return datetime.fromtimestamp(whole + extra, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def less_than_daily(schedule: str) -> bool:
    """Whether runs on `schedule` can be more than a day apart (manual, a longer interval, a cron limited in days)."""
    text = schedule.strip()
    if text == "manual":
        return True
    match = _INTERVAL.match(text)
    if match:
        return int(match.group(1)) * _UNIT_SECONDS[match.group(2)] > 86400
    if text.startswith("cron:"):
        fields = text[5:].split()
        return len(fields) == 5 and any(f not in ("*", "?") for f in fields[2:])
    return False
