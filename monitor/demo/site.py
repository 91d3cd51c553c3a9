"""A local HTTP site that serves recorded pages and injects faults on demand.

Used by the test suite and by `monitor demo`: it runs a stdlib threaded HTTP server on an ephemeral
port in a background thread, so everything is real HTTP without touching the internet.

    with TestSite() as site:
        site.add_page("/reviews?page=2", html, "text/html", etag='"v2"')
        site.add_fault("/reviews", Status(503, headers={"Retry-After": "1"}), times=1)
        fetch(site.url("/reviews?page=2"))

POST endpoints are served too, chosen by path and, optionally, by a predicate on the request body:

    site.add_post("/api/list", page_two, "application/json", when=lambda body: b"token=abc" in body)

Every request is logged in `site.requests` (method, path, headers, body, arrival time on
`time.monotonic()`), so tests can check politeness and what was posted. Each `TestSite` is one host;
start several (on `127.0.0.1`, or on other loopback addresses such as `127.0.0.2` where the system routes
them) for many-host scenarios. The site also answers absolute-form requests (`GET http://other.example/path`),
so it can stand in for an HTTP proxy.
"""

from __future__ import annotations

import gzip
import socket
import struct
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qsl, urlencode, urlsplit

__all__ = [
    "Fault",
    "Replace",
    "RequestLog",
    "Reset",
    "Slow",
    "Status",
    "TestSite",
    "Truncated",
    "WrongContentType",
]


@dataclass(frozen=True)
class Status:
    """Answer with this status code, headers and body instead of the page (e.g. 503 with Retry-After)."""

    code: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass(frozen=True)
class Slow:
    """Wait `seconds` before answering normally."""

    seconds: float


@dataclass(frozen=True)
class Reset:
    """Close the connection abruptly (TCP reset) without answering."""


@dataclass(frozen=True)
class Truncated:
    """Announce a Content-Length `missing` bytes larger than the body, send the body, then hang up."""

    missing: int = 100


@dataclass(frozen=True)
class WrongContentType:
    """Serve the page with another Content-Type."""

    content_type: str


@dataclass(frozen=True)
class Replace:
    """Serve another body in place of the page (changed markup)."""

    body: bytes


Fault = Status | Slow | Reset | Truncated | WrongContentType | Replace


@dataclass(frozen=True)
class RequestLog:
    """One request the site received."""

    method: str
    # Path and query, e.g. "/reviews?page=2" (also for absolute-form proxy requests).
    path: str
    headers: Mapping[str, str]
    # Arrival time on `time.monotonic()`.
    time: float
    # The request target exactly as sent; absolute ("http://host/path") when the site acts as a proxy.
    target: str = ""
    # The request body as received (empty for GET and HEAD).
    body: bytes = b""

    def form(self) -> dict[str, str]:
        """The body read as an `application/x-www-form-urlencoded` form (last value wins)."""
        return dict(parse_qsl(self.body.decode("utf-8", errors="replace"), keep_blank_values=True))


@dataclass(frozen=True)
class _Page:
    body: bytes
    content_type: str
    headers: Mapping[str, str]
    etag: str | None
    last_modified: str | None
    compress: bool


@dataclass(frozen=True)
class _PostRoute:
    page: _Page
    # Which request bodies this route answers; None answers every body.
    when: Callable[[bytes], bool] | None


@dataclass
class _PendingFault:
    fault: Fault
    remaining: int | None


def _normalise(path_with_query: str) -> str:
    """Path plus query with parameters sorted, so `?b=2&a=1` and `?a=1&b=2` name the same page."""
    parts = urlsplit(path_with_query)
    path = parts.path or "/"
    if not parts.query:
        return path
    return f"{path}?{urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))}"


