"""Idempotent storage of crawled records: upsert by (source, site review id), a revision for every change.

Nothing here deletes a review: a review missing from a crawl is simply not seen again. Every text a site sent is
cleaned once, here, before it is compared or written (`monitor.core.text_safety.clean_text`): every database then
holds the same safe text, and one review with a NUL byte cannot stop a whole source from being stored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import insert, update
from sqlmodel import Session, col, select

from monitor.core.errors import MonitorError
from monitor.core.records import ReviewRecord
from monitor.core.settings import Settings, SourceConfig
from monitor.core.text_safety import clean_text
from monitor.store.db import utcnow
from monitor.store.models import Company, CompanyReply, Review, ReviewRevision, SourceRow

__all__ = [
    "UpsertResult",
    "clean_record",
    "ensure_source",
    "fingerprint",
    "known_fingerprints",
    "remember_options",
    "sync_config",
    "upsert_reviews",
]

_CHUNK = 500  # keeps IN (...) lists under every database's parameter limit


@dataclass
class UpsertResult:
    """What one upsert did."""

    seen: int = 0
    new_ids: list[int] = field(default_factory=list)
    changed_ids: list[int] = field(default_factory=list)
    # Same content, but what the site shows around it moved (helpful votes, author name, URL): no revision.
    refreshed_ids: list[int] = field(default_factory=list)

    @property
    def new(self) -> int:
        return len(self.new_ids)

    @property
    def changed(self) -> int:
        return len(self.changed_ids)


def _clean_optional(text: str | None) -> str | None:
    return None if text is None else clean_text(text)


def _clean_json(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(str(k)): _clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean_json(v) for v in value]
    return value


def clean_record(rec: ReviewRecord) -> ReviewRecord:
    """`rec` with every text field (reply and extras included) cleaned as the store keeps it."""
    reply = rec.reply
    if reply is not None:
        reply = replace(reply, text=clean_text(reply.text), author=_clean_optional(reply.author))
    return replace(
        rec,
        site_review_id=clean_text(rec.site_review_id),
        body=clean_text(rec.body),
        url=_clean_optional(rec.url),
        author_name=_clean_optional(rec.author_name),
        author_handle=_clean_optional(rec.author_handle),
        title=_clean_optional(rec.title),
        language=_clean_optional(rec.language),
        reply=reply,
        extra=_clean_json(rec.extra),
    )


def fingerprint(rec: ReviewRecord) -> str:
    """A hash of what counts as the review's content, as stored (cleaned): changes to any of it make a revision."""
    return _content_hash(clean_record(rec))


def _content_hash(rec: ReviewRecord) -> str:
    reply = rec.reply
    payload = [
        rec.rating,
        rec.title or "",
        rec.body,
        reply.text if reply else None,
        reply.published_at.isoformat() if reply and reply.published_at else None,
        rec.private_reply,
        *([rec.reviewer_followup_at.isoformat()] if rec.reviewer_followup_at else []),
    ]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()[:32]


def sync_config(*, session: Session, settings: Settings) -> dict[str, SourceRow]:
    """Make companies and sources in the database match the configuration; return sources by name.

    Sources that left the configuration are disabled, never deleted: their reviews and history stay.
    """
    by_name: dict[str, SourceRow] = {}
    configured: set[str] = set()
    for comp in settings.companies:
        company = session.exec(select(Company).where(Company.name == comp.name)).first()
        company_settings = {
            "unhappy_threshold": comp.unhappy_threshold,
            "business_hours": list(comp.business_hours),
            "business_days": list(comp.business_days),
            "digest_time": comp.digest_time,
            "digest_recipients": list(comp.digest_recipients),
            "fixed_themes": list(comp.fixed_themes),
        }
        if company is None:
            company = Company(name=comp.name, timezone=comp.timezone, settings=company_settings)
            session.add(company)
            session.flush()
        else:
            company.timezone = comp.timezone
            # Keys written by the product itself (e.g. when a theme was first marked fixed) survive a re-sync.
            company.settings = {**company.settings, **company_settings}
        for src in comp.sources:
            configured.add(src.name)
            row = session.exec(select(SourceRow).where(SourceRow.name == src.name)).first()
            if row is None:
                row = SourceRow(name=src.name, company_id=company.id or 0, kind=src.kind, locator=src.locator)
                session.add(row)
            row.company_id = company.id or 0
            row.kind, row.locator, row.options = src.kind, src.locator, dict(src.options)
            row.schedule, row.enabled = src.schedule, src.enabled
            by_name[src.name] = row
    for row in session.exec(select(SourceRow)).all():
        if row.managed and row.name not in configured and row.enabled:
            row.enabled = False
    session.flush()
    return by_name


