"""A small local HTTP site that serves registered pages, so `monitor demo` crawls real HTTP offline.

It runs a stdlib threaded HTTP server on an ephemeral port in a background thread:

    with LocalSite() as site:
        site.set_robots("User-agent: *\\nAllow: /\\n")
        site.add_page("/reviews?page=2", html, "text/html")
        fetch(site.url("/reviews?page=2"))

POST endpoints are served too, chosen by path and, optionally, by a predicate on the request body:

    site.add_post("/api/list", page_two, "application/json", when=lambda body: b"token=abc" in body)

Pages are keyed by path and query with the parameters sorted, so `?b=2&a=1` and `?a=1&b=2` name the same
page. The site also answers absolute-form requests (`GET http://other.example/path`), so it can stand in
for an HTTP proxy. A subclass changes how requests are answered through `override`, which sees every
request before it is answered.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self
from urllib.parse import parse_qsl, urlencode, urlsplit

__all__ = ["Answer", "LocalSite", "Page", "Request", "Responder", "SiteHandler", "page_key"]


@dataclass(frozen=True)
class Request:
    """One request as the site received it."""

    method: str
    # Path and query, e.g. "/reviews?page=2" (also for absolute-form proxy requests).
    path: str
    # Header names in lower case.
    headers: Mapping[str, str]
    # Arrival time on `time.monotonic()`.
    time: float
    # The request target exactly as sent; absolute ("http://host/path") when the site acts as a proxy.
    target: str = ""
    # The request body as received (empty for GET and HEAD).
    body: bytes = b""


@dataclass(frozen=True)
class Page:
    """A registered answer: the body, its Content-Type and any further response headers."""

    body: bytes
    content_type: str
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    """What the site sends back; the body is left out for HEAD requests and 304s."""

    status: int
    headers: Mapping[str, str]
    body: bytes = b""


@dataclass(frozen=True)
class _PostRoute:
    page: Page
    # Which request bodies this route answers; None answers every body.
    when: Callable[[bytes], bool] | None


def page_key(path_with_query: str) -> str:
    """The key a page is registered under: the path plus the query with its parameters sorted."""
    parts = urlsplit(path_with_query)
    path = parts.path or "/"
    if not parts.query:
        return path
    return f"{path}?{urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))}"


class LocalSite:
    """A local HTTP server answering GET, HEAD and POST with registered pages, plus robots.txt."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self._pages: dict[str, Page] = {}
        self._posts: dict[str, list[_PostRoute]] = {}
        self._robots: str | None = None
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """`http://HOST:PORT` of the running site."""
        if self._server is None:
            raise RuntimeError("the local site is not running; call start() or use it as a context manager")
        return f"http://{self.host}:{self._server.server_address[1]}"

    def url(self, path_with_query: str) -> str:
        """Absolute URL of a path on this site."""
        return self.base_url + path_with_query

    def start(self) -> Self:
        """Start serving in a background thread."""
        if self._server is not None:
            return self
        server = _Server((self.host, self.port), SiteHandler)
        server.site = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"localsite-{self.host}", daemon=True
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

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def add_page(
        self, path_with_query: str, body: bytes, content_type: str, *, headers: Mapping[str, str] | None = None
    ) -> None:
        """Answer GET and HEAD requests for `path_with_query` with `body`."""
        with self._lock:
            self._pages[page_key(path_with_query)] = Page(body, content_type, dict(headers or {}))

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
        route = _PostRoute(Page(body, content_type, dict(headers or {})), when)
        with self._lock:
            self._posts.setdefault(page_key(path_with_query), []).insert(0, route)

    def set_robots(self, text: str | None) -> None:
        """Serve this robots.txt; None answers 404 (no robots.txt)."""
        with self._lock:
            self._robots = text

    def reset(self) -> None:
        """Forget every page, POST route and the robots.txt."""
        with self._lock:
            self._pages.clear()
            self._posts.clear()
            self._robots = None

    def override(self, request: Request) -> Responder | None:
        """Called with every request first: a responder that answers it instead, or None to serve the page.

        The local site always serves its pages; subclasses use this to answer differently.
        """
        return None

    def page_for(self, request: Request) -> Page | None:
        """The page registered for a GET or HEAD (robots.txt included), or the first POST route taking the body."""
        if request.method == "POST":
            with self._lock:
                routes = list(self._posts.get(page_key(request.path), ()))
            # Predicates run outside the lock: they are the caller's code and may be slow or fail.
            for route in routes:
                if route.when is None or route.when(request.body):
                    return route.page
            return None
        with self._lock:
            page = self._pages.get(page_key(request.path))
            if page is None and urlsplit(request.path).path == "/robots.txt" and self._robots is not None:
                page = Page(self._robots.encode(), "text/plain; charset=utf-8")
            return page

    def answer(self, request: Request, page: Page | None) -> Answer:
        """The answer to `request`: 200 with the page, or 404 when no page is registered for it."""
        if page is None:
            return Answer(404, {"Content-Type": "text/plain"}, b"not found\n")
        return Answer(200, {"Content-Type": page.content_type, **page.headers}, page.body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: LocalSite

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients that hang up (timeouts, dropped connections) are expected here; stay quiet.
        pass


class SiteHandler(BaseHTTPRequestHandler):
    """Answers one connection's requests on behalf of the site that runs the server."""

    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        length = self.headers.get("Content-Length", "0")
        self._serve(self.rfile.read(int(length)) if length.isdigit() else b"")

    def send(self, answer: Answer) -> None:
        """Send `answer` with its Content-Length; HEAD requests and 304s get no body."""
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        if answer.status != 304:
            self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if self.command != "HEAD" and answer.status != 304:
            self.wfile.write(answer.body)

    def _serve(self, body: bytes = b"") -> None:
        site = self.server.site
        target = self.path
        path = target
        if target.startswith(("http://", "https://")):
            parts = urlsplit(target)
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = {k.lower(): v for k, v in self.headers.items()}
        request = Request(self.command, path, headers, time.monotonic(), target, body)
        responder = site.override(request)
        if responder is not None:
            responder(self)
            return
        self.send(site.answer(request, site.page_for(request)))


# Answers one request on the connection the handler holds, in place of the registered page.
Responder = Callable[[SiteHandler], None]
