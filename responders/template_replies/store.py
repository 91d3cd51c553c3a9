"""Keeps the stored replies of a company classified: template id and rote score per reply, templates table and
the families of reworded variants the templates form.

Two ways, chosen per call:
- **full**: every reply of the company is re-clustered (`find_templates`) and a template index is saved.
  This finds new templates as soon as their third copy is stored.
- **incremental**: a crawl that brought a few replies assigns each to a known template with the saved
  index (well under a millisecond per reply) and refreshes the figures of the templates it touched.
  Replies that match no template are counted as pending; once enough are pending, or the index is old,
  the next call re-clusters fully, so new templates still form within a bounded delay. A reply assigned to a
  template is in that template's family; the families of the touched templates are recounted.
Small companies are always re-clustered fully: it costs little and is exact.
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import bindparam, case, func, or_, type_coerce
from sqlalchemy import select as sa_select
from sqlalchemy import update as sa_update
from sqlmodel import Session, col, select

from monitor.store.bulk import expire_loaded, update_by_id
from monitor.store.db import UTCDateTime, utcnow
from monitor.store.models import CompanyReply, Review, SourceRow
from monitor.store.template_models import ReplyTemplate, TemplateFamily, TemplateIndexState
from responders.template_replies.clusters import ClusterSettings, TemplateReport, find_templates, template_kind
from responders.template_replies.index import TemplateIndex
from responders.template_replies.stored_replies import StoredReplies, read_replies, recipient_key

__all__ = [
    "FULL_BELOW_REPLIES",
    "ClassifyResult",
    "classify_company_replies",
    "recount_company_templates",
    "stale_indexes",
]

FULL_BELOW_REPLIES = 1_000  # below this a full re-clustering takes some 50 ms: exact, and cheaper than an index
INCREMENTAL_MAX_BATCH = 1_000  # a bigger batch (a backfill) is re-clustered fully
MAX_PENDING = 20  # unmatched replies that may be forming a new template
MAX_INDEX_AGE = timedelta(hours=6)
_WRITE_CHUNK = 5_000  # reply classifications per UPDATE batch
_READ_CHUNK = 10_000  # template members fetched from the database at a time
_NO_ROWS = np.zeros(0, dtype=np.int64)


@dataclass
class ClassifyResult:
    """How one company's replies were classified."""

    replies: int
    templated: int
    templates: int
    # Reviews whose reply changed template (or became / stopped being one): the queue must look again.
    reclassified_review_ids: list[int]
    mode: str = "full"  # "full" or "incremental"
    families: int = 0  # families (full) or families recounted (incremental)


def classify_company_replies(
    *,
    session: Session,
    company_id: int,
    review_ids: Sequence[int] | None = None,
    settings: ClusterSettings | None = None,
    now: datetime | None = None,
    force_full: bool = False,
    checkpoint: Callable[[], None] | None = None,
) -> ClassifyResult:
    """Classify a company's replies after `review_ids` were stored (None: all of them, fully).

    `checkpoint` is called after each chunk of reply writes of a full classification: a caller whose replies'
    reviews stay pending until it is done (an import) commits there, so that other commands can write meanwhile.
    """
    now = now or utcnow()
    state = session.get(TemplateIndexState, company_id)
    if not force_full and review_ids is not None and state is not None and _incremental_ok(state, review_ids, now):
        return _incremental(session, company_id, review_ids, state, now)
    return _full(session, company_id, settings, now, state, checkpoint)


def _incremental_ok(state: TemplateIndexState, review_ids: Sequence[int], now: datetime) -> bool:
    return (
        state.replies_at_build >= FULL_BELOW_REPLIES
        and len(review_ids) <= INCREMENTAL_MAX_BATCH
        and state.pending < MAX_PENDING
        and now - state.built_at < MAX_INDEX_AGE
    )


# An index is costly to rebuild from its saved form, so a long-running process keeps the last one per company.
_loaded: dict[int, tuple[datetime, TemplateIndex]] = {}


def _index(state: TemplateIndexState) -> TemplateIndex:
    cached = _loaded.get(state.company_id)
    if cached is not None and cached[0] == state.built_at:
        return cached[1]
    index = TemplateIndex.from_dict(json.loads(gzip.decompress(state.data)))
    _loaded[state.company_id] = (state.built_at, index)
    return index