def remember_options(*, source: SourceRow, options: Mapping[str, str]) -> None:
    """Record on a source's row what its adapter found out while reading (`Source.learned_options`: the layout an
    export in auto mode was read as); the analysis reads it. Written only when it changes."""
    if any(source.options.get(key) != value for key, value in options.items()):
        source.options = {**source.options, **options}


def ensure_source(*, session: Session, settings: Settings, src: SourceConfig, synced: bool = False) -> SourceRow:
    """The row of `src`: configured sources are synced from the file, others (imports) are created on demand.

    `synced` says the caller has just run `sync_config`, so a configured source's row is read as it is.
    """
    configured = any(s.name == src.name for s in settings.all_sources())
    if configured and synced:
        row = session.exec(select(SourceRow).where(SourceRow.name == src.name)).first()
        if row is not None:
            return row
    rows = sync_config(session=session, settings=settings)
    if src.name in rows:
        return rows[src.name]
    company = session.exec(select(Company).where(Company.name == src.company)).first()
    if company is None:
        company = Company(name=src.company)
        session.add(company)
        session.flush()
    row = session.exec(select(SourceRow).where(SourceRow.name == src.name)).first()
    if row is None:
        row = SourceRow(name=src.name, company_id=company.id or 0, kind=src.kind, locator=src.locator, managed=False)
        session.add(row)
    elif row.managed or row.kind != src.kind or row.company_id != company.id:
        raise MonitorError(
            f"source {src.name!r} already exists as a {row.kind} source of another company or of the config file; "
            "choose another name"
        )
    row.locator, row.options, row.schedule, row.enabled = src.locator, dict(src.options), "manual", True
    session.flush()
    return row


def known_fingerprints(*, session: Session, source_id: int, site_ids: Iterable[str]) -> dict[str, str]:
    """Stored fingerprints of the given site review ids of one source (keyed by the ids as given, before cleaning)."""
    given = {clean_text(sid): sid for sid in site_ids}
    ids = list(given)
    found: dict[str, str] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        rows = session.exec(
            select(Review.site_review_id, Review.fingerprint).where(
                Review.source_id == source_id, col(Review.site_review_id).in_(chunk)
            )
        ).all()
        found.update({given[sid]: fp for sid, fp in rows})
    return found


