"""Fixtures of the web app's tests: a seeded database, a live server on 127.0.0.1 with an HTTP client, a browser."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from monitor.runtime.context import open_database
from tests.pg_backend import copy_database
from tests.web.support import WebDb, app_for, live_server, sqlite_web_db


@pytest.fixture(scope="session")
def seeded_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, WebDb]:
    """One seeded SQLite file for the session (hashing passwords is slow on purpose); tests get copies."""
    folder = tmp_path_factory.mktemp("web-seed")
    db = sqlite_web_db(folder)
    db.engine.dispose()  # checkpoints the write-ahead log into the file
    return folder / "web.db", db


@pytest.fixture
def web_db(tmp_path: Path, seeded_file: tuple[Path, WebDb]) -> Iterator[WebDb]:
    """A fresh copy of the seeded SQLite database."""
    source, seeded = seeded_file
    copy_database(source, tmp_path / "web.db")
    db = replace(seeded, engine=open_database(f"sqlite:///{tmp_path / 'web.db'}"))
    yield db
    db.engine.dispose()


@pytest.fixture
def base_url(web_db: WebDb) -> Iterator[str]:
    """The app on the seeded database, served on 127.0.0.1."""
    with live_server(app_for(web_db)) as url:
        yield url


@pytest.fixture
def client(base_url: str) -> Iterator[httpx.Client]:
    """An HTTP client of the live app (not signed in)."""
    with httpx.Client(base_url=base_url, timeout=30) as http:
        yield http


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def browser_page() -> Iterator[object]:
    """A Playwright page in Debian's chromium; the test is skipped without it (and fails under CI)."""
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        message = f"{CHROMIUM} is missing (apt-get install -y chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}: the browser tests must run in CI")
        pytest.skip(message)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(20_000)
            yield page
        finally:
            browser.close()
