"""Verdicts judged ahead while an import stores: the same verdicts, only for unchanged inputs, within bounds."""

from __future__ import annotations

import csv
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlmodel import Session, select

from monitor.core.settings import Settings, SourceConfig
from monitor.crawl import imports
from monitor.crawl.imports import run_import
from monitor.crawl.verdicts import VerdictPrefetch, Work, judge_many
from monitor.runtime.context import open_database
from monitor.store.models import Review
from monitor.store.task_models import TaskReview
from tests.fixture_path import fixture

APP_STORE = fixture("app_store_export", "sg_food_delivery_app_store_400.csv")


def _work(count: int) -> list[Work]:
    """Real App Store reviews as judging inputs."""
    with APP_STORE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))[:count]
    return [(float(r["rating"]), 5, r["review"], r["title"] or None, None, 2.0, ()) for r in rows]


def test_verdicts_judged_ahead_equal_verdicts_judged_now() -> None:
    work = _work(250)
    with ThreadPoolExecutor(max_workers=2) as pool:
        ahead = VerdictPrefetch(pool)
        assert ahead.submit(list(enumerate(work))) == 250
        taken = [ahead.take(n, item) for n, item in enumerate(work)]
    assert taken == judge_many(work)
    assert ahead.used == 250
    assert any(verdict[0] for verdict in taken) and not all(verdict[0] for verdict in taken)


def test_a_verdict_is_not_used_when_the_review_changed_since_or_twice() -> None:
    work = _work(3)
    with ThreadPoolExecutor(max_workers=1) as pool:
        ahead = VerdictPrefetch(pool)
        ahead.submit(list(enumerate(work)))
        rating, scale, text, title, language, threshold, regulators = work[0]
        assert ahead.take(0, (rating, scale, text + " Edited.", title, language, threshold, regulators)) is None
        assert ahead.take(1, (5.0, *work[1][1:])) is None  # another rating
        assert ahead.take(2, (*work[2][:5], 3.0, ())) is None  # another threshold
        assert ahead.take(2, work[2]) is None  # a verdict is handed out once at most, and a refused one is gone
        assert ahead.take(99, work[0]) is None  # never judged
    assert ahead.used == 0


def test_judging_ahead_stays_within_its_backlog_and_memory_bounds() -> None:
    work = _work(400)
    with ThreadPoolExecutor(max_workers=1) as pool:
        ahead = VerdictPrefetch(pool, backlog=100, keep=250)
        assert ahead.submit(list(enumerate(work))) == 100  # whole batches, never past the backlog
        pool.submit(lambda: None).result()  # the one worker has finished the batch before this
        assert ahead.submit([(n + 100, item) for n, item in enumerate(work[100:])]) == 100
        pool.submit(lambda: None).result()
        # 200 verdicts are held or on their way: one more batch would pass the 250 kept.
        assert ahead.submit([(n + 200, item) for n, item in enumerate(work[200:])]) == 0
        assert all(ahead.take(n, work[n]) is not None for n in range(200))
        assert ahead.take(250, work[250]) is None


def _import(tmp_path: Path, name: str) -> list[tuple[str, bool | None, float | None, str, str | None, bool]]:
    url = f"sqlite:///{tmp_path / name}"
    settings = Settings(database_url=url, backfill_window_days=10_000)  # every unhappy reviewer is queued
    src = SourceConfig(name="grab-export", kind="file", locator=str(APP_STORE), company="Grab")
    engine = open_database(url)
    summary = run_import(engine=engine, settings=settings, src=src, batch_rows=100)
    assert summary.new == 400
    with Session(engine) as session:
        queued = set(session.exec(select(TaskReview.review_id)).all())
        rows = session.exec(select(Review).order_by(Review.site_review_id)).all()  # type: ignore[arg-type]
        stored = [(r.site_review_id, r.unhappy, r.severity, r.flags, r.language, r.id in queued) for r in rows]
    engine.dispose()
    return stored


def test_an_import_that_judges_ahead_stores_what_one_that_does_not_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 2)  # workers even on a one-core machine
    monkeypatch.setattr(imports._JudgeAhead, "START_AT", 10**9)
    plain = _import(tmp_path, "plain.db")
    used: list[int] = []
    original = VerdictPrefetch.take

    def counted(self: VerdictPrefetch, review_id: int, work: Work) -> object:
        found = original(self, review_id, work)
        used.append(found is not None)
        return found

    monkeypatch.setattr(VerdictPrefetch, "take", counted)
    monkeypatch.setattr(imports._JudgeAhead, "START_AT", 150)
    ahead = _import(tmp_path, "ahead.db")
    assert ahead == plain
    assert sum(used) == 400  # every review's verdict came from the workers that judged while storing
    assert any(unhappy for _, unhappy, *_ in plain) and any(queued for *_, queued in plain)
