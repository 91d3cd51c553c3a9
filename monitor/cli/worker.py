"""`monitor worker` and `monitor jobs`: run the product's jobs on the task engine, and see what they did."""

from __future__ import annotations

import signal
import threading
from typing import Annotated

import typer
from rich.table import Table

from monitor.cli.common import app_context, shown
from monitor.core.errors import MonitorError
from monitor.core.redaction import redact_url
from monitor.runtime.console import fail_cleanly, fmt_time, out, print_json
from monitor.runtime.context import AppContext
from monitor.store.states import JOB_STATES

__all__ = ["engine_url", "jobs", "worker"]

# The task engine and the database stack are imported inside the commands: `monitor` starts in a fraction of the
# time.


def engine_url(app_ctx: AppContext) -> str:
    """The configured broker, or the error that says how to configure one."""
    url = app_ctx.settings.engine_url
    if not url:
        raise MonitorError(
            'no task engine configured: add [engine] url = "amqp://user:password@host:5672/" to the configuration '
            "(or set MONITOR_ENGINE_URL); without one, `monitor serve` runs every job itself"
        )
    return url


@fail_cleanly
def worker(
    ctx: typer.Context,
    concurrency: Annotated[int, typer.Option(min=1, max=64, help="Jobs run at once by this worker.")] = 2,
    queues: Annotated[
        str | None, typer.Option(help="Only these kinds of job, comma-separated: crawl, digest, upkeep (default: all).")
    ] = None,
) -> None:
    """Run jobs from the task engine until stopped (Ctrl-C or SIGTERM); start one on every machine that helps."""
    import dramatiq

    from monitor.engine.broker import QUEUES, connect_engine, worker_name

    app_ctx = app_context(ctx)
    url = engine_url(app_ctx)
    kinds = [k.strip() for k in (queues or ",".join(QUEUES)).split(",") if k.strip()]
    unknown = [k for k in kinds if k not in QUEUES]
    if unknown:
        raise MonitorError(f"--queues: unknown kind {unknown[0]!r}; use {', '.join(QUEUES)}")
    settings = app_ctx.settings
    engine = connect_engine(
        url, database=app_ctx.engine, config_path=app_ctx.config_path, prefix=settings.engine_queue_prefix
    )
    stop = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stop.set())
    runner = dramatiq.Worker(engine.broker, queues={engine.queue(k) for k in kinds}, worker_threads=concurrency)
    runner.start()
    out.print(
        f"worker {shown(worker_name())} runs {', '.join(kinds)} jobs from {shown(redact_url(url))} "
        f"({concurrency} at once); Ctrl-C stops it after the jobs in hand"
    )
    try:
        stop.wait()
    finally:
        runner.stop()
        engine.close()
    out.print("worker stopped")


@fail_cleanly
def jobs(
    ctx: typer.Context,
    state: Annotated[str | None, typer.Option(help=f"Only jobs in this state: {', '.join(JOB_STATES)}.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 50,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON array on stdout.")] = False,
) -> None:
    """Jobs of the task engine: queued, running, retrying, failed and done, newest first."""
    from sqlmodel import Session, col, select

    from monitor.store.job_models import JobRow

    if state is not None and state not in JOB_STATES:
        raise MonitorError(f"--state {state!r}: use one of {', '.join(JOB_STATES)}")
    with Session(app_context(ctx).engine) as session:
        query = select(JobRow).order_by(col(JobRow.enqueued_at).desc(), col(JobRow.id)).limit(limit)
        if state is not None:
            query = query.where(JobRow.state == state)
        rows = session.exec(query).all()
    if json_out:
        print_json(
            [
                {
                    "id": r.id,
                    "actor": r.actor,
                    "args": r.args,
                    "state": r.state,
                    "attempts": r.attempts,
                    "worker": r.worker,
                    "error": r.error,
                    "enqueued_at": r.enqueued_at.isoformat(),
                    "started_at": r.started_at.isoformat() if r.started_at else None,
                    "finished_at": r.finished_at.isoformat() if r.finished_at else None,
                }
                for r in rows
            ]
        )
        return
    table = Table("job", "what", "state", "tries", "worker", "queued", "finished", "error")
    for r in rows:
        table.add_row(
            r.id[:8],
            shown(f"{r.actor} {' '.join(r.args)}".strip(), 50),
            r.state,
            str(r.attempts),
            shown(r.worker, 30),
            fmt_time(r.enqueued_at),
            fmt_time(r.finished_at),
            shown(r.error, 60),
        )
    out.print(table)
    out.print(f"{len(rows)} job(s) (times in UTC)")
