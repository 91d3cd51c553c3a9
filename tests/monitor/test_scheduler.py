"""The scheduler keeps one job per enabled source in the product's database, and a restart resumes it."""

from __future__ import annotations

from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler

from monitor.core.settings import Settings
from monitor.scheduler import build_scheduler, sync_jobs
from tests.db_fixtures import migrated_sqlite, settings_with

SOURCES = """
[[company.source]]
name = "every-6h"
kind = "hellopeter"
locator = "acme"
schedule = "interval:6h"

[[company.source]]
name = "weekday-mornings"
kind = "hellopeter"
locator = "acme-2"
schedule = "cron:30 7 * * mon-fri"

[[company.source]]
name = "by-hand"
kind = "hellopeter"
locator = "acme-3"
schedule = "manual"

[[company.source]]
name = "switched-off"
kind = "hellopeter"
locator = "acme-4"
enabled = false
"""


def started(settings: Settings) -> BackgroundScheduler:
    scheduler = build_scheduler(settings)
    scheduler.start(paused=True)
    return scheduler


def test_one_job_per_enabled_scheduled_source_with_safe_defaults(tmp_path: Path) -> None:
    migrated_sqlite(tmp_path)
    settings = settings_with(tmp_path, SOURCES)
    scheduler = started(settings)
    try:
        names = sync_jobs(scheduler, settings, "monitor.toml")
        assert names == ["crawl:every-6h", "crawl:weekday-mornings", "upkeep"]
        job = scheduler.get_job("crawl:every-6h")
        assert job.max_instances == 1 and job.coalesce is True and job.misfire_grace_time == 3600
        assert list(job.args) == ["monitor.toml", "every-6h"]
        assert job.trigger.jitter and job.trigger.jitter > 0
    finally:
        scheduler.shutdown(wait=False)


def test_restart_keeps_stored_next_run_and_drops_removed_sources(tmp_path: Path) -> None:
    migrated_sqlite(tmp_path)
    settings = settings_with(tmp_path, SOURCES)
    first = started(settings)
    sync_jobs(first, settings, "monitor.toml")
    next_run = first.get_job("crawl:every-6h").next_run_time
    first.shutdown(wait=False)

    fewer = settings_with(tmp_path, SOURCES.split('[[company.source]]\nname = "weekday-mornings"')[0])
    second = started(fewer)
    try:
        assert second.get_job("crawl:every-6h").next_run_time == next_run  # read back from the database
        names = sync_jobs(second, fewer, "monitor.toml")
        assert names == ["crawl:every-6h", "upkeep"]
        assert second.get_job("crawl:weekday-mornings") is None
        assert second.get_job("crawl:every-6h").next_run_time == next_run  # unchanged schedule is not reset
    finally:
        second.shutdown(wait=False)


def test_changing_a_company_time_zone_moves_its_cron_jobs(tmp_path: Path) -> None:
    migrated_sqlite(tmp_path)
    berlin = settings_with(tmp_path, 'timezone = "Europe/Berlin"\n' + SOURCES)
    scheduler = started(berlin)
    try:
        sync_jobs(scheduler, berlin, "monitor.toml")
        tokyo = settings_with(tmp_path, 'timezone = "Asia/Tokyo"\n' + SOURCES)
        sync_jobs(scheduler, tokyo, "monitor.toml")
        assert str(scheduler.get_job("crawl:weekday-mornings").trigger.timezone) == "Asia/Tokyo"
    finally:
        scheduler.shutdown(wait=False)
