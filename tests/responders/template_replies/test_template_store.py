"""Template classification of stored replies, the per-company share, and the context a draft is checked in."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from monitor.cli.main import app
from monitor.crawl.pipeline import analyse_new_data
from monitor.store.db import session_scope
from monitor.store.models import CompanyReply
from monitor.store.repository import sync_config, upsert_reviews
from monitor.store.task_models import OutreachTask
from monitor.store.template_models import ReplyTemplate
from responders.outreach.draft_context import draft_context
from responders.template_replies.stats import template_share
from responders.template_replies.store import classify_company_replies
from sources.base import Page
from sources.google_play import GooglePlay
from tests.db_fixtures import migrated_sqlite, settings_with
from tests.fixture_path import fixture

URL = "https://play.google.com/store/apps/details?id=runner.dunzo.com.dunzo_runner&hl=en&gl=us"
SOURCE = '[[company.source]]\nname = "dunzo"\nkind = "google_play"\nlocator = "runner.dunzo.com.dunzo_runner"\n'


def load_dunzo(tmp_path: Path) -> tuple[Engine, Path]:
    """The real Dunzo page's 40 reviews (29 got the same 'we regret' reply), stored and analysed."""
    body = gzip.decompress(fixture("google_play", "dunzo-delivery-partner_play_listing_2021.html.gz").read_bytes())
    records = GooglePlay("runner.dunzo.com.dunzo_runner").parse(Page(URL, 200, body)).records
    engine = migrated_sqlite(tmp_path)
    config = tmp_path / "monitor.toml"
    config.write_text(
        f'database_url = "sqlite:///{tmp_path / "monitor.store.db"}"\nbackfill_window_days = 3650\n'
        f'[[company]]\nname = "Dunzo"\n{SOURCE}',
        encoding="utf-8",
    )
    settings = settings_with(tmp_path, SOURCE, company="Dunzo")
    with session_scope(engine) as session:
        src = sync_config(session=session, settings=settings)["dunzo"]
        result = upsert_reviews(session=session, source=src, records=records)
        analyse_new_data(session=session, settings=settings, source=src, result=result)
    return engine, config


def test_identical_replies_become_one_stored_template(tmp_path: Path) -> None:
    engine, _ = load_dunzo(tmp_path)
    with Session(engine) as session:
        templates = session.exec(select(ReplyTemplate).order_by(col(ReplyTemplate.size).desc())).all()
        biggest = templates[0]
        assert biggest.kind == "template" and biggest.size >= 29
        assert "partner-review@dunzo.in" in biggest.examples[0] or "{email}" in biggest.skeleton
        assert biggest.sources == ["dunzo"] and biggest.first_seen is not None
        members = session.exec(select(CompanyReply).where(CompanyReply.template_id == biggest.id)).all()
        assert len(members) == biggest.reply_count
        assert all(0 < (m.rote_score or 0) <= 1 for m in members)
        (share,) = template_share(session=session)
        assert share.replies == 38 and share.templated >= 29
        assert share.unhappy_share is not None and share.unhappy_share > 0.8


def test_reclassifying_unchanged_replies_changes_nothing(tmp_path: Path) -> None:
    engine, _ = load_dunzo(tmp_path)
    with session_scope(engine) as session:
        company_id = session.exec(select(ReplyTemplate.company_id)).first()
        assert company_id is not None
        again = classify_company_replies(session=session, company_id=company_id)
    assert again.reclassified_review_ids == [] and again.templated >= 29


def test_unhappy_reviewers_with_template_replies_are_queued_and_drafts_checked_against_templates(
    tmp_path: Path,
) -> None:
    engine, config = load_dunzo(tmp_path)
    with Session(engine) as session:
        tasks = session.exec(select(OutreachTask)).all()
        templated = [t for t in tasks if t.template_reply]
        assert len(templated) >= 20
        context = draft_context(session=session, task_id=templated[0].id or 0)
    assert context.templates and context.reviewer_name == templated[0].reviewer_name
    draft = tmp_path / "draft.txt"
    draft.write_text(context.templates[0], encoding="utf-8")
    result = CliRunner().invoke(
        app, ["-c", str(config), "check-reply", str(draft), "--task", str(templated[0].id), "--json"]
    )
    assert result.exit_code == 0, result.output
    rules = {f["rule"] for f in json.loads(result.stdout)["findings"]}
    assert "template_copy" in rules


def test_templates_list_command(tmp_path: Path) -> None:
    _, config = load_dunzo(tmp_path)
    result = CliRunner().invoke(app, ["-c", str(config), "templates", "list", "--json"])
    assert result.exit_code == 0, result.output
    (company,) = json.loads(result.stdout)
    assert company["company"] == "Dunzo" and company["templates"][0]["size"] >= 29
    text = CliRunner().invoke(app, ["-c", str(config), "templates", "list"])
    assert "replies are templates" in text.stdout
    missing = CliRunner().invoke(app, ["-c", str(config), "templates", "list", "--company", "Nope"])
    assert missing.exit_code == 1 and "no company named 'Nope'" in missing.stderr
