"""`update_by_id`: many rows written by primary key, with the columns each row names, seen by the session after."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from monitor.core.records import ReviewRecord
from monitor.store.bulk import update_by_id
from monitor.store.db import session_scope
from monitor.store.models import Review
from monitor.store.repository import sync_config, upsert_reviews
from tests.db_fixtures import migrated_sqlite, settings_with

SOURCE = (
    '[[company.source]]\nname = "acme-tp"\nkind = "trustpilot"\nlocator = "https://www.trustpilot.com/review/acme"\n'
)


def test_rows_naming_different_columns_are_all_written_and_loaded_objects_see_them(tmp_path: Path) -> None:
    engine = migrated_sqlite(tmp_path)
    records = [ReviewRecord(site_review_id=f"r{n}", body=f"Review {n}", rating=1.0) for n in range(5)]
    with session_scope(engine) as session:
        source = sync_config(session=session, settings=settings_with(tmp_path, SOURCE))["acme-tp"]
        ids = upsert_reviews(session=session, source=source, records=records).new_ids
    with session_scope(engine) as session:
        loaded = session.get(Review, ids[0])
        assert loaded is not None and loaded.unhappy is None
        update_by_id(
            session,
            Review,
            [
                {"id": ids[0], "unhappy": True, "severity": 0.9, "flags": "legal"},
                {"id": ids[1], "unhappy": False, "severity": 0.1, "flags": ""},
                {"id": ids[2], "flags": "abuse"},  # another set of columns: a statement of its own
                {"id": ids[3], "extra": {"note": 'O\'Brien "quoted"'}},  # a JSON column keeps its type
            ],
        )
        assert (loaded.unhappy, loaded.severity, loaded.flags) == (True, 0.9, "legal")
    with Session(engine) as session:
        rows = {r.id: r for r in session.exec(select(Review)).all()}
    assert (rows[ids[1]].unhappy, rows[ids[1]].severity, rows[ids[1]].flags) == (False, 0.1, "")
    assert (rows[ids[2]].unhappy, rows[ids[2]].flags) == (None, "abuse")
    assert rows[ids[3]].extra == {"note": 'O\'Brien "quoted"'}
    assert (rows[ids[4]].unhappy, rows[ids[4]].flags) == (None, "")  # not named: untouched
