"""After an import: what it means for the queue, `tasks rebuild` after a settings change, lists that say when cut."""

from __future__ import annotations

import csv
import json
import multiprocessing
import re
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, select
from typer.testing import CliRunner, Result

from monitor.cli.main import app
from monitor.core.settings import Settings
from monitor.crawl.pipeline import assess_reviews
from monitor.digest.build import build_digest
from monitor.runtime.context import open_database
from monitor.store.models import Review, SourceRow
from monitor.store.task_models import OutreachTask, TaskReview
from tests.fixture_path import fixture

runner = CliRunner()
APP_STORE = fixture("app_store_export", "sg_food_delivery_app_store_400.csv")


def _config(tmp_path: Path, *, window: int = 30, threshold: float = 2.0) -> str:
    path = tmp_path / "monitor.toml"
    path.write_text(
        f'database_url = "sqlite:///{tmp_path / "m.db"}"\nbackfill_window_days = {window}\n'
        f'[[company]]\nname = "Grab"\nunhappy_threshold = {threshold}\n',
        encoding="utf-8",
    )
    return str(path)


def _run(config: str, *args: str) -> Result:
    return runner.invoke(app, ["-c", config, *args])


def _tasks(tmp_path: Path) -> tuple[int, int]:
    """(tasks, reviews linked to a task)."""
    engine = open_database(f"sqlite:///{tmp_path / 'm.db'}")
    with Session(engine) as session:
        tasks = session.exec(select(func.count()).select_from(OutreachTask)).one()
        links = session.exec(select(func.count(func.distinct(TaskReview.review_id)))).one()
    engine.dispose()
    return tasks, links


def _unhappy(tmp_path: Path) -> int:
    engine = open_database(f"sqlite:///{tmp_path / 'm.db'}")
    with Session(engine) as session:
        count = session.exec(select(func.count()).select_from(Review).where(Review.unhappy == True)).one()  # noqa: E712
    engine.dispose()
    return count


def test_the_summary_says_why_the_queue_is_empty_and_what_to_run(tmp_path: Path) -> None:
    config = _config(tmp_path)
    result = _run(config, "import", str(APP_STORE), "--company", "Grab")
    assert result.exit_code == 0, result.output
    unhappy = _unhappy(tmp_path)
    assert unhappy > 100
    assert f"unhappy reviews: {unhappy}; 0 in the outreach queue" in result.stdout
    assert (
        f"not queued: {unhappy} unhappy review(s) published more than backfill_window_days (30) days"
    ) in result.stdout
    assert re.search(r"templates: [1-9]\d* template\(s\) for Grab; [1-9]\d* of this file's replies", result.stdout)
    assert "next: raise backfill_window_days in the configuration, then monitor tasks rebuild --company Grab" in (
        result.stdout
    )


def test_tasks_rebuild_after_a_larger_window_queues_once(tmp_path: Path) -> None:
    assert _run(_config(tmp_path), "import", str(APP_STORE), "--company", "Grab").exit_code == 0
    assert _tasks(tmp_path) == (0, 0)
    wide = _config(tmp_path, window=3650)
    rebuilt = _run(wide, "tasks", "rebuild", "--company", "Grab")
    assert rebuilt.exit_code == 0, rebuilt.output
    tasks, linked = _tasks(tmp_path)
    old = int(rebuilt.stdout.split(" unhappy review(s) still not queued")[0].split()[-1])  # from before 2017
    assert tasks > 50 and linked + old + _answered(tmp_path) == _unhappy(tmp_path)
    assert f"{tasks} task(s) created" in rebuilt.stdout and "backfill_window_days (3650)" in rebuilt.stdout
    again = _run(wide, "tasks", "rebuild")
    assert "0 task(s) created, 0 review(s) added" in again.stdout
    assert _tasks(tmp_path) == (tasks, linked)
    reimport = _run(wide, "import", str(APP_STORE), "--company", "Grab")
    assert f"{linked} in the outreach queue ({tasks} task(s), 0 new)" in reimport.stdout
    assert "next: monitor tasks list --company Grab" in reimport.stdout
    assert _tasks(tmp_path) == (tasks, linked)


def _answered(tmp_path: Path) -> int:
    """Unhappy reviews with a personal (non-template) reply that came after the complaint: never queued."""
    from monitor.store.models import CompanyReply
    from responders.outreach.eligibility import has_personal_response

    engine = open_database(f"sqlite:///{tmp_path / 'm.db'}")
    with Session(engine) as session:
        rows = session.exec(
            select(Review, CompanyReply)
            .outerjoin(CompanyReply, CompanyReply.review_id == Review.id)  # type: ignore[arg-type]
            .where(Review.unhappy == True)  # noqa: E712
        ).all()
        answered = sum(1 for review, reply in rows if has_personal_response(review, reply))
    engine.dispose()
    return answered


