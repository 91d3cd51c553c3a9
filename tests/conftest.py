"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from sqlalchemy import text

# Command output in tests is judged by its content, never by the width of the terminal that happens to run pytest:
# the consoles read COLUMNS once, when the CLI module is imported, so it is pinned before any product import.
os.environ["COLUMNS"] = "200"
# The language model is unpacked once per run into a folder of the run's own, not into the user's cache.
os.environ["MONITOR_CACHE_DIR"] = tempfile.mkdtemp(prefix="monitor-test-cache-")

from tests import pg_backend  # before any product import: a PostgreSQL run maps every engine

pg_backend.install()

from monitor.store.db import make_engine  # noqa: E402
from tests.site import TestSite  # noqa: E402


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


PG_SERVER = os.environ.get("MONITOR_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A throw-away PostgreSQL database, dropped afterwards; skipped (or failed under CI) without a server."""
    admin = make_engine(PG_SERVER)
    try:
        with admin.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:  # any driver error means: no server to test against
        admin.dispose()
        message = f"PostgreSQL is not reachable at {PG_SERVER} ({exc.__class__.__name__})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}: PostgreSQL must be running in CI")
        pytest.skip(f"{message}; start one or set MONITOR_TEST_PG to run this test")
    name = f"monitor_test_{uuid.uuid4().hex[:12]}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = PG_SERVER.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In a PostgreSQL run, tests of what only SQLite has are skipped, saying so."""
    if pg_backend.BACKEND != "postgresql":
        return
    skip = pytest.mark.skip(reason="SQLite-only behaviour (its files, locks or sqlite3 reads); this run is PostgreSQL")
    for item in items:
        if item.get_closest_marker("sqlite_only"):
            item.add_marker(skip)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Drop the databases a PostgreSQL run created, and the run's cache folder."""
    pg_backend.drop_databases()
    shutil.rmtree(os.environ["MONITOR_CACHE_DIR"], ignore_errors=True)
