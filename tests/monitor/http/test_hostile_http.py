"""The fetcher against hostile sites: compression bombs, pages leading elsewhere, broken redirects, escapes.

Traffic goes only to the local test sites on loopback addresses. Where a test needs a name or a public address,
a resolver hook answers for it and a recording transport stands in for the network, so nothing ever connects
beyond this machine; the tests assert that refused hops never reach a transport at all.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import os
import subprocess
import sys
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpcore
import httpx
import pytest
from sqlmodel import Session, select

from monitor.core.errors import Blocked, BodyTooLarge, ConfigError, FetchError, Unreachable
from monitor.core.settings import SourceConfig
from monitor.crawl.runner import Collected, collect, policy_for
from monitor.http.connect import AddressPins, PinnedBackend
from monitor.http.fetcher import Fetcher, FetchStats, HostPolicy
from monitor.http.policy import RequestPolicy, RequestRefused, address_problem
from monitor.store.health import Health
from monitor.store.models import CrawlRun
from sources.base import get_source_class
from tests.crawling import crawl_all
from tests.db_fixtures import migrated_sqlite, settings_with
from tests.site import Status, TestSite, compression_bomb

HTML = "text/html; charset=utf-8"
REVIEW = b"<div class='review'><p>Slow delivery, nobody answered my mails.</p></div>"
QUICK = {"min_delay": 0.0, "max_retries": 2, "backoff_base": 0.01, "backoff_max": 0.1, "timeout": 5.0}
CONTROL = [chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F)]


@pytest.fixture
def site() -> Iterator[TestSite]:
    with TestSite() as s:
        yield s


@pytest.fixture
def other() -> Iterator[TestSite]:
    """A second site on the same loopback address, on another port: another service of the same machine."""
    with TestSite() as s:
        yield s


class Recorder(httpx.AsyncHTTPTransport):
    """Sends requests for loopback hosts to the network, answers `canned` hosts from memory, connects nowhere else.

    Every request it is handed is recorded, so a test can show that a refused hop never reached it.
    """

    def __init__(self, canned: Mapping[str, bytes] | None = None) -> None:
        super().__init__()
        self.canned = dict(canned or {})
        self.seen: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(str(request.url))
        host = request.url.host
        if host in self.canned:
            return httpx.Response(200, headers={"Content-Type": HTML}, content=self.canned[host])
        if host not in ("127.0.0.1", "::1"):
            raise httpx.ConnectError(f"the test transport does not connect to {host}", request=request)
        return await super().handle_async_request(request)


class Names:
    """A resolver hook with a fixed table; it records every name it was asked for."""

    def __init__(self, table: Mapping[str, Sequence[str]] | None = None) -> None:
        self.table = dict(table or {})
        self.asked: list[str] = []

    async def __call__(self, host: str, port: int) -> Sequence[str]:
        self.asked.append(host)
        if host not in self.table:
            raise OSError(f"{host}: name not known")
        return self.table[host]


def css(locator: str, **options: Any) -> SourceConfig:
    """A css source reading `div.review` containers, with a `a.next` next-page link."""
    opts = {"container": "div.review", "text": "p", "next": "a.next", **options}
    return SourceConfig(name="acme-css", kind="css", locator=locator, company="Acme", options=opts, min_delay=0.0)


def read(src: SourceConfig, fetcher_kwargs: Mapping[str, Any] | None = None) -> Collected:
    """Collect a source through a fresh fetcher bound with the source's own policy."""

    async def go() -> Collected:
        async with Fetcher(user_agent="monitor-tests/1.0", **(fetcher_kwargs or {})) as fetcher:
            return await collect(src=src, fetch=fetcher.bind(policy_for(src)), max_pages=5)

    return asyncio.run(go())


def policy(locator: str, *allowed: str, **overrides: Any) -> HostPolicy:
    return HostPolicy(**{**QUICK, **overrides}, destinations=RequestPolicy([locator], allowed))


async def fetch_once(url: str, host_policy: HostPolicy, **fetcher_kwargs: Any) -> Any:
    async with Fetcher(**fetcher_kwargs) as fetcher:
        return await fetcher.fetch(url, policy=host_policy)


# Compression bombs


BOMB_SIZE = 1 << 30
MEMORY_CAP = 1 << 30
BOMB_ENCODINGS = ("br", "gzip, gzip", "br, gzip")

