"""`monitor demo`, the first thing a new user runs: real pages over local HTTP, a summary, nothing duplicated."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, select
from typer.testing import CliRunner

from monitor.cli.main import app
from monitor.store.db import make_engine
from monitor.store.models import Review, ReviewRevision
from monitor.store.task_models import OutreachTask


def counts(db: Path) -> tuple[int, int, int]:
    engine = make_engine(f"sqlite:///{db}")
    with Session(engine) as session:
        result = (
            session.exec(select(func.count()).select_from(Review)).one(),
            session.exec(select(func.count()).select_from(ReviewRevision)).one(),
            session.exec(select(func.count()).select_from(OutreachTask)).one(),
        )
    engine.dispose()
    return result


def test_demo_twice_summarises_and_duplicates_nothing(tmp_path: Path) -> None:
    elsewhere = tmp_path / "real-installation.db"
    env = {"MONITOR_DATABASE_URL": f"sqlite:///{elsewhere}", "COLUMNS": "200"}
    data = tmp_path / "demo"
    first = CliRunner().invoke(app, ["demo", "--data-dir", str(data)], env=env)
    assert first.exit_code == 0, first.output
    for expected in (
        "What was collected",
        "eventnet-trustpilot",
        "cellc-hellopeter",
        "dunzo-google-play",
        "Outreach queue",
        "Daily digest",
    ):
        assert expected in first.stdout
    assert "layout_changed" not in first.stdout and "unreachable" not in first.stdout
    before = counts(data / "demo.db")
    assert before[0] == before[1] > 2000 and before[2] > 0
    assert list(data.glob("digest-*.html"))
    assert not elsewhere.exists()  # the demo never writes into the database of a real installation

    second = CliRunner().invoke(app, ["demo", "--data-dir", str(data)], env=env)
    assert second.exit_code == 0, second.output
    assert counts(data / "demo.db") == before
    assert " 0 new" in second.stdout and " 20 new" not in second.stdout
