"""`monitor runs`: the history of crawl runs, with what each fetched and how it ended."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from monitor.cli.common import app_context, shown
from monitor.core.errors import NotFound
from monitor.core.redaction import redact_urls
from monitor.runtime.console import err, fail_cleanly, fmt_time, one_line, out, print_json

if TYPE_CHECKING:
    from monitor.store.models import CrawlRun

__all__ = ["runs"]

# The database stack is imported inside the command: `monitor` starts in a fraction of the time.


def _duration(run: CrawlRun) -> float | None:
    return (run.finished_at - run.started_at).total_seconds() if run.finished_at else None


def _as_json(run: CrawlRun, source: str) -> dict[str, Any]:
    return {
        "id": run.id,
        "source": source,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "duration_s": _duration(run),
        "backfill": run.backfill,
        "health": run.health,
        "pages": run.pages,
        "bytes": run.bytes,
        "status_codes": run.status_codes,
        "retries": run.retries,
        "reviews_seen": run.reviews_seen,
        "reviews_new": run.reviews_new,
        "reviews_changed": run.reviews_changed,
        # Messages quote the URLs that failed, and a locator may carry a password or token.
        "message": redact_urls(run.message),
        "errors": [redact_urls(str(e)) for e in run.errors],
    }


@fail_cleanly
def runs(
    ctx: typer.Context,
    source: Annotated[str | None, typer.Option(help="Only runs of this source.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 20,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON array on stdout.")] = False,
) -> None:
    """Show recent crawl and import runs: health, pages, bytes, HTTP status codes, retries, duration, review counts."""
    from sqlmodel import Session, col, func, select

    from monitor.store.models import CrawlRun, SourceRow

    app_ctx = app_context(ctx)
    with Session(app_ctx.engine) as session:
        query = select(CrawlRun, SourceRow.name).join(SourceRow, col(CrawlRun.source_id) == SourceRow.id)
        if source:
            if session.exec(select(SourceRow).where(SourceRow.name == source)).first() is None:
                raise NotFound(f"no source named {source!r} in the database (see `monitor sources`)")
            query = query.where(SourceRow.name == source)
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        rows = session.exec(query.order_by(col(CrawlRun.id).desc()).limit(limit)).all()
    listed = f"{len(rows)} of {total} runs; --limit {total} shows all" if total > len(rows) else ""
    if json_out:
        print_json([_as_json(run, name) for run, name in rows])
        if listed:
            err.print(listed)
        return
    table = Table(
        "run",
        "source",
        "started",
        "secs",
        "health",
        "pages",
        "KiB",
        "status codes",
        "retries",
        "seen / new / changed",
        "message",
    )
    for run, name in rows:
        duration = _duration(run)
        codes = " ".join(f"{code}×{n}" for code, n in sorted(run.status_codes.items()))
        colour = {"ok": "green", "partial": "yellow", "running": "cyan", "skipped": "cyan"}.get(run.health, "red")
        table.add_row(
            str(run.id),
            shown(name),
            fmt_time(run.started_at),
            "-" if duration is None else f"{duration:.1f}",
            f"[{colour}]{run.health}[/]",
            str(run.pages),
            f"{run.bytes / 1024:.0f}",
            codes or "-",
            str(run.retries),
            f"{run.reviews_seen} / {run.reviews_new} / {run.reviews_changed}",
            shown(one_line(run.message), 70),
        )
    out.print(table if rows else "no crawl runs yet: run `monitor crawl`")
    if listed:
        out.print(listed)
