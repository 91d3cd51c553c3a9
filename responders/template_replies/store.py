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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from monitor.store.bulk import update_by_id
from monitor.store.db import utcnow
from monitor.store.models import CompanyReply, Review, SourceRow
from monitor.store.template_models import ReplyTemplate, TemplateFamily, TemplateIndexState
from responders.template_replies.clusters import ClusterSettings, TemplateReport, find_templates
from responders.template_replies.index import TemplateIndex

__all__ = [
    "FULL_BELOW_REPLIES",
    "ClassifyResult",
    "classify_company_replies",
    "stale_indexes",
]

FULL_BELOW_REPLIES = 5_000  # below this a full re-clustering takes well under a second
INCREMENTAL_MAX_BATCH = 1_000  # a bigger batch (a backfill) is re-clustered fully
MAX_PENDING = 20  # unmatched replies that may be forming a new template
MAX_INDEX_AGE = timedelta(hours=6)
_WRITE_CHUNK = 5_000  # reply classifications per UPDATE batch


@dataclass(slots=True)
class _Reply:
    """One stored reply as classifying needs it: plain values, not ORM objects (a company may have a million)."""

    id: int
    review_id: int
    text: str
    template_id: str | None
    rote_score: float | None
    published_at: datetime | None  # the reply's time, else its review's
    unhappy: bool | None
    recipient: str  # who it went to (`_key`)
    source: str


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


def _key(source_id: int, handle: str | None, name: str | None, review_id: int) -> str:
    """Who a reply went to, for counting a template's distinct recipients: the site's handle, else the
    display name on that source, else the review itself. (Looser than the outreach queue's identity, which
    must never merge two people into one task; here a rare merge only lowers a count.)"""
    if handle:
        return f"{source_id}:h:{handle}"
    if name:
        return f"{source_id}:n:{name.strip().lower()}"
    return f"r:{review_id}"


def _company_replies(
    session: Session, company_id: int, review_ids: Sequence[int] | None = None, template_ids: Sequence[str] = ()
) -> list[_Reply]:
    """The company's replies (of `review_ids`, or in `template_ids`, or all), in reply order."""
    query = (
        select(  # type: ignore[call-overload, misc]  # sqlmodel types select() for up to four columns
            CompanyReply.id,
            CompanyReply.review_id,
            CompanyReply.text,
            CompanyReply.template_id,
            CompanyReply.rote_score,
            CompanyReply.published_at,
            Review.published_at,
            Review.unhappy,
            Review.source_id,
            Review.author_handle,
            Review.author_name,
            SourceRow.name,
        )
        .join(Review, col(CompanyReply.review_id) == Review.id)
        .join(SourceRow, col(Review.source_id) == SourceRow.id)
        .where(SourceRow.company_id == company_id)
    )
    if review_ids is not None:
        query = query.where(col(Review.id).in_(list(review_ids)))
    if template_ids:
        query = query.where(col(CompanyReply.template_id).in_(sorted(template_ids)))
    return [
        _Reply(
            id=reply_id,
            review_id=review_id,
            text=text,
            template_id=template_id,
            rote_score=score,
            published_at=replied or published,
            unhappy=unhappy,
            recipient=_key(source_id, handle, name, review_id),
            source=source,
        )
        for (
            reply_id,
            review_id,
            text,
            template_id,
            score,
            replied,
            published,
            unhappy,
            source_id,
            handle,
            name,
            source,
        ) in session.exec(query.order_by(col(CompanyReply.id))).all()
    ]


def classify_company_replies(
    *,
    session: Session,
    company_id: int,
    review_ids: Sequence[int] | None = None,
    settings: ClusterSettings | None = None,
    now: datetime | None = None,
    force_full: bool = False,
) -> ClassifyResult:
    """Classify a company's replies after `review_ids` were stored (None: all of them, fully)."""
    now = now or utcnow()
    state = session.get(TemplateIndexState, company_id)
    if not force_full and review_ids is not None and state is not None and _incremental_ok(state, review_ids, now):
        return _incremental(session, company_id, review_ids, state, now)
    return _full(session, company_id, settings, now, state)


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
    touched: set[str] = set()
    unmatched = 0
    rows = _company_replies(session, company_id, review_ids)
    changes: list[dict[str, object]] = []
    for reply in rows:
        assignment = index.assign(reply.text, str(company_id))
        if assignment.template_id is None and assignment.score == 0.0:
            unmatched += 1
        if reply.template_id != assignment.template_id:
            reclassified.append(reply.review_id)
            touched.update(t for t in (reply.template_id, assignment.template_id) if t)
        if (reply.template_id, reply.rote_score) != (assignment.template_id, assignment.score):
            changes.append({"id": reply.id, "template_id": assignment.template_id, "rote_score": assignment.score})
        reply.template_id, reply.rote_score = assignment.template_id, assignment.score
    update_by_id(session, CompanyReply, changes)
    session.flush()
    _refresh_templates(session, company_id, touched, now)
    families = _refresh_families(session, company_id, touched, now)
    state.pending += unmatched
    session.add(state)
    session.flush()
    return ClassifyResult(
        replies=len(rows),
        templated=sum(1 for reply in rows if reply.template_id),
        templates=len(touched),
        reclassified_review_ids=reclassified,
        mode="incremental",
        families=families,
    )