_CRAWL_UNDER_A_CAP = """
import asyncio, json, resource, sys
from pathlib import Path

cap = int(sys.argv[3])
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

from monitor.crawl.runner import crawl_sources
from monitor.http.fetcher import Fetcher
from monitor.store.db import make_engine
from tests.db_fixtures import settings_with

settings = settings_with(Path(sys.argv[1]), sys.argv[2])
engine = make_engine(settings.database_url)


async def crawl():
    async with Fetcher(user_agent="monitor-tests/1.0") as fetcher:
        return await crawl_sources(engine=engine, settings=settings, sources=settings.all_sources(), fetcher=fetcher)


print(json.dumps({o.source: [o.health.value, o.message] for o in asyncio.run(crawl())}))
"""


@pytest.fixture(scope="module")
def bombs() -> dict[str, bytes]:
    """A gibibyte of zeros as brotli, as gzip inside gzip, and as brotli inside gzip: a few kilobytes each."""
    brotli_bomb = compression_bomb(BOMB_SIZE, ["br"])
    return {
        "br": brotli_bomb,
        "gzip, gzip": compression_bomb(BOMB_SIZE, ["gzip", "gzip"]),
        "br, gzip": gzip.compress(brotli_bomb),
    }


def test_compression_bombs_end_in_a_failed_run_under_a_memory_cap(
    tmp_path: Path, site: TestSite, bombs: dict[str, bytes]
) -> None:
    assert max(len(body) for body in bombs.values()) < 20_000  # kilobytes on the wire, a gibibyte decoded
    blocks = []
    for n, encoding in enumerate(BOMB_ENCODINGS):
        site.add_page(f"/bomb-{n}", bombs[encoding], "text/html", headers={"Content-Encoding": encoding})
        blocks.append(
            f'[[company.source]]\nname = "bomb-{n}"\nkind = "css"\nlocator = "{site.url(f"/bomb-{n}")}"\n'
            'min_delay = 0.0\noptions = { container = "div.review", text = "p" }\n'
        )
    engine = migrated_sqlite(tmp_path)
    # One thread per math library and few malloc arenas: address space is what the cap counts.
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MALLOC_ARENA_MAX": "2"}
    done = subprocess.run(
        [sys.executable, "-c", _CRAWL_UNDER_A_CAP, str(tmp_path), "".join(blocks), str(MEMORY_CAP)],
        cwd=Path(__file__).resolve().parents[3],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    verdicts = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(verdicts) == {f"bomb-{n}" for n in range(len(BOMB_ENCODINGS))}
    for health, message in verdicts.values():
        assert health == "failed"
        assert "response larger than 20 MB" in message
    with Session(engine) as session:
        runs = session.exec(select(CrawlRun)).all()
    assert sorted(r.health for r in runs) == ["failed"] * len(BOMB_ENCODINGS)
    assert all("response larger than 20 MB" in (r.message or "") for r in runs)


@pytest.mark.parametrize(
    "encodings", [["br"], ["gzip", "gzip"], ["deflate", "gzip"], ["br", "gzip"], ["gzip", "br", "deflate"]]
)
def test_every_decoding_layer_is_bounded(site: TestSite, encodings: list[str]) -> None:
    site.add_page(
        "/bomb", compression_bomb(64 << 20, encodings), "text/html", headers={"Content-Encoding": ", ".join(encodings)}
    )
    with pytest.raises(BodyTooLarge, match=r"response larger than 1 MB") as caught:
        asyncio.run(fetch_once(site.url("/bomb"), policy(site.url("/"), max_bytes=1_000_000)))
    assert "max_bytes" in str(caught.value)


def test_a_bomb_in_place_of_robots_txt_is_cut_at_its_limit(site: TestSite) -> None:
    site.add_page("/robots.txt", compression_bomb(64 << 20, ["br"]), "text/plain", headers={"Content-Encoding": "br"})
    site.add_page("/p", b"<p>fine</p>", HTML)
    page = asyncio.run(fetch_once(site.url("/p"), policy(site.url("/"))))
    assert page.body == b"<p>fine</p>"


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda body: zlib.compress(body)[2:-4]),  # raw deflate, as some servers send it
        ("gzip, gzip", lambda body: gzip.compress(gzip.compress(body))),
        ("deflate, br", lambda body: __import__("brotli").compress(zlib.compress(body))),
        ("identity", lambda body: body),
        ("utf-8", lambda body: body),  # a misconfigured server naming a charset: passed through as browsers do
    ],
)
def test_ordinary_encodings_still_decode(site: TestSite, encoding: str, encode: Any) -> None:
    text = b"<p>" + b"a review worth reading " * 500 + b"</p>"
    site.add_page("/p", encode(text), HTML, headers={"Content-Encoding": encoding})
    page = asyncio.run(fetch_once(site.url("/p"), policy(site.url("/"))))
    assert page.body == text


