"""`monitor templates ...`: find template replies in an export file, no database needed."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from monitor.core.errors import BadExport
from monitor.runtime.console import err
from monitor.runtime.console import out as terminal
from responders.template_replies.audit import audit_rows, read_reply_rows

__all__ = ["templates_app"]

templates_app = typer.Typer(help="Find replies a company posted as templates (the same message to many reviewers).")


@templates_app.callback()
def _templates() -> None:
    """Find replies a company posted as templates (the same message to many reviewers)."""


@templates_app.command("audit")
def audit(
    file: Annotated[Path, typer.Argument(help="CSV, TSV, JSON or JSONL export (optionally .gz).")],
    text_column: Annotated[str, typer.Option("--text-column", help="Column (or dotted JSON field) with the reply.")],
    group_column: Annotated[
        str | None, typer.Option("--group-column", help="Column naming the company/app; templates are per group.")
    ] = None,
    min_size: Annotated[int, typer.Option("--min-size", min=2, help="Distinct reviewers that make a template.")] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per input row on stdout.")] = False,
    top: Annotated[int, typer.Option("--top", min=1, help="Templates to show in the summary.")] = 15,
) -> None:
    """Report which replies in FILE are templates, with skeletons, examples and a rote score per reply."""
    started = time.perf_counter()
    try:
        rows = read_reply_rows(file, text_column, group_column)
    except BadExport as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    err.print(f"read {len(rows.texts):,} rows from {escape(str(file))}; clustering ...")
    report = audit_rows(rows.texts, rows.groups, min_size=min_size)
    err.print(f"done in {time.perf_counter() - started:.1f} s")
    if as_json:
        out = sys.stdout
        for row, (template_id, score) in enumerate(zip(report.template_ids, report.scores, strict=True)):
            out.write(json.dumps({"row": row, "template": template_id, "score": score}, ensure_ascii=False) + "\n")
        return

    console = terminal
    replies = sum(score is not None for score in report.scores)
    in_templates = sum(tid is not None for tid in report.template_ids)
    notices = sum(name is not None for name in report.site_notices)
    console.print(
        f"[bold]{len(report.templates)}[/bold] templates; {in_templates:,} of {replies:,} replies "
        f"([bold]{report.template_share():.0%}[/bold]) are templated"
        + (f"; {notices:,} site notices ignored" if notices else "")
    )
    table = Table(show_lines=True)
    table.add_column("template")
    if rows.groups is not None:
        table.add_column("group")
    table.add_column("kind")
    table.add_column("reviewers", justify="right")
    table.add_column("skeleton and examples")
    for template in report.templates[:top]:
        examples = "\n".join(f"• {escape(example[:200])}" for example in template.examples[1:3])
        cells = [template.id]
        if rows.groups is not None:
            cells.append(escape(template.group))
        cells += [template.kind, str(template.size), f"[bold]{escape(template.skeleton)}[/bold]\n{examples}".rstrip()]
        table.add_row(*cells)
    if report.templates:
        console.print(table)
    if len(report.templates) > top:
        console.print(f"... and {len(report.templates) - top} more (use --top or --json)")
