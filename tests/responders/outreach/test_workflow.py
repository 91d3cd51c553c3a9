"""Task workflow: transitions, refusals that change nothing, claim expiry, and the `tasks` commands."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import typer
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from monitor.cli.main import main as cli_main
from monitor.cli.tasks import tasks_app
from monitor.core.errors import NotFound, WorkflowError
from monitor.core.settings import Settings
from monitor.store.db import utcnow
from monitor.store.task_models import OutreachTask, TaskEvent, TaskFollowUp
from responders.outreach.queue import update_queue
from responders.outreach.workflow import claim_task, close_task, log_contact, release_expired_claims
from tests.db_fixtures import (
    add_company,
    add_reply,
    add_review,
    add_source,
    at,
    migrated_sqlite,
    sqlite_session,
    sqlite_url,
)

NOW = at("2025-03-05 10:00")


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    yield from sqlite_session(tmp_path)


@pytest.fixture
def task_id(session: Session) -> int:
    source = add_source(session, add_company(session))
    review = add_review(session, source, published=at("2025-03-05 08:00"))
    update_queue(session=session, settings=Settings(), review_ids=[review.id or 0], now=NOW)
    session.commit()
    return session.exec(select(OutreachTask.id)).one() or 0


def _kinds(session: Session, task_id: int) -> list[str]:
    return list(session.exec(select(TaskEvent.kind).where(TaskEvent.task_id == task_id).order_by(col(TaskEvent.id))))


def _snapshot(session: Session, task_id: int) -> tuple[object, ...]:
    session.expire_all()
    task = session.get(OutreachTask, task_id)
    assert task is not None
    events = len(_kinds(session, task_id))
    return (task.status, task.owner, task.due_at, task.outcome, task.last_activity_at, events)


def test_full_workflow(session: Session, task_id: int) -> None:
    task = claim_task(session=session, task_id=task_id, actor="ann", now=NOW, expiry_minutes=120)
    assert (task.status, task.owner, task.due_at) == ("claimed", "ann", at("2025-03-05 17:00"))
    promised = at("2025-03-06 11:00")
    task = log_contact(
        session=session,
        task_id=task_id,
        actor="ann",
        note="Called, promised an answer on the refund",
        contacted=True,
        follow_up_due=promised,
        now=NOW + timedelta(minutes=30),
    )
    assert (task.status, task.first_contacted_at, task.due_at) == ("contacted", NOW + timedelta(minutes=30), promised)
    task = log_contact(
        session=session,
        task_id=task_id,
        actor="ann",
        note="Asked for the order number",
        waiting=True,
        now=NOW + timedelta(hours=2),
    )
    assert task.status == "waiting_for_customer" and task.due_at is None  # the clock stops
    follow_ups = session.exec(select(TaskFollowUp).where(TaskFollowUp.task_id == task_id)).all()
    assert [f.done_at is not None for f in follow_ups] == [True]
    task = log_contact(
        session=session,
        task_id=task_id,
        actor="ann",
        note="They replied",
        contacted=True,
        follow_up_due=at("2025-03-07 09:00"),
        now=NOW + timedelta(days=1),
    )
    assert task.status == "contacted" and task.due_at == at("2025-03-07 09:00")
    assert task.first_contacted_at == NOW + timedelta(minutes=30)  # the first contact stays the first
    task = close_task(
        session=session, task_id=task_id, actor="ann", outcome="resolved", note="refunded", now=NOW + timedelta(days=1)
    )
    assert (task.status, task.outcome, task.due_at) == ("resolved", "resolved", None)
    assert _kinds(session, task_id) == [
        "created",
        "claimed",
        "contacted",
        "follow_up_set",
        "waiting_for_customer",
        "contacted",
        "follow_up_set",
        "closed",
    ]
    events = session.exec(select(TaskEvent).where(TaskEvent.task_id == task_id, TaskEvent.actor == "ann")).all()
    assert all(e.at >= NOW for e in events) and events[-1].note == "refunded"


def test_refused_steps_change_nothing(session: Session, task_id: int) -> None:
    claim_task(session=session, task_id=task_id, actor="ann", now=NOW, expiry_minutes=120)
    session.commit()
    before = _snapshot(session, task_id)
    refusals = [
        (lambda: claim_task(session=session, task_id=task_id, actor="bob", now=NOW, expiry_minutes=120), "held by ann"),
        (lambda: log_contact(session=session, task_id=task_id, actor="bob", note="hi", now=NOW), "held by ann"),
        (
            lambda: close_task(session=session, task_id=task_id, actor="ann", outcome=None, note="", now=NOW),
            "--outcome",
        ),
        (
            lambda: close_task(session=session, task_id=task_id, actor="ann", outcome="happy", note="", now=NOW),
            "unknown outcome",
        ),
        (
            lambda: close_task(session=session, task_id=task_id, actor="ann", outcome="resolved", note="", now=NOW),
            "no contact",
        ),
        (
            lambda: log_contact(
                session=session, task_id=task_id, actor="ann", note="x", contacted=True, waiting=True, now=NOW
            ),
            "not both",
        ),
        (
            lambda: log_contact(
                session=session, task_id=task_id, actor="ann", note="x", follow_up_due=NOW - timedelta(hours=1), now=NOW
            ),
            "future",
        ),
        (lambda: log_contact(session=session, task_id=task_id, actor="ann", note=" ", now=NOW), "nothing to log"),
        (lambda: claim_task(session=session, task_id=task_id, actor=" ", now=NOW, expiry_minutes=120), "--as NAME"),
    ]
    for action, message in refusals:
        with pytest.raises(WorkflowError, match=message):
            action()
        session.rollback()
        assert _snapshot(session, task_id) == before, message
    with pytest.raises(NotFound, match="no task 999"):
        claim_task(session=session, task_id=999, actor="ann", now=NOW, expiry_minutes=120)


def test_closed_task_refuses_further_steps(session: Session, task_id: int) -> None:
    # An unclaimed task can be triaged away by anyone; after that nothing else is allowed.
    close_task(session=session, task_id=task_id, actor="bob", outcome="not_actionable", note="not a customer", now=NOW)
    with pytest.raises(WorkflowError, match="closed"):
        claim_task(session=session, task_id=task_id, actor="ann", now=NOW, expiry_minutes=120)
    with pytest.raises(WorkflowError, match="closed"):
        close_task(session=session, task_id=task_id, actor="bob", outcome="resolved", note="", now=NOW)
    with pytest.raises(WorkflowError, match="not claimed"):
        task2 = session.get(OutreachTask, task_id)
        assert task2 is not None
        task2.status = "new"  # reopened by the queue: must be claimed before logging
        session.flush()
        log_contact(session=session, task_id=task_id, actor="ann", note="x", now=NOW)


def test_claims_expire_without_activity(session: Session, task_id: int) -> None:
    claim_task(session=session, task_id=task_id, actor="ann", now=NOW, expiry_minutes=60)
    assert release_expired_claims(session=session, now=NOW + timedelta(minutes=59), expiry_minutes=60) == []
    log_contact(session=session, task_id=task_id, actor="ann", note="looking into it", now=NOW + timedelta(minutes=50))
    assert release_expired_claims(session=session, now=NOW + timedelta(minutes=100), expiry_minutes=60) == []
    assert release_expired_claims(session=session, now=NOW + timedelta(minutes=111), expiry_minutes=60) == [task_id]
    session.expire_all()
    task = session.get(OutreachTask, task_id)
    assert task is not None and (task.status, task.owner) == ("new", None)
    assert _kinds(session, task_id)[-1] == "claim_expired"


def test_expired_claim_can_be_taken_over(session: Session, task_id: int) -> None:
    claim_task(session=session, task_id=task_id, actor="ann", now=NOW, expiry_minutes=60)
    with pytest.raises(WorkflowError):
        claim_task(session=session, task_id=task_id, actor="bob", now=NOW + timedelta(minutes=30), expiry_minutes=60)
    task = claim_task(session=session, task_id=task_id, actor="bob", now=NOW + timedelta(minutes=61), expiry_minutes=60)
    assert task.owner == "bob"
    event = session.exec(
        select(TaskEvent).where(TaskEvent.kind == "claimed").order_by(col(TaskEvent.id).desc())
    ).first()
    assert event is not None and event.data == {"previous_owner": "ann"}
    # Claiming your own task again is harmless.
    assert (
        claim_task(
            session=session, task_id=task_id, actor="bob", now=NOW + timedelta(minutes=62), expiry_minutes=60
        ).owner
        == "bob"
    )


@pytest.fixture
def cli(tmp_path: Path) -> tuple[CliRunner, typer.Typer, Path, list[int]]:
    """A config file on a temp SQLite database holding two tasks (one with a template reply)."""
    engine = migrated_sqlite(tmp_path)
    with Session(engine, expire_on_commit=False) as session:
        source = add_source(session, add_company(session, "Acme", timezone="Europe/Berlin"))
        # Published today so the deadlines are in the future while the test runs.
        now = utcnow()
        angry = add_review(
            session,
            source,
            published=now - timedelta(hours=1),
            handle="a",
            name="[bold]Mallory[/bold]",
            body="Awful [red]markup[/red] <script>alert(1)</script>",
            flags="legal",
        )
        add_reply(session, angry, published=now - timedelta(minutes=30), template_id="tpl-1", text="Dear customer")
        happy_elsewhere = add_review(
            session, source, published=now - timedelta(days=40), handle="a", unhappy=False, rating=5
        )
        other = add_review(session, source, published=now - timedelta(hours=2), handle="b", name="Bob")
        update_queue(session=session, settings=Settings(), review_ids=[angry.id or 0, other.id or 0], now=now)
        session.commit()
        ids = list(session.exec(select(OutreachTask.id).order_by(col(OutreachTask.id))).all())
        assert happy_elsewhere.id is not None
    engine.dispose()
    config = tmp_path / "monitor.toml"
    config.write_text(f'database_url = "{sqlite_url(tmp_path)}"\nclaim_expiry_minutes = 30\n', encoding="utf-8")
    root = typer.Typer()
    root.callback()(cli_main)
    root.add_typer(tasks_app, name="tasks")
    return CliRunner(), root, config, [i or 0 for i in ids]


def _run(cli: tuple[CliRunner, typer.Typer, Path, list[int]], *args: str) -> tuple[int, str, str]:
    runner, root, config, _ = cli
    result = runner.invoke(root, ["--config", str(config), "tasks", *args])
    return result.exit_code, result.stdout, result.stderr


def test_cli_list_json_and_table(cli: tuple[CliRunner, typer.Typer, Path, list[int]]) -> None:
    code, stdout, _ = _run(cli, "list", "--json")
    assert code == 0
    rows = json.loads(stdout)
    assert [r["id"] for r in rows] == cli[3]  # the legal, templated one first
    first = rows[0]
    assert first["template_reply"] is True and first["priority_label"] == "urgent"
    assert first["reviewer"] == "[bold]Mallory[/bold]" and first["source"] == "tp" and len(first["review_ids"]) == 1
    assert {"id", "status", "priority", "due_at", "reviewer", "source", "review_ids", "template_reply"} <= set(first)
    code, stdout, _ = _run(cli, "list")
    assert code == 0 and "[bold]Mallory[/bold]" in stdout  # shown literally, not as markup
    code, _, stderr = _run(cli, "list", "--mine")
    assert code == 1 and "--as NAME" in stderr
    code, _, stderr = _run(cli, "list", "--status", "bogus")
    assert code == 1 and "unknown status" in stderr


def test_cli_claim_log_close(cli: tuple[CliRunner, typer.Typer, Path, list[int]]) -> None:
    tid = str(cli[3][0])
    assert _run(cli, "claim", tid, "--as", "ann")[0] == 0
    code, _, stderr = _run(cli, "claim", tid, "--as", "bob")
    assert code == 1 and "held by ann" in stderr
    code, stdout, _ = _run(cli, "list", "--mine", "--as", "ann", "--json")
    assert [r["id"] for r in json.loads(stdout)] == [int(tid)]
    code, stdout, stderr = _run(
        cli, "log", tid, "--as", "ann", "--note", "called", "--contacted", "--follow-up-due", "tomorrow 10:00"
    )
    assert code == 0, stderr
    code, _, stderr = _run(cli, "log", tid, "--as", "ann", "--note", "x", "--follow-up-due", "someday")
    assert code == 1 and "not a time" in stderr
    code, _, stderr = _run(cli, "close", tid, "--as", "ann")
    assert code == 1 and "--outcome" in stderr
    code, _, stderr = _run(cli, "close", tid, "--as", "ann", "--outcome", "great")
    assert code == 1 and "unknown outcome" in stderr
    assert _run(cli, "close", tid, "--as", "ann", "--outcome", "resolved", "--note", "sorted")[0] == 0
    code, stdout, _ = _run(cli, "show", tid, "--json")
    detail = json.loads(stdout)
    assert detail["status"] == "resolved"
    assert [e["kind"] for e in detail["events"]] == ["created", "claimed", "contacted", "follow_up_set", "closed"]
    assert detail["follow_ups"][0]["done_at"] is not None
    code, _, stderr = _run(cli, "claim", "999", "--as", "ann")
    assert code == 1 and "no task 999" in stderr


def test_cli_show(cli: tuple[CliRunner, typer.Typer, Path, list[int]]) -> None:
    code, stdout, _ = _run(cli, "show", str(cli[3][0]))
    assert code == 0
    assert "<script>alert(1)</script>" in stdout and "[red]markup[/red]" in stdout  # escaped, printed literally
    assert "TEMPLATE reply" in stdout and "Dear customer" in stdout
    assert "other reviews" in stdout and "5/5" in stdout  # the reviewer's happy review elsewhere in time
    assert "first contact due" in stdout and "Europe/Berlin" in stdout and "history" in stdout
    assert "guidance" in stdout and "template_reply" in stdout
    code, stdout, _ = _run(cli, "show", str(cli[3][0]), "--json")
    data = json.loads(stdout)
    assert data["reviews"][0]["reply"]["template"] is True and len(data["other_reviews"]) == 1
    guidance = data["guidance"]
    assert "template_reply" in guidance["variants"] and guidance["language"] == "en" and guidance["steps"]
    assert not any("remove" in step.lower() and "review" in step.lower() for step in guidance["steps"])
