"""Review text written to break things: NUL bytes, terminal escapes, C1 controls and runaway bidi overrides."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from monitor.cli.main import app
from monitor.core.records import ReplyRecord, ReviewRecord
from monitor.core.text_safety import clean_text, printable
from monitor.runtime.console import print_json, safe
from monitor.runtime.context import open_database
from monitor.store.models import CompanyReply, Review, ReviewRevision, SourceRow
from monitor.store.repository import fingerprint, known_fingerprints, upsert_reviews
from tests.db_fixtures import add_company, add_review, add_source, at, migrated_sqlite

RLO, PDF, LRI, RLI, PDI, LRE = "\u202e", "\u202c", "\u2066", "\u2067", "\u2069", "\u202a"

HOSTILE = ReviewRecord(
    site_review_id="r\x00-1",
    body=f"Cold food\x00 and\x1b[2J no refund\x85.\nLine two\tok. {RLO}gnirts desrever",
    title="Awful\x07",
    author_name=f"Eve{RLO}",
    author_handle="eve\x00",
    url="https://example.com/r/1\x00",
    language="en\x00",
    rating=1.0,
    published_at=datetime(2024, 7, 1, 12, tzinfo=UTC),
    reply=ReplyRecord(text=f"Sorry\x00 about that{PDF}{PDF}", author="Team\x9b"),
    extra={"note\x00": ["a\x00b", {"c": "d\x1b"}], "n": 3},
)
CLEAN_BODY = f"Cold food and[2J no refund.\nLine two\tok. {RLO}gnirts desrever{PDF}"


def store(engine: Engine, records: list[ReviewRecord]) -> None:
    with Session(engine, expire_on_commit=False) as session:
        source = session.exec(select(SourceRow)).first()
        if source is None:
            source = add_source(session, add_company(session))
        upsert_reviews(session=session, source=source, records=records, now=at("2024-07-02 08:00"))
        session.commit()


def assert_stored_clean(engine: Engine) -> None:
    with Session(engine) as session:
        (review,) = session.exec(select(Review)).all()
        (reply,) = session.exec(select(CompanyReply)).all()
        (revision,) = session.exec(select(ReviewRevision)).all()
    assert review.site_review_id == "r-1"
    assert review.body == CLEAN_BODY and revision.body == CLEAN_BODY
    assert (review.title, review.author_name, review.author_handle) == ("Awful", f"Eve{RLO}{PDF}", "eve")
    assert (review.url, review.language) == ("https://example.com/r/1", "en")
    assert review.extra == {"note": ["ab", {"c": "d"}], "n": 3}
    assert (reply.text, reply.author) == ("Sorry about that", "Team")
    assert revision.reply_text == "Sorry about that"
    assert review.fingerprint == fingerprint(HOSTILE)  # an incremental crawl recognises the raw record as known


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = migrated_sqlite(tmp_path)
    yield engine
    engine.dispose()


@pytest.mark.postgres
def test_a_nul_byte_is_stored_cleaned_on_postgresql(pg_url: str) -> None:
    engine = open_database(pg_url)
    try:
        store(engine, [HOSTILE])
        assert_stored_clean(engine)
        store(engine, [HOSTILE])  # the next crawl sees the same raw record: nothing changed
        assert_stored_clean(engine)
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_one_nul_byte_does_not_stop_an_import_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    export = tmp_path / "export.jsonl"
    lines = [{"id": "a", "text": "Fine\u0000 thanks", "stars": 4}, {"id": "b", "text": "Slow", "stars": 1}]
    export.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    env = {"MONITOR_DATABASE_URL": pg_url}
    options = ["-o", "id_column=id", "-o", "text_column=text", "-o", "rating_column=stars"]
    runner = CliRunner()
    result = runner.invoke(app, ["import", str(export), "--company", "Acme", "--format", "generic", *options], env=env)
    assert result.exit_code == 0, result.output
    stored = json.loads(runner.invoke(app, ["reviews", "--json"], env=env).stdout)
    assert sorted(r["body"] for r in stored) == ["Fine thanks", "Slow"]


def test_sqlite_keeps_the_same_clean_text(sqlite_engine: Engine) -> None:
    store(sqlite_engine, [HOSTILE])
    store(sqlite_engine, [HOSTILE])
    assert_stored_clean(sqlite_engine)
    with Session(sqlite_engine) as session:
        source_id = session.exec(select(SourceRow)).one().id or 0
        known = known_fingerprints(session=session, source_id=source_id, site_ids=[HOSTILE.site_review_id])
    assert known == {HOSTILE.site_review_id: fingerprint(HOSTILE)}  # an incremental crawl stops at it


@pytest.mark.sqlite_only
def test_text_stored_before_cleaning_is_not_reported_as_an_edit(sqlite_engine: Engine) -> None:
    with Session(sqlite_engine, expire_on_commit=False) as session:
        source = add_source(session, add_company(session))
        old = add_review(session, source, published=at("2024-07-01 12:00"), body="Bad\x00 service", rating=1.0)
        old_id = old.site_review_id
        session.commit()
    record = ReviewRecord(
        site_review_id=old_id, body="Bad\x00 service", rating=1.0, published_at=at("2024-07-01 12:00")
    )
    with Session(sqlite_engine) as session:
        source = session.exec(select(SourceRow)).one()
        result = upsert_reviews(session=session, source=source, records=[record], now=at("2024-07-02 08:00"))
        session.commit()
        assert result.changed == 0
        assert session.exec(select(Review)).one().body == "Bad service"
        assert len(session.exec(select(ReviewRevision)).all()) == 1


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (f"{RLO}abc", f"{RLO}abc{PDF}"),
        (f"abc{PDF} tail", "abc tail"),
        (f"{RLI}x{LRE}y{PDI}z", f"{RLI}x{LRE}y{PDF}{PDI}z"),
        (f"{LRE}x{PDI}y{PDF}", f"{LRE}xy{PDF}"),
        (f"{LRI}{RLO}x", f"{LRI}{RLO}x{PDF}{PDI}"),
        (f"{RLI}x{PDF}y{PDI}", f"{RLI}xy{PDI}"),
        (f"ok {RLO}balanced{PDF} \u200fمرحبا", f"ok {RLO}balanced{PDF} \u200fمرحبا"),
        ("bell\x07 nul\x00 del\x7f c1\x80\x9f esc\x1b]0;title\x07", "bell nul del c1 esc]0;title"),
        ("keep\ttabs\nand lines", "keep\ttabs\nand lines"),
    ],
)
def test_clean_text_removes_controls_and_balances_bidi(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected
    assert printable(raw) == expected
    assert clean_text(expected) == expected


def test_terminal_text_carries_no_override_to_leave_open_when_cut_or_wrapped() -> None:
    shown = safe(f"{RLO}{'x' * 50} and more{PDF} after", limit=20)
    assert RLO not in shown and PDF not in shown
    assert shown == "x" * 19 + "…"
    assert safe(f"{RLO}עברית{PDF} ok") == "עברית ok"  # right-to-left letters keep their direction without it


def test_json_output_is_as_safe_as_the_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    print_json({f"key{RLO}": [f"{RLO}evil", "c1\x9b[31m", "nul\x00"], "when": datetime(2024, 7, 1, tzinfo=UTC)})
    out = capsys.readouterr().out
    assert "\x9b" not in out and "\\u0000" not in out
    assert json.loads(out) == {
        f"key{RLO}{PDF}": [f"{RLO}evil{PDF}", "c1[31m", "nul"],
        "when": "2024-07-01 00:00:00+00:00",
    }
