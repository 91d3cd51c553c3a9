"""Keeps the stored figures of templates and families true when a crawl's replies join templates one by one, without
reading every reply of a template: new replies are added to the figures in the database, and only templates that
cannot be brought up to date that way are recounted from their replies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import bindparam, case, func, or_, type_coerce
from sqlalchemy import select as sa_select
from sqlalchemy import update as sa_update
from sqlmodel import Session, col, select

from monitor.store.bulk import expire_loaded, update_by_id
from monitor.store.db import UTCDateTime
from monitor.store.models import CompanyReply, Review, SourceRow
from monitor.store.template_models import ReplyTemplate, TemplateFamily, TemplateIndexState
from responders.template_replies.clusters import ClusterSettings, template_kind
from responders.template_replies.stored_replies import StoredReplies, recipient_key

__all__ = ["add_members", "count_in", "refresh_families", "refresh_templates"]

_READ_CHUNK = 10_000  # template members fetched from the database at a time


def count_in(session: Session, company_id: int, counted: int) -> int:
    """Add to the company's count of replies with a rote score in the database (crawls of one company may run at
    once); returns the new count."""
    table = TemplateIndexState.__table__  # type: ignore[attr-defined]
    replies = table.c.replies + counted
    return int(
        session.execute(
            sa_update(table)
            .where(table.c.company_id == company_id)
            .values(replies=case((replies < 0, 0), else_=replies))
            .returning(table.c.replies)
        ).scalar_one()
    )


def add_members(session: Session, rows: StoredReplies, gained: dict[str, list[int]], now: datetime) -> set[str]:
    """Add the figures of replies that joined templates; returns the templates that need a recount instead.

    Replies, sources and first and last times add up. A recipient is new to a template unless another of its
    replies went to the same person: people known by their handle are looked up by it (an indexed read of a
    few rows). A person known only by display name is matched case-blind, which no index serves on every
    backend, so a template that such a person joined is recounted.
    """
    if not gained:
        return set()
    joining = [row for members in gained.values() for row in members]
    people = _people(session, [int(rows.review_ids[row]) for row in joining])
    person = {row: people[int(rows.review_ids[row])] for row in joining}
    recount = {t for t, members in gained.items() if any(person[row].by_name for row in members)}
    chosen = sorted(set(gained) - recount)
    table = ReplyTemplate.__table__  # type: ignore[attr-defined]
    # Only the sources are read: loading each template as an object cost a crawl more than the rest of this step.
    found = session.execute(sa_select(table.c.id, table.c.sources).where(table.c.id.in_(chosen)))
    sources_of: dict[str, list[str]] = {template_id: sources for template_id, sources in found}
    recount |= set(gained) - set(sources_of)  # a template with no saved row yet is made by a recount
    adding = {t: members for t, members in gained.items() if t not in recount}
    newcomers = [row for members in adding.values() for row in members]
    joined = {int(rows.ids[row]) for row in newcomers}
    known = _known_recipients(session, set(adding), [person[row] for row in newcomers], joined)
    additions: list[dict[str, Any]] = []
    widened: list[dict[str, Any]] = []
    for template_id, members in adding.items():
        before, before_unhappy = known.get(template_id, (set(), set()))
        arrivals = [person[row] for row in members]
        first, last = rows.first_and_last(np.array(members, dtype=np.int64))
        additions.append(
            {
                "template": template_id,
                "replies": len(members),
                "people": len({who.key for who in arrivals} - before),
                "unhappy": len({who.key for who in arrivals if who.unhappy} - before_unhappy),
                "first": first,
                "last": last,
            }
        )
        sources = {rows.sources[row] for row in members}
        known_sources = set(sources_of[template_id] or ())
        if not sources <= known_sources:  # rare: a template reaches a new source
            widened.append({"id": template_id, "sources": sorted(known_sources | sources)})
    update_by_id(session, ReplyTemplate, widened)
    if not additions:
        return recount
    # Added in the database, not to the values read, so two crawls of one company's sources adding to one template
    # at once lose neither; one statement for all the templates a crawl touched.
    session.connection().execute(
        sa_update(table)
        .where(table.c.id == bindparam("template"))
        .values(
            reply_count=table.c.reply_count + bindparam("replies"),
            size=table.c.size + bindparam("people"),
            unhappy_recipients=table.c.unhappy_recipients + bindparam("unhappy"),
            first_seen=_widened(table.c.first_seen, bindparam("first", type_=table.c.first_seen.type)),
            last_seen=_widened(table.c.last_seen, bindparam("last", type_=table.c.last_seen.type), last=True),
            active=True,
            updated_at=now,
        ),
        additions,
    )
    expire_loaded(session, ReplyTemplate, adding)
    return recount


def _widened(column: Any, value: Any, *, last: bool = False) -> Any:
    """A first (or `last`) time column moved out to `value` when `value` lies beyond it, in SQL; a NULL on either
    side leaves the other."""
    beyond = column > value if not last else column < value
    return case((value.is_(None), column), (or_(column.is_(None), beyond), value), else_=column)


@dataclass(frozen=True, slots=True)
class _Person:
    """Who a review's reply went to, as a template's recipients count people."""

    key: str  # `recipient_key`
    handle: str | None
    by_name: bool  # known only by display name
    unhappy: bool


def _people(session: Session, review_ids: list[int]) -> dict[int, _Person]:
    """The recipient of each review's reply, by review id."""
    query = sa_select(
        col(Review.id), col(Review.source_id), col(Review.author_handle), col(Review.author_name), col(Review.unhappy)
    ).where(col(Review.id).in_(review_ids))
    return {
        review_id: _Person(
            recipient_key(source_id, handle, name, review_id),
            handle or None,
            not handle and bool(name),
            unhappy is True,
        )
        for review_id, source_id, handle, name, unhappy in session.execute(query)
    }


