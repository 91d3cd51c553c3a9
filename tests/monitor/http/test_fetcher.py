"""The polite fetcher, exercised through real HTTP against the local test site."""

from __future__ import annotations

import asyncio
import gzip
import itertools
import random
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from monitor.core.errors import Blocked, BodyTooLarge, ConfigError, FetchError, Unreachable
from monitor.http.fetcher import DEFAULT_USER_AGENT, Fetcher, FetchStats, HostPolicy, MemoryValidatorCache
from monitor.http.politeness import HostGate, origin_of
from monitor.http.retry import full_jitter_backoff, retry_after_seconds
from tests.site import Replace, Reset, Slow, Status, TestSite, Truncated

HTML = "text/html; charset=utf-8"
# Fast retries for tests: tiny backoff, no gap between requests, robots.txt still honoured.
QUICK = HostPolicy(min_delay=0.0, max_retries=2, backoff_base=0.01, backoff_max=1.0, timeout=5.0)


class FakeTime:
    """A clock that only moves when the fetcher sleeps, so waits can be asserted exactly."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


@pytest.fixture
def site(testsite: TestSite) -> TestSite:
    testsite.reset()
    return testsite


@pytest.fixture
def other_site() -> Iterator[TestSite]:
    with TestSite() as second:
        yield second


def starts(log: TestSite, path_prefix: str = "/") -> list[float]:
    return sorted(r.time for r in log.requests if r.path.startswith(path_prefix))


async def test_fetch_returns_body_headers_and_stats(site: TestSite) -> None:
    site.add_page("/reviews?page=1", b"<html>one</html>", HTML)
    stats = FetchStats()
    async with Fetcher() as fetcher:
        page = await fetcher.fetch(site.url("/reviews?page=1"), policy=QUICK, stats=stats)
    assert page.status == 200
    assert page.body == b"<html>one</html>"
    assert page.content_type == "text/html"
    assert page.url == site.url("/reviews?page=1")
    assert stats.pages == 1
    assert stats.bytes == len(b"<html>one</html>")
    assert stats.status_codes == {200: 1}
    assert stats.retries == 0
    assert stats.duration > 0


async def test_user_agent_is_sent_to_pages_and_robots(site: TestSite) -> None:
    site.add_page("/p", b"x", HTML)
    async with Fetcher(user_agent="acme-monitor/2.0 (+https://acme.example/bot)") as fetcher:
        await fetcher.fetch(site.url("/p"), policy=QUICK)
    agents = {r.path: r.headers["user-agent"] for r in site.requests}
    assert agents == {
        "/robots.txt": "acme-monitor/2.0 (+https://acme.example/bot)",
        "/p": "acme-monitor/2.0 (+https://acme.example/bot)",
    }


async def test_default_user_agent_names_the_product(site: TestSite) -> None:
    site.add_page("/p", b"x", HTML)
    async with Fetcher() as fetcher:
        await fetcher.fetch(site.url("/p"), policy=QUICK)
    assert site.requests_to("/p")[0].headers["user-agent"] == DEFAULT_USER_AGENT
    assert DEFAULT_USER_AGENT.startswith("review-response-monitor/")


@pytest.mark.parametrize("agent", ["", "   "])
def test_empty_user_agent_is_refused(agent: str) -> None:
    with pytest.raises(ConfigError, match="User-Agent"):
        Fetcher(user_agent=agent)


def test_out_of_range_policy_is_refused() -> None:
    with pytest.raises(ConfigError, match="concurrency"):
        HostPolicy(concurrency=0)
    with pytest.raises(ConfigError, match="timeout"):
        HostPolicy(timeout=0)


async def test_fetch_outside_context_manager_says_how_to_use_it(site: TestSite) -> None:
    with pytest.raises(RuntimeError, match="async with"):
        await Fetcher().fetch(site.url("/p"), policy=HostPolicy(respect_robots=False))


async def test_gzip_body_is_decoded(site: TestSite) -> None:
    text = b"<p>" + b"gzip works " * 200 + b"</p>"
    site.add_page("/gz", gzip.compress(text), HTML, headers={"Content-Encoding": "gzip"})
    stats = FetchStats()
    async with Fetcher() as fetcher:
        page = await fetcher.fetch(site.url("/gz"), policy=QUICK, stats=stats)
    assert page.body == text
    # Statistics count what crossed the wire, which is the compressed size.
    assert stats.bytes == len(gzip.compress(text))


async def test_compression_is_negotiated_and_brotli_decoded(site: TestSite) -> None:
    text = b"<p>" + b"compressed " * 300 + b"</p>"
    site.add_page("/br", text, HTML, compress=True)
    async with Fetcher() as fetcher:
        page = await fetcher.fetch(site.url("/br"), policy=QUICK)
    accepted = site.requests_to("/br")[0].headers["accept-encoding"]
    assert "gzip" in accepted and "br" in accepted
    assert page.headers["content-encoding"] == "br"
    assert page.body == text


class SendLog(httpx.AsyncHTTPTransport):
    """Notes when each request is handed to the network, per host port."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: dict[int | None, list[float]] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.setdefault(request.url.port, []).append(time.monotonic())
        return await super().handle_async_request(request)


