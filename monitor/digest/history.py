"""What the digest says beyond the day: backfills, the response rate, the loop effect and each agent's work.

A day whose "new" reviews were mostly published long before (an import, or the first crawl of a source's history)
is no day of news: those reviews are summarised by publication month. The response rate, the loop effect and the
agents' figures come from `monitor.report`, counted by publication date, so digest and report never disagree.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from monitor.digest.model import Backfill, BackfillMonth, CompanyDigest, ResponseRate
from monitor.report.build import build_report
from monitor.report.model import LOOP_GROUPS
from monitor.store.models import Company, CompanyReply, Review, SourceRow

__all__ = [
    "BACKFILL_AGE",
    "BACKFILL_SHARE",
    "RESPONSE_DAYS",
    "RESPONSE_FALLBACK_DAYS",
    "add_backfill",
    "add_report_figures",
]

BACKFILL_AGE = timedelta(days=7)  # published this long before the day: history, not news
BACKFILL_SHARE = 0.5  # more than this share of the day's new reviews being history makes the day a backfill
RESPONSE_DAYS = 30
RESPONSE_FALLBACK_DAYS = 365  # when nothing was published in the last 30 days (a company whose history was imported)


def add_backfill(session: Session, digest: CompanyDigest, sources: list[SourceRow]) -> datetime | None:
    """Fill `digest.backfill` when most of the day's new reviews are old; the cut-off between history and news."""
    cutoff = digest.window_start - BACKFILL_AGE
    arrived = (
        col(Review.source_id).in_([s.id for s in sources]),
        col(Review.first_seen) >= digest.window_start,
        col(Review.first_seen) < digest.window_end,
    )
    total = session.exec(select(func.count()).select_from(Review).where(*arrived)).one()
    old = (*arrived, col(Review.published_at) < cutoff)
    history = session.exec(select(func.count()).select_from(Review).where(*old)).one()
    if not total or history / total <= BACKFILL_SHARE:
        return None
    zone = ZoneInfo(digest.timezone or "UTC")
    answered = or_(col(CompanyReply.id).is_not(None), col(Review.private_reply).is_(True))
    months: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0])
    rows = session.exec(
        select(Review.published_at, Review.unhappy, answered)
        .outerjoin(CompanyReply, col(CompanyReply.review_id) == Review.id)
        .where(*old)
        .execution_options(yield_per=5000)
    )
    for published, unhappy, was_answered in rows:
        if published is None:  # the filter excludes them; the type does not know
            continue
        counts = months[published.astimezone(zone).date().replace(day=1)]
        counts[0] += 1
        if unhappy:
            counts[1] += 1
            counts[2] += bool(was_answered)
    digest.backfill = Backfill(
        reviews=history,
        unhappy=sum(c[1] for c in months.values()),
        answered=sum(c[2] for c in months.values()),
        older_than=cutoff,
        months=[BackfillMonth(month, *counts) for month, counts in sorted(months.items())],
    )
    return cutoff


def add_report_figures(session: Session, digest: CompanyDigest, company: Company) -> None:
    """The header's response rate, the loop effect and the agents' figures, over the 30 days to the digest day.

    When no unhappy review was published in those 30 days, the year to the digest day is used instead, so a company
    whose history was imported still learns how many of its unhappy reviewers were answered.
    """
    last = digest.day
    for days in (RESPONSE_DAYS, RESPONSE_FALLBACK_DAYS):
        first = last - timedelta(days=days - 1)
        report = build_report(
            session=session,
            first_day=first,
            last_day=last,
            companies=[company.name],
            now=digest.generated_at,
            themes_read=0,
        )
        found = report.companies[0]
        if found.total.unhappy_reviews:
            break
    figures = found.total
    digest.response = ResponseRate(
        first_day=first,
        last_day=last,
        unhappy=figures.unhappy_reviews,
        replied=figures.replied,
        personally=figures.replied_personally,
        with_template=figures.replied_with_template,
    )
    digest.loop_effect = [figures.loop[group] for group in LOOP_GROUPS]
    digest.agents = found.agents
