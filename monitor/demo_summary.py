"""The short, readable summary `monitor demo` prints after crawling."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table
from sqlalchemy import func
from sqlmodel import Session, col, select

from monitor.app_context import AppContext
from monitor.cli_output import out, safe
from monitor.models import Company, CompanyReply, Review, SourceRow

__all__ = ["print_summary"]


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
    out.print(f"Database: {safe(ctx.settings.database_url)}")
    out.print(
        f"Configuration used: {safe(data_dir / 'monitor.toml')} (try: monitor -c {safe(data_dir / 'monitor.toml')} "
        "reviews --unhappy)"
    )
