"""`monitor report`: reviews, replies, template share, ratings, themes, queue and agents over a range of days."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from monitor.cli.common import app_context, shown
from monitor.cli.csv_export import save_file
from monitor.core.errors import MonitorError
from monitor.runtime.console import err, fail_cleanly, out, parse_day, print_json

if TYPE_CHECKING:
    from monitor.report.periods import By
    from monitor.report.themes import ThemeWords

__all__ = ["report"]

# The report stack (database, themes, templates) is imported inside the functions that use it: `monitor` starts in
# a fraction of the time.


def _by(value: str | None) -> By | None:
    if value is None:
        return None
    from monitor.report.periods import BY_CHOICES

    for choice in BY_CHOICES:
        if value == choice:
            return choice
    raise MonitorError(f"--by {value!r}: use day, week or month")


def _theme_words() -> ThemeWords:
    """The lists of words that never make a complaint theme, the digest's too, so both leave out the same."""
    from monitor.text.stopwords import theme_stopwords

    return theme_stopwords()


def _themes_read_default() -> int:
    """The report's own budget of complaints read for themes, read when a report is made without --themes-read."""
    from monitor.report.themes import THEMES_READ

    return THEMES_READ


@fail_cleanly
def report(
    ctx: typer.Context,
    from_day: Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD), in each company's time zone.")],
    to_day: Annotated[str, typer.Option("--to", help="Last day (YYYY-MM-DD), included.")],
    company: Annotated[
        list[str] | None, typer.Option("--company", help="Only this company (repeatable); default: all.")
    ] = None,
    by: Annotated[str | None, typer.Option("--by", help="Split the range into periods: day, week or month.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON array on stdout, one object per company.")] = False,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write the report as an HTML page to this file.")
    ] = None,
    csv_file: Annotated[
        Path | None, typer.Option("--csv", help="Write one CSV row per company and period to this file.")
    ] = None,
    # Its default is the report's budget, read by a factory so that the report stack loads only for a report;
    # keyword-only, as Python allows no parameter without a default after those with one otherwise.
    *,
    themes_read: Annotated[
        int,
        typer.Option(
            min=0,
            default_factory=_themes_read_default,
            show_default=False,
            help="Complaints read for themes per company at most (0: no themes; default: the report's budget).",
        ),
    ],
) -> None:
    """Reviews by publication date: how many complaints, how many answered, how many pasted, and the trend."""
    from sqlmodel import Session

    from monitor.digest.render import template_environment
    from monitor.report.build import build_report
    from monitor.report.export import report_json, write_csv
    from monitor.report.html import render_html
    from monitor.report.text import render_terminal

    first_day = parse_day(from_day, "--from")
    last_day = parse_day(to_day, "--to")
    period = _by(by)
    app_ctx = app_context(ctx)
    with Session(app_ctx.engine) as session:
        result = build_report(
            session=session,
            first_day=first_day,
            last_day=last_day,
            by=period,
            companies=company or None,
            themes_read=themes_read,
            theme_words=_theme_words() if themes_read else None,
        )
    # With --json, stdout holds the JSON alone: notes about written files go to stderr.
    note = err if json_out else out
    if out_file is not None:
        html = render_html(result, template_environment())
        save_file(out_file, "--out", lambda stream: stream.write(html))
        note.print(f"report written to {shown(out_file)}")
    if csv_file is not None:
        rows: list[int] = []
        save_file(csv_file, "--csv", lambda stream: rows.append(write_csv(result, stream)), bom=True)
        note.print(f"{rows[0]} row(s) written to {shown(csv_file)}")
    if json_out:
        print_json(report_json(result))
    elif out_file is None and csv_file is None:
        out.print(render_terminal(result))
