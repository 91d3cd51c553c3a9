"""The `monitor` command: collect public reviews, find unhappy reviewers and template replies, queue outreach."""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlmodel import Session, col, select

from monitor.core.errors import MonitorError
from monitor.core.settings import SourceConfig
from monitor.crawl.progress import print_outcomes, run_crawl
from monitor.runtime.console import err, fail_cleanly, fmt_time, out, parse_options, print_json, safe
from monitor.runtime.context import AppContext
from monitor.store.health import Health
from monitor.store.migrate import head_revision, upgrade
from monitor.store.models import Company, CompanyReply, CrawlRun, Review, SourceRow
from monitor.store.repository import sync_config
from sources.base import get_source_class

app = typer.Typer(
    help=(
        "Review-response monitor: watches public review sites, finds unhappy reviewers and the template replies a "
        "company posted to them, and queues every unhappy reviewer for personal outreach.\n\n"
        "Start with `monitor demo` (no internet needed), then write a monitor.toml (see the README) and run "
        "`monitor init`, `monitor crawl`, `monitor serve`."
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

ConfigOpt = Annotated[
    str | None,
    typer.Option(
        "--config",
        "-c",
        help="TOML configuration file (default: $MONITOR_CONFIG or ./monitor.toml).",
        envvar="MONITOR_CONFIG",
        show_envvar=False,
    ),
]


@app.callback()
def main(ctx: typer.Context, config: ConfigOpt = None) -> None:
    """Review-response monitor."""
    ctx.obj = AppContext(config)


def _ctx(ctx: typer.Context) -> AppContext:
    obj = ctx.obj
    assert isinstance(obj, AppContext)
    return obj


@app.command()
@fail_cleanly
def init(ctx: typer.Context) -> None:
    """Create the database or upgrade it to the current schema, and load companies and sources from the config."""
    from monitor.runtime.context import connect, redact_url
    from monitor.store.db import session_scope

    settings = _ctx(ctx).settings
    engine, before = connect(settings.database_url)
    upgrade(engine)
    with session_scope(engine) as session:
        rows = sync_config(session=session, settings=settings)
    state = "created" if before is None else ("upgraded" if before != head_revision() else "already current")
    out.print(f"database {safe(redact_url(settings.database_url))}: {state} (schema {head_revision()})")
    out.print(
        f"{len(settings.companies)} company(ies), {len(rows)} source(s) from "
        f"{safe(settings.path or 'defaults (no config file)')}"
    )


@app.command()
@fail_cleanly
def crawl(
    ctx: typer.Context,
    source: Annotated[list[str] | None, typer.Option("--source", "-s", help="Only this source (repeatable).")] = None,
    backfill: Annotated[bool, typer.Option(help="Walk the full history instead of stopping at known reviews.")] = False,
) -> None:
    """Crawl the configured sources now (all enabled ones, or those named with --source)."""
    app_ctx = _ctx(ctx)
    settings = app_ctx.settings
    chosen = [settings.source(n) for n in source] if source else [s for s in settings.all_sources() if s.enabled]
    if not chosen:
        raise MonitorError("no enabled sources configured: add [[company.source]] entries to the config (see README)")
    outcomes = run_crawl(app_ctx, chosen, backfill=backfill)
    print_outcomes(outcomes)
    if any(o.health not in (Health.OK, Health.PARTIAL, Health.SKIPPED) for o in outcomes):
        raise typer.Exit(1)


@app.command("sources")
@fail_cleanly
def sources_cmd(
    ctx: typer.Context,
    kinds: Annotated[bool, typer.Option("--kinds", help="List every source kind with its options instead.")] = False,
) -> None:
    """List configured sources with their last run and health (or, with --kinds, every source kind)."""
    if kinds:
        _print_kinds()
        return
    app_ctx = _ctx(ctx)
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
            table.add_row(
                safe(row.name),
                safe(company.name),
                row.kind,
                "yes" if row.enabled else "no",
                row.schedule,
                fmt_time(last.started_at if last else None),
                f"[{colour}]{health}[/]",
                fmt_time(since),
                safe(last.message if last else "", 80),
            )
        out.print(table)


def _print_kinds() -> None:
    from sources.base import registry

    for name, cls in registry().items():
        out.print(f"[bold]{name}[/]: {safe(cls.help)}")
        out.print(f"    locator: {safe(cls.locator_help)}")
        for opt in cls.options:
            default = "" if opt.default is None else f" (default {opt.default!r})"
            out.print(f"    {opt.name} ({opt.type.__name__}){safe(default)}: {safe(opt.help)}")


@app.command()
@fail_cleanly
def reviews(
    ctx: typer.Context,
    source: Annotated[str | None, typer.Option(help="Only reviews of this source.")] = None,
    company: Annotated[str | None, typer.Option(help="Only reviews of this company.")] = None,
    unhappy: Annotated[bool, typer.Option("--unhappy", help="Only reviews from unhappy reviewers.")] = False,
    max_rating: Annotated[float | None, typer.Option(help="Only ratings at or below this.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 50,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON array on stdout.")] = False,
) -> None:
    """List stored reviews, newest first, with the company's reply."""
    app_ctx = _ctx(ctx)
    with Session(app_ctx.engine) as session:
        query = (
            select(Review, SourceRow, Company, CompanyReply)
            .join(SourceRow, col(Review.source_id) == SourceRow.id)
            .join(Company, col(SourceRow.company_id) == Company.id)
            .outerjoin(CompanyReply, col(CompanyReply.review_id) == Review.id)
        )
        if source:
            query = query.where(SourceRow.name == source)
        if company:
            query = query.where(Company.name == company)
        if unhappy:
            query = query.where(col(Review.unhappy).is_(True))
        if max_rating is not None:
            query = query.where(col(Review.rating) <= max_rating)
        query = query.order_by(col(Review.published_at).desc().nulls_last(), col(Review.id).desc()).limit(limit)
        rows = session.exec(query).all()
    if json_out:
        print_json([_review_json(r, s, c, rep) for r, s, c, rep in rows])
        return
    table = Table("published", "source", "rating", "author", "review", "reply", "template")
    for r, s, _c, rep in rows:
        rating = f"{r.rating:g}/{r.rating_scale or 5}" if r.rating is not None else "-"
        reply = safe(rep.text, 50) if rep else ("(private)" if r.private_reply else "-")
        table.add_row(
            fmt_time(r.published_at),
            safe(s.name),
            rating,
            safe(r.author_name, 20),
            safe(f"{r.title or ''} {r.body}".strip(), 70),
            reply,
            safe(rep.template_id if rep else ""),
        )
    out.print(table)
    out.print(f"{len(rows)} review(s)")


def _review_json(r: Review, s: SourceRow, c: Company, rep: CompanyReply | None) -> dict[str, Any]:
    return {
        "id": r.id,
        "source": s.name,
        "company": c.name,
        "site_review_id": r.site_review_id,
        "url": r.url,
        "author": r.author_name,
        "author_handle": r.author_handle,
        "rating": r.rating,
        "rating_scale": r.rating_scale,
        "title": r.title,
        "body": r.body,
        "language": r.language,
        "published_at": r.published_at.isoformat() if r.published_at else None,
        "unhappy": r.unhappy,
        "severity": r.severity,
        "flags": [f for f in r.flags.split(",") if f],
        "private_reply": r.private_reply,
        "reply": None
        if rep is None
        else {
            "text": rep.text,
            "published_at": rep.published_at.isoformat() if rep.published_at else None,
            "author": rep.author,
            "template": rep.template_id,
            "rote_score": rep.rote_score,
        },
    }


@app.command("import")
@fail_cleanly
def import_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV, JSON or JSON Lines export (optionally .gz).")],
    company: Annotated[str, typer.Option(help="The company the reviews are about (created if new).")],
    format: Annotated[str, typer.Option(help="auto, app_store, google_play, hellopeter or generic.")] = "auto",
    source_name: Annotated[
        str | None, typer.Option(help="Name of the source to store under (default from file).")
    ] = None,
    option: Annotated[
        list[str] | None,
        typer.Option("--option", "-o", help="File source option KEY=VALUE, e.g. -o text_column=comment (repeatable)."),
    ] = None,
) -> None:
    """Import a one-off export file through the same path as the `file` source; re-importing never duplicates."""
    if not file.exists():
        raise MonitorError(f"{file}: no such file")
    name = source_name or f"import-{_slug(company)}-{_slug(file.stem)}"
    app_ctx = _ctx(ctx)
    if any(s.name == name for s in app_ctx.settings.all_sources()):
        raise MonitorError(f"--source-name {name!r} is a source of the configuration file; choose another name")
    options: dict[str, Any] = {"format": format, **parse_options(option or [])}
    src = SourceConfig(
        name=name, kind="file", locator=str(file.resolve()), company=company, options=options, schedule="manual"
    )
    get_source_class("file")(src.locator, src.options)  # a wrong option is reported before anything is stored
    outcomes = run_crawl(app_ctx, [src], backfill=True)
    print_outcomes(outcomes)
    for line in outcomes[0].errors[:20]:
        err.print(f"  skipped: {safe(line)}")
    if outcomes[0].health not in (Health.OK, Health.PARTIAL):
        raise typer.Exit(1)


def _slug(text: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "x"


@app.command()
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
    from monitor.scheduler import build_scheduler, sync_jobs

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app_ctx = _ctx(ctx)
    settings = app_ctx.settings
    _ = app_ctx.engine  # creates or checks the schema before the first job runs
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    scheduler = build_scheduler(settings)
    scheduler.start(paused=True)
    try:
        names = sync_jobs(scheduler, settings, app_ctx.config_path)
        scheduler.resume()
        for job in scheduler.get_jobs():
            out.print(f"scheduled {safe(job.name)}: next run {fmt_time(job.next_run_time)}")
        if not any(n.startswith("crawl:") for n in names):
            err.print("no enabled scheduled sources in the configuration; waiting anyway (Ctrl-C to stop)")
        seen = _config_mtime(settings.path)
        while not stop.wait(max(0.1, reload_every)):
            if _config_mtime(settings.path) != seen:
                seen = _config_mtime(settings.path)
                _reload(scheduler, app_ctx.config_path)
    finally:
        scheduler.shutdown(wait=True)
        out.print("scheduler stopped")


def _config_mtime(path: Path | None) -> float | None:
    try:
        return path.stat().st_mtime if path else None
    except OSError:
        return None


def _reload(scheduler: Any, config_path: str | None) -> None:
    """Re-read the configuration and re-sync the jobs; a broken file keeps the running schedule."""
    from monitor.runtime.config_file import load_settings
    from monitor.scheduler import sync_jobs

    try:
        settings = load_settings(config_path)
    except MonitorError as exc:
        logging.getLogger("monitor.serve").error("configuration not reloaded, the schedule is unchanged: %s", exc)
        return
    names = sync_jobs(scheduler, settings, config_path)
    logging.getLogger("monitor.serve").info("configuration reloaded: %d job(s)", len(names))


@app.command()
@fail_cleanly
def demo(
    data_dir: Annotated[Path, typer.Option(help="Where the demo database and digest are written.")] = Path("demo-data"),
) -> None:
    """Run the whole product on bundled real pages served from 127.0.0.1 (no internet needed)."""
    from monitor.demo.run import run_demo

    run_demo(data_dir)


@app.command("check-reply")
@fail_cleanly
def check_reply(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="File holding the draft reply; '-' reads standard input.")],
    task: Annotated[
        int | None,
        typer.Option("--task", help="The outreach task the draft answers (gives name, language, templates)."),
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="The customer's name, to check it is used.")] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language code of the draft, or 'auto'.")] = "auto",
    review: Annotated[
        str | None, typer.Option("--review", help="File holding the review, to check the draft addresses it.")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object: language and findings.")] = False,
) -> None:
    """Check a draft reply for template copy, reflex apology, blame shifting, a missing next step and more."""
    from monitor.cli.check import run_check_reply
    from responders.outreach.draft_context import draft_context

    known: list[str] = []
    recent: list[str] = []
    review_text: str | None = None
    if task is not None:
        with Session(_ctx(ctx).engine) as session:
            context = draft_context(session=session, task_id=task)
        name = name or context.reviewer_name
        lang = context.language if lang == "auto" and context.language else lang
        known, recent, review_text = context.templates, context.recent_replies, context.review_text
    code = run_check_reply(
        file,
        name=name,
        lang=lang,
        json_out=json_out,
        review_file=review,
        review_text=review_text,
        known_templates=known,
        recent_replies=recent,
    )
    raise typer.Exit(code)


def _mount_groups() -> None:
    from monitor.cli.digest import digest
    from monitor.cli.probe import probe
    from monitor.cli.runs import runs
    from monitor.cli.tasks import tasks_app
    from monitor.cli.template_list import list_templates
    from monitor.cli.templates import templates_app

    app.command("probe")(probe)
    app.command("runs")(runs)
    app.command("digest")(digest)
    templates_app.command("list")(list_templates)
    app.add_typer(templates_app, name="templates")
    app.add_typer(tasks_app, name="tasks")


_mount_groups()

if __name__ == "__main__":
    app()
