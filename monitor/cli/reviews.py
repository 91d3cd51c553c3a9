"""The `reviews` command: stored reviews with the company's reply, as a table, JSON or a CSV file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from monitor.cli.common import app_context, shown
from monitor.cli.csv_export import STDOUT, save_file, write_csv_rows
from monitor.core.errors import MonitorError
from monitor.runtime.console import err, fail_cleanly, fmt_time, out, print_json

if TYPE_CHECKING:
    from sqlmodel import Session

    from monitor.store.models import Company, CompanyReply, Review, SourceRow

__all__ = ["CSV_COLUMNS", "reviews"]

# The database stack is imported inside the command: `monitor` starts in a fraction of the time.

CSV_COLUMNS = (
    "id",
    "company",
    "source",
    "site_review_id",
    "url",
    "published_at",
    "author",
    "rating",
    "rating_scale",
    "unhappy",
    "severity",
    "flags",
    "language",
    "title",
    "body",
    "reply_published_at",
    "reply_author",
    "reply_text",
    "reply_private",
    "template_id",
    "rote_score",
)
_LISTED = 50  # the terminal and JSON listings show this many unless --limit says otherwise


@fail_cleanly
def reviews(
    ctx: typer.Context,
    source: Annotated[str | None, typer.Option(help="Only reviews of this source.")] = None,
    company: Annotated[str | None, typer.Option(help="Only reviews of this company.")] = None,
    unhappy: Annotated[bool, typer.Option("--unhappy", help="Only reviews from unhappy reviewers.")] = False,
    max_rating: Annotated[float | None, typer.Option(help="Only ratings at or below this.")] = None,
    limit: Annotated[
        int | None, typer.Option(min=1, help="At most this many, newest first (listings: 50; --csv: all).")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON array on stdout.")] = False,
    csv_file: Annotated[
        str | None,
        typer.Option("--csv", help="Write every matching review to this CSV file (- for stdout), formula-safe."),
    ] = None,
) -> None:
    """List stored reviews, newest first, with the company's reply."""
    from sqlmodel import Session, col, func, select

    from monitor.store.models import Company, CompanyReply, Review, SourceRow

    if csv_file is not None and json_out:
        raise MonitorError("--csv and --json both asked for: choose one")
    app_ctx = app_context(ctx)
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
        query = query.order_by(col(Review.published_at).desc().nulls_last(), col(Review.id).desc())
        if csv_file is not None:
            if limit is not None:
                query = query.limit(limit)
            written: list[int] = []
            save_file(
                csv_file,
                "--csv",
                lambda stream: written.append(write_csv_rows(stream, CSV_COLUMNS, _csv_rows(session, query))),
                bom=True,
            )
            if csv_file != STDOUT:
                out.print(f"{written[0]} review(s) written to {shown(csv_file)}")
            return
        limit = _LISTED if limit is None else limit
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        rows = session.exec(query.limit(limit)).all()
    listed = (
        f"{len(rows)} review(s)"
        if total <= len(rows)
        else f"{len(rows)} of {total} review(s); --limit {total} shows all"
    )
    if json_out:
        print_json([_review_json(r, s, c, rep) for r, s, c, rep in rows])
        if total > len(rows):
            err.print(listed)
        return
    table = Table("published", "source", "rating", "author", "review", "reply", "template")
    for r, s, _c, rep in rows:
        rating = f"{r.rating:g}/{r.rating_scale or 5}" if r.rating is not None else "-"
        reply = shown(rep.text, 50) if rep else ("(private)" if r.private_reply else "-")
        table.add_row(
            fmt_time(r.published_at),
            shown(s.name),
            rating,
            shown(r.author_name, 20),
            shown(f"{r.title or ''} {r.body}".strip(), 70),
            reply,
            shown(rep.template_id if rep else ""),
        )
    out.print(table)
    out.print(listed)


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


def _csv_rows(session: Session, query: Any) -> Iterator[list[object]]:
    """One CSV row per review, streamed from the database in batches (a million reviews never sit in memory)."""
    for r, s, c, rep in session.exec(query.execution_options(yield_per=2000)):
        yield [
            r.id,
            c.name,
            s.name,
            r.site_review_id,
            r.url,
            r.published_at,
            r.author_name,
            r.rating,
            r.rating_scale,
            r.unhappy,
            r.severity,
            r.flags,
            r.language,
            r.title,
            r.body,
            rep.published_at if rep else None,
            rep.author if rep else None,
            rep.text if rep else None,
            r.private_reply,
            rep.template_id if rep else None,
            rep.rote_score if rep else None,
        ]
