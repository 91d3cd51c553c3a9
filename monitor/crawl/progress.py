"""Crawling and importing from a terminal: progress while it runs, then what happened and what it means."""

from __future__ import annotations

import asyncio
import shlex
from pathlib import Path

from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from monitor.core.settings import SourceConfig
from monitor.crawl.imports import BATCH_ROWS, ImportSummary, accounting_line, run_import
from monitor.crawl.runner import CrawlOutcome, crawl_sources
from monitor.runtime.console import err, out, safe
from monitor.runtime.context import AppContext
from monitor.store.health import Health

__all__ = ["print_import", "print_outcomes", "run_crawl", "run_import_with_progress"]


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


def run_import_with_progress(
    app_ctx: AppContext, src: SourceConfig, *, problems_path: Path | None = None, batch_rows: int = BATCH_ROWS
) -> ImportSummary:
    """Import one export file with a running count of rows on stderr."""
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.fields[rows]} rows read, {task.fields[kept]} reviews"),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    ) as progress:
        task = progress.add_task(src.name, total=None, rows=0, kept=0)

        def on_progress(rows: int, kept: int) -> None:
            progress.update(task, rows=rows, kept=kept)

        summary = run_import(
            engine=app_ctx.engine,
            settings=app_ctx.settings,
            src=src,
            problems_path=problems_path,
            on_progress=on_progress,
            batch_rows=batch_rows,
        )
        progress.update(task, rows=summary.rows, kept=summary.new + summary.changed + summary.unchanged)
    return summary


def print_import(summary: ImportSummary) -> None:
    """The import's verdict, every row accounted for, its problems, and what it means for the queue."""
    colour = {Health.OK: "green", Health.PARTIAL: "yellow", Health.SKIPPED: "cyan"}.get(summary.verdict, "red")
    head = f"[{colour}]{summary.verdict.value:<8}[/] {safe(summary.source)}: {safe(Path(summary.file).name)}"
    # Paths and messages stay on one line whatever the terminal's width, so they can be copied and searched.
    out.print(head + (f": {safe(summary.message)}" if summary.message else ""), soft_wrap=True)
    if summary.verdict == Health.SKIPPED or not summary.layout:
        return
    out.print(
        f"  read as {summary.layout} ({summary.encoding}); dates {safe(summary.date_order)}; "
        f"{summary.batches} batch(es) in {summary.seconds:.1f} s",
        soft_wrap=True,
    )
    out.print(f"  {safe(accounting_line(summary))}", soft_wrap=True)
    if summary.problems_file is not None:
        out.print(
            f"  {summary.problems} problem(s), every one written to {safe(summary.problems_file)}", soft_wrap=True
        )
    for line in summary.problem_lines:
        err.print(f"  {safe(line, 2000)}")
    if summary.verdict == Health.FAILED:
        return
    if not summary.analysed:
        # Stopped before the stored reviews were judged: there are no queue figures yet, only the way to finish.
        out.print(
            "  next: import the file again (corrected, if the database refused a value of it): it stores what is "
            "missing and judges the stored reviews",
            soft_wrap=True,
        )
        return
    company = shlex.quote(summary.company)
    queued = f"{summary.in_queue} in the outreach queue ({summary.tasks} task(s), {summary.queue.created} new)"
    out.print(f"  unhappy reviews: {summary.unhappy}; {queued}")
    if summary.too_old:
        out.print(
            f"  not queued: {summary.too_old} unhappy review(s) published more than backfill_window_days "
            f"({summary.window_days}) days before they were imported"
        )
    out.print(
        f"  templates: {summary.templates} template(s) for {safe(summary.company)}; "
        f"{summary.template_replies} of this file's replies are template replies"
    )
    if summary.verdict == Health.PARTIAL:
        where = f"the problems in {safe(summary.problems_file)}" if summary.problems_file else "the problems above"
        nxt = f"read {where}, correct the file and import it again (only what changed is stored)"
    elif summary.in_queue:
        nxt = f"monitor tasks list --company {safe(company)}"
    elif summary.too_old:
        nxt = f"raise backfill_window_days in the configuration, then monitor tasks rebuild --company {safe(company)}"
    else:
        nxt = f"monitor reviews --company {safe(company)}"
    out.print(f"  next: {nxt}")
