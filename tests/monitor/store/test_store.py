"""The idempotent store: upsert by (source, site id), a revision for every change, nothing ever deleted."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, select

from monitor.core.records import ReplyRecord, ReviewRecord
from monitor.store.db import session_scope
from monitor.store.models import CompanyReply, Review, ReviewRevision, SourceRow
from monitor.store.repository import sync_config, upsert_reviews
from tests.db_fixtures import migrated_sqlite, settings_with

SOURCE = (
    '[[company.source]]\nname = "acme-tp"\nkind = "trustpilot"\nlocator = "https://www.trustpilot.com/review/acme"\n'
)
T0 = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def record(n: int, **changes: object) -> ReviewRecord:
    base = ReviewRecord(
        site_review_id=f"r{n}",
        body=f"Parcel {n} never arrived.",
        rating=1.0,
        rating_scale=5,
        author_name=f"Reviewer {n}",
        author_handle=f"u{n}",
        published_at=T0,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def counts(session: Session) -> tuple[int, int, int]:
    return (
        session.exec(select(func.count()).select_from(Review)).one(),
        session.exec(select(func.count()).select_from(ReviewRevision)).one(),
        session.exec(select(func.count()).select_from(CompanyReply)).one(),
    )


def store(engine, tmp_path: Path, records: list[ReviewRecord]):  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        src = sync_config(session=session, settings=settings_with(tmp_path, SOURCE))["acme-tp"]
        return upsert_reviews(session=session, source=src, records=records)


def test_recrawling_unchanged_records_writes_nothing_new(tmp_path: Path) -> None:
    engine = migrated_sqlite(tmp_path)
    first = store(engine, tmp_path, [record(1), record(2, reply=ReplyRecord("Sorry, we will call you."))])
    assert (first.new, first.changed) == (2, 0)
    again = store(engine, tmp_path, [record(1), record(2, reply=ReplyRecord("Sorry, we will call you."))])
    assert (again.seen, again.new, again.changed) == (2, 0, 0)
    with Session(engine) as session:
        assert counts(session) == (2, 2, 1)


def test_changed_rating_text_and_reply_each_make_a_revision(tmp_path: Path) -> None:
    engine = migrated_sqlite(tmp_path)
    store(engine, tmp_path, [record(1)])
    store(engine, tmp_path, [record(1, rating=3.0)])
    store(engine, tmp_path, [record(1, rating=3.0, reply=ReplyRecord("We found your parcel, Ann."))])
    result = store(
        engine,
        tmp_path,
        [record(1, rating=4.0, body="It arrived after all.", reply=ReplyRecord("We found your parcel, Ann."))],
    )
    assert result.changed == 1
    with Session(engine) as session:
        review = session.exec(select(Review)).one()
        assert (review.rating, review.body) == (4.0, "It arrived after all.")
        revisions = session.exec(select(ReviewRevision).order_by(ReviewRevision.id)).all()
        assert [r.changes for r in revisions] == ["first_seen", "rating", "reply", "text,rating"]
        assert [r.rating for r in revisions] == [1.0, 3.0, 3.0, 4.0]
        assert session.exec(select(CompanyReply)).one().text == "We found your parcel, Ann."


def test_removed_reply_is_recorded_and_kept_in_history(tmp_path: Path) -> None:
    engine = migrated_sqlite(tmp_path)
    store(engine, tmp_path, [record(1, reply=ReplyRecord("Call us."))])
    store(engine, tmp_path, [record(1)])
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(CompanyReply)).one() == 0
        revisions = session.exec(select(ReviewRevision).order_by(ReviewRevision.id)).all()
        assert revisions[-1].changes == "reply_removed" and revisions[0].reply_text == "Call us."


def test_missing_reviews_are_never_deleted_and_duplicates_in_a_batch_collapse(tmp_path: Path) -> None:
    engine = migrated_sqlite(tmp_path)
    store(engine, tmp_path, [record(1), record(2), record(3)])
    result = store(engine, tmp_path, [record(3), record(3)])
    assert result.seen == 1
    with Session(engine) as session:
        assert counts(session)[0] == 3


def test_sources_leaving_the_config_are_disabled_not_deleted(tmp_path: Path) -> None:
    engine = migrated_sqlite(tmp_path)
    store(engine, tmp_path, [record(1)])
    with session_scope(engine) as session:
        sync_config(session=session, settings=settings_with(tmp_path, ""))
    with Session(engine) as session:
        src = session.exec(select(SourceRow)).one()
        assert src.enabled is False
        assert counts(session)[0] == 1


def test_resync_keeps_settings_the_product_wrote(tmp_path: Path) -> None:
    from monitor.store.models import Company

    engine = migrated_sqlite(tmp_path)
    settings = settings_with(tmp_path, SOURCE)
    with session_scope(engine) as session:
        sync_config(session=session, settings=settings)
        company = session.exec(select(Company)).one()
        company.settings = {**company.settings, "fixed_since": {"late delivery": "2024-01-01T00:00:00+00:00"}}
    with session_scope(engine) as session:
        sync_config(session=session, settings=settings)
    with Session(engine) as session:
        assert session.exec(select(Company)).one().settings["fixed_since"] == {
            "late delivery": "2024-01-01T00:00:00+00:00"
        }


def test_reach_and_names_are_refreshed_without_a_revision(tmp_path: Path) -> None:
    engine = migrated_sqlite(tmp_path)
    store(engine, tmp_path, [record(1, helpful_votes=0)])
    result = store(engine, tmp_path, [record(1, helpful_votes=250, author_name="Renamed")])
    assert (result.changed, result.refreshed_ids != []) == (0, True)
    with Session(engine) as session:
        review = session.exec(select(Review)).one()
        assert (review.helpful_votes, review.author_name) == (250, "Renamed")
        assert counts(session)[1] == 1  # still only the first revision


def test_follow_ups_older_than_the_last_crawl_are_recorded_quietly_new_ones_are_changes(tmp_path: Path) -> None:
    from datetime import timedelta

    engine = migrated_sqlite(tmp_path)
    store(engine, tmp_path, [record(1)])
    with Session(engine) as session:
        seen = session.exec(select(Review)).one().last_seen
    old = store(engine, tmp_path, [record(1, reviewer_followup_at=seen - timedelta(days=3))])
    assert (old.changed, len(old.refreshed_ids)) == (0, 1)  # e.g. stored before follow-ups were tracked
    new = store(engine, tmp_path, [record(1, reviewer_followup_at=seen + timedelta(days=1))])
    assert new.changed == 1
    with Session(engine) as session:
        assert [r.changes for r in session.exec(select(ReviewRevision).order_by(ReviewRevision.id))] == [
            "first_seen",
            "followup",
        ]
