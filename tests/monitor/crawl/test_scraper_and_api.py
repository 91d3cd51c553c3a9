"""A Google Play review read both by the page adapter and by the Play Developer API is one review and one task.

The store pages are the real saved page's review arrays (tests/fixtures/google_play/) served by the local test site
in the endpoint's documented envelope; the API is the local fake of tests/api_fakes.py answering the same reviews
under the same store review ids. Dates are moved to the last hours and the old replies removed, so the reviews are
queued; everything else in the arrays is as saved.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select
from typer.testing import CliRunner, Result

from monitor.cli.main import app
from monitor.digest.build import build_digest
from monitor.runtime.config_file import load_settings
from monitor.runtime.context import open_database
from monitor.store.models import Review, SourceRow
from monitor.store.task_models import OutreachTask, TaskReview
from tests.api_fakes import FakeStoreApis, play_review, service_account_key
from tests.db_fixtures import migrated_sqlite
from tests.site import TestSite
from tests.sources import play_endpoint as pe

EMAIL = "reviews@acme-project.iam.gserviceaccount.com"
NOW = datetime.now(UTC).replace(microsecond=0)


def recent_unhappy_arrays() -> list[list[Any]]:
    """Three real review arrays (all 1 star) dated in the last hours, without the company's old replies."""
    chosen = [list(raw) for raw in pe.real_review_arrays() if raw[2] == 1][:3]
    for hours, raw in enumerate(chosen, start=1):
        raw[5] = [int((NOW - timedelta(hours=hours)).timestamp()), 0]
        raw[7] = None
    return chosen


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[Path, FakeStoreApis, list[list[Any]]]]:
    arrays = recent_unhappy_arrays()
    with TestSite() as site, FakeStoreApis() as fake:
        site.set_robots("User-agent: *\nAllow: /\n")
        site.add_page(pe.DETAILS_PATH, pe.details_with_embedded([]).encode(), "text/html; charset=utf-8")
        site.add_post(pe.ENDPOINT_PATH, pe.endpoint_answer(arrays, None).encode(), "application/json; charset=utf-8")
        key, public = service_account_key(tmp_path, fake.token_uri)
        fake.google_keys[EMAIL] = public
        fake.play[pe.APP] = [
            play_review(raw[0], raw[4], raw[2], datetime.fromtimestamp(raw[5][0], UTC), author=raw[1][0])
            for raw in arrays
        ]
        migrated_sqlite(tmp_path).dispose()
        shutil.move(tmp_path / "monitor.store.db", tmp_path / "monitor.db")
        config = tmp_path / "monitor.toml"
        config.write_text(
            f'database_url = "sqlite:///{tmp_path / "monitor.db"}"\nuser_agent = "monitor-tests/1.0"\n'
            '[[company]]\nname = "Dunzo"\n'
            f'[[company.source]]\nname = "dunzo-play"\nkind = "google_play"\nlocator = "{pe.APP}"\n'
            f'options = {{ base_url = "{site.base_url}" }}\nmin_delay = 0.0\n'
            f'[[company.source]]\nname = "dunzo-play-api"\nkind = "google_play_api"\nlocator = "{pe.APP}"\n'
            f'options = {{ credentials_file = "{key}", api_base = "{fake.base_url}" }}\nmin_delay = 0.0\n',
            encoding="utf-8",
        )
        yield config, fake, arrays


def _run(config: Path, *args: str) -> Result:
    result = CliRunner().invoke(app, ["-c", str(config), *args])
    assert result.exit_code == 0, result.output
    return result


def _tasks(config: Path) -> dict[str, set[str]]:
    """Each task's reviewer name and the kinds of the sources its reviews came from."""
    engine = open_database(load_settings(config, env={}).database_url)
    with Session(engine) as session:
        rows = session.exec(
            select(OutreachTask.reviewer_name, SourceRow.kind)
            .join(TaskReview, col(TaskReview.task_id) == OutreachTask.id)
            .join(Review, col(Review.id) == TaskReview.review_id)
            .join(SourceRow, col(SourceRow.id) == Review.source_id)
        ).all()
    found: dict[str, set[str]] = {}
    for name, kind in rows:
        found.setdefault(name or "", set()).add(kind)
    return found


@pytest.mark.parametrize("order", [("dunzo-play", "dunzo-play-api"), ("dunzo-play-api", "dunzo-play")])
def test_the_same_review_from_both_sources_makes_one_task(
    world: tuple[Path, FakeStoreApis, list[list[Any]]], order: tuple[str, str]
) -> None:
    config, _fake, arrays = world
    _run(config, "crawl", "--source", order[0])
    assert len(_tasks(config)) == 3
    _run(config, "crawl", "--source", order[1])
    tasks = _tasks(config)
    assert set(tasks) == {raw[1][0] for raw in arrays}
    assert all(kinds == {"google_play", "google_play_api"} for kinds in tasks.values())
    listed = json.loads(_run(config, "tasks", "list", "--json").stdout)
    assert len(listed) == 3


def test_a_task_from_the_page_adapter_is_answered_through_the_api(
    world: tuple[Path, FakeStoreApis, list[list[Any]]], tmp_path: Path
) -> None:
    config, fake, arrays = world
    _run(config, "crawl", "--source", "dunzo-play")
    _run(config, "crawl", "--source", "dunzo-play-api")
    name = arrays[0][1][0]
    listed = {t["reviewer"]: t["id"] for t in json.loads(_run(config, "tasks", "list", "--json").stdout)}
    task_id = str(listed[name])
    _run(config, "tasks", "claim", task_id, "--as", "ann")
    draft = tmp_path / "reply.txt"
    draft.write_text(
        f"{name}, thank you for the detail about the daily problems you described. Our rider team fixes the "
        "batching bug in the update out on Monday; I will write here again once it is live.",
        encoding="utf-8",
    )
    _run(config, "tasks", "reply", task_id, str(draft), "--as", "ann")
    (post,) = fake.logged("POST", ":reply")
    assert post.path.endswith(f"/reviews/{arrays[0][0].replace(':', '%3A')}:reply")


def test_the_digest_counts_a_review_read_through_both_sources_once(
    world: tuple[Path, FakeStoreApis, list[list[Any]]],
) -> None:
    config, _fake, arrays = world
    _run(config, "crawl", "--source", "dunzo-play")
    _run(config, "crawl", "--source", "dunzo-play-api")
    engine = open_database(load_settings(config, env={}).database_url)
    with Session(engine) as session:
        stored = session.exec(select(Review)).all()
        assert len(stored) == 2 * len(arrays)  # each source keeps its own copy
        # One moment for all, so that two crawls on either side of midnight still make one digest day.
        seen = max(r.first_seen for r in stored)
        session.exec(update(Review).values(first_seen=seen))
        session.commit()
        digest = build_digest(session=session, day=seen.date()).companies[0]  # the company is on UTC
    assert digest.twins_merged == len(arrays)
    assert digest.new_reviews == len(arrays)
    assert digest.new_unhappy == sum(s.total for s in digest.sources) == len(arrays)
