"""The review figures of a report, counted by the database: volume, replies, ratings, reply times, loop effect.

Each function runs GROUP BY queries on the review rows of `monitor.report.rows` and keeps only the aggregates,
per company and period. An unhappy review counts as answered personally when it has a public reply that is no
template, or only a private reply; as answered with a template when its public reply belongs to a template.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from sqlalchemy import Table, and_, case, func, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from monitor.report.medians import medians
from monitor.report.model import Found, LoopGroup, TemplateFamily, figures_at
from monitor.report.scope import Scope
from monitor.store.models import Review, SourceRow
from monitor.store.template_models import ReplyTemplate

__all__ = ["add_families", "add_reply_times", "add_review_figures", "undated_reviews"]

# The loop-effect group of each way of answering.
_LOOP_GROUP = {"template": "template", "public": "personal", "private": "personal", "none": "unanswered"}


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


def _grouping(rows: Table, overall: tuple[str, str] | None) -> tuple[Any, list[Any]]:
    """The period column and no condition; with `overall` (key, previous key), all periods but the previous as one."""
    if overall is None:
        return rows.c.period, []
    kept = rows.c.period != overall[1]
    return kept, [kept]


def add_review_figures(scope: Scope, rows: Table, found: Found) -> None:
    """Reviews, unhappy reviews, how they were answered, ratings and the loop effect, per period: one GROUP BY."""
    star = func.round(rows.c.stars)
    judged = and_(rows.c.unhappy == 1, rows.c.before.is_not(None), rows.c.stars.is_not(None))
    query = select(
        rows.c.company,
        rows.c.period,
        rows.c.unhappy,
        rows.c.answer,
        star,
        func.count(),
        func.sum(rows.c.stars),
        func.count(rows.c.stars),
        func.sum(_flag(judged)),
        func.sum(_flag(and_(judged, rows.c.stars > rows.c.before))),
        func.sum(_flag(and_(judged, rows.c.stars < rows.c.before))),
        func.sum(case((judged, rows.c.stars - rows.c.before), else_=0.0)),
    ).group_by(rows.c.company, rows.c.period, rows.c.unhappy, rows.c.answer, star)
    for (
        company,
        period,
        unhappy,
        answer,
        stars,
        n,
        stars_sum,
        rated,
        judged_n,
        up,
        down,
        change,
    ) in scope.connection.execute(query).all():
        figures = figures_at(found, company, period)
        figures.reviews += n
        figures.rating_sum += float(stars_sum or 0.0)
        figures.rating_count += rated
        if stars is not None and 1 <= stars <= 5:
            figures.rating_distribution[int(stars)] += n
        if unhappy != 1:
            continue
        figures.unhappy_reviews += n
        if answer != "none":
            figures.replied += n
        if answer in ("public", "private"):
            figures.replied_personally += n
        figures.replied_with_template += n if answer == "template" else 0
        figures.replied_privately += n if answer == "private" else 0
        group = _LOOP_GROUP[answer]
        figures.loop[group].add(
            LoopGroup(
                group=group,
                reviewers=n,
                judged=int(judged_n or 0),
                up=int(up or 0),
                down=int(down or 0),
                change_sum=float(change or 0.0),
            )
        )


def add_reply_times(scope: Scope, rows: Table, found: Found, *, overall: tuple[str, str] | None = None) -> None:
    """The median hours from an unhappy review's publication to the company's public reply, per period.

    Only replies whose site gives a publication time count; a reply dated before the review (the review was
    re-dated by an edit) says nothing about speed and is left out. With `overall` (key, previous period's key),
    one median of all report periods together, filed under the key.
    """
    period, kept = _grouping(rows, overall)
    timed = (
        select(rows.c.company.label("company"), period.label("period"), rows.c.hours.label("hours"))
        .where(rows.c.hours.is_not(None), rows.c.hours >= 0, *kept)
        .subquery()
    )
    for (company, name), (middle, size) in medians(scope, timed, ["company", "period"], "hours").items():
        figures = figures_at(found, company, overall[0] if overall is not None else str(name))
        figures.median_hours_to_reply = middle
        figures.timed_replies = size


def _family_column() -> Any:
    """The template table's `family` column where the schema has one; else each template is its own family."""
    return getattr(ReplyTemplate, "family", None)


def add_families(scope: Scope, rows: Table, found: Found, *, overall: tuple[str, str] | None = None) -> None:
    """The most used templates (or template families) per period: replies sent, and how many to unhappy reviewers.

    With `overall` (key, previous period's key), also those of all report periods together, filed under the key.
    """
    family = _family_column()
    source: Any = rows
    family_key: Any = rows.c.template
    if family is not None:
        family_key = func.coalesce(family, rows.c.template)
        source = rows.outerjoin(
            ReplyTemplate.__table__,  # type: ignore[attr-defined]
            and_(col(ReplyTemplate.id) == rows.c.template, col(ReplyTemplate.company_id) == rows.c.company),
        )
    picked = (
        select(
            rows.c.company.label("company"),
            rows.c.period.label("period"),
            family_key.label("family"),
            rows.c.template.label("template"),
            rows.c.unhappy.label("unhappy"),
        )
        .select_from(source)
        .where(rows.c.template.is_not(None))
        .subquery()
    )
    keys = [picked.c.company, picked.c.period, picked.c.family, picked.c.template]
    query = select(*keys, func.count(), func.sum(picked.c.unhappy)).group_by(*keys)
    counted: dict[tuple[int, str], dict[str, TemplateFamily]] = defaultdict(dict)
    members: dict[tuple[int, str, str], set[str]] = defaultdict(set)
    for row in scope.connection.execute(query):
        company, period, family_id, template, replies, unhappy = tuple(row)
        targets = [str(period)]
        if overall is not None and period != overall[1]:
            targets.append(overall[0])
        for target in targets:
            entry = counted[company, target].setdefault(str(family_id), TemplateFamily(id=str(family_id), templates=0))
            entry.replies += int(replies)
            entry.to_unhappy += int(unhappy or 0)
            members[company, target, entry.id].add(str(template))
    described = _describe(scope, {(c, f) for (c, _), families in counted.items() for f in families})
    for (company, target), families in counted.items():
        ranked = sorted(families.values(), key=lambda f: (-f.replies, -f.to_unhappy, f.id))
        figures_at(found, company, target).families = [
            replace(
                f,
                templates=len(members[company, target, f.id]),
                skeleton=described.get((company, f.id), ("", "template"))[0],
                kind=described.get((company, f.id), ("", "template"))[1],
            )
            for f in ranked
        ]


def _describe(scope: Scope, ids: Iterable[tuple[int, str]]) -> dict[tuple[int, str], tuple[str, str]]:
    """Skeleton and kind of each (company, template or family id): a family shows its largest template."""
    wanted = set(ids)
    if not wanted:
        return {}
    names = {name for _, name in wanted}
    family = _family_column()
    match = (
        col(ReplyTemplate.id).in_(names) if family is None else or_(col(ReplyTemplate.id).in_(names), family.in_(names))
    )
    described: dict[tuple[int, str], tuple[str, str]] = {}
    rows = scope.connection.execute(
        select(
            col(ReplyTemplate.company_id),
            col(ReplyTemplate.id),
            col(ReplyTemplate.skeleton),
            col(ReplyTemplate.representative),
            col(ReplyTemplate.kind),
            *([family] if family is not None else []),
        )
        .where(col(ReplyTemplate.company_id).in_(scope.company_ids), match)
        .order_by(col(ReplyTemplate.size).desc(), col(ReplyTemplate.id))
    ).all()
    for company, template_id, skeleton, representative, kind, *rest in rows:
        text = skeleton or representative or ""
        for name in (template_id, *(r for r in rest if r)):
            described.setdefault((company, str(name)), (text, kind))
    return described


def undated_reviews(scope: Scope) -> dict[int, tuple[int, int]]:
    """Per company, its reviews without a publication date (in no period): all of them, and the unhappy ones."""
    company = col(SourceRow.company_id)
    query = (
        select(company, func.count(), func.sum(_flag(col(Review.unhappy).is_(True))))
        .join(SourceRow, col(SourceRow.id) == col(Review.source_id))
        .where(col(Review.source_id).in_(scope.source_ids), col(Review.published_at).is_(None))
        .group_by(company)
    )
    return {owner: (int(total), int(unhappy or 0)) for owner, total, unhappy in scope.connection.execute(query).all()}
