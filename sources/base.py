"""The one interface every source adapter implements, and the registry of adapters by name.

A source turns HTTP responses (or an export file) into `ReviewRecord`s. It never touches the
database. Parsing is a pure function from a fetched `Page` to a `PageResult`; a page that does
not look like the site's known layout raises `LayoutChanged` instead of returning nothing.

Each kind also declares how the company can reach its reviewers (`channel`, see `monitor.core.channels`), and a
kind that reads the company's own official API may offer a `ReplyChannel`: how to read one review back and post
the company's public reply to it.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, ClassVar

from monitor.core.channels import UNKNOWN_CHANNEL
from monitor.core.errors import ConfigError, UnknownSourceKind
from monitor.core.records import ReplyRecord, ReviewRecord
from monitor.http.page import ApiRequest, Fetch, Page

__all__ = [
    "ApiRequest",
    "Fetch",
    "Option",
    "Page",
    "PageResult",
    "ReplyChannel",
    "Source",
    "channel_of",
    "get_source_class",
    "registry",
    "states_device_language",
]

ENTRY_POINT_GROUP = "review_monitor.sources"


@dataclass(frozen=True, slots=True)
class PageResult:
    """What a parser found on one page: records and the next page to fetch, if any."""

    records: list[ReviewRecord]
    next_url: str | None = None
    # Row-level problems that did not stop the page (e.g. "line 17: rating 'x' is not a number").
    problems: list[str] = field(default_factory=list)
    # False for a page outside the source's newest-first listing (e.g. a "most helpful" sample embedded in a
    # landing page): whether all its records are known says nothing about newer ones, so an incremental
    # crawl does not stop on it.
    in_listing_order: bool = True
    # How many reviews the page says its listing holds (a total count beside the listing), None when it does not
    # say: a page that lists none while claiming some is a layout the adapter no longer reads, not an empty listing.
    listed_count: int | None = None


@dataclass(frozen=True, slots=True)
class Option:
    """One option a source accepts, with its type, default and one-line help."""

    name: str
    help: str
    type: type = str
    default: Any = None
    required: bool = False


_REGISTRY: dict[str, type[Source]] = {}


class Source:
    """Base class of all source adapters; subclasses register themselves by `name`."""

    name: ClassVar[str] = ""
    help: ClassVar[str] = ""
    locator_help: ClassVar[str] = "URL of the first page"
    options: ClassVar[tuple[Option, ...]] = ()
    # Pages of one listing are newest first, so an incremental crawl may stop early.
    newest_first: ClassVar[bool] = True
    # How the company can reach this site's reviewers (a value of `monitor.core.channels`).
    channel: ClassVar[str] = UNKNOWN_CHANNEL
    # Reads the company's own authenticated API rather than public pages: robots.txt, which is addressed to
    # crawlers of public pages, does not apply.
    official_api: ClassVar[bool] = False
    # A run that lists no review at all is normal (the listing is a short window), not a sign of a changed layout.
    may_list_nothing: ClassVar[bool] = False
    # The language its records state is the reviewer's device setting, not the language the text is written in
    # (Google Play's reviewerLanguage): the text's own language, when it can be told, wins.
    device_language: ClassVar[bool] = False

    def learned_options(self) -> dict[str, str]:
        """Options this adapter found out while reading (a file's layout), recorded on its source's row."""
        return {}

    @classmethod
    def states_device_language(cls, options: Mapping[str, Any]) -> bool:
        """Whether the languages this source states with `options` are device settings (see `device_language`)."""
        return cls.device_language

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.name:
            _REGISTRY[cls.name] = cls

    def __init__(self, locator: str, options: Mapping[str, Any] | None = None) -> None:
        if not locator or not str(locator).strip():
            raise ConfigError(f"source kind {self.name!r} needs a locator ({self.locator_help})")
        self.locator = str(locator).strip()
        self.opts = self._validate_options(dict(options or {}))

    @classmethod
    def _validate_options(cls, given: dict[str, Any]) -> dict[str, Any]:
        known = {o.name: o for o in cls.options}
        unknown = sorted(set(given) - set(known))
        if unknown:
            names = ", ".join(known) or "none"
            raise ConfigError(f"source kind {cls.name!r} has no option {unknown[0]!r} (options: {names})")
        result: dict[str, Any] = {}
        for opt in cls.options:
            if opt.name not in given:
                if opt.required:
                    raise ConfigError(f"source kind {cls.name!r} needs option {opt.name!r}: {opt.help}")
                result[opt.name] = opt.default
                continue
            value = given[opt.name]
            try:
                result[opt.name] = _coerce(value, opt.type)
            except (TypeError, ValueError) as exc:
                raise ConfigError(
                    f"source kind {cls.name!r}: option {opt.name!r} must be {opt.type.__name__}, got {value!r}"
                ) from exc
        return result

    def start_urls(self) -> list[str]:
        """The first page(s) to fetch."""
        return [self.locator]

    def trusted_urls(self) -> list[str]:
        """URLs whose hosts the source's requests may reach: its start URLs, and any endpoint it needs besides."""
        return self.start_urls()

    def schedule_notice(self, schedule: str) -> str | None:
        """A warning about crawling this source on `schedule` (e.g. reviews lost between runs), or None."""
        return None

    def reply_channel(self) -> ReplyChannel | None:
        """How to post the company's public reply through the site's API; None when the product cannot post there."""
        return None

    def parse(self, page: Page) -> PageResult:
        """Turn one fetched page into records; raise `LayoutChanged` when the page is not recognised."""
        raise NotImplementedError

    async def pages(self, fetch: Fetch, *, max_pages: int | None = None) -> AsyncIterator[PageResult]:
        """Fetch and parse pages in order, following `next_url`; the caller may stop early."""
        seen: set[str] = set()
        count = 0
        for start in self.start_urls():
            url: str | None = start
            while url and url not in seen:
                if max_pages is not None and count >= max_pages:
                    return
                seen.add(url)
                page = await fetch(url)
                count += 1
                if page.status == 304:
                    return  # not modified since the last stored crawl: nothing new from here on
                result = self.parse(page)
                yield result
                url = result.next_url


class ReplyChannel(ABC):
    """Posting the company's public reply to one review through a site's official API.

    The channel builds requests and reads answers; sending them (once, through the fetcher) and deciding whether
    to send at all belong to the caller.
    """

    # The site as people call it, for messages ("Google Play").
    site: ClassVar[str] = ""

    @abstractmethod
    def trusted_urls(self) -> list[str]:
        """URLs whose hosts posting may reach besides the review's own: the API and any token endpoint."""

    @abstractmethod
    async def authorization(self, fetch: Fetch) -> str:
        """The `Authorization` header value for the next request (fetching a token through `fetch` if needed)."""

    @abstractmethod
    def review_url(self, review_id: str) -> str:
        """The URL that reads one review, with its current reply, back from the API."""

    @abstractmethod
    def parse_review(self, page: Page, review_id: str) -> ReviewRecord:
        """The review (with the reply the site holds now) from the answer to `review_url`."""

    @abstractmethod
    def reply_request(self, review_id: str, text: str) -> ApiRequest:
        """The request that posts `text` as the public reply to the review (without the Authorization header)."""

    @abstractmethod
    def confirmed_reply(self, page: Page, text: str) -> ReplyRecord:
        """The reply as the site confirmed it, from the answer to `reply_request`."""

    def reply_text_problem(self, text: str) -> str | None:
        """Why the site would refuse `text` as a reply (too long, ...), or None."""
        return None

    def refusal_advice(self, status: int) -> str:
        """What to do when the API refused a request with `status` (credentials, permissions, ...)."""
        return "check the source's credentials and the account's permissions"


def _coerce(value: Any, kind: type) -> Any:
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {"1", "true", "yes", "on", "0", "false", "no", "off"}:
            return value.lower() in {"1", "true", "yes", "on"}
        raise ValueError(value)
    if kind in (int, float):
        if isinstance(value, bool):
            raise ValueError(value)
        return kind(value)
    if kind is dict:
        if not isinstance(value, dict):
            raise TypeError(value)
        return value
    if kind is list:
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list):
            raise TypeError(value)
        return value
    return kind(value)