class InFlightLog(httpx.AsyncHTTPTransport):
    """Counts the most requests this client had on the network at once."""

    def __init__(self) -> None:
        super().__init__()
        self.now = 0
        self.most = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.now += 1
        self.most = max(self.most, self.now)
        try:
            # The slow test pages wait before their headers, so a request is in flight until headers arrive.
            return await super().handle_async_request(request)
        finally:
            self.now -= 1


def gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in itertools.pairwise(sorted(times))]


async def test_two_hosts_are_fetched_in_parallel_each_with_its_min_delay(site: TestSite, other_site: TestSite) -> None:
    policy = HostPolicy(min_delay=0.2, concurrency=4, respect_robots=False)
    for host in (site, other_site):
        for n in range(4):
            host.add_page(f"/r?page={n}", b"page", HTML)
    urls = [host.url(f"/r?page={n}") for n in range(4) for host in (site, other_site)]
    log = SendLog()
    async with Fetcher(transport=log) as fetcher:
        pages = await asyncio.gather(*(fetcher.fetch(u, policy=policy) for u in urls))
    assert [p.status for p in pages] == [200] * 8
    for host in (site, other_site):
        assert len(starts(host)) == 4
        # The gap is the client's promise, so it is measured where the request leaves the client. Arrival at
        # the server is not: on a loaded machine a first request was seen to reach the test server 0.2 s late,
        # together with the second.
        assert min(gaps(log.sent[httpx.URL(host.base_url).port])) >= 0.2 - 1e-3
    # Hosts do not wait for each other: both first requests left the client well within one host's gap (one
    # gate for all hosts would have put a whole min_delay between them). Client-side times, not wall-clock
    # totals, so a loaded machine cannot fail this.
    firsts = [min(log.sent[httpx.URL(host.base_url).port]) for host in (site, other_site)]
    assert abs(firsts[0] - firsts[1]) < policy.min_delay / 2


async def test_concurrency_cap_per_host(site: TestSite) -> None:
    policy = HostPolicy(min_delay=0.0, concurrency=2, respect_robots=False)
    for n in range(6):
        site.add_page(f"/slow/{n}", b"slow", HTML)
        site.add_fault(f"/slow/{n}", Slow(0.3))
    log = InFlightLog()
    async with Fetcher(transport=log) as fetcher:
        await asyncio.gather(*(fetcher.fetch(site.url(f"/slow/{n}"), policy=policy) for n in range(6)))
    assert len(starts(site)) == 6
    # Counted in the client, where the cap applies: two requests overlap (the pages take 0.3 s each), never three.
    assert log.most == 2


