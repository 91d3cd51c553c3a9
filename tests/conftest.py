"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from monitor.testsite import TestSite


@pytest.fixture(scope="session")
def testsite() -> Iterator[TestSite]:
    """One local HTTP site for the session; call `testsite.reset()` before configuring it in a test."""
    with TestSite() as site:
        yield site


class _AlertCatcher(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        self.received.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def alert_endpoint() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A local chat-tool stand-in: an Apprise `json://` URL and the list of JSON bodies posted to it."""
    received: list[dict[str, Any]] = []
    handler = type("Catcher", (_AlertCatcher,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"json://127.0.0.1:{server.server_address[1]}/hook", received
    finally:
        server.shutdown()
        server.server_close()
