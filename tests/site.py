"""The local site of the test suite: the product's `LocalSite` plus a request log, validators and faults.

    with TestSite() as site:
        site.add_page("/reviews?page=2", html, "text/html", etag='"v2"')
        site.add_fault("/reviews", Status(503, headers={"Retry-After": "1"}), times=1)
        fetch(site.url("/reviews?page=2"))

Every request is logged in `site.requests` (method, path, headers, body, arrival time on
`time.monotonic()`), so tests can check politeness and what was posted. Pages may carry an ETag and a
Last-Modified date (answered with a 304 when the client already has them) and may be compressed when
the client accepts it. Faults (an error status, a slow answer, a reset connection, a truncated body, a
wrong Content-Type, changed markup) are queued per path. Each `TestSite` is one host; start several (on
`127.0.0.1`, or on other loopback addresses such as `127.0.0.2` where the system routes them) for
many-host scenarios.

Hostile answers are built here too: a status line whose reason phrase carries terminal escapes
(`Status(500, reason=...)`), and compression bombs (`compression_bomb`) that are a few kilobytes on the wire
and gigabytes once decoded, served with `add_page(..., headers={"Content-Encoding": ...})`.
"""

from __future__ import annotations

import functools
import gzip
import socket
import struct
import threading
import time
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, urlsplit

from monitor.demo.site import Answer, LocalSite, Page, Request, Responder, SiteHandler, page_key

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
    "compression_bomb",
]


@dataclass(frozen=True)
class Status:
    """Answer with this status code, headers and body instead of the page (e.g. 503 with Retry-After)."""

    code: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    # The status line's reason phrase, sent as given (latin-1); None sends the standard one.
    reason: str | None = None


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
class RequestLog(Request):
    """One request the site received."""

    def form(self) -> dict[str, str]:
        """The body read as an `application/x-www-form-urlencoded` form (last value wins)."""
        return dict(parse_qsl(self.body.decode("utf-8", errors="replace"), keep_blank_values=True))


@dataclass(frozen=True)
class _PageOptions:
    etag: str | None
    last_modified: str | None
    compress: bool


@dataclass
class _PendingFault:
    fault: Fault
    remaining: int | None


class TestSite(LocalSite):
    """A local HTTP server with recorded pages, robots.txt, conditional answers and injectable faults."""

    # Not a test class, despite the name.
    __test__ = False

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host, port)
        self.requests: list[RequestLog] = []
        self._options: dict[str, _PageOptions] = {}
        self._faults: dict[str, list[_PendingFault]] = {}
        self._latency = 0.0
        self._test_lock = threading.Lock()

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
        key = page_key(path_with_query)
        with self._test_lock:
            if etag or last_modified or compress:
                self._options[key] = _PageOptions(etag, last_modified, compress)
            else:
                self._options.pop(key, None)
        super().add_page(path_with_query, body, content_type, headers=headers)

    def add_fault(self, path: str, fault: Fault, *, times: int | None = None) -> None:
        """Give the next `times` requests to `path` (all of them when None) this fault, after earlier faults."""
        if times is not None and times < 1:
            raise ValueError("times must be at least 1 (or None for every request)")
        with self._test_lock:
            self._faults.setdefault(page_key(path), []).append(_PendingFault(fault, times))

    def latency(self, seconds: float) -> None:
        """Delay every answer by `seconds` (for benchmarks)."""
        self._latency = max(0.0, seconds)

    def reset(self) -> None:
        """Forget pages, faults, robots.txt, latency and the request log."""
        super().reset()
        with self._test_lock:
            self._options.clear()
            self._faults.clear()
            self._latency = 0.0
            self.requests.clear()

    def requests_to(self, path: str) -> list[RequestLog]:
        """Logged requests whose path (with query) equals `path`."""
        wanted = page_key(path)
        return [r for r in list(self.requests) if page_key(r.path) == wanted]

    def override(self, request: Request) -> Responder | None:
        """Log the request, wait out the latency, and answer with the next fault for its path if there is one."""
        self.requests.append(RequestLog(**vars(request)))
        if self._latency:
            time.sleep(self._latency)
        fault = self._take_fault(request.path)
        if fault is None:
            return None
        return functools.partial(self._serve_fault, fault, request, self.page_for(request))

    def answer(self, request: Request, page: Page | None, *, conditional: bool = True) -> Answer:
        """The page's answer with its validators: a 304 when the client has it, compressed when it accepts."""
        plain = super().answer(request, page)
        options = self._options_for(request) if page is not None else None
        if options is None:
            return plain
        headers = dict(plain.headers)
        if options.etag:
            headers["ETag"] = options.etag
        if options.last_modified:
            headers["Last-Modified"] = options.last_modified
        if conditional and _not_modified(options, request.headers):
            return Answer(304, {k: v for k, v in headers.items() if k != "Content-Type"})
        body = plain.body
        if options.compress:
            body, encoding = _encode(body, request.headers.get("accept-encoding", ""))
            headers["Vary"] = "Accept-Encoding"
            if encoding:
                headers["Content-Encoding"] = encoding
        return Answer(plain.status, headers, body)

    def _options_for(self, request: Request) -> _PageOptions | None:
        # POST answers are never conditional or compressed: one endpoint answers many different bodies.
        if request.method == "POST":
            return None
        with self._test_lock:
            return self._options.get(page_key(request.path))

    def _take_fault(self, path_with_query: str) -> Fault | None:
        with self._test_lock:
            for key in (page_key(path_with_query), urlsplit(path_with_query).path or "/"):
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

    def _serve_fault(self, fault: Fault, request: Request, page: Page | None, handler: SiteHandler) -> None:
        if isinstance(fault, Reset):
            _reset(handler)
            return
        if isinstance(fault, Status):
            if fault.reason is None:
                handler.send(Answer(fault.code, dict(fault.headers), fault.body))
            else:
                _send_with_reason(handler, fault)
            return
        if isinstance(fault, Slow):
            time.sleep(fault.seconds)
        conditional = True
        if page is not None and isinstance(fault, Replace):
            # Changed markup is served whatever validators the client holds.
            page, conditional = replace(page, body=fault.body), False
        elif page is not None and isinstance(fault, WrongContentType):
            page = replace(page, content_type=fault.content_type)
        answer = self.answer(request, page, conditional=conditional)
        if isinstance(fault, Truncated) and answer.status == 200:
            _send_truncated(handler, answer, fault.missing)
            return
        handler.send(answer)