def upsert_reviews(
    *,
    session: Session,
    source: SourceRow,
    records: Sequence[ReviewRecord],
    crawl_run_id: int | None = None,
    backfill: bool = False,
    now: datetime | None = None,
) -> UpsertResult:
    """Insert new reviews, update changed ones with a revision, and touch `last_seen` of unchanged ones."""
    now = now or utcnow()
    cleaned = [clean_record(rec) for rec in records]
    unique = list({rec.site_review_id: rec for rec in reversed(cleaned)}.values())[::-1]
    result = UpsertResult(seen=len(unique))
    assert source.id is not None
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start : start + _CHUNK]
        existing = {
            r.site_review_id: r
            for r in session.exec(
                select(Review).where(
                    Review.source_id == source.id,
                    col(Review.site_review_id).in_([rec.site_review_id for rec in chunk]),
                )
            ).all()
        }
        changed_ids = [r.id for r in existing.values() if r.id is not None]
        replies = {
            reply.review_id: reply
            for reply in session.exec(select(CompanyReply).where(col(CompanyReply.review_id).in_(changed_ids)))
        }
        unchanged: list[int] = []
        fresh: list[tuple[ReviewRecord, str]] = []
        for rec in chunk:
            fp = _content_hash(rec)
            row = existing.get(rec.site_review_id)
            if row is None:
                fresh.append((rec, fp))
            elif row.fingerprint != fp or _date_moved(row, rec):
                current = replies.get(row.id or 0)
                changes = _describe_changes(row, current, rec)
                _apply(row, rec, fp, now)
                if changes:
                    _sync_reply(session, row, current, rec, now)
                    _write_revision(session, row, rec, changes, crawl_run_id, now)
                    result.changed_ids.append(row.id or 0)
                else:
                    # Only something tracked since a newer version (an old follow-up) differs: record it quietly.
                    result.refreshed_ids.append(row.id or 0)
            elif _refresh_surroundings(row, rec):
                result.refreshed_ids.append(row.id or 0)
                row.last_seen = now
            else:
                unchanged.append(row.id or 0)
        if fresh:
            session.flush()  # the changes above go first, in the order a reader of the revisions expects
            result.new_ids.extend(_insert_new(session, source.id, fresh, backfill, crawl_run_id, now))
        if unchanged:
            session.execute(update(Review).where(col(Review.id).in_(unchanged)).values(last_seen=now))
    session.flush()
    return result


def _date_moved(row: Review, rec: ReviewRecord) -> bool:
    """The review's publication time changed (e.g. an export re-read with its day and month the right way round).

    A record without a date does not count: a date cell that could not be read is no evidence of a move.
    """
    return rec.published_at is not None and row.published_at != rec.published_at


def _refresh_surroundings(row: Review, rec: ReviewRecord) -> bool:
    """Copy what is not content but matters (reach for priority, names and links for display); True if any moved."""
    moved = False
    for name in ("helpful_votes", "author_name", "author_handle", "url"):
        value = getattr(rec, name)
        if value is not None and getattr(row, name) != value:
            setattr(row, name, value)
            moved = True
    return moved


def _content(rec: ReviewRecord, fp: str, now: datetime) -> dict[str, Any]:
    """The review columns a record sets, new or changed."""
    return {
        "url": rec.url,
        "author_name": rec.author_name,
        "author_handle": rec.author_handle,
        "rating": rec.rating,
        "rating_scale": rec.rating_scale,
        "title": rec.title,
        "body": rec.body,
        "language": rec.language,
        "published_at": rec.published_at,
        "updated_at": rec.updated_at,
        "helpful_votes": rec.helpful_votes,
        "private_reply": rec.private_reply,
        "private_reply_at": rec.private_reply_at,
        "reviewer_followup_at": rec.reviewer_followup_at,
        "extra": dict(rec.extra),
        "fingerprint": fp,
        "last_seen": now,
    }


def _apply(row: Review, rec: ReviewRecord, fp: str, now: datetime) -> None:
    for name, value in _content(rec, fp, now).items():
        setattr(row, name, value)