async def test_robots_disallow_raises_blocked_without_requesting_the_page(site: TestSite) -> None:
    site.set_robots("User-agent: *\nDisallow: /private\n")
    site.add_page("/private/list", b"secret", HTML)
    site.add_page("/public", b"ok", HTML)
    async with Fetcher() as fetcher:
        with pytest.raises(Blocked) as caught:
            await fetcher.fetch(site.url("/private/list"), policy=QUICK)
        assert (await fetcher.fetch(site.url("/public"), policy=QUICK)).body == b"ok"
    message = str(caught.value)
    assert "robots.txt" in message
    assert site.url("/private/list") in message
    assert "respect_robots = false" in message
    assert caught.value.url == site.url("/private/list")
    assert site.requests_to("/private/list") == []
    assert len(site.requests_to("/robots.txt")) == 1


async def test_robots_rules_for_our_product_token_apply(site: TestSite) -> None:
    site.set_robots("User-agent: review-response-monitor\nDisallow: /\n\nUser-agent: *\nAllow: /\n")
    site.add_page("/p", b"ok", HTML)
    async with Fetcher() as fetcher:
        with pytest.raises(Blocked):
            await fetcher.fetch(site.url("/p"), policy=QUICK)
    async with Fetcher(user_agent="other-bot/1.0") as fetcher:
        assert (await fetcher.fetch(site.url("/p"), policy=QUICK)).status == 200


async def test_missing_robots_allows_everything(site: TestSite) -> None:
    site.set_robots(None)
    site.add_page("/anything", b"ok", HTML)
    async with Fetcher() as fetcher:
        page = await fetcher.fetch(site.url("/anything"), policy=QUICK)
    assert page.status == 200
    assert [r.path for r in site.requests] == ["/robots.txt", "/anything"]


@pytest.mark.parametrize("status", [401, 403])
async def test_robots_refused_means_disallow_all(site: TestSite, status: int) -> None:
    site.add_fault("/robots.txt", Status(status))
    site.add_page("/p", b"ok", HTML)
    async with Fetcher() as fetcher:
        with pytest.raises(Blocked, match=rf"robots\.txt answered {status}"):
            await fetcher.fetch(site.url("/p"), policy=QUICK)
    assert site.requests_to("/p") == []


async def test_robots_server_error_disallows_after_retries(site: TestSite) -> None:
    site.add_fault("/robots.txt", Status(503))
    site.add_page("/p", b"ok", HTML)
    async with Fetcher() as fetcher:
        with pytest.raises(Blocked, match="could not be read"):
            await fetcher.fetch(site.url("/p"), policy=QUICK)
    assert len(site.requests_to("/robots.txt")) == QUICK.max_retries + 1
    assert site.requests_to("/p") == []


async def test_robots_opt_out_skips_robots_entirely(site: TestSite) -> None:
    site.set_robots("User-agent: *\nDisallow: /\n")
    site.add_page("/p", b"ok", HTML)
    policy = HostPolicy(min_delay=0.0, respect_robots=False)
    async with Fetcher() as fetcher:
        assert (await fetcher.fetch(site.url("/p"), policy=policy)).body == b"ok"
    assert site.requests_to("/robots.txt") == []


async def test_robots_is_cached_and_refetched_after_its_ttl(site: TestSite) -> None:
    site.add_page("/p", b"ok", HTML)
    fake = FakeTime()
    async with Fetcher(sleep=fake.sleep, clock=fake.clock) as fetcher:
        for _ in range(3):
            await fetcher.fetch(site.url("/p"), policy=QUICK)
        assert len(site.requests_to("/robots.txt")) == 1
        fake.now += 24 * 3600 + 1
        await fetcher.fetch(site.url("/p"), policy=QUICK)
    assert len(site.requests_to("/robots.txt")) == 2