def _send_with_reason(handler: SiteHandler, status: Status) -> None:
    handler.send_response(status.code, status.reason)
    for name, value in status.headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(status.body)))
    handler.end_headers()
    handler.wfile.write(status.body)


def _send_truncated(handler: SiteHandler, answer: Answer, missing: int) -> None:
    handler.send_response(answer.status)
    for name, value in answer.headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(answer.body) + missing))
    handler.end_headers()
    handler.wfile.write(answer.body)
    handler.wfile.flush()
    handler.close_connection = True
    handler.connection.shutdown(socket.SHUT_WR)


def _reset(handler: SiteHandler) -> None:
    # SO_LINGER with a zero timeout makes close() send a TCP RST instead of an orderly FIN.
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.close_connection = True
    handler.connection.close()


def _not_modified(options: _PageOptions, request_headers: Mapping[str, str]) -> bool:
    if_none_match = request_headers.get("if-none-match")
    if if_none_match is not None:
        # RFC 9110: If-None-Match uses weak comparison and takes precedence over If-Modified-Since.
        if options.etag is None:
            return False
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or options.etag.removeprefix("W/") in tags
    if_modified_since = request_headers.get("if-modified-since")
    if if_modified_since and options.last_modified:
        try:
            return parsedate_to_datetime(options.last_modified) <= parsedate_to_datetime(if_modified_since)
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


def compression_bomb(decoded_size: int, encodings: Sequence[str]) -> bytes:
    """`decoded_size` zero bytes encoded with `encodings` in Content-Encoding order (the first applied first).

    The innermost layer is built in 1 MiB steps, so a gigabyte bomb never exists in memory here either.
    """
    step = bytes(1 << 20)
    first, *rest = encodings
    parts: list[bytes] = []
    if first == "br":
        import brotli

        compressor = brotli.Compressor(quality=5)
        for _ in range(decoded_size // len(step)):
            parts.append(compressor.process(step))
        parts.append(compressor.process(bytes(decoded_size % len(step))))
        parts.append(compressor.finish())
    else:
        packer = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS if first == "gzip" else zlib.MAX_WBITS)
        for _ in range(decoded_size // len(step)):
            parts.append(packer.compress(step))
        parts.append(packer.compress(bytes(decoded_size % len(step))))
        parts.append(packer.flush())
    body = b"".join(parts)
    for encoding in rest:
        if encoding == "br":
            import brotli

            body = brotli.compress(body)
        elif encoding == "gzip":
            body = gzip.compress(body, compresslevel=9)
        else:
            body = zlib.compress(body, 9)
    return body
