"""The demo's local site and the test suite's fault-injecting site on top of it, checked with a plain HTTP client."""

from __future__ import annotations

import gzip
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from monitor.demo.site import LocalSite
from tests.site import Replace, Reset, Slow, Status, TestSite, Truncated, WrongContentType


@pytest.fixture
def site(testsite: TestSite) -> TestSite:
    testsite.reset()
    return testsite


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False, timeout=5.0) as c:
        yield c


def test_pytest_does_not_collect_the_site_class() -> None:
    assert TestSite.__test__ is False


def test_local_site_serves_pages_posts_and_robots_without_faults(client: httpx.Client) -> None:
    with LocalSite() as local:
        local.add_page("/reviews?page=2&sort=new", b"second", "text/html", headers={"X-Page": "2"})
        local.add_post("/api", b"listing", "application/json", when=lambda body: b"token=t1" in body)
        local.set_robots("User-agent: *\nAllow: /\n")
        page = client.get(local.url("/reviews?sort=new&page=2"))
        assert (page.status_code, page.content, page.headers["x-page"]) == (200, b"second", "2")
        assert client.head(local.url("/reviews?page=2&sort=new")).content == b""
        assert client.post(local.url("/api"), data={"token": "t1"}).content == b"listing"
        assert client.post(local.url("/api"), data={"token": "t2"}).status_code == 404
        assert client.get(local.url("/robots.txt")).text == "User-agent: *\nAllow: /\n"
        assert client.get(local.url("/missing")).status_code == 404
        local.reset()
        assert client.get(local.url("/robots.txt")).status_code == 404
        assert not hasattr(local, "add_fault")


def test_serves_pages_by_path_and_query_in_any_parameter_order(site: TestSite, client: httpx.Client) -> None:
    site.add_page("/reviews?page=2&sort=new", b"second", "text/html")
    site.add_page("/reviews", b"first", "text/html")
    assert client.get(site.url("/reviews")).content == b"first"
    answer = client.get(site.url("/reviews?sort=new&page=2"))
    assert (answer.status_code, answer.content) == (200, b"second")
    assert answer.headers["content-type"] == "text/html"
    assert client.get(site.url("/reviews?page=3")).status_code == 404


def test_logs_every_request_with_headers_and_time(site: TestSite, client: httpx.Client) -> None:
    site.add_page("/p", b"x", "text/plain")
    before = time.monotonic()
    client.get(site.url("/p"), headers={"User-Agent": "probe/1"})
    client.head(site.url("/p"))
    assert [(r.method, r.path) for r in site.requests] == [("GET", "/p"), ("HEAD", "/p")]
    assert site.requests[0].headers["user-agent"] == "probe/1"
    assert before <= site.requests[0].time <= site.requests[1].time <= time.monotonic()


def test_robots_is_404_until_set(site: TestSite, client: httpx.Client) -> None:
    assert client.get(site.url("/robots.txt")).status_code == 404
    site.set_robots("User-agent: *\nDisallow: /x\n")
    answer = client.get(site.url("/robots.txt"))
    assert answer.status_code == 200
    assert answer.text == "User-agent: *\nDisallow: /x\n"
    site.set_robots(None)
    assert client.get(site.url("/robots.txt")).status_code == 404


def test_fault_applies_the_given_number_of_times_then_the_page_returns(site: TestSite, client: httpx.Client) -> None:
    site.add_page("/p", b"ok", "text/html")
    site.add_fault("/p", Status(503, headers={"Retry-After": "5"}, body=b"busy"), times=2)
    first, second, third = (client.get(site.url("/p")) for _ in range(3))
    assert (first.status_code, first.headers["retry-after"], first.content) == (503, "5", b"busy")
    assert second.status_code == 503
    assert (third.status_code, third.content) == (200, b"ok")


def test_faults_queue_up_in_order_and_match_any_query(site: TestSite, client: httpx.Client) -> None:
    site.add_page("/list?page=4", b"ok", "text/html")
    site.add_fault("/list", Status(500), times=1)
    site.add_fault("/list", Status(429), times=1)
    codes = [client.get(site.url("/list?page=4")).status_code for _ in range(3)]
    assert codes == [500, 429, 200]


