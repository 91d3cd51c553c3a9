"""`monitor templates list`: the template replies each company posted, from the database."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer
from rich.table import Table
from sqlmodel import Session, col, select

from monitor.app_context import AppContext
from monitor.cli_output import fail_cleanly, fmt_time, out, print_json, safe
from monitor.db import utcnow
from monitor.errors import NotFound
from monitor.models import Company
from responders.template_models import ReplyTemplate
from responders.template_stats import TemplateShare, template_share

__all__ = ["list_templates"]


@fail_cleanly
def list_templates(
    ctx: typer.Context,
    company: Annotated[str | None, typer.Option(help="Only this company.")] = None,
    kind: Annotated[str, typer.Option(help="template, one_liner or all.")] = "template",
    limit: Annotated[int, typer.Option(help="At most this many per company, largest first.")] = 20,
    examples: Annotated[int, typer.Option(help="Example replies to show per template.")] = 1,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON array on stdout.")] = False,
) -> None:
    """List each company's template replies: size, skeleton, examples, and the share of replies that are templates."""
    app_ctx = ctx.obj
    assert isinstance(app_ctx, AppContext)
    if kind not in {"template", "one_liner", "all"}:
        raise typer.BadParameter("must be template, one_liner or all", param_hint="--kind")
    with Session(app_ctx.engine) as session:
        query = select(Company).order_by(Company.name)
        if company:
            query = query.where(Company.name == company)
        companies = session.exec(query).all()
        if company and not companies:
            raise NotFound(f"no company named {company!r} in the database")
        payload = []
        for comp in companies:
            tq = select(ReplyTemplate).where(ReplyTemplate.company_id == comp.id, col(ReplyTemplate.active).is_(True))
            if kind != "all":
                tq = tq.where(ReplyTemplate.kind == kind)
            rows = session.exec(tq.order_by(col(ReplyTemplate.size).desc()).limit(limit)).all()
            now = utcnow()
            overall = template_share(session=session, company_id=comp.id)
            recent = template_share(session=session, company_id=comp.id, since=now - timedelta(days=30))
            payload.append((comp, rows, overall[0] if overall else None, recent[0] if recent else None))
    if json_out:
        print_json(
            [
                {
                    "company": comp.name,
                    "share": share.share if share else None,
                    "unhappy_share": share.unhappy_share if share else None,
                    "templates": [
                        {
                            "id": t.id,
                            "kind": t.kind,
                            "size": t.size,
                            "replies": t.reply_count,
                            "unhappy_recipients": t.unhappy_recipients,
                            "skeleton": t.skeleton,
                            "examples": t.examples[:examples],
                            "sources": t.sources,
                            "first_seen": t.first_seen.isoformat() if t.first_seen else None,
                            "last_seen": t.last_seen.isoformat() if t.last_seen else None,
                        }
                        for t in rows
                    ],
                }
                for comp, rows, share, _recent in payload
            ]
        )
        return
    for comp, rows, share, recent in payload:
        out.print(f"\n[bold]{safe(comp.name)}[/]: " + _share_line(share, recent))
        if not rows:
            out.print("  no templates found")
            continue
        table = Table("template", "kind", "reviewers", "unhappy", "first - last", "skeleton / example", show_lines=True)
        for t in rows:
            text = safe(t.skeleton, 220)
            for example in t.examples[:examples]:
                text += "\n[dim]e.g. " + safe(example, 160) + "[/]"
            table.add_row(
                t.id,
                t.kind,
                str(t.size),
                str(t.unhappy_recipients),
                f"{fmt_time(t.first_seen)[:10]} - {fmt_time(t.last_seen)[:10]}",
                text,
            )
        out.print(table)


def _share_line(share: TemplateShare | None, recent: TemplateShare | None) -> str:
    if share is None or not share.replies:
        return "no replies stored"
    line = f"{share.templated} of {share.replies} replies are templates ({share.share:.0%})"
    if share.unhappy_share is not None:
        line += (
            f"; to unhappy reviewers {share.unhappy_templated} of {share.unhappy_replies} ({share.unhappy_share:.0%})"
        )
    if recent is not None and recent.replies:
        line += f"; last 30 days {recent.share:.0%}"
    return line