def _incremental(
    session: Session, company_id: int, review_ids: Sequence[int], state: TemplateIndexState, now: datetime
) -> ClassifyResult:
    index = _index(state)
    reclassified: list[int] = []
    gained: dict[str, list[int]] = defaultdict(list)  # template id -> rows that joined it in this call
    lost: set[str] = set()
    unmatched = 0
    counted = 0  # change in replies with a rote score: the denominator of a family's share
    rows = read_replies(session, company_id, review_ids)
    changes: list[dict[str, object]] = []
    templated = 0
    for row, text in enumerate(rows.texts):
        assignment = index.assign(text, str(company_id))
        if assignment.template_id is None and assignment.score == 0.0:
            unmatched += 1
        before, score_before = rows.template_ids[row], rows.score(row)
        if before != assignment.template_id:
            reclassified.append(int(rows.review_ids[row]))
            if before:
                lost.add(before)
            if assignment.template_id:
                gained[assignment.template_id].append(row)
        if (before, score_before) != (assignment.template_id, assignment.score):
            changes.append(
                {"id": int(rows.ids[row]), "template_id": assignment.template_id, "rote_score": assignment.score}
            )
        counted += (assignment.score is not None) - (score_before is not None)
        templated += assignment.template_id is not None
    update_by_id(session, CompanyReply, changes)
    session.flush()
    touched = lost | set(gained)
    # A template that only gained replies is brought up to date by adding them; one that lost a reply (an edited
    # reply) is recounted from its replies, which costs a read of all of them.
    recounted = lost | _add_members(session, rows, {t: m for t, m in gained.items() if t not in lost}, now)
    _refresh_templates(session, company_id, recounted, now)
    replies = _count_in(session, company_id, unmatched, counted)
    session.expire(state)
    families = _refresh_families(session, touched, replies, now)
    session.flush()
    return ClassifyResult(
        replies=len(rows),
        templated=templated,
        templates=len(touched),
        reclassified_review_ids=reclassified,
        mode="incremental",
        families=families,
    )


def _count_in(session: Session, company_id: int, unmatched: int, counted: int) -> int:
    """Add to the index's pending and reply counts in the database (crawls of one company may run at once)."""
    table = TemplateIndexState.__table__  # type: ignore[attr-defined]
    replies = table.c.replies + counted
    return int(
        session.execute(
            sa_update(table)
            .where(table.c.company_id == company_id)
            .values(pending=table.c.pending + unmatched, replies=case((replies < 0, 0), else_=replies))
            .returning(table.c.replies)
        ).scalar_one()
    )


def _add_members(session: Session, rows: StoredReplies, gained: dict[str, list[int]], now: datetime) -> set[str]:
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


def recount_company_templates(
    *, session: Session, company_id: int, now: datetime, settings: ClusterSettings | None = None
) -> int:
    """Recount every active template of the company from its replies; returns how many were recounted.

    For callers that judge reviews after their replies were classified (an import, `tasks rebuild`): the unhappy
    recipients, the unhappy share and the kind read the verdicts, which were not known (or were others) before.
    """
    table = ReplyTemplate.__table__  # type: ignore[attr-defined]
    chosen = set(
        session.execute(
            sa_select(table.c.id).where(table.c.company_id == company_id, table.c.active.is_(True))
        ).scalars()
    )
    _refresh_templates(session, company_id, chosen, now, settings or ClusterSettings())
    session.flush()
    return len(chosen)


