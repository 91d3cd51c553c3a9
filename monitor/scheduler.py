"""The scheduler: one APScheduler job per enabled source, kept in the product's database.

Jobs live in the same database as the reviews (table `apscheduler_jobs`), so a restart resumes the
schedule instead of starting every interval afresh; a job whose schedule did not change is left as is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor.core.errors import MonitorError
from monitor.core.settings import Settings
from monitor.digest.delivery import run_scheduled_digest
from monitor.engine.jobs import crawl_now, upkeep_now
from monitor.runtime.config_file import schedule_trigger
from monitor.runtime.console import one_line
from monitor.runtime.context import AppContext
from monitor.store.db import make_engine

__all__ = ["build_scheduler", "reconcile_jobs", "run_digest", "run_scheduled_source", "run_upkeep", "sync_jobs"]

log = logging.getLogger(__name__)
JOB_PREFIX = "crawl:"
DIGEST_PREFIX = "digest:"
UPKEEP_JOB = "upkeep"
UPKEEP_MINUTES = 10
MISFIRE_GRACE_SECONDS = 3600


def run_scheduled_source(config_path: str | None, source_name: str) -> None:
    """The job body: crawl one source, or queue the crawl for the workers when a task engine is configured."""
    if not _enqueued(config_path, "crawl", source_name):
        crawl_now(config_path, source_name)


def run_digest(config_path: str | None, company_name: str) -> None:
    """The job body: send one company's digest (yesterday's, then failed days), or queue it for the workers."""
    if not _enqueued(config_path, "digest", company_name):
        run_scheduled_digest(config_path, company_name)


def build_scheduler(settings: Settings) -> BackgroundScheduler:
    """A scheduler whose job store is the product's database."""
    store = SQLAlchemyJobStore(engine=make_engine(settings.database_url))
    return BackgroundScheduler(
        jobstores={"default": store},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_SECONDS},
        timezone="UTC",
    )


def _trigger_key(trigger: BaseTrigger) -> object:
    """What makes two triggers the same schedule, time zone and jitter included (str() leaves those out)."""
    if isinstance(trigger, IntervalTrigger):
        # Its repr holds the start date, which differs on every restart although the schedule does not.
        return ("interval", trigger.interval, trigger.jitter, str(trigger.timezone))
    return repr(trigger)


def reconcile_jobs(
    scheduler: BaseScheduler, prefix: str, wanted: dict[str, tuple[Callable[..., None], BaseTrigger, list[Any], str]]
) -> list[str]:
    """Make the jobs whose id starts with `prefix` exactly `wanted` (id -> function, trigger, args, name).

    A job whose function, trigger and arguments did not change is left alone, so it keeps its stored next run time.
    """
    for job in scheduler.get_jobs():
        if job.id.startswith(prefix) and job.id not in wanted:
            job.remove()
    for job_id, (func, trigger, args, name) in wanted.items():
        existing = scheduler.get_job(job_id)
        if (
            existing is not None
            and _trigger_key(existing.trigger) == _trigger_key(trigger)
            and list(existing.args) == args
            and existing.func == func
        ):
            continue
        scheduler.add_job(func, trigger=trigger, args=args, id=job_id, name=name, replace_existing=True)
    return sorted(wanted)


def sync_jobs(scheduler: BaseScheduler, settings: Settings, config_path: str | None) -> list[str]:
    """One crawl job per enabled, scheduled source, and one digest job per company with recipients."""
    crawls: dict[str, tuple[Callable[..., None], BaseTrigger, list[Any], str]] = {}
    digests: dict[str, tuple[Callable[..., None], BaseTrigger, list[Any], str]] = {}
    for company in settings.companies:
        for src in company.sources:
            schedule = schedule_trigger(src.schedule, company.timezone) if src.enabled else None
            if schedule is not None:
                crawls[JOB_PREFIX + src.name] = (
                    run_scheduled_source,
                    schedule,
                    [config_path, src.name],
                    f"crawl {src.name}",
                )
        if company.digest_recipients:
            hour, minute = (int(part) for part in company.digest_time.split(":"))
            trigger = CronTrigger(hour=hour, minute=minute, timezone=company.timezone)
            digests[DIGEST_PREFIX + company.name] = (
                run_digest,
                trigger,
                [config_path, company.name],
                f"digest {company.name}",
            )
    upkeep = {
        UPKEEP_JOB: (
            run_upkeep,
            IntervalTrigger(minutes=UPKEEP_MINUTES),
            [config_path],
            "upkeep: claims, thank-yous, templates",
        )
    }
    return (
        reconcile_jobs(scheduler, JOB_PREFIX, crawls)
        + reconcile_jobs(scheduler, DIGEST_PREFIX, digests)
        + reconcile_jobs(scheduler, UPKEEP_JOB, upkeep)
    )


def run_upkeep(config_path: str | None) -> None:
    """The job body: release idle claims, add thank-you follow-ups, re-cluster templates (or queue it)."""
    if not _enqueued(config_path, "upkeep"):
        upkeep_now(config_path)


def _enqueued(config_path: str | None, kind: str, *args: str) -> bool:
    """Queue the job for the task engine's workers when one is configured; False to run it here.

    A configuration that cannot be read is left to the job body, which says so in one line.
    """
    ctx = AppContext(config_path)
    try:
        url = ctx.settings.engine_url
        prefix = ctx.settings.engine_queue_prefix
    except MonitorError:
        return False
    if not url:
        return False
    from monitor.engine.broker import enqueue  # the broker's stack is loaded only where jobs are queued

    try:
        message = enqueue(kind, *args, url=url, database=ctx.engine, config_path=config_path, prefix=prefix)
    except Exception as exc:  # a broker or database that is down: the next run of the schedule tries again
        log.error("%s %s not queued: %s: %s", kind, " ".join(args), type(exc).__name__, one_line(exc, 2000))
        return True
    log.info("%s %s queued as %s", kind, " ".join(args), message)
    return True