def test_an_encoding_that_cannot_be_bounded_is_refused_not_parsed(site: TestSite) -> None:
    site.add_page("/p", b"\x28\xb5\x2f\xfd-not-text", HTML, headers={"Content-Encoding": "zstd"})
    with pytest.raises(FetchError, match="zstd"):
        asyncio.run(fetch_once(site.url("/p"), policy(site.url("/"))))


def test_only_boundable_encodings_are_offered(site: TestSite) -> None:
    site.add_page("/p", b"x", HTML)
    asyncio.run(fetch_once(site.url("/p"), policy(site.url("/"))))
    offered = {e.strip() for e in site.requests_to("/p")[0].headers["accept-encoding"].split(",")}
    assert offered <= {"gzip", "deflate", "br"} and {"gzip", "br"} <= offered


# Where a page may lead


def test_redirect_to_cloud_metadata_is_refused_before_connecting(site: TestSite) -> None:
    site.add_fault("/reviews", Status(302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}))
    transport, names = Recorder(), Names()
    src = css(site.url("/reviews"), allowed_hosts=["169.254.169.254"])
    got = read(src, {"transport": transport, "resolver": names})
    assert got.health == Health.FAILED
    assert "refused http://169.254.169.254/latest/meta-data/" in got.message
    assert "cloud metadata" in got.message and got.problems == [got.message.split("; the source failed")[0]]
    assert not any("169.254" in url for url in transport.seen)
    assert names.asked == []


def test_a_name_resolving_to_metadata_is_refused_after_resolution(site: TestSite) -> None:
    site.add_fault("/reviews", Status(301, headers={"Location": "http://metadata.example/computeMetadata/v1/"}))
    transport = Recorder()
    names = Names({"metadata.example": ["fd00:ec2::254"]})
    got = read(
        css(site.url("/reviews"), allowed_hosts=["metadata.example"]), {"transport": transport, "resolver": names}
    )
    assert got.health == Health.FAILED and "cloud metadata" in got.message
    assert names.asked == ["metadata.example"]
    assert not any("metadata.example" in url for url in transport.seen)


def test_redirect_to_another_port_of_the_same_machine_is_refused(site: TestSite, other: TestSite) -> None:
    other.add_page("/admin", b"<div class='review'><p>internal</p></div>", HTML)
    site.add_fault("/reviews", Status(302, headers={"Location": other.url("/admin")}))
    got = read(css(site.url("/reviews")))
    assert got.health == Health.FAILED
    assert f"refused {other.url('/admin')}" in got.message and "loopback" in got.message
    assert other.requests == []


def test_redirect_to_another_loopback_address_is_refused_even_when_listed(site: TestSite) -> None:
    try:
        elsewhere = TestSite("127.0.0.2").start()
    except OSError:
        pytest.skip("127.0.0.2 is not routed to this machine")
    try:
        elsewhere.add_page("/secret", b"<div class='review'><p>internal</p></div>", HTML)
        site.add_fault("/reviews", Status(307, headers={"Location": elsewhere.url("/secret")}))
        unlisted = read(css(site.url("/reviews")))
        listed = read(css(site.url("/reviews"), allowed_hosts=["127.0.0.2"]))
    finally:
        elsewhere.stop()
    assert unlisted.health == Health.FAILED and "not the source's host" in unlisted.message
    assert listed.health == Health.FAILED and "127.0.0.2 is a loopback address" in listed.message
    assert elsewhere.requests == []