async def test_robots_crawl_delay_widens_the_gap(site: TestSite) -> None:
    site.set_robots("User-agent: *\nCrawl-delay: 3\n")
    for n in range(3):
        site.add_page(f"/p{n}", b"ok", HTML)
    fake = FakeTime()
    async with Fetcher(sleep=fake.sleep, clock=fake.clock) as fetcher:
        for n in range(3):
            await fetcher.fetch(site.url(f"/p{n}"), policy=QUICK)
    assert [round(s, 6) for s in fake.sleeps] == [3.0, 3.0]


async def test_redirects_are_followed_and_checked_against_robots(site: TestSite) -> None:
    site.set_robots("User-agent: *\nDisallow: /hidden\n")
    site.add_fault("/old", Status(301, headers={"Location": "/new"}))
    site.add_fault("/sneaky", Status(302, headers={"Location": "/hidden/page"}))
    site.add_page("/new", b"moved here", HTML)
    site.add_page("/hidden/page", b"no", HTML)
    async with Fetcher() as fetcher:
        page = await fetcher.fetch(site.url("/old"), policy=QUICK)
        with pytest.raises(Blocked, match=r"robots\.txt"):
            await fetcher.fetch(site.url("/sneaky"), policy=QUICK)
    assert page.url == site.url("/new")
    assert page.body == b"moved here"
    assert site.requests_to("/hidden/page") == []


async def test_503_is_retried_with_growing_jittered_backoff(site: TestSite) -> None:
    site.add_fault("/p", Status(503), times=2)
    site.add_page("/p", b"finally", HTML)
    fake = FakeTime()
    stats = FetchStats()
    policy = HostPolicy(min_delay=0.0, max_retries=4, backoff_base=1.0, backoff_max=60.0)
    async with Fetcher(sleep=fake.sleep, clock=fake.clock) as fetcher:
        page = await fetcher.fetch(site.url("/p"), policy=policy, stats=stats)
    assert page.body == b"finally"
    assert stats.retries == 2
    assert stats.status_codes == {503: 2, 200: 1}
    # Full jitter: the n-th wait is drawn from [0, base * 2**n].
    assert len(fake.sleeps) == 2
    assert 0 < fake.sleeps[0] <= 1.0
    assert 0 < fake.sleeps[1] <= 2.0


async def test_retry_after_seconds_is_obeyed(site: TestSite) -> None:
    site.add_fault("/p", Status(503, headers={"Retry-After": "7"}), times=1)
    site.add_page("/p", b"ok", HTML)
    fake = FakeTime()
    policy = HostPolicy(min_delay=0.0, backoff_base=0.01, backoff_max=30.0)
    async with Fetcher(sleep=fake.sleep, clock=fake.clock) as fetcher:
        page = await fetcher.fetch(site.url("/p"), policy=policy)
    assert page.status == 200
    assert fake.sleeps == [pytest.approx(7.0)]


async def test_retry_after_http_date_is_obeyed(site: TestSite) -> None:
    when = datetime.now(UTC) + timedelta(seconds=120)
    site.add_fault("/p", Status(429, headers={"Retry-After": format_datetime(when, usegmt=True)}), times=1)
    site.add_page("/p", b"ok", HTML)
    fake = FakeTime()
    policy = HostPolicy(min_delay=0.0, backoff_base=0.01, backoff_max=300.0)
    async with Fetcher(sleep=fake.sleep, clock=fake.clock) as fetcher:
        page = await fetcher.fetch(site.url("/p"), policy=policy)
    assert page.status == 200
    assert len(fake.sleeps) == 1
    assert 115 <= fake.sleeps[0] <= 120


async def test_retry_after_beyond_the_cap_gives_up_saying_when_to_retry(site: TestSite) -> None:
    site.add_fault("/p", Status(503, headers={"Retry-After": "3600"}))
    site.add_page("/p", b"ok", HTML)
    policy = HostPolicy(min_delay=0.0, backoff_base=0.01, backoff_max=60.0)
    async with Fetcher() as fetcher:
        with pytest.raises(Blocked, match=r"wait 3600 s.*try again after \d{4}-\d\d-\d\d") as caught:
            await fetcher.fetch(site.url("/p"), policy=policy)
    assert caught.value.status == 503
    assert len(site.requests_to("/p")) == 1