def test_fault_without_times_is_permanent(site: TestSite, client: httpx.Client) -> None:
    site.add_fault("/down", Status(502))
    assert [client.get(site.url("/down")).status_code for _ in range(4)] == [502] * 4


def test_wrong_content_type_and_replaced_body(site: TestSite, client: httpx.Client) -> None:
    site.add_page("/p", b"<html>real</html>", "text/html")
    site.add_fault("/p", WrongContentType("application/json"), times=1)
    site.add_fault("/p", Replace(b"<html>redesigned</html>"), times=1)
    wrong = client.get(site.url("/p"))
    replaced = client.get(site.url("/p"))
    assert (wrong.headers["content-type"], wrong.content) == ("application/json", b"<html>real</html>")
    assert (replaced.headers["content-type"], replaced.content) == ("text/html", b"<html>redesigned</html>")


def test_slow_fault_delays_the_answer(site: TestSite, client: httpx.Client) -> None:
    site.add_page("/p", b"ok", "text/html")
    site.add_fault("/p", Slow(0.3), times=1)
    began = time.monotonic()
    assert client.get(site.url("/p")).content == b"ok"
    assert time.monotonic() - began >= 0.3


def test_latency_delays_every_answer(site: TestSite, client: httpx.Client) -> None:
    site.add_page("/p", b"ok", "text/html")
    site.latency(0.15)
    began = time.monotonic()
    client.get(site.url("/p"))
    client.get(site.url("/p"))
    assert time.monotonic() - began >= 0.3


def test_reset_breaks_the_connection(site: TestSite, client: httpx.Client) -> None:
    site.add_fault("/p", Reset(), times=1)
    with pytest.raises(httpx.ReadError):
        client.get(site.url("/p"))


def test_truncated_body_is_detected_by_the_client(site: TestSite, client: httpx.Client) -> None:
    site.add_page("/p", b"x" * 100, "text/html")
    site.add_fault("/p", Truncated(missing=50), times=1)
    with pytest.raises(httpx.RemoteProtocolError, match="expected 150"):
        client.get(site.url("/p"))
    assert client.get(site.url("/p")).content == b"x" * 100


def test_etag_and_last_modified_answer_304(site: TestSite, client: httpx.Client) -> None:
    stamp = "Wed, 01 May 2024 10:00:00 GMT"
    site.add_page("/p", b"body", "text/html", etag='"abc"', last_modified=stamp)
    full = client.get(site.url("/p"))
    assert (full.headers["etag"], full.headers["last-modified"]) == ('"abc"', stamp)
    assert client.get(site.url("/p"), headers={"If-None-Match": '"abc"'}).status_code == 304
    assert client.get(site.url("/p"), headers={"If-None-Match": 'W/"abc"'}).status_code == 304
    assert client.get(site.url("/p"), headers={"If-None-Match": '"old"'}).status_code == 200
    assert client.get(site.url("/p"), headers={"If-Modified-Since": stamp}).status_code == 304
    older = "Tue, 30 Apr 2024 10:00:00 GMT"
    assert client.get(site.url("/p"), headers={"If-Modified-Since": older}).status_code == 200