def _load_plugins() -> None:
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        ep.load()


BUILTIN_MODULES = (
    *("trustpilot", "hellopeter", "google_play", "app_store", "file", "jsonld", "css", "feed"),
    *("apis.google_play_api", "apis.app_store_connect", "apis.google_business"),
)


def _load_builtins() -> None:
    # Imported by name, not at the top: each adapter module imports this one to subclass `Source`.
    for name in BUILTIN_MODULES:
        importlib.import_module(f"sources.{name}")


_loaded = False


def registry() -> dict[str, type[Source]]:
    """All registered source kinds by name (built-ins and plugins), loaded once per process."""
    global _loaded
    if not _loaded:
        _load_builtins()
        _load_plugins()
        _loaded = True
    return dict(sorted(_REGISTRY.items()))


def channel_of(kind: str) -> str:
    """How the company can reach the reviewers of a source kind; `unknown` for a kind that is not registered."""
    cls = registry().get(kind)
    return cls.channel if cls is not None else UNKNOWN_CHANNEL


def states_device_language(kind: str, options: Mapping[str, Any]) -> bool:
    """Whether a source of `kind` with `options` states its reviewers' device languages, not their texts'."""
    cls = registry().get(kind)
    return cls.states_device_language(options) if cls is not None else False


def get_source_class(kind: str) -> type[Source]:
    """The adapter class for `kind`, or `UnknownSourceKind` listing the known kinds."""
    known = registry()
    if kind not in known:
        raise UnknownSourceKind(f"unknown source kind {kind!r}; known kinds: {', '.join(known)}")
    return known[kind]
