"""Building the digest: one `CompanyDigest` per company for one local day, from the stored reviews and queue."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from monitor.core.errors import MonitorError
from monitor.digest.history import add_backfill, add_report_figures
from monitor.digest.model import CompanyDigest, Digest, TemplatesProvider
from monitor.digest.sections import (
    add_daily_unhappy,
    add_loop,
    add_new_reviews,
    add_problems,
    add_queue,
    add_templates,
    day_window,
    local_day,
    recent_twin_repeats,
    stored_templates,
)
from monitor.digest.themes import add_themes
from monitor.store.db import utcnow
from monitor.store.models import Company, Review, SourceRow

__all__ = ["build_company_digest", "build_digest", "latest_activity_day"]


def latest_activity_day(session: Session, company: Company | None = None) -> date | None:
    """The local day on which the newest stored review was first seen (of one company, or of any)."""
    query = select(func.max(Review.first_seen))
    if company is not None:
        query = query.join(SourceRow, col(Review.source_id) == SourceRow.id).where(SourceRow.company_id == company.id)
    newest = session.exec(query).one()
    if newest is None:
        return None
    if newest.tzinfo is None:  # aggregates bypass the column type on SQLite
        newest = newest.replace(tzinfo=UTC)
    return local_day(newest, ZoneInfo(company.timezone if company else "UTC"))


def build_digest(
    *,
    session: Session,
    day: date,
    companies: Sequence[str] | None = None,
    now: datetime | None = None,
    templates_for: TemplatesProvider | None = None,
) -> Digest:
    """The digest of `day` for the named companies (default: every company in the database)."""
    now = now or utcnow()
    query = select(Company).order_by(Company.name)
    rows = list(session.exec(query).all())
    if companies:
        known = {c.name: c for c in rows}
        missing = [n for n in companies if n not in known]
        if missing:
            names = ", ".join(known) or "none stored yet; run `monitor init`"
            raise MonitorError(f"no company named {missing[0]!r} in the database (known: {names})")
        rows = [known[n] for n in companies]
    built = [
        build_company_digest(session=session, company=c, day=day, now=now, templates_for=templates_for) for c in rows
    ]
    return Digest(day=day, generated_at=now, companies=built)


def build_company_digest(
    *,
    session: Session,
    company: Company,
    day: date,
    now: datetime | None = None,
    templates_for: TemplatesProvider | None = None,
) -> CompanyDigest:
    """One company's digest for local `day`."""
    now = now or utcnow()
    start, end = day_window(day, company.timezone)
    digest = CompanyDigest(
        company=company.name,
        company_id=company.id or 0,
        timezone=company.timezone,
        day=day,
        window_start=start,
        window_end=end,
        generated_at=now,
    )
    sources = list(session.exec(select(SourceRow).where(SourceRow.company_id == company.id)).all())
    if not sources:
        return digest
    # Reviews read through two sources of one store, found once for every section that counts by first-seen day.
    repeats = recent_twin_repeats(session, digest, sources)
    history = add_backfill(session, digest, sources, repeats=repeats)
    add_new_reviews(session, digest, sources, published_since=history, repeats=repeats)
    add_templates(session, digest, sources, templates_for or stored_templates)
    add_queue(session, digest, company, now)
    add_loop(session, digest)
    add_themes(session, digest, sources, company, repeats=repeats)
    add_problems(session, digest, sources, now)
    add_daily_unhappy(session, digest, sources, repeats=repeats)
    add_report_figures(session, digest, company, sources)
    return digest
