"""The scheduler: one APScheduler job per enabled source, kept in the product's database.

Jobs live in the same database as the reviews (table `apscheduler_jobs`), so a restart resumes the
schedule instead of starting every interval afresh; a job whose schedule did not change is left as is.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor.config import Settings, SourceConfig, parse_schedule
from monitor.db import make_engine

__all__ = ["build_scheduler", "run_scheduled_source", "sync_jobs"]

log = logging.getLogger(__name__)
JOB_PREFIX = "crawl:"
MISFIRE_GRACE_SECONDS = 3600


def run_scheduled_source(config_path: str | None, source_name: str) -> None:
    """The job body: crawl one source (configuration is re-read so edits apply without a restart)."""
    from monitor.app_context import AppContext
    from monitor.crawl import crawl_sources

    ctx = AppContext(config_path)
    src = ctx.settings.source(source_name)
    (outcome,) = asyncio.run(crawl_sources(engine=ctx.engine, settings=ctx.settings, sources=[src]))
    log.info(
        "crawl %s: %s, %d new, %d changed; %s",
        source_name,
        outcome.health,
        outcome.new,
        outcome.changed,
        outcome.message,
    )


def _trigger(src: SourceConfig, timezone: str) -> IntervalTrigger | CronTrigger | None:
    args: dict[str, Any] = parse_schedule(src.schedule)
    if not args:
        return None
    kind = args.pop("trigger")
    if kind == "interval":
        # Jitter spreads sources that share a host and an interval, so they do not hit it at the same second.
        seconds = sum(
            args.get(k, 0) * m for k, m in (("seconds", 1), ("minutes", 60), ("hours", 3600), ("days", 86400))
        )
        return IntervalTrigger(**args, jitter=min(300, max(1, seconds // 10)), timezone=timezone)
    return CronTrigger(**args, jitter=60, timezone=timezone)


def build_scheduler(settings: Settings) -> BackgroundScheduler:
    """A scheduler whose job store is the product's database."""
    store = SQLAlchemyJobStore(engine=make_engine(settings.database_url))
    return BackgroundScheduler(
        jobstores={"default": store},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_SECONDS},
        timezone="UTC",
    )


def sync_jobs(scheduler: BackgroundScheduler, settings: Settings, config_path: str | None) -> list[str]:
    """Add, update or remove jobs so that there is exactly one per enabled, scheduled source."""
    wanted: dict[str, tuple[SourceConfig, Any]] = {}
    for company in settings.companies:
        for src in company.sources:
            trigger = _trigger(src, company.timezone) if src.enabled else None
            if trigger is not None:
                wanted[JOB_PREFIX + src.name] = (src, trigger)
    for job in scheduler.get_jobs():
        if job.id.startswith(JOB_PREFIX) and job.id not in wanted:
            job.remove()
    for job_id, (src, trigger) in wanted.items():
        existing = scheduler.get_job(job_id)
        args = [config_path, src.name]
        if existing is not None and str(existing.trigger) == str(trigger) and list(existing.args) == args:
            continue  # unchanged: keep its stored next run time
        scheduler.add_job(
            run_scheduled_source, trigger=trigger, args=args, id=job_id, name=f"crawl {src.name}", replace_existing=True
        )
    return sorted(wanted)


def serve(settings: Settings, config_path: str | None, stop: threading.Event) -> None:
    """Run the scheduler until `stop` is set."""
    scheduler = build_scheduler(settings)
    scheduler.start(paused=True)
    try:
        sync_jobs(scheduler, settings, config_path)
        scheduler.resume()
        stop.wait()
    finally:
        scheduler.shutdown(wait=True)
