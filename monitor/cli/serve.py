"""The `serve` command: the scheduler in the foreground, reloading the configuration file when it changes."""

from __future__ import annotations

import logging
import signal
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from monitor.cli.common import app_context, shown
from monitor.core.errors import MonitorError
from monitor.runtime.console import err, fail_cleanly, fmt_time, one_line, out

if TYPE_CHECKING:
    from monitor.crawl.locks import Lease

__all__ = ["serve"]

# The scheduler, the database and the settings reader are imported inside the functions that use them: `monitor`
# starts in a fraction of the time.

log = logging.getLogger("monitor.serve")
_TAKEOVER_SECONDS = 10.0
_LEASE_CHECK_SECONDS = 5.0  # how soon an active scheduler notices that its lock went with its connection


@fail_cleanly
def serve(
    ctx: typer.Context,
    reload_every: Annotated[
        float, typer.Option(help="Seconds between checks of the configuration file for edits.")
    ] = 30.0,
) -> None:
    """Run the scheduler in the foreground (crawls, daily digests, upkeep) until Ctrl-C or SIGTERM.

    Edits to the configuration file are picked up within a minute: new, removed and re-scheduled sources.
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app_ctx = app_context(ctx)
    app_ctx.create_database = True
    settings = app_ctx.settings
    _ = app_ctx.engine  # creates or checks the schema before the first job runs
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with ExitStack() as held:
        while True:
            lead = None
            if settings.engine_url:
                lead = _lead(held, app_ctx.engine, stop)
                if lead is None:
                    return
            if not _schedule(app_ctx, settings, stop, reload_every, lead):
                return
            # The lock went with the database connection: another scheduler may be active now. Stand by again.
            held.close()


def _lead(held: ExitStack, engine: Any, stop: threading.Event) -> Lease | None:
    """With a task engine, exactly one `serve` schedules: wait for the lock its holder frees by stopping or dying."""
    from monitor.crawl.locks import lease

    waiting = False
    while True:
        taken = held.enter_context(lease(engine, "scheduler", "serve"))
        if taken.held:
            out.print("this scheduler is the active one; jobs are queued for `monitor worker` processes")
            return taken
        held.close()
        if not waiting:
            out.print("another scheduler is active; this one takes over when it stops (checking every 10 s)")
            waiting = True
        if stop.wait(_TAKEOVER_SECONDS):
            return None


def _schedule(app_ctx: Any, settings: Any, stop: threading.Event, reload_every: float, lead: Lease | None) -> bool:
    """Run the schedule until stopped (False) or until the scheduler lock `lead` is lost (True)."""
    from monitor.scheduler import build_scheduler, sync_jobs

    scheduler = build_scheduler(settings)
    scheduler.start(paused=True)
    try:
        names = sync_jobs(scheduler, settings, app_ctx.config_path)
        scheduler.resume()
        for job in scheduler.get_jobs():
            out.print(f"scheduled {shown(job.name)}: next run {fmt_time(job.next_run_time)}")
        if not any(n.startswith("crawl:") for n in names):
            err.print("no enabled scheduled sources in the configuration; waiting anyway (Ctrl-C to stop)")
        seen = _config_mtime(settings.path)
        checked = time.monotonic()
        while not stop.wait(max(0.1, min(reload_every, _LEASE_CHECK_SECONDS))):
            if lead is not None and not lead.still_held():
                log.error("the scheduler lock was lost with its database connection; standing by")
                err.print("the scheduler lock was lost with its database connection; this scheduler stands by")
                return True
            if time.monotonic() - checked < reload_every:
                continue
            checked = time.monotonic()
            mtime = _config_mtime(settings.path)
            if mtime != seen and _reload(scheduler, app_ctx.config_path):
                seen = mtime
    finally:
        scheduler.shutdown(wait=True)
        out.print("scheduler stopped")
    return False


def _config_mtime(path: Path | None) -> float | None:
    try:
        return path.stat().st_mtime if path else None
    except OSError:
        return None


def _reload(scheduler: Any, config_path: str | None) -> bool:
    """Re-read the configuration and re-sync the jobs; a broken file keeps the running schedule.

    False when the jobs could not be re-synced (the job store's database failed): the next check tries again.
    """
    from monitor.runtime.config_file import load_settings
    from monitor.scheduler import sync_jobs

    try:
        settings = load_settings(config_path)
    except MonitorError as exc:
        # The same validation as at start: the file is read whole or not at all, so no job changes.
        log.error("configuration not reloaded, the schedule is unchanged: %s", one_line(exc, 2000))
        return True
    try:
        names = sync_jobs(scheduler, settings, config_path)
    except Exception as exc:  # whatever the job store raised, the jobs already scheduled must keep running
        log.error("jobs not re-synced, trying again at the next check: %s: %s", type(exc).__name__, one_line(exc))
        return False
    log.info("configuration reloaded: %d job(s)", len(names))
    return True