async def test_429_after_all_retries_is_blocked(site: TestSite) -> None:
    site.add_fault("/p", Status(429))
    site.add_page("/p", b"ok", HTML)
    stats = FetchStats()
    async with Fetcher() as fetcher:
        with pytest.raises(Blocked, match="rate-limiting") as caught:
            await fetcher.fetch(site.url("/p"), policy=QUICK, stats=stats)
    assert caught.value.status == 429
    assert len(site.requests_to("/p")) == QUICK.max_retries + 1
    assert stats.retries == QUICK.max_retries
    assert stats.status_codes[429] == QUICK.max_retries + 1


async def test_403_is_blocked_without_retrying(site: TestSite) -> None:
    site.add_fault("/p", Status(403))
    async with Fetcher() as fetcher:
        with pytest.raises(Blocked, match="403") as caught:
            await fetcher.fetch(site.url("/p"), policy=QUICK)
    assert caught.value.status == 403
    assert len(site.requests_to("/p")) == 1


@pytest.mark.parametrize("status", [404, 410])
async def test_missing_page_is_a_fetch_error_with_status(site: TestSite, status: int) -> None:
    site.add_fault("/gone", Status(status))
    async with Fetcher() as fetcher:
        with pytest.raises(FetchError, match="does not exist") as caught:
            await fetcher.fetch(site.url("/gone"), policy=QUICK)
    assert type(caught.value) is FetchError
    assert caught.value.status == status
    assert len(site.requests_to("/gone")) == 1


async def test_persistent_server_error_is_unreachable(site: TestSite) -> None:
    site.add_fault("/p", Status(500))
    async with Fetcher() as fetcher:
        with pytest.raises(Unreachable, match="500") as caught:
            await fetcher.fetch(site.url("/p"), policy=QUICK)
    assert caught.value.status == 500
    assert len(site.requests_to("/p")) == QUICK.max_retries + 1


async def test_connection_reset_is_retried_then_unreachable(site: TestSite) -> None:
    site.add_fault("/p", Reset())
    async with Fetcher() as fetcher:
        with pytest.raises(Unreachable, match="reset"):
            await fetcher.fetch(site.url("/p"), policy=QUICK)
    assert len(site.requests_to("/p")) == QUICK.max_retries + 1


async def test_one_reset_then_success(site: TestSite) -> None:
    site.add_fault("/p", Reset(), times=1)
    site.add_page("/p", b"ok", HTML)
    stats = FetchStats()
    async with Fetcher() as fetcher:
        page = await fetcher.fetch(site.url("/p"), policy=QUICK, stats=stats)
    assert page.body == b"ok"
    assert stats.retries == 1


async def test_timeout_is_unreachable(site: TestSite) -> None:
    site.add_fault("/p", Slow(2.0))
    site.add_page("/p", b"late", HTML)
    policy = HostPolicy(min_delay=0.0, timeout=0.2, max_retries=1, backoff_base=0.01)
    began = time.monotonic()
    async with Fetcher() as fetcher:
        with pytest.raises(Unreachable, match="timeout"):
            await fetcher.fetch(site.url("/p"), policy=policy)
    # Two attempts that waited for the slow answer would take 4 s; the margin is for a loaded machine.
    assert time.monotonic() - began < 3.0
    assert len(site.requests_to("/p")) == 2


async def test_connection_refused_is_unreachable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with Fetcher() as fetcher:
        with pytest.raises(Unreachable, match="could not connect"):
            await fetcher.fetch(f"http://127.0.0.1:{port}/p", policy=QUICK)