def _insert_new(
    session: Session,
    source_id: int,
    fresh: Sequence[tuple[ReviewRecord, str]],
    backfill: bool,
    crawl_run_id: int | None,
    now: datetime,
) -> list[int]:
    """Insert new reviews, their replies and first revisions with three multi-row statements; their ids, in order.

    The rows go straight to the database rather than through ORM objects: building and flushing an ORM object
    costs more than everything else an import does to a review.
    """
    values = [
        {
            "source_id": source_id,
            "site_review_id": rec.site_review_id,
            "first_seen": now,
            "seen_in_backfill": backfill,
            "unhappy": None,
            "severity": None,
            "flags": "",
            **_content(rec, fp, now),
        }
        for rec, fp in fresh
    ]
    table = Review.__table__  # type: ignore[attr-defined]
    # Core statements on the session's connection: the ORM's bulk path splits a batch into many small statements.
    connection = session.connection()
    returned = connection.execute(insert(table).returning(table.c.site_review_id, table.c.id), values)
    ids: dict[str, int] = {site_id: review_id for site_id, review_id in returned}
    replies = [
        {
            "review_id": ids[rec.site_review_id],
            "text": rec.reply.text,
            "published_at": rec.reply.published_at,
            "author": rec.reply.author,
            "first_seen": now,
            "template_id": None,
            "rote_score": None,
        }
        for rec, _ in fresh
        if rec.reply is not None
    ]
    if replies:
        connection.execute(insert(CompanyReply.__table__), replies)  # type: ignore[attr-defined]
    connection.execute(
        insert(ReviewRevision.__table__),  # type: ignore[attr-defined]
        [_revision_values(ids[rec.site_review_id], rec, "first_seen", crawl_run_id, now) for rec, _ in fresh],
    )
    return [ids[rec.site_review_id] for rec, _ in fresh]


def _sync_reply(session: Session, row: Review, current: CompanyReply | None, rec: ReviewRecord, now: datetime) -> None:
    if rec.reply is None:
        if current is not None:
            session.delete(current)  # the reply was removed on the site; its text stays in the revisions
        return
    if current is None:
        session.add(
            CompanyReply(
                review_id=row.id or 0,
                text=rec.reply.text,
                published_at=rec.reply.published_at,
                author=rec.reply.author,
                first_seen=now,
            )
        )
        return
    if current.text != rec.reply.text:
        current.template_id = None  # re-classified by the template detector
        current.rote_score = None
    current.text = rec.reply.text
    current.published_at = rec.reply.published_at
    current.author = rec.reply.author


def _describe_changes(row: Review, current: CompanyReply | None, rec: ReviewRecord) -> str:
    changes = []
    # Stored text is compared as it would be cleaned today, so text kept before cleaning existed (SQLite) is not
    # reported as an edit by the reviewer.
    if clean_text(row.body) != rec.body:
        changes.append("text")
    if clean_text(row.title or "") != (rec.title or ""):
        changes.append("title")
    if row.rating != rec.rating:
        changes.append("rating")
    if _date_moved(row, rec):
        changes.append("published_at")
    old_reply = clean_text(current.text) if current else None
    new_reply = rec.reply.text if rec.reply else None
    if old_reply != new_reply or (current and rec.reply and current.published_at != rec.reply.published_at):
        changes.append("reply_removed" if new_reply is None else "reply")
    if row.private_reply != rec.private_reply:
        changes.append("private_reply")
    followup, known = rec.reviewer_followup_at, row.reviewer_followup_at
    # A follow-up the store had not recorded counts only if it came after the review was last seen, so rows
    # stored before follow-ups were tracked do not all look like fresh messages.
    if followup is not None and followup != known and (known is not None or followup > row.last_seen):
        changes.append("followup")
    return ",".join(changes)


def _revision_values(
    review_id: int, rec: ReviewRecord, changes: str, crawl_run_id: int | None, now: datetime
) -> dict[str, Any]:
    return {
        "review_id": review_id,
        "crawl_run_id": crawl_run_id,
        "observed_at": now,
        "changes": changes,
        "rating": rec.rating,
        "title": rec.title,
        "body": rec.body,
        "reply_text": rec.reply.text if rec.reply else None,
        "reply_published_at": rec.reply.published_at if rec.reply else None,
    }


def _write_revision(
    session: Session, row: Review, rec: ReviewRecord, changes: str, crawl_run_id: int | None, now: datetime
) -> None:
    session.add(ReviewRevision(**_revision_values(row.id or 0, rec, changes, crawl_run_id, now)))