def _known_recipients(
    session: Session, template_ids: set[str], people: list[_Person], joined: set[int]
) -> dict[str, tuple[set[str], set[str]]]:
    """Per template, which of `people` (known by handle) it reached before, and which of them were unhappy.

    `joined` are the replies that joined in this call; the look-up goes by handle (indexed) and reads only the
    replies of those reviewers.
    """
    handles = sorted({person.handle for person in people if person.handle})
    found: dict[str, tuple[set[str], set[str]]] = {}
    if not handles:
        return found
    query = (
        sa_select(
            col(CompanyReply.id),
            col(CompanyReply.template_id),
            col(Review.source_id),
            col(Review.author_handle),
            col(Review.unhappy),
        )
        .join(Review, col(CompanyReply.review_id) == col(Review.id))
        # Only the handle narrows the read: with the sources in the query too, a planner may read a whole source.
        .where(col(Review.author_handle).in_(handles))
    )
    for reply_id, template_id, source_id, handle, unhappy in session.execute(query):
        if template_id not in template_ids or reply_id in joined:
            continue  # the same handle on another company's source is another template's, or none
        keys, unhappy_keys = found.setdefault(template_id, (set(), set()))
        key = recipient_key(source_id, handle, None, 0)
        keys.add(key)
        if unhappy is True:
            unhappy_keys.add(key)
    return found


def refresh_templates(
    session: Session,
    company_id: int,
    template_ids: set[str],
    now: datetime,
    settings: ClusterSettings | None = None,
) -> None:
    """Recount size, replies, unhappy recipients, sources and first/last time of the given templates from the replies
    (with `settings`, also the unhappy share and the kind, which a full classification otherwise decides).

    A template can hold a large share of a company's replies, and every crawl that brings one more copy recounts
    it: the database counts what it can count exactly, and only the columns that make a recipient are read.
    """
    if not template_ids:
        return
    chosen = sorted(template_ids)
    figures = _template_figures(session, company_id, chosen)
    for template in session.exec(select(ReplyTemplate).where(col(ReplyTemplate.id).in_(chosen))):
        found = figures.get(template.id)
        template.size = len(found.recipients) if found else 0
        template.reply_count = found.replies if found else 0
        template.unhappy_recipients = len(found.unhappy_recipients) if found else 0
        if settings is not None and found is not None:
            # The share of judged replies, as the full classification computes it.
            share = round(found.unhappy_replies / found.judged, 4) if found.judged else None
            template.unhappy_share = share
            template.kind = template_kind(template.representative, share, settings)
        template.sources = sorted(found.sources) if found else []
        template.first_seen, template.last_seen = (found.first, found.last) if found else (None, None)
        template.active = found is not None
        template.updated_at = now
        session.add(template)


