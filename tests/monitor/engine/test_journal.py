"""The job journal: the enqueuing process and the worker write one row at nearly the same time; neither loses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dramatiq
import pytest
from sqlmodel import Session

from monitor.engine.journal import Journal
from monitor.store.job_models import JobRow
from tests.db_fixtures import migrated_sqlite


class _Proxy:
    """What a worker hands the middleware: the message and its options."""

    def __init__(self, message: dramatiq.Message[Any]) -> None:
        self.message_id = message.message_id
        self.actor_name = message.actor_name
        self.queue_name = message.queue_name
        self.args = message.args
        self.options: dict[str, Any] = {}
        self.failed = False


def _message() -> dramatiq.Message[Any]:
    return dramatiq.Message(queue_name="crawl", actor_name="crawl_source", args=("shop1",), kwargs={}, options={})


def _row(engine: Any, message_id: str) -> JobRow:
    with Session(engine) as session:
        row = session.get(JobRow, message_id)
        assert row is not None
        return row


def test_a_worker_that_finishes_before_the_enqueue_is_written_keeps_its_state(tmp_path: Path) -> None:
    engine = migrated_sqlite(tmp_path)
    message = _message()
    worker, enqueuer = Journal(engine, "host:101"), Journal(engine, "cli")
    worker.before_process_message(None, _Proxy(message))  # type: ignore[arg-type]
    worker.after_process_message(None, _Proxy(message))  # type: ignore[arg-type]
    enqueuer.after_enqueue(None, message, 0)  # type: ignore[arg-type]
    row = _row(engine, message.message_id)
    assert (row.state, row.worker, row.attempts) == ("done", "host:101", 1)


def test_when_both_find_no_row_the_second_writer_writes_on_top_of_the_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = migrated_sqlite(tmp_path)
    message = _message()
    Journal(engine, "cli").after_enqueue(None, message, 0)  # type: ignore[arg-type]
    # The worker read the table just before the enqueuer's row was committed: its first read finds nothing.
    real_get = Session.get
    misses = iter([True])

    def late_get(self: Session, model: Any, ident: Any, **kwargs: Any) -> Any:
        return None if model is JobRow and next(misses, False) else real_get(self, model, ident, **kwargs)

    monkeypatch.setattr(Session, "get", late_get)
    Journal(engine, "host:202").before_process_message(None, _Proxy(message))  # type: ignore[arg-type]
    monkeypatch.setattr(Session, "get", real_get)
    row = _row(engine, message.message_id)
    assert (row.state, row.worker, row.attempts) == ("running", "host:202", 1)


def test_a_retry_delayed_by_the_broker_is_written_over_the_running_state(tmp_path: Path) -> None:
    engine = migrated_sqlite(tmp_path)
    message = _message()
    worker = Journal(engine, "host:303")
    worker.before_process_message(None, _Proxy(message))  # type: ignore[arg-type]
    worker.after_enqueue(None, message, 15_000)  # type: ignore[arg-type]
    assert _row(engine, message.message_id).state == "retrying"
