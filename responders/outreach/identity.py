"""Reviewer identity: the key that says two reviews of one company were written by the same person.

Per company:
- with a site handle (profile id or URL): the normalised handle within the site's namespace. A dedicated adapter's
  namespace is its kind (two Trustpilot pages share consumer ids); a generic adapter (jsonld, css, feed, file) is its
  own namespace, unless a file import names the site it was exported from. A handle that is a profile URL is its own
  namespace, so the same profile URL links across sources.
- without a handle, on a site that gives no handles at all: the case-folded display name within that one source.
  Anonymous placeholders ("Anonymous", "A Google user", ...) never link.
- without a handle on a site that does give handles (an unusual, anonymous review): that review alone.
Display names never link across sources: common names collide.
"""

from __future__ import annotations

import re

from monitor.store.models import Review, SourceRow

__all__ = ["STORE_OF_KIND", "normalise_handle", "reviewer_key", "store_of"]

_GENERIC_KINDS = frozenset({"jsonld", "css", "feed", "file"})
_ANONYMOUS = frozenset(
    {
        "",
        "anonymous",
        "anon",
        "a google user",
        "google user",
        "guest",
        "user",
        "customer",
        "reviewer",
        "unknown",
        "n/a",
        "-",
    }
)


def normalise_handle(handle: str) -> str:
    """A handle or profile URL in one canonical spelling: case; for a URL also scheme, `www.`, query, fragment
    and trailing slash dropped.

    Only a URL loses what follows `#` or `?`: in a nickname they are part of the name ("Gamer#1" and "Gamer#2"
    are two people, and two people must never share a task).
    """
    value = handle.strip().lower()
    without_scheme = re.sub(r"^[a-z][a-z0-9+.-]*://", "", value)
    if without_scheme == value and "/" not in value:
        return value
    value = without_scheme.removeprefix("www.")
    value = value.split("#", 1)[0].split("?", 1)[0]
    return value.rstrip("/")


def _namespace(source: SourceRow) -> str:
    if source.kind not in _GENERIC_KINDS:
        return source.kind
    site = str(source.options.get("format", "")) if source.kind == "file" else ""
    if site and site not in ("auto", "generic"):
        return site
    return f"source{source.id}"


def reviewer_key(review: Review, source: SourceRow, *, site_has_handles: bool) -> str:
    """Who wrote `review`, as a key two reviews share only when they are clearly by the same person."""
    if review.author_handle and review.author_handle.strip():
        handle = normalise_handle(review.author_handle)
        if "/" in handle and "." in handle.split("/", 1)[0]:
            return f"url:{handle}"  # a profile URL names its site itself
        return f"handle:{_namespace(source)}:{handle}"
    name = " ".join((review.author_name or "").split()).casefold()
    if not site_has_handles and name not in _ANONYMOUS:
        return f"name:source{source.id}:{name}"
    return f"review:{review.id}"


# Source kinds that show one store's reviews: a review read through two of them (a store's page adapter and its
# official API, or an export of either) is one review of one reviewer; see `responders.outreach.twins`.
STORE_OF_KIND: dict[str, str] = {
    "google_play": "google_play",
    "google_play_api": "google_play",
    "app_store": "app_store",
    "app_store_connect": "app_store",
    "google_business": "google_business",
}
# Export layouts (`sources.exports.layouts`) of a store's reviews: the store ids they carry are the store's own.
_STORE_OF_LAYOUT = {"google_play": "google_play", "play_console": "google_play", "app_store": "app_store"}


def store_of(source: SourceRow) -> str | None:
    """The store whose reviews `source` shows (`google_play`, `app_store`, ...), or None for any other site."""
    if source.kind == "file":
        # The layout an import read the file as; else the one the configuration forces ("auto" names none).
        layout = source.options.get("layout") or source.options.get("format")
        return _STORE_OF_LAYOUT.get(str(layout))
    return STORE_OF_KIND.get(source.kind)