def _refresh_templates(session: Session, company_id: int, template_ids: set[str], now: datetime) -> None:
    """Recount size, replies, unhappy recipients and first/last time of the given templates from the replies."""
    if not template_ids:
        return
    members: dict[str, list[_Reply]] = defaultdict(list)
    for reply in _company_replies(session, company_id, template_ids=sorted(template_ids)):
        members[reply.template_id or ""].append(reply)
    for template in session.exec(select(ReplyTemplate).where(col(ReplyTemplate.id).in_(sorted(template_ids)))):
        group = members.get(template.id, [])
        times = [r.published_at for r in group if r.published_at is not None]
        template.size = len({r.recipient for r in group})
        template.reply_count = len(group)
        template.unhappy_recipients = len({r.recipient for r in group if r.unhappy})
        template.sources = sorted({r.source for r in group})
        template.first_seen = min(times) if times else None
        template.last_seen = max(times) if times else None
        template.active = bool(group)
        template.updated_at = now
        session.add(template)


def _refresh_families(session: Session, company_id: int, template_ids: set[str], now: datetime) -> int:
    """Recount the families of the given templates from their templates; returns how many were recounted."""
    if not template_ids:
        return 0
    session.flush()
    family_ids = session.exec(
        select(ReplyTemplate.family_id).where(
            col(ReplyTemplate.id).in_(sorted(template_ids)), col(ReplyTemplate.family_id).is_not(None)
        )
    ).all()
    families = list(session.exec(select(TemplateFamily).where(col(TemplateFamily.id).in_(sorted(set(family_ids))))))
    if not families:
        return 0
    members = session.exec(
        select(ReplyTemplate).where(col(ReplyTemplate.family_id).in_([family.id for family in families]))
    ).all()
    replies = _reply_count(session, company_id)
    for family in families:
        active = [t for t in members if t.family_id == family.id and t.active]
        family.size = sum(t.reply_count for t in active)
        family.recipients = sum(t.size for t in active)
        family.share = round(family.size / replies, 4) if replies else 0.0
        family.active = bool(active)
        family.updated_at = now
        session.add(family)
    return len(families)


def _reply_count(session: Session, company_id: int) -> int:
    """Stored replies of a company with text (the denominator of a family's share)."""
    return int(
        session.exec(
            select(func.count())
            .select_from(CompanyReply)
            .join(Review, col(CompanyReply.review_id) == Review.id)
            .join(SourceRow, col(Review.source_id) == SourceRow.id)
            .where(SourceRow.company_id == company_id, func.length(func.trim(CompanyReply.text)) > 0)
        ).one()
    )


def _full(
    session: Session,
    company_id: int,
    settings: ClusterSettings | None,
    now: datetime,
    state: TemplateIndexState | None,
) -> ClassifyResult:
    rows = _company_replies(session, company_id)
    recipients = [reply.recipient for reply in rows]
    unhappy = [reply.unhappy for reply in rows]
    report = find_templates(
        [reply.text for reply in rows],
        groups=[company_id] * len(rows),
        recipients=recipients,
        unhappy=unhappy,
        settings=settings,
    )
    by_template: dict[str, list[int]] = defaultdict(list)
    reclassified: list[int] = []
    changes: list[dict[str, object]] = []
    for index, (reply, tid, score) in enumerate(zip(rows, report.template_ids, report.scores, strict=True)):
        if reply.template_id != tid:
            reclassified.append(reply.review_id)
        if reply.template_id != tid or reply.rote_score != score:
            changes.append({"id": reply.id, "template_id": tid, "rote_score": score})
        if tid is not None:
            by_template[tid].append(index)
    for start in range(0, len(changes), _WRITE_CHUNK):
        update_by_id(session, CompanyReply, changes[start : start + _WRITE_CHUNK])
    _store_templates(session, company_id, rows, report, by_template, recipients, unhappy, now)
    _store_families(session, company_id, report, now)
    _save_index(session, company_id, report, len(rows), now, state)
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
    rows: list[_Reply],
    report: TemplateReport,
    by_template: dict[str, list[int]],
    recipients: list[str],
    unhappy: list[bool | None],
    now: datetime,
) -> None:
    existing = {t.id: t for t in session.exec(select(ReplyTemplate).where(ReplyTemplate.company_id == company_id))}
    for template in report.templates:
        members = by_template[template.id]
        times = [rows[i].published_at for i in members]
        known_times = [t for t in times if t is not None]
        row = existing.pop(template.id, None) or ReplyTemplate(id=template.id, company_id=company_id)
        row.kind = template.kind
        row.size = template.size
        row.reply_count = template.reply_count
        row.unhappy_recipients = len({recipients[i] for i in members if unhappy[i]})
        row.unhappy_share = template.unhappy_share
        row.skeleton = template.skeleton
        row.representative = template.representative
        row.examples = list(template.examples)
        row.sources = sorted({rows[i].source for i in members})
        row.first_seen = min(known_times) if known_times else None
        row.last_seen = max(known_times) if known_times else None
        row.active = True
        row.updated_at = now
        row.family_id = template.family_id or None
        session.add(row)
    for stale in existing.values():
        stale.active = False  # kept for history: a digest of an earlier day may still name it
        stale.size = stale.reply_count = stale.unhappy_recipients = 0


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
    now: datetime,
    state: TemplateIndexState | None,
) -> None:
    if replies < FULL_BELOW_REPLIES:
        if state is not None:
            session.delete(state)  # small companies are always re-clustered; a stale index must not linger
        return
    index = TemplateIndex.from_report(report)
    data = gzip.compress(json.dumps(index.to_dict(), separators=(",", ":")).encode(), compresslevel=5)
    state = state or TemplateIndexState(company_id=company_id, data=b"")
    state.data, state.built_at, state.replies_at_build, state.pending = data, now, replies, 0
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