class TestSite:
    """A local HTTP server with recorded pages, robots.txt and injectable faults."""

    # Not a test class, despite the name.
    __test__ = False

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self.requests: list[RequestLog] = []
        self._pages: dict[str, _Page] = {}
        self._posts: dict[str, list[_PostRoute]] = {}
        self._faults: dict[str, list[_PendingFault]] = {}
        self._robots: str | None = None
        self._latency = 0.0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """`http://HOST:PORT` of the running site."""
        if self._server is None:
            raise RuntimeError("the test site is not running; call start() or use it as a context manager")
        return f"http://{self.host}:{self._server.server_address[1]}"

    def url(self, path_with_query: str) -> str:
        """Absolute URL of a path on this site."""
        return self.base_url + path_with_query

    def start(self) -> TestSite:
        """Start serving in a background thread."""
        if self._server is not None:
            return self
        server = _Server((self.host, self.port), _Handler)
        server.site = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"testsite-{self.host}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> TestSite:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def add_page(
        self,
        path_with_query: str,
        body: bytes,
        content_type: str,
        *,
        headers: Mapping[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        compress: bool = False,
    ) -> None:
        """Serve `body` at `path_with_query`; `compress` gzips or brotli-encodes it when the client accepts."""
        page = _Page(body, content_type, dict(headers or {}), etag, last_modified, compress)
        with self._lock:
            self._pages[_normalise(path_with_query)] = page

    def add_post(
        self,
        path_with_query: str,
        body: bytes,
        content_type: str,
        *,
        when: Callable[[bytes], bool] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Answer POSTs to `path_with_query` whose body satisfies `when` (every body when None) with `body`.

        Routes of one path are tried newest first, so a later route overrides an earlier one for the
        bodies both accept. A POST that no route accepts gets a 404.
        """
        route = _PostRoute(_Page(body, content_type, dict(headers or {}), None, None, False), when)
        with self._lock:
            self._posts.setdefault(_normalise(path_with_query), []).insert(0, route)

    def add_fault(self, path: str, fault: Fault, *, times: int | None = None) -> None:
        """Give the next `times` requests to `path` (all of them when None) this fault, after earlier faults."""
        if times is not None and times < 1:
            raise ValueError("times must be at least 1 (or None for every request)")
        with self._lock:
            self._faults.setdefault(_normalise(path), []).append(_PendingFault(fault, times))

    def set_robots(self, text: str | None) -> None:
        """Serve this robots.txt; None answers 404 (no robots.txt)."""
        with self._lock:
            self._robots = text

    def latency(self, seconds: float) -> None:
        """Delay every answer by `seconds` (for benchmarks)."""
        self._latency = max(0.0, seconds)

    def reset(self) -> None:
        """Forget pages, faults, robots.txt, latency and the request log."""
        with self._lock:
            self._pages.clear()
            self._posts.clear()
            self._faults.clear()
            self._robots = None
            self._latency = 0.0
            self.requests.clear()

    def requests_to(self, path: str) -> list[RequestLog]:
        """Logged requests whose path (with query) equals `path`."""
        wanted = _normalise(path)
        return [r for r in list(self.requests) if _normalise(r.path) == wanted]

    def _take_fault(self, path_with_query: str) -> Fault | None:
        with self._lock:
            for key in (_normalise(path_with_query), urlsplit(path_with_query).path or "/"):
                pending = self._faults.get(key)
                if not pending:
                    continue
                first = pending[0]
                if first.remaining is not None:
                    first.remaining -= 1
                    if first.remaining == 0:
                        pending.pop(0)
                return first.fault
        return None

    def _page(self, path_with_query: str) -> _Page | None:
        with self._lock:
            page = self._pages.get(_normalise(path_with_query))
            if page is None and urlsplit(path_with_query).path == "/robots.txt" and self._robots is not None:
                page = _Page(self._robots.encode(), "text/plain; charset=utf-8", {}, None, None, False)
            return page

    def _post_page(self, path_with_query: str, body: bytes) -> _Page | None:
        with self._lock:
            routes = list(self._posts.get(_normalise(path_with_query), ()))
        # Predicates run outside the lock: they are test code and may be slow or fail.
        for route in routes:
            if route.when is None or route.when(body):
                return route.page
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: TestSite

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients that hang up (timeouts, resets we caused) are expected here; stay quiet.
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def do_POST(self) -> None:
        length = self.headers.get("Content-Length", "0")
        self._serve(send_body=True, request_body=self.rfile.read(int(length)) if length.isdigit() else b"")

    def _serve(self, *, send_body: bool, request_body: bytes | None = None) -> None:
        site = self.server.site
        target = self.path
        path = target
        if target.startswith(("http://", "https://")):
            parts = urlsplit(target)
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = {k.lower(): v for k, v in self.headers.items()}
        site.requests.append(RequestLog(self.command, path, headers, time.monotonic(), target, request_body or b""))
        if site._latency:
            time.sleep(site._latency)

        fault = site._take_fault(path)
        page = site._page(path) if request_body is None else site._post_page(path, request_body)
        if isinstance(fault, Slow):
            time.sleep(fault.seconds)
        elif isinstance(fault, Reset):
            self._reset()
            return
        elif isinstance(fault, Status):
            self._answer(fault.code, fault.body, dict(fault.headers), send_body=send_body)
            return
        if page is None:
            self._answer(404, b"not found\n", {"Content-Type": "text/plain"}, send_body=send_body)
            return

        body, content_type = page.body, page.content_type
        if isinstance(fault, Replace):
            body = fault.body
        elif isinstance(fault, WrongContentType):
            content_type = fault.content_type
        extra = {"Content-Type": content_type, **page.headers}
        if page.etag:
            extra["ETag"] = page.etag
        if page.last_modified:
            extra["Last-Modified"] = page.last_modified
        if request_body is None and not isinstance(fault, Replace) and _not_modified(page, headers):
            self._answer(304, b"", {k: v for k, v in extra.items() if k != "Content-Type"}, send_body=False)
            return
        if page.compress:
            body, encoding = _encode(body, headers.get("accept-encoding", ""))
            extra["Vary"] = "Accept-Encoding"
            if encoding:
                extra["Content-Encoding"] = encoding
        if isinstance(fault, Truncated):
            self._truncated(body, extra, fault.missing)
            return
        self._answer(200, body, extra, send_body=send_body)

    def _answer(self, code: int, body: bytes, headers: dict[str, str], *, send_body: bool) -> None:
        self.send_response(code)
        for name, value in headers.items():
            self.send_header(name, value)
        if code != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body and code != 304:
            self.wfile.write(body)

    def _truncated(self, body: bytes, headers: dict[str, str], missing: int) -> None:
        self.send_response(200)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body) + missing))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_WR)

    def _reset(self) -> None:
        # SO_LINGER with a zero timeout makes close() send a TCP RST instead of an orderly FIN.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()


def _not_modified(page: _Page, request_headers: Mapping[str, str]) -> bool:
    if_none_match = request_headers.get("if-none-match")
    if if_none_match is not None:
        # RFC 9110: If-None-Match uses weak comparison and takes precedence over If-Modified-Since.
        if page.etag is None:
            return False
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or page.etag.removeprefix("W/") in tags
    if_modified_since = request_headers.get("if-modified-since")
    if if_modified_since and page.last_modified:
        try:
            return parsedate_to_datetime(page.last_modified) <= parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
    return False


def _encode(body: bytes, accept_encoding: str) -> tuple[bytes, str | None]:
    accepted = {part.split(";")[0].strip().lower() for part in accept_encoding.split(",")}
    if "br" in accepted:
        try:
            import brotli
        except ImportError:
            pass
        else:
            return brotli.compress(body), "br"
    if "gzip" in accepted:
        return gzip.compress(body), "gzip"
    return body, None