def test_compressed_pages_follow_accept_encoding(site: TestSite, client: httpx.Client) -> None:
    body = b"review " * 500
    site.add_page("/p", body, "text/html", compress=True)
    as_gzip = client.get(site.url("/p"), headers={"Accept-Encoding": "gzip"})
    assert as_gzip.headers["content-encoding"] == "gzip"
    assert as_gzip.content == body
    assert int(as_gzip.headers["content-length"]) == len(gzip.compress(body))
    plain = client.get(site.url("/p"), headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.content == body


def test_answers_absolute_form_requests_like_a_proxy(site: TestSite) -> None:
    site.add_page("/p?x=1", b"proxied", "text/plain")
    with httpx.Client(proxy=site.base_url, trust_env=False) as via_proxy:
        answer = via_proxy.get("http://shop.example/p?x=1")
    assert answer.content == b"proxied"
    assert (site.requests[0].path, site.requests[0].target) == ("/p?x=1", "http://shop.example/p?x=1")


def test_reset_forgets_everything(site: TestSite, client: httpx.Client) -> None:
    site.add_page("/p", b"x", "text/html")
    site.add_fault("/q", Status(500))
    site.set_robots("User-agent: *\nDisallow: /\n")
    client.get(site.url("/p"))
    site.reset()
    assert site.requests == []
    assert client.get(site.url("/p")).status_code == 404
    assert client.get(site.url("/q")).status_code == 404
    assert client.get(site.url("/robots.txt")).status_code == 404


def _loopback_usable(address: str) -> bool:
    try:
        with socket.socket() as probe:
            probe.bind((address, 0))
    except OSError:
        return False
    return True


def test_several_hosts_run_side_by_side() -> None:
    addresses = ["127.0.0.1"] + [a for a in ("127.0.0.2", "127.0.0.3") if _loopback_usable(a)]
    sites = [TestSite(host=a).start() for a in addresses] + [TestSite().start()]
    try:
        for n, host in enumerate(sites):
            host.add_page("/", f"host {n}".encode(), "text/plain")
        with httpx.Client(trust_env=False) as client:
            bodies = [client.get(host.url("/")).text for host in sites]
        assert bodies == [f"host {n}" for n in range(len(sites))]
        assert len({host.base_url for host in sites}) == len(sites)
        assert all(len(host.requests) == 1 for host in sites)
    finally:
        for host in sites:
            host.stop()


def test_base_url_needs_a_running_site() -> None:
    idle = TestSite()
    with pytest.raises(RuntimeError, match="not running"):
        _ = idle.base_url
    with idle:
        assert idle.base_url.startswith("http://127.0.0.1:")
    with pytest.raises(RuntimeError):
        _ = idle.base_url


def test_post_is_answered_by_path_and_body_and_logged_with_its_body(site: TestSite, client: httpx.Client) -> None:
    site.add_post("/api?hl=en", b"first page", "application/json")
    site.add_post("/api?hl=en", b"second page", "application/json", when=lambda body: b"token=t2" in body)
    first = client.post(site.url("/api?hl=en"), data={"token": ""})
    second = client.post(site.url("/api?hl=en"), data={"token": "t2", "q": "a b"})
    assert (first.status_code, first.content, first.headers["content-type"]) == (200, b"first page", "application/json")
    assert (second.status_code, second.content) == (200, b"second page")
    logged = site.requests_to("/api?hl=en")
    assert [r.method for r in logged] == ["POST", "POST"]
    assert logged[1].body == b"token=t2&q=a+b"
    assert logged[1].form() == {"token": "t2", "q": "a b"}


def test_post_without_a_matching_route_is_404_and_get_does_not_see_posts(site: TestSite, client: httpx.Client) -> None:
    site.add_post("/api", b"only for t1", "application/json", when=lambda body: body == b"token=t1")
    assert client.post(site.url("/api"), data={"token": "t9"}).status_code == 404
    assert client.get(site.url("/api")).status_code == 404
    site.add_page("/page", b"html", "text/html")
    assert client.post(site.url("/page"), data={"x": "1"}).status_code == 404
    assert [r.body for r in site.requests] == [b"token=t9", b"", b"x=1"]


def test_faults_apply_to_posts_too(site: TestSite, client: httpx.Client) -> None:
    site.add_post("/api", b"ok", "application/json")
    site.add_fault("/api", Status(429, headers={"Retry-After": "3"}), times=1)
    assert client.post(site.url("/api"), data={"q": "1"}).status_code == 429
    assert client.post(site.url("/api"), data={"q": "1"}).content == b"ok"


def test_post_answers_are_never_304(site: TestSite, client: httpx.Client) -> None:
    site.add_post("/api", b"fresh", "application/json", headers={"ETag": '"v1"'})
    answer = client.post(site.url("/api"), data={"q": "1"}, headers={"If-None-Match": '"v1"'})
    assert (answer.status_code, answer.content) == (200, b"fresh")


def test_reset_forgets_post_routes(site: TestSite, client: httpx.Client) -> None:
    site.add_post("/api", b"ok", "application/json")
    site.reset()
    assert client.post(site.url("/api"), data={"q": "1"}).status_code == 404
