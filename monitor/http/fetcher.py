"""The one polite HTTP layer every source fetches through.

A `Fetcher` owns one `httpx.AsyncClient` and, for each request:

1. checks the host's robots.txt (fetched once per host and cached; see `monitor.http.robots`),
2. waits for the host's politeness gate (concurrency cap, minimum gap between request starts, and any
   `Crawl-delay` or `Retry-After` the host asked for; see `monitor.http.politeness`),
3. sends a conditional GET when it has seen the page before (ETag / Last-Modified), so an unchanged
   page costs a 304 instead of a download,
4. retries connection errors, timeouts, truncated bodies, 408, 429 and 5xx with exponential backoff and
   full jitter, obeying `Retry-After` (see `monitor.http.retry`),
5. streams the body with a size limit that also bounds every decompression layer (see `monitor.http.body`)
   and returns a `Page`, or raises a precise `FetchError` (see `monitor.http.answer`).

Before any of that, every hop (the first URL, each redirect, robots.txt and its redirects) passes the source's
request policy (see `monitor.http.policy`): http(s) only, the source's own hosts or those it allows, and no
private or metadata address it was not configured with. Connections then go only to the addresses that were
checked (see `monitor.http.connect`). A refused hop ends the fetch with `RequestRefused` before connecting.

A source may also send a form POST (`fetch(url, form={...})`) for a read the site only offers that way,
such as a paginated listing endpoint. It passes the same robots.txt check, host gate, retries, size limit
and statistics; it is never conditional, and its answer's validators are not stored (one endpoint URL
answers many different bodies). Extra `headers` (an official API's `Authorization`) go to the first URL and
to redirects within its origin, never to another origin.

A write to an official API (posting a reply) goes through `send`: the same request policy, address checks and
host gate, but sent exactly once (never retried: the site may have acted on a request whose answer was lost),
never redirected, and answered whatever its status, with the error body read so the caller can quote it.

Redirects are followed one hop at a time so each hop is checked against the request policy, robots.txt and rate
limits too. A redirect whose Location is no URL, or any URL that is malformed, fails at once: asking again cannot
fix it.

The fetcher reads public pages, and a company's own data through official APIs with the credentials its
configuration names (see `monitor.http.service_auth`). It identifies itself with a configurable User-Agent and
never tries to get around logins, CAPTCHAs, paywalls or blocks: a 401/403, a robots.txt refusal or a lasting 429
ends the fetch with `Blocked` and a message saying what the site answered.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol
from urllib.parse import urlencode

import httpx

from monitor.core.errors import Blocked, ConfigError, FetchError, Unreachable
from monitor.core.text_safety import printable
from monitor.http.answer import Answer, error_for, is_retryable_answer, refuse_malformed_location
from monitor.http.body import BodyReader
from monitor.http.connect import AddressPins, pinned_transport
from monitor.http.decoding import ACCEPT_ENCODING
from monitor.http.logsafe import install as install_printable_logs
from monitor.http.page import ApiRequest, Fetch, Page
from monitor.http.policy import (
    RequestPolicy,
    Resolver,
    host_of,
    is_address,
    is_localhost_name,
    parse_url,
    port_of,
    system_resolver,
)
from monitor.http.politeness import Clock, HostGates, SharedWait, Sleep, origin_of
from monitor.http.retry import (
    TransientFailure,
    describe_transport_error,
    full_jitter_backoff,
    retry_after_seconds,
)
from monitor.http.robots import ROBOTS_MAX_BYTES, RobotsCache, RobotsRules, rules_from_response

__all__ = [
    "DEFAULT_USER_AGENT",
    "FetchStats",
    "Fetcher",
    "HostPolicy",
    "MemoryValidatorCache",
    "ValidatorCache",
]

DEFAULT_USER_AGENT = "review-response-monitor/0.1 (+https://github.com/review-response-monitor)"
MAX_REDIRECTS = 10
# RFC 9309: follow at least five redirects for robots.txt, then the file may be taken as unavailable.
MAX_ROBOTS_REDIRECTS = 5
# A robots.txt Crawl-delay above this is capped, so one odd file cannot stall a crawl for hours.
MAX_CRAWL_DELAY = 60.0
MAX_CONNECTIONS = 512
# Request extension carrying the callback that `_announce_send` calls.
_ON_SEND = "review_monitor.on_send"
# After these a POST continues as a GET without its body, as browsers do (RFC 9110 15.4); 307 and 308 keep it.
REDIRECTS_TO_GET = frozenset({301, 302, 303})
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded;charset=UTF-8"

# The HTTP library logs each answer's reason phrase, which is site text.
install_printable_logs()


@dataclass(frozen=True)
class HostPolicy:
    """How politely to fetch one source's hosts; built from the source's configuration."""

    concurrency: int = 2
    # Seconds between request starts to the same host.
    min_delay: float = 1.0
    respect_robots: bool = True
    timeout: float = 30.0
    max_bytes: int = 20_000_000
    max_retries: int = 4
    # Retries of one run (one `FetchStats`) in all: a site failing each page once cannot multiply the run's time.
    max_run_retries: int = 20
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    # Where the source's requests may go; None trusts the host of each URL handed to `fetch` (and only it).
    destinations: RequestPolicy | None = None

    def __post_init__(self) -> None:
        checks = {
            "concurrency": self.concurrency >= 1,
            "min_delay": self.min_delay >= 0,
            "timeout": self.timeout > 0,
            "max_bytes": self.max_bytes > 0,
            "max_retries": self.max_retries >= 0,
            "max_run_retries": self.max_run_retries >= 0,
            "backoff_base": self.backoff_base >= 0,
            "backoff_max": self.backoff_max >= 0,
        }
        for name, ok in checks.items():
            if not ok:
                raise ConfigError(f"fetch policy: {name} = {getattr(self, name)!r} is out of range")


@dataclass
class FetchStats:
    """What fetching cost: pages, bytes on the wire, status codes seen, retries, 304s and elapsed time."""

    pages: int = 0
    bytes: int = 0
    status_codes: Counter[int] = field(default_factory=Counter)
    retries: int = 0
    not_modified: int = 0
    # Seconds from the first request's start to the latest request's end (parallel fetches overlap).
    duration: float = 0.0
    _first_start: float | None = field(default=None, init=False, repr=False, compare=False)

    def record_call(self, start: float, end: float) -> None:
        """Extend `duration` to cover one fetch call that ran from `start` to `end` (clock seconds)."""
        if self._first_start is None or start < self._first_start:
            self._first_start = start
        self.duration = max(self.duration, end - self._first_start)


class ValidatorCache(Protocol):
    """Remembers each URL's ETag and Last-Modified so the next fetch can be conditional."""

    def get(self, url: str) -> tuple[str | None, str | None] | None:
        """The (etag, last_modified) stored for `url`, or None."""
        ...

    def put(self, url: str, etag: str | None, last_modified: str | None) -> None:
        """Store the validators a response carried."""
        ...


