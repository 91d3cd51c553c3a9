"""Commands that set up and fill the database: `init`, `crawl`, `import` and `sources`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from monitor.cli.common import app_context, shown
from monitor.core.errors import MonitorError
from monitor.core.settings import SourceConfig
from monitor.core.text_safety import name_problem
from monitor.runtime.console import err, fail_cleanly, failing_with, fmt_time, one_line, out, parse_options
from monitor.runtime.context import AppContext, connect, newer_schema_error, redact_url
from monitor.store.health import Health

__all__ = ["crawl", "import_cmd", "init", "sources_cmd"]

# The database, crawl and import stacks are imported inside the commands: `monitor` starts in a fraction of the time.


@fail_cleanly
def init(ctx: typer.Context) -> None:
    """Create the database or upgrade it to the current schema, and load companies and sources from the config."""
    from monitor.store.db import session_scope
    from monitor.store.migrate import current_revision, head_revision, is_known_revision, schema_lock, upgrade
    from monitor.store.repository import sync_config

    settings = app_context(ctx).settings
    engine, _ = connect(settings.database_url)
    # Several `monitor init` started together on a fresh database take turns: one creates, the others find it done.
    with schema_lock(engine):
        before = current_revision(engine)
        if not is_known_revision(before):
            raise newer_schema_error(settings.database_url, before)
        upgrade(engine)
        with session_scope(engine) as session:
            rows = sync_config(session=session, settings=settings)
    state = "created" if before is None else ("upgraded" if before != head_revision() else "already current")
    out.print(f"database {shown(redact_url(settings.database_url))}: {state} (schema {head_revision()})")
    out.print(
        f"{len(settings.companies)} company(ies), {len(rows)} source(s) from "
        f"{shown(settings.path or 'defaults (no config file)')}"
    )


@fail_cleanly
def crawl(
    ctx: typer.Context,
    source: Annotated[list[str] | None, typer.Option("--source", "-s", help="Only this source (repeatable).")] = None,
    backfill: Annotated[bool, typer.Option(help="Walk the full history instead of stopping at known reviews.")] = False,
    enqueue: Annotated[
        bool, typer.Option("--enqueue", help="Queue the crawls for the task engine's workers and return at once.")
    ] = False,
) -> None:
    """Crawl the configured sources now (all enabled ones, or those named with --source)."""
    from monitor.crawl.progress import print_outcomes, run_crawl

    app_ctx = app_context(ctx)
    app_ctx.create_database = True
    settings = app_ctx.settings
    chosen = [_configured(app_ctx, n) for n in source] if source else [s for s in settings.all_sources() if s.enabled]
    if not chosen:
        raise MonitorError("no enabled sources configured: add [[company.source]] entries to the config (see README)")
    if enqueue:
        _enqueue(app_ctx, chosen, backfill=backfill)
        return
    outcomes = run_crawl(app_ctx, chosen, backfill=backfill)
    print_outcomes(outcomes)
    if any(o.health not in (Health.OK, Health.PARTIAL, Health.SKIPPED) for o in outcomes):
        raise typer.Exit(1)


def _enqueue(app_ctx: AppContext, chosen: list[SourceConfig], *, backfill: bool) -> None:
    from monitor.cli.worker import engine_url
    from monitor.engine.broker import connect_engine

    if backfill:
        raise MonitorError("--backfill with --enqueue: run a backfill here, without --enqueue, and watch it")
    url = engine_url(app_ctx)
    engine = connect_engine(
        url,
        database=app_ctx.engine,
        config_path=app_ctx.config_path,
        prefix=app_ctx.settings.engine_queue_prefix,
    )
    try:
        for src in chosen:
            engine.actors["crawl"].send(src.name)
    finally:
        engine.close()
    out.print(f"{len(chosen)} crawl job(s) queued; `monitor jobs` shows them")


def _configured(app_ctx: AppContext, name: str) -> SourceConfig:
    """The configured source `name`; an imported file is named as such instead of as an unknown source."""
    from sqlmodel import Session, select

    from monitor.crawl.imports import is_import
    from monitor.store.models import SourceRow

    try:
        return app_ctx.settings.source(name)
    except MonitorError:
        with Session(app_ctx.engine) as session:
            row = session.exec(select(SourceRow).where(SourceRow.name == name)).first()
        if row is not None and is_import(row):
            raise MonitorError(
                f"{name!r} is an imported file, not a crawled source: run `monitor import {row.locator}` again "
                "to refresh it"
            ) from None
        raise


@fail_cleanly
def sources_cmd(
    ctx: typer.Context,
    kinds: Annotated[bool, typer.Option("--kinds", help="List every source kind with its options instead.")] = False,
) -> None:
    """List configured sources with their last run and health (or, with --kinds, every source kind)."""
    from sqlmodel import Session, col, select

    from monitor.crawl.imports import is_import
    from monitor.store.models import Company, CrawlRun, SourceRow
    from monitor.store.repository import sync_config

    if kinds:
        _print_kinds()
        return
    app_ctx = app_context(ctx)
    with Session(app_ctx.engine) as session:
        sync_config(session=session, settings=app_ctx.settings)
        session.commit()
        rows = session.exec(select(SourceRow, Company).join(Company).order_by(Company.name, SourceRow.name)).all()
        table = Table("source", "company", "kind", "enabled", "schedule", "last run", "health", "since", "message")
        for row, company in rows:
            runs = session.exec(
                select(CrawlRun).where(CrawlRun.source_id == row.id).order_by(col(CrawlRun.id).desc()).limit(50)
            ).all()
            last = runs[0] if runs else None
            since = last.started_at if last else None
            for run in runs[1:]:
                if last is None or run.health != last.health:
                    break
                since = run.started_at
            health = last.health if last else "never run"
            colour = {"ok": "green", "partial": "yellow", "running": "cyan"}.get(health, "red")
            imported = is_import(row)
            if imported:
                # An import is a one-off load, never crawled: its last verdict is history, not a broken source.
                health, colour = f"imported: {health}", "cyan"
            table.add_row(
                shown(row.name),
                shown(company.name),
                f"{row.kind} (import)" if imported else row.kind,
                "import" if imported else ("yes" if row.enabled else "no"),
                row.schedule,
                fmt_time(last.started_at if last else None),
                f"[{colour}]{health}[/]",
                fmt_time(since),
                shown(one_line(last.message) if last else "", 80),
            )
        out.print(table)


def _print_kinds() -> None:
    from sources.base import registry

    for name, cls in registry().items():
        out.print(f"[bold]{name}[/]: {shown(cls.help)}")
        out.print(f"    locator: {shown(cls.locator_help)}")
        for opt in cls.options:
            default = "" if opt.default is None else f" (default {opt.default!r})"
            out.print(f"    {opt.name} ({opt.type.__name__}){shown(default)}: {shown(opt.help)}")


@failing_with(2)  # an import stopped before it began stored nothing: "failed", never "partial" (1)
def import_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV, JSON or JSON Lines export (optionally .gz).")],
    company: Annotated[str, typer.Option(help="The company the reviews are about (created if new).")],
    format: Annotated[
        str, typer.Option(help="auto, app_store, google_play, play_console, hellopeter or generic.")
    ] = "auto",
    source_name: Annotated[
        str | None, typer.Option(help="Name of the source to store under (default from file).")
    ] = None,
    option: Annotated[
        list[str] | None,
        typer.Option(
            "--option",
            "-o",
            help="File source option KEY=VALUE, e.g. -o day_first=false or -o text_column=comment (repeatable).",
        ),
    ] = None,
    problems: Annotated[
        Path | None,
        typer.Option(help="Write every row problem to this file (default: beside the database when over 20)."),
    ] = None,
    batch_rows: Annotated[
        int | None,
        typer.Option(min=100, help="Rows stored per transaction (default 2000; smaller: other commands wait less)."),
    ] = None,
) -> None:
    """Import an export file: every row accounted for; exit 0 ok, 1 partial (over 2 % skipped), 2 failed.

    Re-importing never duplicates: unchanged reviews stay, corrected ones (e.g. with -o day_first) are updated.
    """
    from monitor.crawl.imports import BATCH_ROWS
    from monitor.crawl.progress import print_import, run_import_with_progress
    from sources.base import get_source_class

    problem = name_problem(company)
    if problem is not None:
        raise MonitorError(f"--company {company!r}: the company name {problem}")
    if str(file) == "-":
        # The file is read more than once (its dates first, then its rows): a stream cannot be.
        raise MonitorError("reading the export from standard input is not supported: save it to a file and import that")
    if not file.exists():
        raise MonitorError(f"{file}: no such file")
    name = source_name or f"import-{_slug(company)}-{_slug(file.stem)}"
    app_ctx = app_context(ctx)
    app_ctx.create_database = True
    if any(s.name == name for s in app_ctx.settings.all_sources()):
        raise MonitorError(f"--source-name {name!r} is a source of the configuration file; choose another name")
    options: dict[str, Any] = {"format": format, **parse_options(option or [])}
    src = SourceConfig(
        name=name, kind="file", locator=str(file.resolve()), company=company, options=options, schedule="manual"
    )
    get_source_class("file")(src.locator, src.options)  # a wrong option is reported before anything is stored
    summary = run_import_with_progress(app_ctx, src, problems_path=problems, batch_rows=batch_rows or BATCH_ROWS)
    print_import(summary)
    if summary.exit_code:
        # The summary is on stdout; a script that watches stderr sees, on one line, why the import was not ok.
        label = "[bold red]error:[/]" if summary.verdict == Health.FAILED else "[yellow]warning:[/]"
        err.print(f"{label} {shown(one_line(summary.message or f'the import is {summary.verdict.value}', 2000))}")
        raise typer.Exit(summary.exit_code)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "x"
