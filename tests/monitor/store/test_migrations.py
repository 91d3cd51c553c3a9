"""Migrations on SQLite and PostgreSQL: a database made at an earlier revision reaches head, with the board's indexes,
and the board's flag filter and text search find what they should on both."""

from __future__ import annotations

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from monitor.store.db import utcnow
from monitor.store.migrate import current_revision, head_revision, upgrade
from monitor.store.template_models import TemplateIndexState
from monitor.web.board import BoardFilters, board_page
from tests.db_fixtures import add_company, add_reply, add_review, add_source, at
from tests.web.support import HOSTILE, seed


def _indexes(engine: Engine, table: str) -> set[str]:
    return {index["name"] or "" for index in inspect(engine).get_indexes(table)}


def test_a_database_at_the_previous_revision_reaches_head_with_the_board_indexes(engine: Engine) -> None:
    upgrade(engine, "0008")
    assert current_revision(engine) == "0008"
    assert "ix_review_flagged" not in _indexes(engine, "review")
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert "ix_review_flagged" in _indexes(engine, "review")
    if engine.dialect.name == "postgresql":
        assert {"ix_review_body_trgm", "ix_review_title_trgm"} <= _indexes(engine, "review")
        assert {"ix_task_reviewer_name_trgm", "ix_task_reviewer_handle_trgm"} <= _indexes(engine, "outreach_task")
        with engine.connect() as connection:
            # On an empty table the planner prefers reading it whole; forbidding that shows the index can serve ILIKE.
            connection.execute(text("SET enable_seqscan = off"))
            plan = connection.execute(
                text("EXPLAIN SELECT id FROM review WHERE body ILIKE '%never arrived%'")
            ).scalars()
            assert any("ix_review_body_trgm" in line for line in plan)


def test_the_board_finds_flagged_reviews_and_words_on_every_database(engine: Engine) -> None:
    upgrade(engine)
    db = seed(engine)
    now = utcnow()
    with Session(engine) as session:

        def reviewers(**filters: object) -> set[str | None]:
            page = board_page(session=session, filters=BoardFilters(**filters), me="ann", now=now)  # type: ignore[arg-type]
            return {row.task.reviewer_name for row in page.rows}

        assert reviewers(view="all", flag="legal") == {"Larry Legal"}
        assert reviewers(view="all", q="take you to COURT") == {"Larry Legal"}  # case does not matter
        assert reviewers(view="all", q="Order 4 never") == {"Customer 4"}
        assert reviewers(view="all", q="onerror=alert") == {HOSTILE}  # a name found through the review text
        assert reviewers(view="all", q="Customer 4") == {"Customer 4"}  # the reviewer's name itself
        assert reviewers(view="all", q="100%") == set()  # % and _ are matched as typed, not as wildcards
    assert db.task_ids


def test_an_index_saved_before_its_reply_count_existed_gets_the_count_of_its_scored_replies(engine: Engine) -> None:
    upgrade(engine, "0011")
    with Session(engine) as session:
        ours, theirs = add_company(session, "Ours"), add_company(session, "Theirs")
        for company, scores in ((ours, [0.9, 0.0, None]), (theirs, [0.5])):
            source = add_source(session, company, f"{company.name}-store")
            for score in scores:
                review = add_review(session, source, published=at("2024-03-01 09:00"), handle=None)
                reply = add_reply(session, review, published=at("2024-03-01 10:00"), text="Sorry!" if score else "")
                reply.rote_score = score
                session.add(reply)
        session.commit()
        company_ids = (ours.id, theirs.id)
    with engine.begin() as connection:
        for company_id in company_ids:
            connection.execute(
                text(
                    "INSERT INTO template_index_state (company_id, data, built_at, replies_at_build, pending)"
                    " VALUES (:company, :data, :built, 3, 0)"
                ),
                {"company": company_id, "data": b"", "built": utcnow()},
            )
    upgrade(engine)
    with Session(engine) as session:
        assert [session.get(TemplateIndexState, company_id).replies for company_id in company_ids] == [2, 1]  # type: ignore[union-attr]