async def test_truncated_body_is_retried_then_unreachable(site: TestSite) -> None:
    site.add_fault("/p", Truncated(missing=500))
    site.add_page("/p", b"x" * 1000, HTML)
    async with Fetcher() as fetcher:
        with pytest.raises(Unreachable, match="truncated"):
            await fetcher.fetch(site.url("/p"), policy=QUICK)
    assert len(site.requests_to("/p")) == QUICK.max_retries + 1


async def test_truncated_once_then_complete(site: TestSite) -> None:
    site.add_fault("/p", Truncated(), times=1)
    site.add_page("/p", b"x" * 1000, HTML)
    async with Fetcher() as fetcher:
        page = await fetcher.fetch(site.url("/p"), policy=QUICK)
    assert page.body == b"x" * 1000


@pytest.mark.parametrize("compress", [False, True], ids=["declared-length", "streamed-decoded"])
async def test_body_too_large(site: TestSite, compress: bool) -> None:
    site.add_page("/big", b"a" * 50_000, HTML, compress=compress)
    policy = HostPolicy(min_delay=0.0, max_bytes=10_000)
    async with Fetcher() as fetcher:
        with pytest.raises(BodyTooLarge, match="max_bytes"):
            await fetcher.fetch(site.url("/big"), policy=policy)
        small = HostPolicy(min_delay=0.0, max_bytes=50_000)
        assert len((await fetcher.fetch(site.url("/big"), policy=small)).body) == 50_000
    assert len(site.requests_to("/big")) == 2


async def test_etag_makes_the_second_fetch_a_304(site: TestSite) -> None:
    site.add_page("/p", b"<html>v1</html>", HTML, etag='"v1"')
    validators = MemoryValidatorCache()
    stats = FetchStats()
    async with Fetcher(validators=validators) as fetcher:
        first = await fetcher.fetch(site.url("/p"), policy=QUICK, stats=stats)
        second = await fetcher.fetch(site.url("/p"), policy=QUICK, stats=stats)
        site.add_page("/p", b"<html>v2</html>", HTML, etag='"v2"')
        third = await fetcher.fetch(site.url("/p"), policy=QUICK, stats=stats)
    assert (first.status, first.body) == (200, b"<html>v1</html>")
    assert (second.status, second.body) == (304, b"")
    assert (third.status, third.body) == (200, b"<html>v2</html>")
    assert site.requests_to("/p")[1].headers["if-none-match"] == '"v1"'
    assert stats.not_modified == 1
    assert stats.pages == 2
    assert validators.get(site.url("/p")) == ('"v2"', None)


async def test_last_modified_makes_the_second_fetch_a_304(site: TestSite) -> None:
    stamp = "Wed, 01 May 2024 10:00:00 GMT"
    site.add_page("/p", b"dated", HTML, last_modified=stamp)
    async with Fetcher() as fetcher:
        await fetcher.fetch(site.url("/p"), policy=QUICK)
        second = await fetcher.fetch(site.url("/p"), policy=QUICK)
    assert second.status == 304
    assert site.requests_to("/p")[1].headers["if-modified-since"] == stamp


async def test_changed_markup_is_fetched_as_is(site: TestSite) -> None:
    site.add_page("/p", b"<div class='review'>", HTML)
    site.add_fault("/p", Replace(b"<section class='new-layout'>"), times=1)
    async with Fetcher() as fetcher:
        page = await fetcher.fetch(site.url("/p"), policy=QUICK)
    assert page.body == b"<section class='new-layout'>"


async def test_proxy_carries_the_requests(site: TestSite) -> None:
    site.add_page("/reviews", b"via proxy", HTML)
    async with Fetcher(proxy=site.base_url) as fetcher:
        page = await fetcher.fetch("http://reviews.example/reviews", policy=QUICK)
    assert page.body == b"via proxy"
    assert [r.target for r in site.requests] == [
        "http://reviews.example/robots.txt",
        "http://reviews.example/reviews",
    ]


