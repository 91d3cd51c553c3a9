"""The short, readable summary `monitor demo` prints after crawling."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from pathlib import Path

from rich.table import Table
from sqlalchemy import func
from sqlmodel import Session, col, select

from monitor.runtime.console import fmt_time, out, safe
from monitor.runtime.context import AppContext, redact_url
from monitor.store.db import session_scope
from monitor.store.models import Company, CompanyReply, Review, SourceRow
from monitor.store.template_models import ReplyTemplate
from monitor.store.user_models import ensure_user
from responders.template_replies.stats import template_share

__all__ = ["print_queue", "print_summary", "print_templates", "print_web_app", "template_lines"]


def print_summary(ctx: AppContext, data_dir: Path) -> None:
    """Per source: what was collected, how many unhappy reviews, how many company replies."""
    with Session(ctx.engine) as session:
        table = Table(
            "company",
            "source",
            "kind",
            "reviews",
            "unhappy",
            "company replies",
            "private replies",
            title="What was collected",
        )
        rows = session.exec(select(SourceRow, Company).join(Company).order_by(Company.name)).all()
        for src, company in rows:
            base = select(func.count()).select_from(Review).where(Review.source_id == src.id)
            total = session.exec(base).one()
            unhappy = session.exec(base.where(col(Review.unhappy).is_(True))).one()
            private = session.exec(base.where(col(Review.private_reply).is_(True))).one()
            replies = session.exec(
                select(func.count()).select_from(CompanyReply).join(Review).where(Review.source_id == src.id)
            ).one()
            table.add_row(
                safe(company.name), safe(src.name), src.kind, str(total), str(unhappy), str(replies), str(private)
            )
        out.print(table)
    out.print(f"Database: {safe(redact_url(ctx.settings.database_url))}")
    out.print(
        f"Configuration used: {safe(data_dir / 'monitor.toml')} (try: monitor -c {safe(data_dir / 'monitor.toml')} "
        "reviews --unhappy)"
    )


def print_templates(ctx: AppContext) -> None:
    """The largest template replies per company, and how many unhappy reviewers got them."""
    with Session(ctx.engine) as session:
        for company in session.exec(select(Company).order_by(Company.name)).all():
            templates = session.exec(
                select(ReplyTemplate)
                .where(ReplyTemplate.company_id == company.id, col(ReplyTemplate.active).is_(True))
                .order_by(col(ReplyTemplate.size).desc())
            ).all()
            if not templates:
                continue
            shares = template_share(session=session, company_id=company.id)
            share = shares[0] if shares else None
            complaint = [t for t in templates if t.kind == "template"]
            out.print(
                f"\n[bold]{safe(company.name)}[/]: {len(complaint)} template(s) sent to complaints, "
                f"{len(templates) - len(complaint)} short one-liner(s)"
                + (
                    f"; {share.unhappy_share:.0%} of replies to unhappy reviewers were templates"
                    if share and share.unhappy_share is not None
                    else ""
                )
            )
            out.print(template_lines(complaint[:3]))


def template_lines(templates: Sequence[ReplyTemplate]) -> Table:
    """One line per template: its reach, then its skeleton, which wraps under itself, never under the counts."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for t in templates:
        grid.add_row(f"  [cyan]{t.size:>4} reviewers[/] ({t.unhappy_recipients} unhappy):", safe(t.skeleton, 150))
    return grid


def print_queue(ctx: AppContext, first: int = 5) -> None:
    """The outreach queue the demo built: counts by status and priority, and the first tasks."""
    from monitor.store.task_models import OutreachTask

    with Session(ctx.engine) as session:
        by_status = dict(session.exec(select(OutreachTask.status, func.count()).group_by(OutreachTask.status)).all())
        by_priority = dict(
            session.exec(select(OutreachTask.priority_label, func.count()).group_by(OutreachTask.priority_label)).all()
        )
        top = session.exec(
            select(OutreachTask, Company)
            .join(Company, col(OutreachTask.company_id) == Company.id)
            .where(OutreachTask.status == "new")
            .order_by(col(OutreachTask.priority).desc(), col(OutreachTask.first_contact_due))
            .limit(first)
        ).all()
    total = sum(by_status.values())
    out.print(f"\n[bold]Outreach queue[/]: {total} task(s), one per unhappy reviewer without a personal reply")
    out.print("  by status: " + ", ".join(f"{k} {v}" for k, v in sorted(by_status.items())))
    order = ["urgent", "high", "normal", "low"]
    out.print("  by priority: " + ", ".join(f"{k} {by_priority[k]}" for k in order if k in by_priority))
    for task, company in top:
        reply = "template reply" if task.template_reply else "no personal reply"
        who = safe(task.reviewer_name or "anonymous", 30)
        out.print(
            f"  #{task.id} {safe(f'[{task.priority_label}]')} {safe(company.name)} / {who}"
            f" ({reply}), first contact due {fmt_time(task.first_contact_due)} UTC"
        )
    if top:
        out.print(f"  next: monitor -c <config> tasks show {top[0][0].id}   (then tasks claim / log / close)")


def print_web_app(ctx: AppContext, config_path: Path) -> None:
    """Demo accounts with fresh passwords, and how to open the web app on the demo's data."""
    accounts = [
        ("demo-agent", "agent", secrets.token_urlsafe(12)),
        ("demo-manager", "manager", secrets.token_urlsafe(12)),
    ]
    with session_scope(ctx.engine) as session:
        for name, role, password in accounts:
            ensure_user(session, name, role, password)
    out.print(f"\n[bold]Web app[/]: monitor -c {safe(config_path)} web, then open http://127.0.0.1:8000/ as")
    for name, role, password in accounts:
        out.print(f"  {name} ({role}), password {password}")