def _refresh_templates(
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


def _refresh_families(session: Session, template_ids: set[str], replies: int, now: datetime) -> int:
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


def _full(
    session: Session,
    company_id: int,
    settings: ClusterSettings | None,
    now: datetime,
    state: TemplateIndexState | None,
    checkpoint: Callable[[], None] | None = None,
) -> ClassifyResult:
    rows = read_replies(session, company_id)
    report = find_templates(
        rows.texts, groups=[company_id] * len(rows), recipients=rows.recipients, unhappy=rows.unhappy, settings=settings
    )
    reclassified: list[int] = []
    changes: list[dict[str, object]] = []
    for row, (tid, score) in enumerate(zip(report.template_ids, report.scores, strict=True)):
        before = rows.template_ids[row]
        if before != tid:
            reclassified.append(int(rows.review_ids[row]))
        if before != tid or rows.score(row) != score:
            changes.append({"id": int(rows.ids[row]), "template_id": tid, "rote_score": score})
        if len(changes) == _WRITE_CHUNK:
            update_by_id(session, CompanyReply, changes)
            changes = []
            if checkpoint is not None:
                checkpoint()
    update_by_id(session, CompanyReply, changes)
    _store_templates(session, company_id, rows, report, _rows_by_template(report.template_ids), now)
    _store_families(session, company_id, report, now)
    counted = sum(score is not None for score in report.scores)
    _save_index(session, company_id, report, len(rows), counted, now, state)
    session.flush()
    templated = sum(1 for tid in report.template_ids if tid is not None)
    return ClassifyResult(
        replies=len(rows),
        templated=templated,
        templates=len(report.templates),
        reclassified_review_ids=reclassified,
        families=len(report.families),
    )


def _store_templates(
    session: Session,
    company_id: int,
    rows: StoredReplies,
    report: TemplateReport,
    by_template: dict[str, np.ndarray],
    now: datetime,
) -> None:
    existing = {t.id: t for t in session.exec(select(ReplyTemplate).where(ReplyTemplate.company_id == company_id))}
    for template in report.templates:
        members = by_template.get(template.id, _NO_ROWS)
        row = existing.pop(template.id, None) or ReplyTemplate(id=template.id, company_id=company_id)
        row.kind = template.kind
        row.size = template.size
        row.reply_count = template.reply_count
        row.unhappy_recipients = rows.recipients_of(members, unhappy_only=True)
        row.unhappy_share = template.unhappy_share
        row.skeleton = template.skeleton
        row.representative = template.representative
        row.examples = list(template.examples)
        row.sources = sorted({rows.sources[i] for i in members.tolist()})
        row.first_seen, row.last_seen = rows.first_and_last(members)
        row.active = True
        row.updated_at = now
        row.family_id = template.family_id or None
        session.add(row)
    for stale in existing.values():
        stale.active = False  # kept for history: a digest of an earlier day may still name it
        stale.size = stale.reply_count = stale.unhappy_recipients = 0


def _rows_by_template(template_ids: Sequence[str | None]) -> dict[str, np.ndarray]:
    """The rows (indexes) of each template id among `template_ids`."""
    found: dict[str, list[int]] = defaultdict(list)
    for row, template_id in enumerate(template_ids):
        if template_id is not None:
            found[template_id].append(row)
    return {template_id: np.array(members, dtype=np.int64) for template_id, members in found.items()}


def _store_families(session: Session, company_id: int, report: TemplateReport, now: datetime) -> None:
    existing = {f.id: f for f in session.exec(select(TemplateFamily).where(TemplateFamily.company_id == company_id))}
    for family in report.families:
        row = existing.pop(family.id, None) or TemplateFamily(id=family.id, company_id=company_id)
        row.name = family.name
        row.skeleton = family.skeleton
        row.size = family.size
        row.recipients = family.recipients
        row.share = family.share
        row.templates = list(family.templates)
        row.active = True
        row.updated_at = now
        session.add(row)
    for stale in existing.values():
        stale.active = False  # kept for history, like a template that fell out of use
        stale.size = stale.recipients = 0
        stale.share = 0.0


def _save_index(
    session: Session,
    company_id: int,
    report: TemplateReport,
    replies: int,
    scored: int,
    now: datetime,
    state: TemplateIndexState | None,
) -> None:
    """Save the index of a full classification: `replies` of the company's, `scored` of them with a rote score."""
    if replies < FULL_BELOW_REPLIES:
        if state is not None:
            session.delete(state)  # small companies are always re-clustered; a stale index must not linger
        return
    index = TemplateIndex.from_report(report)
    data = gzip.compress(json.dumps(index.to_dict(), separators=(",", ":")).encode(), compresslevel=5)
    state = state or TemplateIndexState(company_id=company_id, data=b"")
    state.data, state.built_at, state.pending = data, now, 0
    state.replies_at_build, state.replies = replies, scored
    session.add(state)
    _loaded[company_id] = (now, index)


def stale_indexes(session: Session, now: datetime) -> list[int]:
    """Companies whose saved index waits for a full re-clustering (too many pending replies, or too old)."""
    rows = session.exec(
        select(TemplateIndexState.company_id).where(
            (col(TemplateIndexState.pending) > 0) & (col(TemplateIndexState.built_at) < now - MAX_INDEX_AGE)
            | (col(TemplateIndexState.pending) >= MAX_PENDING)
        )
    ).all()
    return list(rows)