@dataclass
class _Figures:
    """What one template's row says about its replies."""

    replies: int = 0
    first: datetime | None = None
    last: datetime | None = None
    sources: set[str] = field(default_factory=set)
    recipients: set[int] = field(default_factory=set)
    unhappy_recipients: set[int] = field(default_factory=set)
    judged: int = 0  # replies whose review has a verdict
    unhappy_replies: int = 0


def _template_figures(session: Session, company_id: int, template_ids: list[str]) -> dict[str, _Figures]:
    """The figures of each given template that still has replies, from its replies and their reviews."""
    # A reply's time, else its review's: the time the full classification reads (`StoredReplies.published`).
    moment = type_coerce(func.coalesce(col(CompanyReply.published_at), col(Review.published_at)), UTCDateTime())
    members = (
        sa_select(
            col(CompanyReply.template_id),
            col(Review.source_id),
            col(SourceRow.name),
            col(Review.author_handle),
            col(Review.author_name),
            col(Review.id),
            col(Review.unhappy),
            moment,
        )
        .join(Review, col(CompanyReply.review_id) == col(Review.id))
        .join(SourceRow, col(Review.source_id) == col(SourceRow.id))
        .where(col(SourceRow.company_id) == company_id, col(CompanyReply.template_id).in_(template_ids))
        .execution_options(yield_per=_READ_CHUNK)
    )
    figures: dict[str, _Figures] = {}
    # One pass over the members: each costs a look-up of its review, the largest part of a recount.
    for template_id, source_id, source, handle, name, review_id, unhappy, when in session.execute(members):
        found = figures.get(template_id)
        if found is None:
            found = figures[template_id] = _Figures()
        found.replies += 1
        found.sources.add(source)
        if when is not None:
            found.first = when if found.first is None else min(found.first, when)
            found.last = when if found.last is None else max(found.last, when)
        # The same recipient hash as the full classification's, so both count the same people.
        recipient = hash(recipient_key(source_id, handle, name, review_id))
        found.recipients.add(recipient)
        if unhappy is not None:
            found.judged += 1
        if unhappy is True:
            found.unhappy_replies += 1
            found.unhappy_recipients.add(recipient)
    return figures


def refresh_families(session: Session, template_ids: set[str], replies: int, now: datetime) -> int:
    """Recount the families of the given templates from their templates (`replies`: the company's, for the share);
    returns how many were recounted."""
    if not template_ids:
        return 0
    session.flush()
    templates = ReplyTemplate.__table__  # type: ignore[attr-defined]
    table = TemplateFamily.__table__  # type: ignore[attr-defined]
    touched = sa_select(templates.c.family_id).where(
        templates.c.id.in_(sorted(template_ids)), templates.c.family_id.is_not(None)
    )
    family_ids = sorted(session.execute(sa_select(table.c.id).where(table.c.id.in_(touched))).scalars())
    if not family_ids:
        return 0
    # Summed by the database: a family can hold many templates, and loading each as an object cost a crawl more
    # than the sums.
    sums = sa_select(templates.c.family_id, func.sum(templates.c.reply_count), func.sum(templates.c.size))
    totals = {
        family_id: (int(size or 0), int(people or 0))
        for family_id, size, people in session.execute(
            sums.where(templates.c.family_id.in_(family_ids), templates.c.active.is_(True)).group_by(
                templates.c.family_id
            )
        )
    }
    figures = []
    for family_id in family_ids:
        size, people = totals.get(family_id, (0, 0))
        share = round(size / replies, 4) if replies else 0.0
        active = family_id in totals
        figures.append(
            {"id": family_id, "size": size, "recipients": people, "share": share, "active": active, "updated_at": now}
        )
    update_by_id(session, TemplateFamily, figures)
    return len(family_ids)
