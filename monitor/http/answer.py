"""One HTTP answer after retries, and the error that a final answer other than a page or a 304 becomes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx

from monitor.core.errors import Blocked, FetchError, Unreachable
from monitor.core.text_safety import printable
from monitor.http.policy import parse_url
from monitor.http.retry import MAX_RETRY_AFTER, is_retryable_status
from monitor.http.walls import challenge_in_headers

__all__ = ["REDIRECT_STATUSES", "Answer", "error_for", "is_retryable_answer", "refuse_malformed_location"]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass
class Answer:
    """One HTTP answer after retries, with the body read (empty for non-2xx answers)."""

    url: httpx.URL
    status: int
    reason: str
    headers: dict[str, str]
    body: bytes
    attempts: int
    # Set when the host asked (Retry-After) for a longer wait than the policy allows.
    refused_wait: float | None = None

    @property
    def redirect_target(self) -> httpx.URL | None:
        """Where a redirect points, resolved against the answer's URL; None for any other answer."""
        location = self.headers.get("location")
        if self.status in REDIRECT_STATUSES and location:
            return self.url.join(location)
        return None


def is_retryable_answer(answer: Answer) -> bool:
    """Whether asking again may help: a retryable status (408, 429, 5xx) that is no bot check's challenge."""
    # A 503 or 429 carrying a challenge is the protection service refusing us; asking again only insists.
    return is_retryable_status(answer.status) and challenge_in_headers(answer.headers) is None


def error_for(requested: str, answer: Answer, *, backoff_max: float) -> FetchError:
    """The error a non-2xx, non-304 final answer becomes; the message says what to do next."""
    status, url = answer.status, str(answer.url)
    what = f"{url} answered {status} {answer.reason}".rstrip()
    if url != requested:
        what += f" (redirected from {requested})"
    tries = f"after {answer.attempts} attempt(s)"
    if answer.refused_wait is not None:
        when = datetime.now(UTC) + timedelta(seconds=answer.refused_wait)
        # A longer wait was cut to the cap when read (see `retry_after_seconds`); the message says so.
        asked = "at least " if answer.refused_wait >= MAX_RETRY_AFTER else ""
        return Blocked(
            f"{what} and asked to wait {asked}{answer.refused_wait:.0f} s before retrying, longer than "
            f"backoff_max = {backoff_max:g} s; try again after {when:%Y-%m-%d %H:%M:%S} UTC",
            url=url,
            status=status,
        )
    challenge = challenge_in_headers(answer.headers)
    if challenge is not None:
        return Blocked(
            f"{what}: {challenge}; the monitor does not answer CAPTCHAs or bot checks: slow the source down "
            "(min_delay), or use the site's export or API",
            url=url,
            status=status,
        )
    if status == 401:
        return Blocked(
            f"{what}: the page needs a login. The monitor reads public pages only and does not log in; "
            "use the site's export or API with the file source instead.",
            url=url,
            status=status,
        )
    if status == 403:
        return Blocked(
            f"{what}: the site refuses this client. Check the site's terms; if it offers an export or API, "
            "use that instead, or remove this source.",
            url=url,
            status=status,
        )
    if status == 429:
        return Blocked(
            f"{what} {tries}: the site is rate-limiting us. Raise min_delay or lower concurrency for this "
            "source, and try again later.",
            url=url,
            status=status,
        )
    if is_retryable_status(status):
        return Unreachable(
            f"{what} {tries}: the site seems to be down or overloaded; try again later.", url=url, status=status
        )
    if status in REDIRECT_STATUSES:
        return FetchError(f"{what} without a Location header; the site's redirect is broken", url=url, status=status)
    if status in (404, 410):
        return FetchError(f"{what}: the page does not exist (any more); check the source's URL", url=url, status=status)
    return FetchError(f"{what}; check the source's URL and options", url=url, status=status)


async def refuse_malformed_location(response: httpx.Response) -> None:
    """Fail at once on a redirect whose Location is no URL: asking again cannot mend it."""
    # Left alone, the HTTP library reports it as a broken connection, which would be retried and called unreachable.
    location = response.headers.get("location")
    if response.status_code not in REDIRECT_STATUSES or location is None:
        return
    try:
        httpx.URL(location)
        # The library decodes the target's host (IDNA) while redirecting; a malformed label fails only there.
        target = response.url.join(location)
        _ = target.host
    except (httpx.InvalidURL, ValueError) as exc:  # idna errors are ValueErrors too
        raise FetchError(
            f"{response.url} answered {response.status_code} with a malformed Location header "
            f"{printable(location)[:200]!r} ({printable(str(exc))[:200]}); the site's redirect is broken",
            url=str(response.url),
            status=response.status_code,
        ) from None
    # The library builds the next request even when it is not to follow it, and fails with its own error on a target
    # it cannot build (`javascript:alert(1)`, `data:…`, `https:///x`): the request policy's check comes first.
    parse_url(str(target), via=f" (redirected from {response.url})")
