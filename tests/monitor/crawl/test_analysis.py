"""The analysis stage marks unhappy reviewers right after a store, with the company's threshold."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from monitor.core.records import ReviewRecord
from monitor.crawl.pipeline import analyse_new_data, mark_pending
from monitor.store.db import session_scope
from monitor.store.models import Review
from monitor.store.repository import sync_config, upsert_reviews
from tests.db_fixtures import migrated_sqlite, settings_with

SOURCE = '[[company.source]]\nname = "s"\nkind = "hellopeter"\nlocator = "acme"\n'
WHEN = datetime(2024, 5, 1, tzinfo=UTC)


def run(tmp_path: Path, records: list[ReviewRecord], extra: str = "", source: str = SOURCE) -> dict[str, Review]:
    engine = migrated_sqlite(tmp_path)
    settings = settings_with(tmp_path, extra + source)
    with session_scope(engine) as session:
        src = sync_config(session=session, settings=settings)["s"]
        result = upsert_reviews(session=session, source=src, records=records)
        analyse_new_data(session=session, settings=settings, source=src, result=result)
    with Session(engine) as session:
        return {r.site_review_id: r for r in session.exec(select(Review)).all()}


def rec(sid: str, rating: float | None, body: str) -> ReviewRecord:
    return ReviewRecord(site_review_id=sid, body=body, rating=rating, rating_scale=5, published_at=WHEN)


def test_ratings_complaints_and_flags_are_stored(tmp_path: Path) -> None:
    got = run(
        tmp_path,
        [
            rec("low", 1, "Still no refund after three weeks."),
            rec("mild", 3, "The driver never arrived and support ignored my messages, terrible."),
            rec("happy", 5, "Great service, thank you!"),
            rec("legal", None, "This is a scam. I will report you to the ombudsman and my lawyer."),
        ],
    )
    assert got["low"].unhappy is True and got["happy"].unhappy is False
    assert got["mild"].unhappy is True
    assert got["legal"].unhappy is True and "legal" in got["legal"].flags
    assert (got["low"].severity or 0) > (got["happy"].severity or 0)
    assert got["happy"].language == "en"


def test_each_stored_verdict_is_the_one_the_review_gets_alone(tmp_path: Path) -> None:
    # Reviews are judged in batches (one language-model pass each); a review's verdict must not depend on that.
    from dataclasses import replace

    from monitor.text.negativity import assess

    texts = [
        (1, "Still no refund after three weeks."),
        (3, "Die App stürzt ständig ab und der Support antwortet nicht."),
        (None, "แอพแย่มาก คนขับไม่มาตามนัด"),
        (2, "ok"),
        (None, "Bahut bekaar service hai, driver ne cancel kar diya, paisa wapas nahi mila"),
        (5, "Excelente servicio, gracias"),
        (None, "La aplicación no funciona y nadie responde. Voy a denunciarlos ante la PROFECO."),
        (4, ""),
    ]
    records = [rec(f"r{n}", rating, body) for n, (rating, body) in enumerate(texts)]
    # A language the site states is used as stated, not detected.
    records.append(replace(rec("stated", 1, "Appen krasjer hele tiden"), language="nb"))
    got = run(tmp_path, records)
    for record in records:
        alone = assess(
            rating=record.rating, rating_scale=5, text=record.body, title=record.title, language=record.language
        )
        stored = got[record.site_review_id]
        assert (stored.unhappy, stored.language) == (alone.unhappy, alone.language), record.body
        assert stored.severity == alone.severity
        assert set(filter(None, (stored.flags or "").split(","))) == set(alone.flags)
    assert got["stated"].language == "nb"
    assert got["r1"].language == "de" and got["r2"].language == "th"


def test_company_threshold_applies(tmp_path: Path) -> None:
    got = run(tmp_path, [rec("two", 2, "It was fine I guess.")], extra="unhappy_threshold = 1\n")
    assert got["two"].unhappy is False


def test_a_reviewer_writing_again_in_the_thread_reopens_their_closed_task(tmp_path: Path) -> None:
    from dataclasses import replace
    from datetime import timedelta

    from monitor.store.db import utcnow
    from monitor.store.task_models import OutreachTask, TaskEvent

    engine = migrated_sqlite(tmp_path)
    settings = settings_with(tmp_path, SOURCE)
    now = utcnow()
    complaint = ReviewRecord(
        site_review_id="t1",
        body="No signal for two weeks, nobody helps.",
        rating=1.0,
        rating_scale=5,
        author_handle="h1",
        author_name="Thabo",
        published_at=now,
    )

    def store(rec: ReviewRecord) -> None:
        with session_scope(engine) as session:
            src = sync_config(session=session, settings=settings)["s"]
            result = upsert_reviews(session=session, source=src, records=[rec])
            analyse_new_data(session=session, settings=settings, source=src, result=result)

    store(complaint)
    with session_scope(engine) as session:
        task = session.exec(select(OutreachTask)).one()
        task.status, task.outcome, task.owner = "resolved", "resolved", "ann"
    store(replace(complaint, reviewer_followup_at=now + timedelta(hours=2)))
    with Session(engine) as session:
        task = session.exec(select(OutreachTask)).one()
        assert task.status == "claimed" and task.needs_attention
        notes = [e.note for e in session.exec(select(TaskEvent).where(TaskEvent.task_id == task.id)).all()]
        assert any("wrote again" in note for note in notes)


def test_a_company_regulator_from_the_config_flags_the_review(tmp_path: Path) -> None:
    body = "Two months and no answer. I have now lodged a complaint with the Telco Disputes Board."
    plain = run(tmp_path / "plain", [rec("r", 1, body)])
    extended = run(tmp_path / "extended", [rec("r", 1, body)], extra='regulators = ["Telco Disputes Board"]\n')
    assert "regulator" not in plain["r"].flags.split(",")
    assert "regulator" in extended["r"].flags.split(",")


def test_verdict_workers_run_below_the_commands_beside_them() -> None:
    # A big import keeps every core busy with verdict workers; a claim typed meanwhile must still get a core.
    import os

    from monitor.crawl.verdicts import PARALLEL_FROM, WORKER_NICENESS, verdict_pool

    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: verdicts are judged in process, no workers to lower")
    mine = os.nice(0)
    with verdict_pool(PARALLEL_FROM) as pool:
        assert pool is not None
        seen = set(pool.map(os.nice, [0] * 8))
    assert seen == {min(19, mine + WORKER_NICENESS)}
    assert os.nice(0) == mine  # this process keeps its own priority


def test_marking_pending_writes_only_reviews_that_were_judged(tmp_path: Path) -> None:
    run(tmp_path, [rec("judged", 1, "Awful."), rec("waiting", 1, "Awful.")])
    engine = migrated_sqlite(tmp_path)
    with session_scope(engine) as session:
        ids = {r.site_review_id: r.id or 0 for r in session.exec(select(Review)).all()}
        session.execute(update(Review).where(col(Review.id) == ids["waiting"]).values(unhappy=None))
        assert mark_pending(session=session, review_ids=list(ids.values())) == 1
    with Session(engine) as session:
        assert {r.site_review_id: r.unhappy for r in session.exec(select(Review)).all()} == {
            "judged": None,
            "waiting": None,
        }


# A real Spanish review from the Google Play fixture export, and one too short for any detector.
SPANISH = (
    "8 años usando esta aplicación y puedo decir que es una completa basura. Cada viaje te quita centavos que con "
    "el paso del tiempo suman mucho"
)


@pytest.mark.parametrize(
    ("kind", "options", "expected"),
    [
        # Google Play's reviewerLanguage is the phone's setting: the text's own language wins where it can be told.
        ("google_play_api", 'options = { credentials_file = "key.json" }\n', ["es", "en"]),
        # A site that states the text's language is believed.
        ("trustpilot", "", ["en", "en"]),
    ],
)
def test_a_device_language_stands_only_for_a_text_too_short_to_tell(
    tmp_path: Path, kind: str, options: str, expected: list[str]
) -> None:
    source = f'[[company.source]]\nname = "s"\nkind = "{kind}"\nlocator = "com.acme.app"\n{options}'
    records = [
        ReviewRecord(site_review_id=sid, body=body, rating=1, rating_scale=5, language="en", published_at=WHEN)
        for sid, body in (("long", SPANISH), ("short", "Pésimo"))
    ]
    got = run(tmp_path, records, source=source)
    assert [got["long"].language, got["short"].language] == expected
