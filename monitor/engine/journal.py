"""The journal middleware: every job's state in the product's database, for `monitor jobs` and for people.

Written on enqueue (queued, or retrying when the broker delays it), when a worker starts it (running, with the
attempt and the worker), and when it ends (done; retrying while retries are left; failed when they are not).
"""

from __future__ import annotations

import logging
from typing import Any

import dramatiq
from dramatiq.broker import MessageProxy
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from monitor.core.text_safety import printable
from monitor.store.db import utcnow
from monitor.store.job_models import JobRow

__all__ = ["Journal"]

log = logging.getLogger(__name__)
_ERROR_CHARS = 2000


class Journal(dramatiq.Middleware):
    """Records each job's state; a failure to record is logged and never stops the job itself."""

    def __init__(self, database: Engine, worker: str) -> None:
        self.database = database
        self.worker = worker

    def _write(self, message: dramatiq.Message[Any] | MessageProxy, *, if_new: bool = False, **values: Any) -> None:
        """Set `values` on the job's row, creating it; with `if_new`, only when no row exists yet.

        The process that enqueues a job and the worker that takes it write the same row at nearly the same time:
        when both find no row, one insert fails, and that writer reads the other's row and writes again.
        """
        for _ in range(2):
            try:
                with Session(self.database) as session:
                    row = session.get(JobRow, message.message_id)
                    if row is None:
                        row = JobRow(
                            id=message.message_id,
                            actor=message.actor_name,
                            queue=message.queue_name,
                            args=[str(a) for a in message.args],
                        )
                    elif if_new:
                        return
                    for name, value in values.items():
                        setattr(row, name, value)
                    session.add(row)
                    session.commit()
                return
            except IntegrityError:
                continue
            except Exception:  # the journal is for people; the job's own work must go on when it cannot be written
                log.exception("job %s: the journal could not be written", message.message_id)
                return
        log.error("job %s: the journal could not be written: its row kept changing", message.message_id)

    def after_enqueue(self, broker: dramatiq.Broker, message: dramatiq.Message[Any], delay: int) -> None:
        """Queued now, or queued again after a failure (a delayed message)."""
        if delay:
            self._write(message, state="retrying")
        else:
            # A worker may have taken the job (and even finished it) before this is written: never step back.
            self._write(message, if_new=True, state="queued")

    def before_process_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        """A worker took the job: which worker, which attempt."""
        attempt = int(message.options.get("retries", 0)) + 1
        self._write(message, state="running", worker=self.worker, attempts=attempt, started_at=utcnow())

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: MessageProxy,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        """Done, or failed for good (retries used up), or to be retried (the retry's enqueue said so)."""
        if exception is None:
            self._write(message, state="done", finished_at=utcnow(), error="")
            return
        error = printable(f"{exception.__class__.__name__}: {exception}")[:_ERROR_CHARS]
        state = "failed" if message.failed else "retrying"
        self._write(message, state=state, finished_at=utcnow(), error=error)

    def after_skip_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        """Skipped (too old, or failed by a middleware): failed."""
        self._write(message, state="failed", finished_at=utcnow())
