"""Keeps the stored replies of a company classified: template id and rote score per reply, templates table and
the families of reworded variants the templates form.

Two ways, chosen per call:
- **full**: every reply of the company is re-clustered (`find_templates`) and a template index is saved, holding
  the templates and the loose replies (the replies in no template).
- **incremental**: a crawl's replies are assigned with the saved index (see `incremental`), well under a
  millisecond each, and the figures of the templates they joined are brought up to date. When the index shows
  that a full re-clustering would say something else (a new template is forming among the loose replies, a reply
  left a template, a template changed id or could change family), the same call re-clusters fully, so new
  templates appear as soon as they exist.
A company is re-clustered fully at its first classification (it has no index yet), when a call brings a big
batch, and when its index is older than `MAX_INDEX_AGE`.
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from monitor.store.advisory import hold_company_writes
from monitor.store.bulk import update_by_id
from monitor.store.db import utcnow
from monitor.store.models import CompanyReply
from monitor.store.template_models import ReplyTemplate, TemplateFamily, TemplateIndexState
from responders.template_replies.clusters import ClusterSettings, TemplateReport, find_templates
from responders.template_replies.incremental import SavedIndex, classify_incremental
from responders.template_replies.index import TemplateIndex
from responders.template_replies.stored_figures import refresh_templates
from responders.template_replies.stored_replies import StoredReplies, read_replies

__all__ = [
    "FULL_BELOW_REPLIES",
    "INCREMENTAL_MAX_BATCH",
    "MAX_INDEX_AGE",
    "ClassifyResult",
    "classify_company_replies",
    "recount_company_templates",
    "stale_indexes",
]

FULL_BELOW_REPLIES = 0  # below this many replies at the last build a company is always re-clustered fully
INCREMENTAL_MAX_BATCH = 1_000  # a bigger batch (a backfill) is re-clustered fully
MAX_INDEX_AGE = timedelta(hours=6)
_WRITE_CHUNK = 5_000  # reply classifications per UPDATE batch
_NO_ROWS = np.zeros(0, dtype=np.int64)
_STORE_FORMAT = 1  # the saved data: {"store": 1, "through": highest reply id at build, "index": TemplateIndex}


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
    reason: str = ""  # why a full classification ran ("" for an incremental one)


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
    hold_company_writes(session, company_id)  # another process classifying this company would insert the same rows
    # The saved index itself (megabytes for a big company) is read only when this process has not loaded it yet.
    deferred = defer(col(TemplateIndexState.data))  # type: ignore[arg-type]  # sqlmodel types columns as values
    state = session.get(TemplateIndexState, company_id, options=[deferred])
    reason = _full_because(state, review_ids, now, force_full)
    saved = _saved(state) if not reason and state is not None else None
    if saved is not None and not saved.index.knows_loose:
        reason = "the saved index is of an older format"
    if reason or saved is None or state is None or review_ids is None:
        return _full(session, company_id, settings, now, state, checkpoint, reason or "no saved index")
    done = classify_incremental(session, company_id, review_ids, saved, now)
    session.expire(state)  # its reply count was added to in the database
    if done.full_because:
        # Counted as pending until the re-clustering is saved: should a checkpoint commit its first writes and the
        # process then stop, `stale_indexes` names the company and its next call re-clusters.
        state.pending += 1
        session.add(state)
        session.flush()
        full = _full(session, company_id, settings, now, state, checkpoint, done.full_because)
        # Replies written before the full run was found needed changed template too; the queue must see them.
        full.reclassified_review_ids = sorted(set(full.reclassified_review_ids) | set(done.reclassified))
        return full
    return ClassifyResult(
        replies=done.replies,
        templated=done.templated,
        templates=done.templates,
        reclassified_review_ids=done.reclassified,
        mode="incremental",
        families=done.families,
    )


def _full_because(
    state: TemplateIndexState | None, review_ids: Sequence[int] | None, now: datetime, force_full: bool
) -> str:
    """Why this call must re-cluster fully before looking at the index ("" when the index may serve)."""
    if force_full:
        return "asked for"
    if review_ids is None:
        return "all replies asked for"
    if state is None:
        return "no saved index"
    if len(review_ids) > INCREMENTAL_MAX_BATCH:
        return "a big batch"
    if state.pending > 0:
        return "replies are pending"
    if now - state.built_at >= MAX_INDEX_AGE:
        return "the saved index is old"
    if state.replies_at_build < FULL_BELOW_REPLIES:
        return "a small company"
    return ""


# An index is costly to rebuild from its saved form, so a long-running process keeps the last one per company.
_loaded: dict[int, SavedIndex] = {}


def _saved(state: TemplateIndexState) -> SavedIndex:
    cached = _loaded.get(state.company_id)
    if cached is not None and cached.built_at == state.built_at:
        return cached
    data = json.loads(gzip.decompress(state.data))
    if data.get("store") == _STORE_FORMAT:
        saved = SavedIndex(state.built_at, TemplateIndex.from_dict(data["index"]), int(data["through"]))
    else:  # an index saved before the store kept its own fields: it holds no loose replies either
        saved = SavedIndex(state.built_at, TemplateIndex.from_dict(data), 0)
    _loaded[state.company_id] = saved
    return saved


def _full(
    session: Session,
    company_id: int,
    settings: ClusterSettings | None,
    now: datetime,
    state: TemplateIndexState | None,
    checkpoint: Callable[[], None] | None,
    reason: str,
) -> ClassifyResult:
    rows = read_replies(session, company_id)
    report = find_templates(
        rows.texts, groups=[company_id] * len(rows), recipients=rows.recipients, unhappy=rows.unhappy, settings=settings
    )
    # Built before the first write: on SQLite a write holds the database's one write lock until the commit, and
    # building a big company's index takes seconds that other commands (a claim) would wait.
    index = _built_index(company_id, report, rows)
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
                hold_company_writes(session, company_id)  # the commit released it
    update_by_id(session, CompanyReply, changes)
    _store_templates(session, company_id, rows, report, _rows_by_template(report.template_ids), now)
    _store_families(session, company_id, report, now)
    counted = sum(score is not None for score in report.scores)
    _save_index(session, company_id, index, len(rows), counted, now, state)
    session.flush()
    templated = sum(1 for tid in report.template_ids if tid is not None)
    return ClassifyResult(
        replies=len(rows),
        templated=templated,
        templates=len(report.templates),
        reclassified_review_ids=reclassified,
        families=len(report.families),
        reason=reason,
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


@dataclass(frozen=True)
class _BuiltIndex:
    """A full classification's index, ready to save: the index, the highest reply id it holds, its saved bytes."""

    index: TemplateIndex
    through: int
    data: bytes