async def test_bound_fetch_records_into_the_given_stats(site: TestSite) -> None:
    for n in range(3):
        site.add_page(f"/r?page={n}", b"p", HTML)
    stats = FetchStats()
    async with Fetcher() as fetcher:
        fetch = fetcher.bind(QUICK, stats)
        for n in range(3):
            await fetch(site.url(f"/r?page={n}"))
    assert stats.pages == 3
    assert stats.status_codes == {200: 3}


async def test_gate_rechecks_when_the_host_asks_for_a_pause_meanwhile() -> None:
    fake = FakeTime()
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        fake.now += seconds
        if len(waits) == 1:
            # Another request to the same host got a 429 while this one was waiting its turn.
            gate.defer(5.0)

    gate = HostGate(1, sleep=sleep, clock=fake.clock)
    async with gate.slot(1.0):
        pass
    async with gate.slot(1.0):
        pass
    assert waits == [1.0, 5.0]


def test_retry_after_parsing() -> None:
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("120", now=now) == 120.0
    assert retry_after_seconds("Wed, 01 May 2024 12:02:30 GMT", now=now) == 150.0
    assert retry_after_seconds("Wed, 01 May 2024 11:00:00 GMT", now=now) == 0.0
    assert retry_after_seconds("soon", now=now) is None
    assert retry_after_seconds(None) is None


def test_full_jitter_backoff_stays_within_its_window() -> None:
    rng = random.Random(7)
    for attempt in range(8):
        delays = [full_jitter_backoff(attempt, base=0.5, cap=10.0, rng=rng) for _ in range(200)]
        window = min(10.0, 0.5 * 2**attempt)
        assert all(0 <= d <= window for d in delays)
        # Jitter really spreads the delays over the window.
        assert max(delays) - min(delays) > window / 2


def test_origin_keys_politeness_by_scheme_host_and_port() -> None:
    assert origin_of("https://Example.com/a?b=1") == "https://example.com:443"
    assert origin_of("http://example.com:8080/") == "http://example.com:8080"
    assert origin_of("http://example.com/") != origin_of("https://example.com/")


# Form POSTs (reads a site only offers as POST).

FORM = {"f.req": '[["UsvDTd","[null,\\"tok en\\"]",null,"generic"]]', "hl": "en"}


async def test_post_sends_the_form_urlencoded_and_counts_in_stats(site: TestSite) -> None:
    site.add_post("/api/list?hl=en", b'{"items": []}', "application/json")
    stats = FetchStats()
    async with Fetcher() as fetcher:
        page = await fetcher.fetch(site.url("/api/list?hl=en"), policy=QUICK, stats=stats, form=FORM)
    assert (page.status, page.body, page.content_type) == (200, b'{"items": []}', "application/json")
    [sent] = site.requests_to("/api/list?hl=en")
    assert sent.method == "POST"
    assert sent.headers["content-type"] == "application/x-www-form-urlencoded;charset=UTF-8"
    assert sent.form() == FORM
    assert stats.pages == 1 and stats.status_codes == {200: 1} and stats.bytes == len(b'{"items": []}')


async def test_bound_fetch_posts_when_given_a_form(site: TestSite) -> None:
    site.add_page("/list", b"by get", HTML)
    site.add_post("/list", b"by post", HTML)
    stats = FetchStats()
    async with Fetcher() as fetcher:
        fetch = fetcher.bind(QUICK, stats)
        got = await fetch(site.url("/list"))
        posted = await fetch(site.url("/list"), form={"page": "2"})
    assert (got.body, posted.body) == (b"by get", b"by post")
    assert [(r.method, r.body) for r in site.requests_to("/list")] == [("GET", b""), ("POST", b"page=2")]
    assert stats.pages == 2


