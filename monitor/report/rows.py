"""One pass over the companies' reviews of the range into a narrow temporary table that every figure comes from.

Reading a review row costs the same whatever is taken from it, and it dominates a report (the rows carry their
text; the reply must be joined): so the range's reviews are read once, with their reply, into a temporary table
of a few numbers per review, and the counts, medians, loop effect, template families and theme samples are
GROUP BY queries on that table. The table lives in the database session and is dropped when the report is built.

The table is made with CREATE TABLE AS, which PostgreSQL runs with parallel workers (an INSERT ... SELECT it
runs alone). Everything joined into it must stay parallel-safe for that: the rating of a review's first revision
comes from an anti-join, not a correlated subquery, and is only looked up for the few reviews whose rating
changed (an UPDATE of the table afterwards cost more than the pass itself: a temporary table has no statistics,
and PostgreSQL probed the revisions once per unhappy review).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from typing import Any

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, and_, case, cast, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement, ColumnElement
from sqlmodel import col

from monitor.report.scope import Scope
from monitor.store.models import CompanyReply, Review, ReviewRevision, SourceRow

__all__ = ["ANSWERS", "answer_of", "review_rows"]

# How an unhappy (or any) review was answered: a template reply, a public reply that is no template, only a
# private reply, or nothing.
ANSWERS = ("template", "public", "private", "none")

_names = count(1)


def answer_of(template_id: str | None, reply_id: int | None, private_reply: bool | None) -> str:
    """How one review was answered (one of ANSWERS), by the rule the review rows' CASE applies in SQL."""
    if template_id is not None:
        return "template"
    if reply_id is not None:
        return "public"
    return "private" if private_reply else "none"


class _CreateTemporaryTableAs(Executable, ClauseElement):
    """CREATE TEMPORARY TABLE name AS SELECT ...: the table takes the select's column names."""

    inherit_cache = False

    def __init__(self, name: str, query: Any) -> None:
        self.name = name
        self.query = query


@compiles(_CreateTemporaryTableAs)
def _create_as(element: _CreateTemporaryTableAs, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CREATE TEMPORARY TABLE {compiler.preparer.quote(element.name)} AS {compiler.process(element.query, **kw)}"


def _scale() -> ColumnElement[Any]:
    """A review's rating scale as a float (no scale: a 5-point one)."""
    return cast(func.coalesce(func.nullif(col(Review.rating_scale), 0), 5), Float)


def _stars() -> ColumnElement[Any]:
    """A review's rating on a 5-point scale, whatever scale the site uses."""
    # Floats throughout: PostgreSQL would otherwise compute in NUMERIC, several times slower.
    return literal(5.0, Float) * cast(col(Review.rating), Float) / _scale()


def _table(name: str) -> Table:
    return Table(
        name,
        MetaData(),
        Column("company", Integer),
        Column("id", Integer),
        Column("period", String),
        Column("unhappy", Integer),
        Column("answer", String),
        Column("stars", Float),
        Column("scale", Float),
        Column("before", Float),  # unhappy reviews only: the rating (5-point scale) when first seen
        Column("hours", Float),  # unhappy reviews only: hours from publication to the public reply
        Column("template", String),
    )


def _first_ratings() -> Any:
    """(review_id, rating) of the first revision of each review whose rating changed: what was seen before any change.

    A review whose rating never changed was first seen with the rating it has now, so it is not in this table.
    """
    # Reviews whose rating changed are few: found from the revisions that record a rating change. The first
    # revision is the one with no earlier one (an anti-join, not a correlated LIMIT 1), so PostgreSQL can still
    # read the reviews with parallel workers when this table is joined to them.
    changed = select(col(ReviewRevision.review_id)).where(col(ReviewRevision.changes).contains("rating"))
    revision = ReviewRevision.__table__.alias("revision")  # type: ignore[attr-defined]
    earlier = ReviewRevision.__table__.alias("earlier")  # type: ignore[attr-defined]
    before_it = select(literal(1)).where(
        earlier.c.review_id == revision.c.review_id,
        or_(
            earlier.c.observed_at < revision.c.observed_at,
            and_(earlier.c.observed_at == revision.c.observed_at, earlier.c.id < revision.c.id),
        ),
    )
    return (
        select(revision.c.review_id, revision.c.rating)
        .where(revision.c.review_id.in_(changed), ~before_it.exists())
        .subquery("first_ratings")
    )


@contextmanager
def review_rows(scope: Scope) -> Iterator[Table]:
    """The companies' reviews published in the range (and the period before), one narrow row each, while in use."""
    table = _table(f"report_rows_{next(_names)}")
    unhappy = col(Review.unhappy).is_(True)
    answer = case(
        (col(CompanyReply.template_id).is_not(None), "template"),
        (col(CompanyReply.id).is_not(None), "public"),
        (col(Review.private_reply).is_(True), "private"),
        else_="none",
    )
    hours = scope.hours_between(col(CompanyReply.published_at), col(Review.published_at))
    timed = and_(unhappy, col(CompanyReply.published_at).is_not(None))
    company = col(SourceRow.company_id)
    first = _first_ratings()
    columns = {
        "company": company,
        "id": col(Review.id),
        "period": scope.bucket(col(Review.published_at), company),
        "unhappy": case((unhappy, 1), else_=0),
        "answer": answer,
        "stars": _stars(),
        "scale": _scale(),
        "before": case(
            (
                and_(unhappy, first.c.review_id.is_not(None)),
                literal(5.0, Float) * cast(first.c.rating, Float) / _scale(),
            ),
            (unhappy, _stars()),
            else_=None,
        ),
        "hours": case((timed, hours), else_=None),
        "template": col(CompanyReply.template_id),
    }
    query: Any = (
        select(*(expression.label(name) for name, expression in columns.items()))
        .select_from(Review)
        .join(SourceRow, col(SourceRow.id) == col(Review.source_id))
        .outerjoin(CompanyReply, col(CompanyReply.review_id) == col(Review.id))
        .outerjoin(first, first.c.review_id == col(Review.id))
        .where(scope.within(col(Review.published_at), lambda span: col(Review.source_id).in_(span.source_ids)))
    )
    connection = scope.connection
    connection.execute(_CreateTemporaryTableAs(table.name, query))
    try:
        yield table
    finally:
        table.drop(connection)