def test_next_page_link_elsewhere_is_refused_and_recorded_in_the_run(
    tmp_path: Path, site: TestSite, other: TestSite
) -> None:
    other.add_page("/p2", REVIEW, HTML)
    site.add_page("/p1", REVIEW + f"<a class='next' href='{other.url('/p2')}'>next</a>".encode(), HTML)
    settings = settings_with(
        tmp_path,
        f'[[company.source]]\nname = "acme-css"\nkind = "css"\nlocator = "{site.url("/p1")}"\nmin_delay = 0.0\n'
        'options = { container = "div.review", text = "p", next = "a.next" }\n',
    )
    engine = migrated_sqlite(tmp_path)

    (outcome,) = crawl_all(engine, settings)
    assert outcome.health == Health.PARTIAL and outcome.new == 1
    assert f"refused {other.url('/p2')}" in outcome.message
    with Session(engine) as session:
        (run,) = session.exec(select(CrawlRun)).all()
    assert run.health == "partial" and any("refused" in e for e in run.errors)
    assert other.requests == []


@pytest.mark.parametrize("kind", ["jsonld", "feed"])
def test_jsonld_and_feed_next_links_pass_the_same_policy(site: TestSite, kind: str) -> None:
    metadata = "http://169.254.169.254/latest/meta-data/iam/"
    if kind == "jsonld":
        body = (
            '<script type="application/ld+json">{"@type": "Review", "reviewBody": "Never again."}</script>'
            f'<a rel="next" href="{metadata}">more</a>'
        ).encode()
        options: dict[str, Any] = {"next_selector": "a[rel=next]"}
    else:
        body = (
            '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
            f'<link rel="next" href="{metadata}"/>'
            "<entry><id>urn:1</id><title>Never again</title><summary>Never again.</summary></entry></feed>"
        ).encode()
        options = {}
    site.add_page("/first", body, HTML)
    transport = Recorder()
    src = SourceConfig(name="s", kind=kind, locator=site.url("/first"), company="Acme", options=options, min_delay=0)
    got = read(src, {"transport": transport})
    assert got.health == Health.PARTIAL and len(got.records) == 1
    assert f"refused {metadata}" in got.message
    assert not any("169.254" in url for url in transport.seen)


def test_allowed_hosts_let_a_listed_public_host_through(site: TestSite) -> None:
    site.add_page("/p1", REVIEW + b"<a class='next' href='https://cdn.example/p2'>next</a>", HTML)
    transport = Recorder({"cdn.example": b"<div class='review'><p>Second page review.</p></div>"})
    names = Names({"cdn.example": ["93.184.215.14"]})
    refused = read(css(site.url("/p1")), {"transport": transport, "resolver": names})
    assert refused.health == Health.PARTIAL and transport.seen == [site.url("/robots.txt"), site.url("/p1")]
    allowed = read(
        css(site.url("/p1"), allowed_hosts=["*.cdn.example", "cdn.example"]),
        {"transport": transport, "resolver": names},
    )
    assert allowed.health == Health.OK and len(allowed.records) == 2
    assert "https://cdn.example/p2" in transport.seen


def test_a_locator_name_is_connected_only_at_the_address_that_was_checked(site: TestSite) -> None:
    site.add_page("/reviews", REVIEW, HTML)
    port = site.url("/").rsplit(":", 1)[1].rstrip("/")
    names = Names({"reviews.example": ["127.0.0.1"]})
    got = read(css(f"http://reviews.example:{port}/reviews"), {"resolver": names})
    # The system resolver knows no `reviews.example`: the page arrived because the connection used the checked
    # address, not a second look-up of the name.
    assert got.health == Health.OK and len(got.records) == 1
    assert site.requests_to("/reviews")[0].headers["host"] == f"reviews.example:{port}"


def test_a_host_that_was_never_checked_is_not_connected_to() -> None:
    backend = PinnedBackend(AddressPins(), inner=httpcore.AsyncMockBackend([]))
    with pytest.raises(httpcore.ConnectError, match="not checked"):
        asyncio.run(backend.connect_tcp("127.0.0.1", 80))