async def test_post_is_never_conditional_and_leaves_no_validators(site: TestSite) -> None:
    site.add_post("/api", b"answer", "application/json", headers={"ETag": '"v1"'})
    validators = MemoryValidatorCache()
    async with Fetcher(validators=validators) as fetcher:
        for _ in range(2):
            page = await fetcher.fetch(site.url("/api"), policy=QUICK, form={"q": "1"})
            assert (page.status, page.body) == (200, b"answer")
    assert validators.get(site.url("/api")) is None
    assert all("if-none-match" not in r.headers for r in site.requests_to("/api"))


async def test_robots_disallow_blocks_a_post_without_sending_it(site: TestSite) -> None:
    site.set_robots("User-agent: *\nDisallow: /_/\n")
    site.add_post("/_/data", b"secret", "application/json")
    async with Fetcher() as fetcher:
        with pytest.raises(Blocked, match=r"robots\.txt"):
            await fetcher.fetch(site.url("/_/data"), policy=QUICK, form={"q": "1"})
    assert site.requests_to("/_/data") == []


async def test_post_is_retried_with_its_body_after_503(site: TestSite) -> None:
    site.add_fault("/api", Status(503), times=2)
    site.add_post("/api", b"finally", "application/json")
    fake = FakeTime()
    stats = FetchStats()
    policy = HostPolicy(min_delay=0.0, max_retries=4, backoff_base=1.0, backoff_max=60.0)
    async with Fetcher(sleep=fake.sleep, clock=fake.clock) as fetcher:
        page = await fetcher.fetch(site.url("/api"), policy=policy, stats=stats, form={"token": "abc"})
    assert page.body == b"finally"
    assert stats.retries == 2 and stats.status_codes == {503: 2, 200: 1}
    assert [r.form() for r in site.requests_to("/api")] == [{"token": "abc"}] * 3
    assert len(fake.sleeps) == 2 and 0 < fake.sleeps[0] <= 1.0 and 0 < fake.sleeps[1] <= 2.0


async def test_posts_and_gets_share_the_host_gap(site: TestSite) -> None:
    site.add_page("/page", b"html", HTML)
    site.add_post("/api", b"json", "application/json")
    fake = FakeTime()
    policy = HostPolicy(min_delay=2.5, respect_robots=False)
    async with Fetcher(sleep=fake.sleep, clock=fake.clock) as fetcher:
        await fetcher.fetch(site.url("/page"), policy=policy)
        await fetcher.fetch(site.url("/api"), policy=policy, form={"n": "1"})
        await fetcher.fetch(site.url("/api"), policy=policy, form={"n": "2"})
    assert [round(s, 6) for s in fake.sleeps] == [2.5, 2.5]


async def test_post_body_too_large(site: TestSite) -> None:
    site.add_post("/api", b"a" * 50_000, "application/json")
    async with Fetcher() as fetcher:
        with pytest.raises(BodyTooLarge, match="max_bytes"):
            await fetcher.fetch(site.url("/api"), policy=HostPolicy(min_delay=0.0, max_bytes=10_000), form={"q": "1"})


async def test_post_redirected_by_303_continues_as_a_get(site: TestSite) -> None:
    site.add_fault("/submit", Status(303, headers={"Location": "/result"}))
    site.add_page("/result", b"result page", HTML)
    async with Fetcher() as fetcher:
        page = await fetcher.fetch(site.url("/submit"), policy=QUICK, form={"q": "1"})
    assert (page.url, page.body) == (site.url("/result"), b"result page")
    assert [(r.method, r.path, r.body) for r in site.requests if r.path != "/robots.txt"] == [
        ("POST", "/submit", b"q=1"),
        ("GET", "/result", b""),
    ]


async def test_post_redirected_by_307_is_posted_again(site: TestSite) -> None:
    site.add_fault("/old-api", Status(307, headers={"Location": "/api"}))
    site.add_post("/api", b"moved api", "application/json")
    async with Fetcher() as fetcher:
        page = await fetcher.fetch(site.url("/old-api"), policy=QUICK, form={"q": "1"})
    assert page.body == b"moved api"
    assert [(r.method, r.body) for r in site.requests_to("/api")] == [("POST", b"q=1")]
