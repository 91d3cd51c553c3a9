"""`monitor templates list`: the template replies each company posted, grouped into families of reworded variants,
from the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from monitor.cli.common import shown
from monitor.core.errors import NotFound
from monitor.runtime.console import fail_cleanly, fmt_time, out, print_json
from monitor.runtime.context import AppContext

if TYPE_CHECKING:
    from sqlmodel import Session

    from monitor.store.models import Company
    from monitor.store.template_models import ReplyTemplate, TemplateFamily
    from responders.template_replies.stats import TemplateShare

__all__ = ["list_templates"]

# The database stack is imported inside the functions that use it: `monitor` starts in a fraction of the time.


@dataclass
class _CompanyTemplates:
    company: Company
    templates: list[ReplyTemplate]
    total: int  # templates of the asked kind, however many are listed
    families: list[TemplateFamily]  # those of the listed templates, largest first
    overall: TemplateShare | None
    last_30_days: TemplateShare | None
    by_source: list[TemplateShare]


@fail_cleanly
def list_templates(
    ctx: typer.Context,
    company: Annotated[str | None, typer.Option(help="Only this company.")] = None,
    kind: Annotated[str, typer.Option(help="template, one_liner or all.")] = "template",
    limit: Annotated[int, typer.Option(help="At most this many per company, largest first.")] = 20,
    examples: Annotated[int, typer.Option(help="Example replies to show per template.")] = 1,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON array on stdout.")] = False,
) -> None:
    """List each company's template replies by family: size, skeleton, examples, and the share of templated replies."""
    from sqlmodel import Session, select

    from monitor.store.models import Company

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
        found = [_load(session, comp, kind, limit) for comp in companies]
    if json_out:
        print_json([_as_json(item, examples) for item in found])
        return
    if not found:
        out.print("no companies stored yet: run `monitor crawl` or `monitor import` first")
    for item in found:
        _print(item, examples)


def _load(session: Session, company: Company, kind: str, limit: int) -> _CompanyTemplates:
    from sqlmodel import col, func, select

    from monitor.store.db import utcnow
    from monitor.store.template_models import ReplyTemplate, TemplateFamily
    from responders.template_replies.stats import template_share

    query = select(ReplyTemplate).where(ReplyTemplate.company_id == company.id, col(ReplyTemplate.active).is_(True))
    if kind != "all":
        query = query.where(ReplyTemplate.kind == kind)
    templates = list(session.exec(query.order_by(col(ReplyTemplate.size).desc()).limit(limit)).all())
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    wanted = sorted({t.family_id for t in templates if t.family_id})
    families = list(
        session.exec(
            select(TemplateFamily)
            .where(col(TemplateFamily.id).in_(wanted))
            .order_by(col(TemplateFamily.size).desc(), col(TemplateFamily.id))
        ).all()
    )
    overall = template_share(session=session, company_id=company.id)
    recent = template_share(session=session, company_id=company.id, since=utcnow() - timedelta(days=30))
    by_source = template_share(session=session, company_id=company.id, by_source=True)
    return _CompanyTemplates(company, templates, total, families, _first(overall), _first(recent), by_source)


def _first(shares: list[TemplateShare]) -> TemplateShare | None:
    return shares[0] if shares else None


def _share_json(share: TemplateShare | None) -> dict[str, Any] | None:
    if share is None:
        return None
    return {
        "source": share.source,
        "replies": share.replies,
        "templated": share.templated,
        "share": share.share,
        "unhappy_replies": share.unhappy_replies,
        "unhappy_share": share.unhappy_share,
    }


def _as_json(item: _CompanyTemplates, examples: int) -> dict[str, Any]:
    return {
        "company": item.company.name,
        "share": _share_json(item.overall),
        "last_30_days": _share_json(item.last_30_days),
        "sources": [_share_json(s) for s in item.by_source],
        "templates_total": item.total,  # the list below holds at most --limit of them
        "families": [
            {
                "id": f.id,
                "name": f.name,
                "skeleton": f.skeleton,
                "size": f.size,
                "recipients": f.recipients,
                "share": f.share,
                "templates": f.templates,
            }
            for f in item.families
        ],
        "templates": [
            {
                "id": t.id,
                "family": t.family_id,
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
            for t in item.templates
        ],
    }


def _print(item: _CompanyTemplates, examples: int) -> None:
    out.print(f"\n[bold]{shown(item.company.name)}[/]: " + _share_line(item.overall, item.last_30_days))
    if len(item.by_source) > 1:
        for share in item.by_source:
            out.print(f"  {shown(share.source)}: " + _share_line(share, None))
    if not item.templates:
        out.print("  no templates found")
        return
    table = Table(
        "family / template", "kind", "reviewers", "unhappy", "first - last", "skeleton / example", show_lines=True
    )
    for family, members in _by_family(item):
        if family is not None:
            of_replies = f", {family.share:.0%} of replies" if family.share else ""
            table.add_row(
                f"[bold]{family.id}[/]",
                "family",
                str(family.recipients),
                "",
                "",
                f"[bold]{shown(family.skeleton, 220)}[/]\n[dim]{family.size} replies{of_replies}, "
                f"{len(family.templates)} variants[/]",
            )
        for t in members:
            text = shown(t.skeleton, 220)
            for example in t.examples[:examples]:
                text += "\n[dim]e.g. " + shown(example, 160) + "[/]"
            table.add_row(
                ("  └ " if family is not None else "") + t.id,
                t.kind,
                str(t.size),
                str(t.unhappy_recipients),
                f"{fmt_time(t.first_seen)[:10]} - {fmt_time(t.last_seen)[:10]}",
                text,
            )
    out.print(table)
    if item.total > len(item.templates):
        out.print(f"{len(item.templates)} of {item.total} templates; --limit {item.total} shows all")


def _by_family(item: _CompanyTemplates) -> list[tuple[TemplateFamily | None, list[ReplyTemplate]]]:
    """The listed templates under their families, largest family first; a template alone in its family (or
    stored before families) is listed on its own."""
    families = {family.id: family for family in item.families}
    members: dict[str, list[ReplyTemplate]] = {}
    for t in item.templates:
        members.setdefault(t.family_id or t.id, []).append(t)
    groups: list[tuple[TemplateFamily | None, list[ReplyTemplate]]] = []
    for key, templates in members.items():
        family = families.get(key)
        groups.append((family if family is not None and len(family.templates) > 1 else None, templates))
    groups.sort(key=lambda group: -(group[0].size if group[0] is not None else group[1][0].reply_count))
    return groups


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
