"""Keeps the stored replies of a company classified: template id and rote score per reply, templates table.

A company's replies are re-clustered as a whole whenever new or changed replies arrive. Clustering works
on distinct normalised texts, so this stays cheap for a company's full history (see docs/benchmarks.md);
it also means a new template forms as soon as its third copy is crawled, which an assign-only index
would miss.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from monitor.db import utcnow
from monitor.models import CompanyReply, Review, SourceRow
from responders.template_clusters import ClusterSettings, find_templates
from responders.template_models import ReplyTemplate

__all__ = ["ClassifyResult", "classify_company_replies", "reviewer_key"]


@dataclass
class ClassifyResult:
    """How one company's replies were classified."""

    replies: int
    templated: int
    templates: int
    # Reviews whose reply changed template (or became / stopped being one): the queue must look again.
    reclassified_review_ids: list[int]


def reviewer_key(source_id: int, handle: str | None, name: str | None, review_id: int) -> str:
    """Who a reply went to: the site's stable handle, else the display name on that source, else the review."""
    if handle:
        return f"{source_id}:h:{handle}"
    if name:
        return f"{source_id}:n:{name.strip().lower()}"
    return f"r:{review_id}"


def classify_company_replies(
    *, session: Session, company_id: int, settings: ClusterSettings | None = None, now: datetime | None = None
) -> ClassifyResult:
    """Cluster every stored reply of one company and store template ids, rote scores and templates."""
    now = now or utcnow()
    rows = session.exec(
        select(CompanyReply, Review, SourceRow)
        .join(Review, col(CompanyReply.review_id) == Review.id)
        .join(SourceRow, col(Review.source_id) == SourceRow.id)
        .where(SourceRow.company_id == company_id)
        .order_by(col(CompanyReply.id))
    ).all()
    texts = [reply.text for reply, _, _ in rows]
    recipients = [reviewer_key(r.source_id, r.author_handle, r.author_name, r.id or 0) for _, r, _ in rows]
    unhappy = [r.unhappy for _, r, _ in rows]
    report = find_templates(
        texts, groups=[company_id] * len(rows), recipients=recipients, unhappy=unhappy, settings=settings
    )
    by_template: dict[str, list[int]] = defaultdict(list)
    reclassified: list[int] = []
    for index, ((reply, _, _), tid, score) in enumerate(zip(rows, report.template_ids, report.scores, strict=True)):
        if reply.template_id != tid:
            reclassified.append(reply.review_id)
        if reply.template_id != tid or reply.rote_score != score:
            reply.template_id, reply.rote_score = tid, score
        if tid is not None:
            by_template[tid].append(index)
    existing = {t.id: t for t in session.exec(select(ReplyTemplate).where(ReplyTemplate.company_id == company_id))}
    for template in report.templates:
        members = by_template[template.id]
        times = [rows[i][0].published_at or rows[i][1].published_at for i in members]
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
        row.sources = sorted({rows[i][2].name for i in members})
        row.first_seen = min(known_times) if known_times else None
        row.last_seen = max(known_times) if known_times else None
        row.active = True
        row.updated_at = now
        session.add(row)
    for stale in existing.values():
        stale.active = False  # kept for history: a digest of an earlier day may still name it
        stale.size = stale.reply_count = stale.unhappy_recipients = 0
    session.flush()
    templated = sum(1 for tid in report.template_ids if tid is not None)
    return ClassifyResult(
        replies=len(rows), templated=templated, templates=len(report.templates), reclassified_review_ids=reclassified
    )
