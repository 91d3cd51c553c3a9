"""What the fetcher hands a parser: a fetched `Page`, and the `Fetch` callable sources use to get one."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["Fetch", "Page"]


@dataclass(frozen=True, slots=True)
class Page:
    """A fetched HTTP response: what a parser gets."""

    url: str
    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class Fetch(Protocol):
    """Fetches one URL through the shared polite fetcher: a GET, or a form POST when `form` is given.

    `form` is for reads a site only offers as POST (e.g. a paginated JSON listing); it is sent as
    `application/x-www-form-urlencoded` and retried like a GET, so never use it for anything that
    changes state on the site.
    """

    def __call__(self, url: str, *, form: Mapping[str, str] | None = None) -> Awaitable[Page]: ...
