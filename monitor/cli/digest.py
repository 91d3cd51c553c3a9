"""`monitor digest`: the daily digest in the terminal, as an HTML file, or sent by e-mail now."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from monitor.cli.common import shown
from monitor.core.errors import MonitorError
from monitor.runtime.console import fail_cleanly, fmt_time, out, parse_day
from monitor.runtime.context import AppContext

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

__all__ = ["digest"]

# The digest stack (database, templates, e-mail) is imported inside the functions that use it: `monitor` starts in a
# fraction of the time.


def _parse_day(text: str | None, timezone: str = "UTC") -> date | None:
    if text is None:
        return None
    if text in ("today", "yesterday"):
        from monitor.digest.delivery import previous_local_day

        # The company's day, not the server's: a digest is about the company's calendar.
        return previous_local_day(timezone) + timedelta(days=0 if text == "yesterday" else 1)
    try:
        date.fromisoformat(text)
    except ValueError:
        raise MonitorError(f"--date {text!r}: use YYYY-MM-DD, 'today' or 'yesterday'") from None
    return parse_day(text, "--date")  # and within the years a digest can cover


def _print_status(engine: Engine) -> None:
    from monitor.digest.delivery import delivery_rows, previous_local_day

    rows = delivery_rows(engine, since=previous_local_day("UTC") - timedelta(days=30))
    table = Table("day", "company", "status", "attempts", "sent", "message id / last error")
    for name, row in rows:
        colour = {"sent": "green", "failed": "red"}.get(row.status, "yellow")
        detail = row.last_error if row.status != "sent" or row.last_error else row.message_id
        table.add_row(
            row.digest_date.isoformat(),
            shown(name),
            f"[{colour}]{row.status}[/]",
            str(row.attempts),
            fmt_time(row.sent_at),
            shown(detail, 90),
        )
    out.print(table if rows else "no digest deliveries in the last 30 days")


@fail_cleanly
def digest(
    ctx: typer.Context,
    day: Annotated[
        str | None,
        typer.Option("--date", help="The day (YYYY-MM-DD, today, yesterday); default: the newest day with reviews."),
    ] = None,
    company: Annotated[
        list[str] | None, typer.Option("--company", help="Only this company (repeatable); default: all.")
    ] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write the HTML digest to this file.")] = None,
    text: Annotated[bool, typer.Option("--text", help="Show the digest in the terminal.")] = False,
    send: Annotated[
        bool, typer.Option("--send", help="E-mail each company's digest to its digest_recipients now (once a day).")
    ] = False,
    status: Annotated[bool, typer.Option("--status", help="Show what was sent, what failed, and why.")] = False,
) -> None:
    """The daily digest: new unhappy reviews, template replies, the outreach queue, themes and broken sources."""
    from sqlmodel import Session

    from monitor.digest.build import build_digest, latest_activity_day
    from monitor.digest.render import render_html, render_terminal

    _parse_day(day)  # a wrong --date is reported before anything is opened, built or sent
    obj = ctx.obj
    app_ctx = obj if isinstance(obj, AppContext) else AppContext(None)
    engine = app_ctx.engine
    if status:
        _print_status(engine)
        return
    if send:
        _send(app_ctx, engine, day, company or [])
        if out_file is None and not text:
            return
    zone = _zone(app_ctx, company)
    with Session(engine) as session:
        chosen = _parse_day(day, zone) or latest_activity_day(session)
        if chosen is None:
            raise MonitorError("no reviews stored yet: run `monitor crawl` first, or pass --date")
        result = build_digest(session=session, day=chosen, companies=company or None)
    if out_file is not None:
        _write(out_file, render_html(result))
        out.print(f"digest for {chosen.isoformat()} written to {shown(out_file)}")
    if text or out_file is None:
        out.print(render_terminal(result))


def _write(path: Path, html: str) -> None:
    """Write the digest file, or one clear line: a folder, a read-only place or a full disk is not a traceback."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise MonitorError(f"--out {path}: cannot write the digest: {exc.strerror or exc}") from None


def _zone(app_ctx: AppContext, names: list[str] | None) -> str:
    """The time zone that 'today' means: the chosen (or first configured) company's, else UTC."""
    companies = [c for c in app_ctx.settings.companies if not names or c.name in names]
    return companies[0].timezone if companies else "UTC"


def _send(app_ctx: AppContext, engine: Engine, day_text: str | None, names: list[str]) -> None:
    """E-mail each configured company's digest: yesterday in its own time zone unless --date says otherwise."""
    from monitor.digest.delivery import deliver_company_digest, previous_local_day, smtp_settings

    settings = app_ctx.settings
    smtp = smtp_settings(settings)
    companies = [settings.company(n) for n in names] if names else list(settings.companies)
    if not companies:
        raise MonitorError("no companies configured: digests go to each company's digest_recipients")
    failed = False
    for company in companies:
        if not company.digest_recipients:
            out.print(f"[yellow]skipped[/] {shown(company.name)}: no digest_recipients configured")
            continue
        day = _parse_day(day_text, company.timezone) or previous_local_day(company.timezone)
        if day > previous_local_day(company.timezone):
            out.print(
                f"[red]refused[/] {shown(company.name)} {day.isoformat()}: that day has not ended yet in "
                f"{shown(company.timezone)}; digests are sent for complete days"
            )
            failed = True
            continue
        result = deliver_company_digest(
            engine, company=company.name, day=day, smtp=smtp, recipients=company.digest_recipients
        )
        colour = {"sent": "green", "already_sent": "cyan"}.get(result.status, "red")
        detail = f": {shown(result.error)}" if result.error else ""
        if result.status == "in_progress":
            detail = ": another process is sending it right now; check `monitor digest --status` shortly"
        out.print(f"[{colour}]{result.status}[/] {shown(company.name)} {day.isoformat()}{detail}")
        failed = failed or result.status in ("failed", "in_progress")
    if failed:
        raise typer.Exit(1)
