"""Instant alerts through Apprise to a local HTTP endpoint, and the `digest` command's file and terminal output."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import typer
from sqlmodel import Session
from typer.testing import CliRunner

from monitor.cli.digest import digest
from monitor.core.settings import Settings
from monitor.demo.run import write_demo_digest
from monitor.digest.alerts import send_alerts, urgent_alerts
from monitor.digest.build import build_digest
from tests.db_fixtures import add_company, add_review, add_source, at, migrated_sqlite

DAY = date(2024, 3, 11)


def _fill(tmp_path: Path) -> Any:
    engine = migrated_sqlite(tmp_path)
    with Session(engine, expire_on_commit=False) as session:
        company = add_company(session, name="Acme", timezone="Asia/Singapore")
        src = add_source(session, company)
        add_review(session, src, published=at("2024-03-11 02:00"), body="I will sue you <b>now</b>", flags="legal")
        add_review(session, src, published=at("2024-03-11 03:00"), handle="u2", body="Slow.", helpful_votes=55)
        add_review(session, src, published=at("2024-03-11 04:00"), handle="u3", body="Meh, late again.")
        add_review(session, src, published=at("2024-03-01 04:00"), handle="u4", body="An older complaint.")
        session.commit()
    return engine


def test_urgent_reviews_are_posted_as_plain_text(
    tmp_path: Path, alert_endpoint: tuple[str, list[dict[str, Any]]]
) -> None:
    engine = _fill(tmp_path)
    with Session(engine) as session:
        built = build_digest(session=session, day=DAY, now=at("2024-03-12 00:00"))
    alerts = urgent_alerts(built.companies)
    assert [a.title.split("(")[1].rstrip(")") for a in alerts] == ["legal", "55 people found it helpful"]
    url, received = alert_endpoint
    assert send_alerts(alerts, [url]) == 2
    assert [r["title"] for r in received] == [a.title for a in alerts]
    # Shown as typed: a zero-width space after `<` only keeps chat tools from reading a tag or a mention.
    assert "I will sue you <\u200bb>now<\u200b/b>" in received[0]["message"]


def test_digest_command_writes_html_and_prints_terminal_text(tmp_path: Path) -> None:
    _fill(tmp_path).dispose()
    config = tmp_path / "monitor.toml"
    config.write_text(f'database_url = "sqlite:///{tmp_path / "monitor.store.db"}"\n', encoding="utf-8")
    app = typer.Typer()
    app.command()(digest)
    app.command("noop")(lambda: None)  # two commands keep `digest` a named subcommand, as when mounted
    runner = CliRunner(env={"MONITOR_CONFIG": str(config), "COLUMNS": "200"})
    out_file = tmp_path / "out" / "digest.html"
    result = runner.invoke(app, ["digest", "--date", "2024-03-11", "--out", str(out_file), "--text"])
    assert result.exit_code == 0, result.output
    page = out_file.read_text(encoding="utf-8")
    assert "I will sue you &lt;b&gt;now&lt;/b&gt;" in page
    assert "I will sue you <b>now</b>" in result.output
    assert "3 new reviews, 3 from unhappy reviewers" in result.output
    bad = runner.invoke(app, ["digest", "--date", "11/03/2024"])
    assert bad.exit_code == 1 and "YYYY-MM-DD" in bad.output
    unknown = runner.invoke(app, ["digest", "--date", "2024-03-11", "--company", "Nobody"])
    assert unknown.exit_code == 1 and "Acme" in unknown.output


def test_demo_digest_is_written_for_the_newest_day(tmp_path: Path) -> None:
    engine = _fill(tmp_path)
    path = write_demo_digest(engine, Settings(), tmp_path)
    assert path == tmp_path / "digest-2024-03-11.html"
    assert "Acme" in path.read_text(encoding="utf-8")