class MemoryValidatorCache:
    """A `ValidatorCache` kept in memory for the life of the process."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[str | None, str | None]] = {}

    def get(self, url: str) -> tuple[str | None, str | None] | None:
        """The (etag, last_modified) stored for `url`, or None."""
        return self._entries.get(url)

    def put(self, url: str, etag: str | None, last_modified: str | None) -> None:
        """Store the validators a response carried."""
        self._entries[url] = (etag, last_modified)


class Fetcher:
    """Fetches pages politely for all sources; use as `async with Fetcher(...) as fetcher`.

    `resolver` turns host names into the addresses the request policy checks and connections then use.
    """

    def __init__(
        self,
        *,
        user_agent: str = DEFAULT_USER_AGENT,
        proxy: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        validators: ValidatorCache | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
        resolver: Resolver = system_resolver,
        shared_wait: SharedWait | None = None,
    ) -> None:
        if not user_agent or not user_agent.strip():
            raise ConfigError(
                "the User-Agent must not be empty: sites should be able to tell who is fetching; "
                f"set user_agent, e.g. {DEFAULT_USER_AGENT!r}"
            )
        self.user_agent = user_agent.strip()
        self.proxy = proxy or None
        self.validators: ValidatorCache = validators if validators is not None else MemoryValidatorCache()
        self._transport = transport
        self._resolve = resolver
        # The addresses each host was checked to; the default transport connects to these only.
        self._pins = AddressPins()
        self._sleep = sleep
        self._clock = clock
        self._gates = HostGates(sleep=sleep, clock=clock, shared=shared_wait)
        self._robots = RobotsCache(clock=clock)
        self._rng = random.Random()
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Fetcher:
        limits = httpx.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=64)
        transport = self._transport
        if transport is None and self.proxy is None:
            transport = pinned_transport(self._pins, limits)
        self._client = httpx.AsyncClient(
            # Only encodings the body reader can undo within its size limit are offered.
            headers={"User-Agent": self.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            proxy=self.proxy,
            transport=transport,
            # Redirects are followed by `fetch` itself, so every hop passes robots.txt and the host gate.
            follow_redirects=False,
            # Proxy and certificates come from configuration only, not from the environment.
            trust_env=False,
            # Per-host gates already bound parallelism; the pool must not add waits that count as timeouts.
            limits=limits,
            event_hooks={"request": [_announce_send], "response": [refuse_malformed_location]},
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    @property
    def client(self) -> httpx.AsyncClient:
        """The underlying client; only available inside `async with`."""
        if self._client is None:
            raise RuntimeError("use the fetcher inside `async with Fetcher(...) as fetcher:`")
        return self._client

    def bind(
        self, policy: HostPolicy, stats: FetchStats | None = None, *, validators: ValidatorCache | None = None
    ) -> Fetch:
        """A `Fetch` callable for a source: fetches with this policy and records into `stats`.

        `validators` replaces the fetcher's own cache for this source, so a crawl can keep new
        ETags apart until what they stand for is safely stored.
        """

        async def fetch(
            url: str, *, form: Mapping[str, str] | None = None, headers: Mapping[str, str] | None = None
        ) -> Page:
            return await self.fetch(url, policy=policy, stats=stats, validators=validators, form=form, headers=headers)

        return fetch

    async def fetch(
        self,
        url: str,
        *,
        policy: HostPolicy,
        stats: FetchStats | None = None,
        validators: ValidatorCache | None = None,
        form: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Page:
        """GET `url` politely, or POST `form` to it; a 304 comes back as a Page with status 304 and no body."""
        stats = stats if stats is not None else FetchStats()
        started = self._clock()
        try:
            return await self._fetch(url, policy, stats, validators or self.validators, form, headers)
        finally:
            stats.record_call(started, self._clock())

    async def send(self, request: ApiRequest, *, policy: HostPolicy, stats: FetchStats | None = None) -> Page:
        """Send one write to an official API once and return its answer whatever the status (see the module doc).

        A lost answer raises `Unreachable`: whether the site acted on the request is then unknown.
        """
        stats = stats if stats is not None else FetchStats()
        started = self._clock()
        try:
            rules = policy.destinations or RequestPolicy.for_url(request.url)
            url = parse_url(request.url)
            rules.check_url(url)
            if policy.respect_robots:
                await self._check_robots(url, policy, rules)
            answer = await self._request(
                url,
                replace(policy, max_retries=0),
                stats,
                rules,
                via="",
                method=request.method,
                body=request.body,
                headers=dict(request.headers),
                max_bytes=policy.max_bytes,
                min_delay=self._min_delay(url, policy),
                error_body=True,
            )
        finally:
            stats.record_call(started, self._clock())
        stats.pages += 200 <= answer.status < 300
        return Page(url=str(answer.url), status=answer.status, body=answer.body, headers=answer.headers)

    async def _fetch(
        self,
        url: str,
        policy: HostPolicy,
        stats: FetchStats,
        validators: ValidatorCache,
        form: Mapping[str, str] | None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Page:
        rules = policy.destinations or RequestPolicy.for_url(url)
        current = parse_url(url)
        rules.check_url(current)
        via = ""
        origin = origin_of(current)
        extra = dict(extra_headers or {})
        body = urlencode(dict(form)).encode("utf-8") if form is not None else None
        for _ in range(MAX_REDIRECTS + 1):
            # The hop itself is checked before its host's robots.txt is read, so a refusal names the hop.
            with contextlib.suppress(TransientFailure):  # resolution failures are retried by the request itself
                await self._check_addresses(current, rules, policy.timeout, via)
            if policy.respect_robots:
                await self._check_robots(current, policy, rules)
            if body is None:
                method, headers = "GET", _conditional_headers(validators, str(current))
            else:
                method, headers = "POST", {"Content-Type": FORM_CONTENT_TYPE}
            if origin_of(current) == origin:
                headers.update(extra)  # credentials never follow a redirect to another origin
            response = await self._request(
                current,
                policy,
                stats,
                rules,
                via=via,
                method=method,
                body=body,
                headers=headers,
                max_bytes=policy.max_bytes,
                min_delay=self._min_delay(current, policy),
            )
            target = response.redirect_target
            if target is None:
                conditional = "If-None-Match" in headers or "If-Modified-Since" in headers
                return self._page_or_raise(
                    url, response, policy, stats, validators if body is None else None, conditional=conditional
                )
            if response.status in REDIRECTS_TO_GET:
                body = None
            via = f" (redirected from {current})"
            current = parse_url(str(target), via=via)
            rules.check_url(current, via=via)
        raise FetchError(f"{url} redirected more than {MAX_REDIRECTS} times; check the source's URL", url=url)

    def _min_delay(self, url: httpx.URL, policy: HostPolicy) -> float:
        if not policy.respect_robots:
            return policy.min_delay
        rules = self._robots.peek(origin_of(url))
        crawl_delay = rules.crawl_delay(self.user_agent) if rules else None
        if crawl_delay is None:
            return policy.min_delay
        return max(policy.min_delay, min(crawl_delay, MAX_CRAWL_DELAY))

    def _page_or_raise(
        self,
        requested: str,
        response: Answer,
        policy: HostPolicy,
        stats: FetchStats,
        validators: ValidatorCache | None,
        *,
        conditional: bool,
    ) -> Page:
        """The Page of a final answer; `validators` (None for a POST) learns the answer's ETag/Last-Modified.

        `conditional` says whether the request carried validators: only then can a 304 mean "unchanged".
        """
        status = response.status
        url = str(response.url)
        if 200 <= status < 300:
            etag, last_modified = response.headers.get("etag"), response.headers.get("last-modified")
            if validators is not None and (etag or last_modified):
                validators.put(url, etag, last_modified)
            stats.pages += 1
            return Page(url=url, status=status, body=response.body, headers=response.headers)
        if status == 304 and not conditional:
            # Nothing was asked to be compared, so "not modified" is no answer: taken at its word, the run would end
            # as ok with no reviews read, every time.
            raise FetchError(
                f"{url} answered 304 Not Modified to a request without validators (no If-None-Match or "
                "If-Modified-Since was sent); the site's caching is broken, and nothing was read",
                url=url,
                status=status,
            )
        if status == 304:
            stats.not_modified += 1
            return Page(url=url, status=304, body=b"", headers=response.headers)
        raise error_for(requested, response, backoff_max=policy.backoff_max)

    async def _check_robots(self, url: httpx.URL, policy: HostPolicy, destinations: RequestPolicy) -> None:
        rules = await self._robots.rules(origin_of(url), lambda: self._load_robots(url, policy, destinations))
        if not rules.allows(str(url), self.user_agent):
            robots_url = url.copy_with(path="/robots.txt", query=None, fragment=None)
            raise Blocked(
                f"{robots_url} does not allow fetching {url} ({rules.reason}). The monitor respects "
                "robots.txt by default; a source may opt out with `respect_robots = false` in the config, "
                "which you should only do with the site's permission.",
                url=str(url),
            )

    async def _load_robots(self, url: httpx.URL, policy: HostPolicy, destinations: RequestPolicy) -> RobotsRules:
        robots_url = url.copy_with(path="/robots.txt", query=None, fragment=None)
        # robots.txt requests are not pages of the source, so they do not count in its statistics.
        stats = FetchStats()
        via = ""
        for _ in range(MAX_ROBOTS_REDIRECTS + 1):
            response = await self._request(
                robots_url,
                policy,
                stats,
                destinations,
                via=via,
                method="GET",
                body=None,
                headers={},
                max_bytes=ROBOTS_MAX_BYTES,
                min_delay=policy.min_delay,
                truncate=True,
            )
            target = response.redirect_target
            if target is None:
                return rules_from_response(response.status, response.body)
            # robots.txt redirects pass the same policy as pages: a refused one ends the fetch with a clear error.
            via = f" (robots.txt {robots_url} redirected there)"
            robots_url = parse_url(str(target), via=via)
            destinations.check_url(robots_url, via=via)
        return RobotsRules.allow_everything(f"robots.txt redirected more than {MAX_ROBOTS_REDIRECTS} times")

    async def _request(
        self,
        url: httpx.URL,
        policy: HostPolicy,
        stats: FetchStats,
        destinations: RequestPolicy,
        *,
        via: str,
        method: str,
        body: bytes | None,
        headers: dict[str, str],
        max_bytes: int,
        min_delay: float,
        truncate: bool = False,
        error_body: bool = False,
    ) -> Answer:
        """One request with retries; returns the final answer or raises `Unreachable` for transport failures.

        Each attempt first resolves the host and checks its addresses against `destinations` (a refusal is final).
        POSTs are retried exactly like GETs: `fetch` only sends form POSTs that read (see
        `sources.base.Fetch`), so repeating one after a lost answer cannot do anything twice; writes come from
        `send` with no retries at all. `error_body` reads the body of error answers too (for `send`).
        """
        gate = self._gates.for_url(url, policy.concurrency)
        attempts = policy.max_retries + 1
        for attempt in range(attempts):
            last = attempt == attempts - 1 or stats.retries >= policy.max_run_retries
            wait: float | None = None
            try:
                await self._check_addresses(url, destinations, policy.timeout, via)
                async with gate.slot(min_delay):
                    response = await self._attempt(
                        url,
                        policy,
                        stats,
                        method,
                        body,
                        headers,
                        max_bytes,
                        truncate,
                        on_send=lambda: gate.mark_sent(min_delay),
                        error_body=error_body,
                    )
            except TransientFailure as failure:
                if last:
                    raise Unreachable(
                        f"could not fetch {url} after {attempt + 1} attempt(s): {failure}. "
                        "Check the network, proxy and URL, or try again later.",
                        url=str(url),
                    ) from failure
            else:
                response.attempts = attempt + 1
                if last or not is_retryable_answer(response):
                    return response
                wait = retry_after_seconds(response.headers.get("retry-after"))
                if wait is not None and wait > policy.backoff_max:
                    response.refused_wait = wait
                    return response
            if wait is None:
                wait = full_jitter_backoff(attempt, base=policy.backoff_base, cap=policy.backoff_max, rng=self._rng)
            stats.retries += 1
            gate.defer(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _check_addresses(self, url: httpx.URL, destinations: RequestPolicy, timeout: float, via: str) -> None:
        """Resolve the host, check every address against the policy, and pin the connection to them."""
        host = host_of(url)
        if self.proxy is not None:
            # The proxy resolves names; only what is visibly local can be refused here.
            if is_localhost_name(host):
                destinations.check_addresses(url, ["127.0.0.1"], via=via)
            elif is_address(host):
                destinations.check_addresses(url, [host], via=via)
            return
        if not is_address(host):
            try:
                async with asyncio.timeout(timeout):
                    addresses = list(await self._resolve(host, port_of(url)))
            except (OSError, TimeoutError) as exc:
                raise TransientFailure(f"could not resolve {host} ({printable(str(exc)) or 'timeout'})") from exc
            if not addresses:
                raise TransientFailure(f"could not resolve {host} (no addresses)")
        else:
            addresses = [host]
        destinations.check_addresses(url, addresses, via=via)
        self._pins.pin(host, addresses)

    async def _attempt(
        self,
        url: httpx.URL,
        policy: HostPolicy,
        stats: FetchStats,
        method: str,
        content: bytes | None,
        headers: dict[str, str],
        max_bytes: int,
        truncate: bool,
        *,
        on_send: Callable[[], None],
        error_body: bool = False,
    ) -> Answer:
        client = self.client

        async def trace(event: str, _info: dict[str, Any]) -> None:
            # The moment the request line goes out on the socket (after any connect and TLS handshake) is what
            # the site sees as the request's start, so the gap to the next request is counted from there.
            if event.endswith("send_request_headers.started"):
                on_send()

        request = client.build_request(
            method,
            url,
            headers=headers,
            content=content,
            timeout=policy.timeout,
            extensions={_ON_SEND: on_send, "trace": trace},
        )
        reader = BodyReader(max_bytes, truncate=truncate)
        try:
            # httpx's timeout bounds each read; this bounds the whole exchange against slow trickles.
            async with asyncio.timeout(policy.timeout):
                response = await client.send(request, stream=True)
                try:
                    stats.status_codes[response.status_code] += 1
                    wanted = error_body or 200 <= response.status_code < 300
                    body = await reader.read(response) if wanted else b""
                finally:
                    await response.aclose()
                    stats.bytes += response.num_bytes_downloaded
        except (TimeoutError, httpx.TimeoutException) as exc:
            raise TransientFailure(f"no complete answer within {policy.timeout:g} s (timeout)") from exc
        except httpx.DecodingError as exc:
            raise FetchError(
                f"{url} sent a body that could not be decompressed: {printable(str(exc))}", url=str(url)
            ) from exc
        except (httpx.UnsupportedProtocol, httpx.LocalProtocolError) as exc:
            # The request itself cannot be sent as it stands: asking again would fail the same way.
            raise FetchError(f"cannot fetch {url}: {printable(str(exc))}", url=str(url)) from exc
        except httpx.TransportError as exc:
            if reader.started:
                raise TransientFailure(reader.truncation()) from exc
            raise TransientFailure(describe_transport_error(exc)) from exc
        return Answer(
            url=response.url,
            status=response.status_code,
            # Site text: it reaches messages and logs, so it is made printable here, once.
            reason=printable(response.reason_phrase),
            headers={k.lower(): v for k, v in response.headers.items()},
            body=body,
            attempts=1,
        )


async def _announce_send(request: httpx.Request) -> None:
    """Tell the host gate the moment a request really leaves, which under load is later than its admission."""
    on_send = request.extensions.get(_ON_SEND)
    if on_send is not None:
        on_send()


def _conditional_headers(validators: ValidatorCache, url: str) -> dict[str, str]:
    stored = validators.get(url)
    if not stored:
        return {}
    etag, last_modified = stored
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers
