"""Credentials in database URLs, locators and the error messages that quote them are never printed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from monitor.cli.main import app
from monitor.core.redaction import redact_url, redact_urls
from monitor.runtime.context import redact_url as context_redact_url
from monitor.store.models import CrawlRun
from tests.db_fixtures import add_company, add_source, at, migrated_sqlite, sqlite_url

runner = CliRunner()


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://monitor:S3cret@db:5432/x", "postgresql://monitor:***@db:5432/x"),
        ("postgresql://monitor:S3c@ret@db/x", "postgresql://monitor:***@db/x"),
        ("postgresql://monitor:S3c/ret@db/x", "postgresql://monitor:***@db/x"),
        (
            "postgresql://monitor@db/x?sslmode=require&password=S3cret",
            "postgresql://monitor@db/x?sslmode=require&password=***",
        ),
        ("https://bob:S3cret@reviews.example/acme?page=2", "https://bob:***@reviews.example/acme?page=2"),
        (
            "https://api.example/v1?api_key=S3cret&token=S3cret;Secret=S3cret&key=S3cret#top",
            "https://api.example/v1?api_key=***&token=***;Secret=***&key=***#top",
        ),
        ("https://api.example/v1?access_token=S3cret&lang=en", "https://api.example/v1?access_token=***&lang=en"),
        ("https://www.trustpilot.com/review/acme.example", "https://www.trustpilot.com/review/acme.example"),
        ("https://social.example/@acme?q=a@b", "https://social.example/@acme?q=a@b"),
        ("sqlite:///data/monitor.store.db", "sqlite:///data/monitor.store.db"),
        ("cell-c", "cell-c"),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown
    assert context_redact_url(url) == shown
    assert redact_urls(f"could not fetch {url} after 3 attempt(s): '{url}'") == (
        f"could not fetch {shown} after 3 attempt(s): '{shown}'"
    )


def config(tmp_path: Path) -> str:
    path = tmp_path / "monitor.toml"
    path.write_text(f'database_url = "{sqlite_url(tmp_path)}"\n', encoding="utf-8")
    return str(path)


def test_runs_and_sources_never_show_a_locator_password(tmp_path: Path) -> None:
    engine = migrated_sqlite(tmp_path)
    with Session(engine) as session:
        source = add_source(session, add_company(session), name="feed", kind="file")
        session.add(
            CrawlRun(
                source_id=source.id or 0,
                started_at=at("2024-07-01 08:00"),
                finished_at=at("2024-07-01 08:01"),
                health="unreachable",
                message="could not fetch https://bob:S3cret@feed.example/x?token=T0ken after 3 attempt(s)",
                errors=["https://feed.example/x?api_key=K3y answered 401"],
            )
        )
        session.commit()
    engine.dispose()
    cfg = config(tmp_path)
    table = runner.invoke(app, ["-c", cfg, "runs"])
    listed = runner.invoke(app, ["-c", cfg, "runs", "--json"])
    sources = runner.invoke(app, ["-c", cfg, "sources"])
    for result in (table, listed, sources):
        assert result.exit_code == 0, result.output
        assert "S3cret" not in result.output and "T0ken" not in result.output and "K3y" not in result.output
    (run,) = json.loads(listed.stdout)
    assert run["message"] == "could not fetch https://bob:***@feed.example/x?token=*** after 3 attempt(s)"
    assert run["errors"] == ["https://feed.example/x?api_key=*** answered 401"]
    assert "bob:***@feed.example" in table.stdout and "bob:***@feed.example" in sources.stdout


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://monitor@127.0.0.1:1/x?password=S3cretPw",
        "postgresql://monitor:S3c@retPw@127.0.0.1:1/x",
        "postgresql://monitor:S3c/retPw@127.0.0.1:1/x",
    ],
)
def test_database_errors_never_show_the_password(url: str) -> None:
    result = runner.invoke(app, ["init"], env={"MONITOR_DATABASE_URL": url})
    assert result.exit_code == 1 and "cannot open the database" in result.stderr
    assert "S3c" not in result.output and "retPw" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_proxy_password_is_not_in_the_config_error(tmp_path: Path) -> None:
    path = tmp_path / "monitor.toml"
    path.write_text('proxy = "ftp://bob:S3cret@proxy.example:21"\n', encoding="utf-8")
    result = runner.invoke(app, ["-c", str(path), "sources"])
    assert result.exit_code == 1 and "proxy" in result.stderr
    assert "S3cret" not in result.output
