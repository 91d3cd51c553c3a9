"""`monitor templates ...`: find template replies in an export file, no database needed."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from monitor.cli.common import shown
from monitor.core.errors import BadExport
from monitor.runtime.console import err, one_line
from monitor.runtime.console import out as terminal

if TYPE_CHECKING:
    from responders.template_replies.families import Family

__all__ = ["templates_app"]

# The template clustering stack (numpy and the text normalisers) is imported inside the command: `monitor` starts
# in a fraction of the time.

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
    """Report which replies in FILE are templates, with skeletons, examples, families and a rote score per reply.

    Exit 0 audited; 2 when FILE cannot be read, lacks a named column or holds no reply to audit.
    """
    from responders.template_replies.audit import audit_rows, read_reply_rows

    started = time.perf_counter()
    try:
        rows = read_reply_rows(file, text_column, group_column)
    except BadExport as exc:
        err.print(f"[red]error:[/red] {escape(one_line(exc, 2000))}")
        raise typer.Exit(2) from exc
    err.print(f"read {len(rows.texts):,} rows from {shown(file)}; clustering ...")
    report = audit_rows(rows.texts, rows.groups, min_size=min_size)
    err.print(f"done in {time.perf_counter() - started:.1f} s")
    if as_json:
        out = sys.stdout
        rows_out = zip(report.template_ids, report.family_ids(), report.scores, strict=True)
        for row, (template_id, family_id, score) in enumerate(rows_out):
            record = {"row": row, "template": template_id, "family": family_id, "score": score}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        return

    console = terminal
    replies = sum(score is not None for score in report.scores)
    in_templates = sum(tid is not None for tid in report.template_ids)
    notices = sum(name is not None for name in report.site_notices)
    families = [family for family in report.families if len(family.templates) > 1]
    console.print(
        f"[bold]{len(report.templates)}[/bold] templates; {in_templates:,} of {replies:,} replies "
        f"([bold]{report.template_share():.0%}[/bold]) are templated"
        + (f"; {notices:,} site notices ignored" if notices else "")
        + (f"; {len(families):,} families of reworded variants" if families else "")
    )
    family_of = {template.id: template.family_id for template in report.templates}
    table = Table(show_lines=True)
    table.add_column("template")
    table.add_column("family")
    if rows.groups is not None:
        table.add_column("group")
    table.add_column("kind")
    table.add_column("reviewers", justify="right")
    table.add_column("skeleton and examples")
    for template in report.templates[:top]:
        # Every text here comes from the export file: shown() keeps terminal escapes and Rich markup out of it.
        examples = "\n".join(f"• {shown(example, 200)}" for example in template.examples[1:3])
        cells = [template.id, family_of[template.id]]
        if rows.groups is not None:
            cells.append(shown(template.group))
        cells += [template.kind, str(template.size), f"[bold]{shown(template.skeleton)}[/bold]\n{examples}".rstrip()]
        table.add_row(*cells)
    if report.templates:
        console.print(table)
    if len(report.templates) > top:
        console.print(f"... and {len(report.templates) - top} more (use --top or --json)")
    if families:
        _print_families(families[:top], rows.groups is not None)


def _print_families(families: list[Family], grouped: bool) -> None:
    """The families that hold several templates: one canned message sent in reworded variants."""
    table = Table(title="Families of reworded variants", show_lines=True)
    table.add_column("family")
    if grouped:
        table.add_column("group")
    table.add_column("replies", justify="right")
    table.add_column("share", justify="right")
    table.add_column("shared text and variants")
    for family in families:
        cells = [family.id]
        if grouped:
            cells.append(shown(family.group))
        variants = ", ".join(family.templates[:6]) + (" …" if len(family.templates) > 6 else "")
        cells += [
            str(family.size),
            f"{family.share:.0%}",
            f"[bold]{shown(family.skeleton)}[/bold]\n{len(family.templates)} templates: {variants}",
        ]
        table.add_row(*cells)
    terminal.print(table)