def _built_index(company_id: int, report: TemplateReport, rows: StoredReplies) -> _BuiltIndex | None:
    """The index of a full classification of `rows` (the company's replies): the templates, and the loose replies
    with their recipients; None for a company small enough to be re-clustered at every call."""
    if len(rows) < FULL_BELOW_REPLIES:
        return None
    index = TemplateIndex.from_report(report, rows.texts, groups=[company_id] * len(rows), recipients=rows.codes)
    through = int(rows.ids.max()) if len(rows) else 0
    saved = {"store": _STORE_FORMAT, "through": through, "index": index.to_dict()}
    data = gzip.compress(json.dumps(saved, separators=(",", ":")).encode(), compresslevel=5)
    return _BuiltIndex(index, through, data)


def _save_index(
    session: Session,
    company_id: int,
    built: _BuiltIndex | None,
    replies: int,
    scored: int,
    now: datetime,
    state: TemplateIndexState | None,
) -> None:
    """Save the index built from `replies` replies, `scored` of them with a rote score."""
    if built is None:
        if state is not None:
            session.delete(state)  # small companies are always re-clustered; a stale index must not linger
        return
    state = state or TemplateIndexState(company_id=company_id, data=b"")
    state.data, state.built_at, state.pending = built.data, now, 0
    state.replies_at_build, state.replies = replies, scored
    session.add(state)
    _loaded[company_id] = SavedIndex(now, built.index, built.through)


def stale_indexes(session: Session, now: datetime) -> list[int]:
    """Companies whose saved index waits for a full re-clustering: replies are pending (a template may be forming
    that no call has re-clustered yet; an index of an older version counted unmatched replies here)."""
    rows = session.exec(select(TemplateIndexState.company_id).where(col(TemplateIndexState.pending) > 0)).all()
    return list(rows)


def recount_company_templates(
    *, session: Session, company_id: int, now: datetime, settings: ClusterSettings | None = None
) -> int:
    """Recount every active template of the company from its replies; returns how many were recounted.

    For callers that judge reviews after their replies were classified (an import, `tasks rebuild`): the unhappy
    recipients, the unhappy share and the kind read the verdicts, which were not known (or were others) before.
    """
    chosen = set(
        session.exec(
            select(ReplyTemplate.id).where(ReplyTemplate.company_id == company_id, col(ReplyTemplate.active).is_(True))
        )
    )
    refresh_templates(session, company_id, chosen, now, settings or ClusterSettings())
    session.flush()
    return len(chosen)
