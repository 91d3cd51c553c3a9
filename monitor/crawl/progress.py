"""Crawling from a terminal: a progress bar per source while it runs, one line per source when it ends."""

from __future__ import annotations

import asyncio

from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from monitor.core.settings import SourceConfig
from monitor.crawl.runner import CrawlOutcome, crawl_sources
from monitor.runtime.console import err, out, safe
from monitor.runtime.context import AppContext
from monitor.store.health import Health

__all__ = ["print_outcomes", "run_crawl"]


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[pages]} pages, {task.fields[records]} reviews"),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    )


def run_crawl(app_ctx: AppContext, sources: list[SourceConfig], *, backfill: bool) -> list[CrawlOutcome]:
    """Crawl with a progress bar per source."""
    with _progress() as progress:
        tasks = {s.name: progress.add_task(f"{s.name}", total=None, pages=0, records=0) for s in sources}

        def on_page(name: str, pages: int, records: int) -> None:
            progress.update(tasks[name], pages=pages, records=records)

        outcomes = asyncio.run(
            crawl_sources(
                engine=app_ctx.engine, settings=app_ctx.settings, sources=sources, backfill=backfill, on_page=on_page
            )
        )
        for o in outcomes:
            progress.update(tasks[o.source], total=1, completed=1)
    return outcomes


def print_outcomes(outcomes: list[CrawlOutcome]) -> None:
    """One line per crawled source."""
    for o in outcomes:
        colour = {Health.OK: "green", Health.PARTIAL: "yellow", Health.SKIPPED: "cyan"}.get(o.health, "red")
        out.print(
            f"[{colour}]{o.health.value:<14}[/] {safe(o.source)}: {o.seen} seen, {o.new} new, "
            f"{o.changed} changed, {o.pages} page(s). {safe(o.message)}"
        )