def test_the_locator_turning_private_mid_run_is_refused() -> None:
    rules = RequestPolicy(["https://reviews.example/r"])
    url = httpx.URL("https://reviews.example/r?page=2")
    rules.check_addresses(url, ["93.184.215.14"])
    with pytest.raises(RequestRefused, match="DNS rebinding"):
        rules.check_addresses(url, ["10.0.0.7"])
    # A locator that is private from the start (an intranet, the local test site) stays usable.
    intranet = RequestPolicy(["http://reviews.corp.example/r"])
    intranet.check_addresses(httpx.URL("http://reviews.corp.example/r?page=2"), ["10.0.0.7"])


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("169.254.169.254", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("64:ff9b::a9fe:a9fe", "cloud metadata"),
        ("100.100.100.200", "cloud metadata"),
        ("169.254.10.10", "link-local"),
        ("fe80::1", "link-local"),
        ("fc00::1", "unique-local"),
        ("224.0.0.251", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("100.64.0.1", "non-public"),
        ("93.184.215.14", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_address_kinds(address: str, kind: str | None) -> None:
    import ipaddress

    assert address_problem(ipaddress.ip_address(address)) == kind


def test_robots_txt_redirecting_to_a_file_is_a_one_line_error(site: TestSite, caplog: pytest.LogCaptureFixture) -> None:
    site.add_fault("/robots.txt", Status(301, headers={"Location": "file:///etc/passwd"}))
    site.add_page("/reviews", REVIEW, HTML)
    with caplog.at_level(logging.DEBUG):
        got = read(css(site.url("/reviews")))
    assert got.health == Health.FAILED
    assert "file: URL; only http and https URLs are fetched" in got.message and "robots.txt" in got.message
    assert "\n" not in got.message
    assert "Traceback" not in caplog.text
    assert site.requests_to("/reviews") == []


def test_robots_txt_redirecting_to_another_host_is_refused(site: TestSite, other: TestSite) -> None:
    other.set_robots("User-agent: *\nAllow: /\n")
    site.add_fault("/robots.txt", Status(302, headers={"Location": other.url("/robots.txt")}))
    site.add_page("/reviews", REVIEW, HTML)
    got = read(css(site.url("/reviews")))
    assert got.health == Health.FAILED and "robots.txt" in got.message and "refused" in got.message
    assert other.requests == []


@pytest.mark.parametrize("target", ["file:///etc/passwd", "gopher://127.0.0.1:6379/_INFO", "ftp://127.0.0.1/x"])
def test_schemes_other_than_http_are_refused(site: TestSite, target: str) -> None:
    site.add_fault("/r", Status(302, headers={"Location": target}))
    with pytest.raises(RequestRefused, match="only http and https URLs are fetched"):
        asyncio.run(fetch_once(site.url("/r"), policy(site.url("/"))))


@pytest.mark.parametrize("entry", ["https://cdn.example/", "cdn.example:8443", "cdn example", "*"])
def test_a_malformed_allowed_host_is_refused_when_configured(entry: str) -> None:
    with pytest.raises(ConfigError, match="allowed_hosts"):
        get_source_class("css")("https://acme.example/r", {"container": "div", "text": "p", "allowed_hosts": [entry]})


# Errors that cannot go away


@pytest.mark.parametrize("location", ["http://[::1", "http://xn--/", "http://exa\x7fmple.com/"])
def test_a_malformed_location_fails_at_once(site: TestSite, location: str) -> None:
    site.add_fault("/r", Status(302, headers={"Location": location}))
    with pytest.raises(FetchError, match="malformed Location header") as caught:
        asyncio.run(fetch_once(site.url("/r"), policy(site.url("/"))))
    assert not isinstance(caught.value, Unreachable)
    assert len(site.requests_to("/r")) == 1  # not retried


@pytest.mark.parametrize("locator", ["http://exa mple.com/reviews", "http://127.0.0.1:99999/reviews", "http://xn--/r"])
def test_an_invalid_locator_is_failed_not_unreachable(locator: str) -> None:
    names = Names()
    got = read(css(locator), {"resolver": names, "transport": Recorder()})
    assert got.health == Health.FAILED and "not a valid URL" in got.message
    assert names.asked == []


def test_an_invalid_next_link_is_recorded_not_retried(site: TestSite) -> None:
    site.add_page("/p1", REVIEW + b"<a class='next' href='http://xn--/p2'>next</a>", HTML)
    got = read(css(site.url("/p1")))
    assert got.health == Health.PARTIAL and len(got.records) == 1 and "not a valid URL" in got.message


# Site text in messages and logs


def test_a_reason_phrase_with_terminal_escapes_never_reaches_messages_or_logs(
    tmp_path: Path, site: TestSite, caplog: pytest.LogCaptureFixture
) -> None:
    site.add_fault("/p1", Status(418, reason="\x1b]0;owned\x07\x1b[2J\x1b[31mTeapot\x9b"))
    settings = settings_with(
        tmp_path,
        f'[[company.source]]\nname = "acme-css"\nkind = "css"\nlocator = "{site.url("/p1")}"\nmin_delay = 0.0\n'
        'options = { container = "div.review", text = "p" }\n',
    )
    engine = migrated_sqlite(tmp_path)

    with caplog.at_level(logging.DEBUG):
        (outcome,) = crawl_all(engine, settings)
    with Session(engine) as session:
        (run,) = session.exec(select(CrawlRun)).all()
    assert outcome.health == Health.FAILED and "Teapot" in outcome.message
    for text in (outcome.message, *outcome.errors, run.message or "", *run.errors, caplog.text):
        assert not any(c in text for c in [*CONTROL, "\x9b"]), repr(text)


def test_an_adapter_crash_quoting_the_page_is_logged_printable(
    site: TestSite, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    site.add_page("/p1", b"\x1b]2;owned\x07<div class='review'><p>x</p></div>", HTML)
    css_class = get_source_class("css")

    def crash(self: Any, page: Any) -> Any:
        raise RuntimeError(page.text)

    monkeypatch.setattr(css_class, "parse", crash)
    with caplog.at_level(logging.ERROR):
        got = read(css(site.url("/p1")))
    assert got.health == Health.FAILED and "adapter failed" in got.message
    assert "Traceback" in caplog.text and "owned" in caplog.text
    for text in (got.message, *got.problems, caplog.text):
        assert "\x1b" not in text and "\x07" not in text


# What a site asks of the fetcher


@pytest.mark.parametrize(
    "retry_after",
    [
        "9" * 400,  # infinity as a float
        "99999999999999",  # three million years
        "Fri, 31 Dec 9999 23:59:59 GMT",  # a date the retry message cannot add to today
    ],
)
def test_an_absurd_retry_after_is_capped_and_reported_as_blocked(site: TestSite, retry_after: str) -> None:
    site.add_fault("/r", Status(503, headers={"Retry-After": retry_after}))
    got = read(css(site.url("/r")))
    assert got.health == Health.BLOCKED, got.message
    assert "asked to wait at least 2592000 s" in got.message and "try again after" in got.message
    assert len(site.requests_to("/r")) == 1  # not waited for, not retried


def test_a_retry_after_in_other_digits_is_ignored(site: TestSite) -> None:
    site.add_fault("/r", Status(503, headers={"Retry-After": "\u00b2"}))  # a digit to str.isdigit(), not to float()
    with pytest.raises(Unreachable, match="503"):
        asyncio.run(fetch_once(site.url("/r"), policy(site.url("/"))))
    assert len(site.requests_to("/r")) == 3  # the ordinary backoff applied


def test_a_304_to_a_request_without_validators_is_no_success(site: TestSite) -> None:
    site.add_fault("/r", Status(304))
    got = read(css(site.url("/r")))
    (request,) = site.requests_to("/r")
    assert "if-none-match" not in request.headers and "if-modified-since" not in request.headers
    assert got.health == Health.FAILED and got.records == []
    assert "304 Not Modified to a request without validators" in got.message


def test_a_304_to_a_conditional_request_still_means_unchanged(site: TestSite) -> None:
    site.add_page("/r", REVIEW, HTML, etag='"v1"')

    async def twice() -> list[Collected]:
        async with Fetcher(user_agent="monitor-tests/1.0") as fetcher:
            fetch = fetcher.bind(policy_for(css(site.url("/r"))))
            return [await collect(src=css(site.url("/r")), fetch=fetch, max_pages=5) for _ in range(2)]

    first, second = asyncio.run(twice())
    assert first.health == Health.OK and len(first.records) == 1
    assert second.health == Health.OK and "not modified" in second.message


# Addresses in other spellings


NUMERIC_SPELLINGS = [
    ("2130706433", "loopback"),  # 127.0.0.1 as one decimal number
    ("0x7f.1", "loopback"),  # hexadecimal, two parts
    ("017700000001", "loopback"),  # octal
    ("127.1", "loopback"),  # two parts
    ("0xa9fea9fe", "cloud metadata"),  # 169.254.169.254 in hexadecimal
    ("169.254.169.254", "cloud metadata"),
]


@pytest.mark.parametrize(("host", "kind"), NUMERIC_SPELLINGS)
def test_internal_addresses_in_other_spellings_are_refused_through_a_proxy(
    site: TestSite, host: str, kind: str
) -> None:
    # The proxy is the local test site: it records every request it is asked to forward, and forwards none.
    rules = policy("https://reviews.example/", host)
    with pytest.raises(RequestRefused, match=rf"is a {kind} address"):
        asyncio.run(fetch_once(f"http://{host}/latest/meta-data/", rules, proxy=site.url("/")))
    assert site.requests == []


@pytest.mark.parametrize(("host", "kind"), NUMERIC_SPELLINGS)
def test_internal_addresses_in_other_spellings_are_refused_before_connecting(
    site: TestSite, host: str, kind: str
) -> None:
    # The loopback test site is the source; its address in another spelling is another host, and not the source's.
    port = site.url("/").rsplit(":", 1)[1].rstrip("/")
    site.add_fault("/r", Status(302, headers={"Location": f"http://{host}:{port}/admin"}))
    transport = Recorder()
    got = read(css(site.url("/r"), allowed_hosts=[host]), {"transport": transport, "resolver": Names()})
    assert got.health == Health.FAILED and f"is a {kind} address" in got.message
    assert transport.seen == [site.url("/robots.txt"), site.url("/r")] and site.requests_to("/admin") == []


@pytest.mark.parametrize("host", ["4294967296", "1.2.3.4.5", "0x1ffffffff"])
def test_a_number_that_is_no_ipv4_address_is_no_valid_host(site: TestSite, host: str) -> None:
    site.add_fault("/r", Status(302, headers={"Location": f"http://{host}/"}))
    with pytest.raises(FetchError, match="the host is a number but no IPv4 address"):
        asyncio.run(fetch_once(site.url("/r"), policy(site.url("/"), host)))


def test_the_retries_of_a_run_are_bounded_across_its_pages(site: TestSite) -> None:
    # Every page fails once before it answers: without a bound per run, each page may cost a full set of retries.
    for n in range(1, 7):
        site.add_page(f"/p{n}", REVIEW.replace(b"Slow", f"Page {n}: slow".encode()) + next_link(n + 1), HTML)
        site.add_fault(f"/p{n}", Status(503), times=1)
    src = css(site.url("/p1"))
    stats = FetchStats()

    async def go() -> Collected:
        async with Fetcher(user_agent="monitor-tests/1.0") as fetcher:
            rules = replace(policy_for(src), **QUICK, max_run_retries=3)
            return await collect(src=src, fetch=fetcher.bind(rules, stats), max_pages=10)

    got = asyncio.run(go())
    assert stats.retries == 3 and len(got.records) == 3
    assert got.health == Health.PARTIAL and "p4 answered 503" in got.message
    assert site.requests_to("/p5") == []


def next_link(n: int) -> bytes:
    return f"<a class='next' href='/p{n}'>next</a>".encode()


@pytest.mark.parametrize(
    ("status", "header"),
    [
        (503, {"cf-mitigated": "challenge"}),
        (429, {"x-amzn-waf-action": "captcha"}),
        (403, {"cf-mitigated": "challenge"}),
    ],
)
def test_a_challenge_answered_with_an_error_status_is_blocked_at_once(
    site: TestSite, status: int, header: dict[str, str]
) -> None:
    site.add_fault("/r", Status(status, headers=header, body=b"<title>Just a moment...</title>"))
    with pytest.raises(Blocked, match="does not answer CAPTCHAs or bot checks"):
        asyncio.run(fetch_once(site.url("/r"), policy(site.url("/"))))
    assert len(site.requests_to("/r")) == 1  # a challenge is not asked again


@pytest.mark.parametrize(
    ("location", "refusal"),
    [
        ("data:text/html,<div class='review'><p>planted</p></div>", "data: URL; only http and https"),
        ("javascript:alert(1)", "javascript: URL; only http and https"),
        ("https:///169.254.169.254/", "not a valid URL"),  # no host: what a browser would guess is not guessed
        ("//169.254.169.254/latest/meta-data/", "not the source's host"),  # scheme-relative: same scheme, other host
    ],
)
def test_redirects_to_other_schemes_and_odd_urls_are_refused_before_connecting(
    site: TestSite, location: str, refusal: str
) -> None:
    site.add_fault("/r", Status(302, headers={"Location": location}))
    transport, names = Recorder(), Names()
    got = read(css(site.url("/r")), {"transport": transport, "resolver": names})
    assert got.health == Health.FAILED and refusal in got.message and got.records == []
    assert transport.seen == [site.url("/robots.txt"), site.url("/r")] and names.asked == []