def test_rebuild_since_a_day_and_after_a_threshold_change(tmp_path: Path) -> None:
    assert _run(_config(tmp_path), "import", str(APP_STORE), "--company", "Grab").exit_code == 0
    since = _run(_config(tmp_path, window=3650), "tasks", "rebuild", "--company", "Grab", "--since", "2021-06-01")
    assert since.exit_code == 0, since.output
    engine = open_database(f"sqlite:///{tmp_path / 'm.db'}")
    with Session(engine) as session:
        queued = session.exec(select(Review).join(TaskReview, TaskReview.review_id == Review.id)).all()  # type: ignore[arg-type]
    engine.dispose()
    assert queued and all(r.published_at and r.published_at >= datetime(2021, 6, 1, tzinfo=UTC) for r in queued)
    before = _unhappy(tmp_path)
    strict = _run(_config(tmp_path, window=3650, threshold=1.0), "tasks", "rebuild", "--company", "Grab")
    assert strict.exit_code == 0, strict.output
    changed = int(strict.stdout.split(" review(s) judged differently")[0].split()[-1])
    assert changed > 0 and _unhappy(tmp_path) == before - changed
    bad = _run(_config(tmp_path), "tasks", "rebuild", "--company", "Nobody")
    assert bad.exit_code == 1 and "no company named 'Nobody'" in bad.stderr


def test_recent_reviews_are_queued_by_the_import_itself(tmp_path: Path) -> None:
    with open(APP_STORE, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))[:80]
    now = datetime.now(UTC)
    for n, row in enumerate(rows):
        row["date"] = (now - timedelta(hours=3 + n)).strftime("%Y-%m-%d %H:%M:%S")
        row["developerResponse"] = ""
    path = tmp_path / "recent.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = _run(_config(tmp_path), "import", str(path), "--company", "Grab")
    assert result.exit_code == 0, result.output
    tasks, linked = _tasks(tmp_path)
    assert linked == _unhappy(tmp_path) > 0
    assert f"{linked} in the outreach queue ({tasks} task(s), {tasks} new)" in result.stdout
    assert "not queued" not in result.stdout and "next: monitor tasks list --company Grab" in result.stdout


def test_lists_say_when_they_are_cut(tmp_path: Path) -> None:
    config = _config(tmp_path, window=3650)
    assert _run(config, "import", str(APP_STORE), "--company", "Grab").exit_code == 0
    assert _run(config, "import", str(APP_STORE), "--company", "Grab").exit_code == 0
    assert "50 of 400 review(s); --limit 400 shows all" in _run(config, "reviews").stdout
    assert "400 review(s)" in _run(config, "reviews", "--limit", "400").stdout
    listed = _run(config, "reviews", "--json", "--limit", "3")
    assert len(json.loads(listed.stdout)) == 3 and "3 of 400 review(s)" in listed.stderr
    tasks, _ = _tasks(tmp_path)
    assert f"3 of {tasks} task(s); --limit {tasks} shows all" in _run(config, "tasks", "list", "--limit", "3").stdout
    templates = _run(config, "templates", "list", "--limit", "2").stdout
    assert re.search(r"2 of \d+ templates; --limit \d+ shows all", templates)
    total = json.loads(_run(config, "templates", "list", "--json").stdout)[0]["templates_total"]
    assert total > 2
    assert "1 of 2 runs; --limit 2 shows all" in _run(config, "runs", "--limit", "1").stdout


def test_imports_are_never_crawled_or_reported_as_broken(tmp_path: Path) -> None:
    config = _config(tmp_path)
    bad = tmp_path / "orders.csv"
    bad.write_text("order_id,amount,currency\n1,2,EUR\n", encoding="utf-8")
    failed = _run(config, "import", str(bad), "--company", "Grab")
    assert failed.exit_code == 2 and failed.stdout.startswith("failed")
    sources = _run(config, "sources").stdout
    assert "file (import)" in sources and "imported: failed" in sources and "manual" in sources
    crawl = _run(config, "crawl", "--source", "import-grab-orders")
    assert crawl.exit_code == 1 and "is an imported file, not a crawled source" in crawl.stderr
    engine = open_database(f"sqlite:///{tmp_path / 'm.db'}")
    with Session(engine) as session:
        digest = build_digest(session=session, day=datetime.now(UTC).date())
    engine.dispose()
    assert [c.problems for c in digest.companies] == [[]]


def test_worker_processes_judge_as_the_importing_process_does(tmp_path: Path) -> None:
    config = _config(tmp_path)
    assert _run(config, "import", str(APP_STORE), "--company", "Grab").exit_code == 0
    engine = open_database(f"sqlite:///{tmp_path / 'm.db'}")
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'm.db'}")
    context = multiprocessing.get_context("forkserver")
    with Session(engine) as session, ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        source = session.exec(select(SourceRow)).one()
        reviews = session.exec(select(Review).order_by(Review.id)).all()  # type: ignore[arg-type]
        before = [(r.unhappy, r.severity, r.flags) for r in reviews]
        for review in reviews:
            review.unhappy, review.severity, review.flags = None, None, ""
        assess_reviews(
            session=session, settings=settings, source=source, review_ids=[r.id or 0 for r in reviews], pool=pool
        )
        assert [(r.unhappy, r.severity, r.flags) for r in reviews] == before
        session.rollback()
    engine.dispose()
