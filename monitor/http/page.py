"""What the fetcher hands a parser: a fetched `Page`, the `Fetch` callable sources use to get one, and the
`ApiRequest` an official API's adapter builds for a write the fetcher sends once."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from monitor.http.charset import declared_charset

__all__ = ["ApiRequest", "Fetch", "Page"]


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
    def charset(self) -> str | None:
        """The body's encoding by its byte order mark or Content-Type charset; None leaves it to the document."""
        return declared_charset(self.body, self.headers)

    @property
    def text(self) -> str:
        """The body decoded by `charset` (UTF-8 when none is declared), a byte it cannot read as U+FFFD."""
        return self.body.decode(self.charset or "utf-8", errors="replace")


@dataclass(frozen=True, slots=True)
class ApiRequest:
    """One request to an official API that changes something there (a reply), sent once by `Fetcher.send`."""

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""


class Fetch(Protocol):
    """Fetches one URL through the shared polite fetcher: a GET, or a form POST when `form` is given.

    `form` is for reads a site only offers as POST (e.g. a paginated JSON listing, a token exchange); it is sent
    as `application/x-www-form-urlencoded` and retried like a GET, so never use it for anything that changes
    state on the site. `headers` go with the request (an API's `Authorization`), to the first URL and to
    redirects within its origin only.
    """

    def __call__(
        self, url: str, *, form: Mapping[str, str] | None = None, headers: Mapping[str, str] | None = None
    ) -> Awaitable[Page]: ...
