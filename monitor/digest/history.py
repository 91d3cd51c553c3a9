"""What the digest says beyond the day: backfills, the response rate, the loop effect and each agent's work.

A day whose "new" reviews were mostly published long before (an import, or the first crawl of a source's history)
is no day of news: those reviews are summarised by publication month (by year for a long history). The response
rate, the loop effect and the agents' figures come from `monitor.report`, counted by publication date, so digest
and report never disagree.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, or_
from sqlmodel import Session, col, select

from monitor.digest.model import Backfill, BackfillMonth, CompanyDigest, ResponseRate
from monitor.digest.sections import day_window, twin_repeats
from monitor.report.build import build_report
from monitor.report.model import LOOP_GROUPS
from monitor.report.rows import answer_of
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
_CHUNK = 500  # review ids per IN list


def add_backfill(
    session: Session, digest: CompanyDigest, sources: list[SourceRow], *, repeats: Mapping[int, int] | None = None
) -> datetime | None:
    """Fill `digest.backfill` when most of the day's new reviews are old; the cut-off between history and news.

    Like the day's new reviews, a review read through two sources of one store counts once (`repeats`: the twins
    to skip, from `monitor.digest.sections.recent_twin_repeats`; found here when not given).
    """
    cutoff = digest.window_start - BACKFILL_AGE
    arrived = (
        col(Review.source_id).in_([s.id for s in sources]),
        col(Review.first_seen) >= digest.window_start,
        col(Review.first_seen) < digest.window_end,
    )
    if repeats is None:
        repeats = twin_repeats(session, {s.id: s for s in sources}, arrived)
    total = sum(1 for review_id in session.exec(select(Review.id).where(*arrived)).all() if review_id not in repeats)
    old = (*arrived, col(Review.published_at) < cutoff)
    history = session.exec(select(Review.id).where(*old)).all()
    history_count = sum(1 for review_id in history if review_id not in repeats)
    if not total or history_count / total <= BACKFILL_SHARE:
        return None
    zone = ZoneInfo(digest.timezone or "UTC")
    answered = or_(col(CompanyReply.id).is_not(None), col(Review.private_reply).is_(True))
    months: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0])
    rows = session.exec(
        select(Review.id, Review.published_at, Review.unhappy, answered)
        .outerjoin(CompanyReply, col(CompanyReply.review_id) == Review.id)
        .where(*old)
        .execution_options(yield_per=5000)
    )
    for review_id, published, unhappy, was_answered in rows:
        if published is None or review_id in repeats:  # the filter excludes undated ones; the type does not know
            continue
        counts = months[published.astimezone(zone).date().replace(day=1)]
        counts[0] += 1
        if unhappy:
            counts[1] += 1
            counts[2] += bool(was_answered)
    digest.backfill = Backfill(
        reviews=history_count,
        unhappy=sum(c[1] for c in months.values()),
        answered=sum(c[2] for c in months.values()),
        older_than=cutoff,
        months=[BackfillMonth(month, *counts) for month, counts in sorted(months.items())],
    )
    return cutoff


def add_report_figures(session: Session, digest: CompanyDigest, company: Company, sources: list[SourceRow]) -> None:
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
    unhappy, replied, personally, templated = _without_twins(session, digest, sources, first, last)
    digest.response = ResponseRate(
        first_day=first,
        last_day=last,
        unhappy=figures.unhappy_reviews - unhappy,
        replied=figures.replied - replied,
        personally=figures.replied_personally - personally,
        with_template=figures.replied_with_template - templated,
    )
    digest.loop_effect = [figures.loop[group] for group in LOOP_GROUPS]
    digest.agents = found.agents


def _without_twins(
    session: Session, digest: CompanyDigest, sources: list[SourceRow], first: date, last: date
) -> tuple[int, int, int, int]:
    """What the report counted twice for reviewers read through two sources of one store: unhappy reviews, replied,
    replied personally, replied with a template (to subtract).

    The report counts every stored copy; a reviewer is one, answered the best way any copy shows (a reply seen only
    through the official API still answers the reviewer whose review the page showed first).
    """
    start, end = day_window(first, digest.timezone)[0], day_window(last, digest.timezone)[1]
    counted = (
        col(Review.source_id).in_([s.id for s in sources]),
        col(Review.unhappy).is_(True),
        col(Review.published_at) >= start,
        col(Review.published_at) < end,
    )
    repeats = twin_repeats(session, {s.id: s for s in sources}, counted)
    if not repeats:
        return 0, 0, 0, 0
    ids = sorted(set(repeats) | set(repeats.values()))
    answers: dict[int, str] = {}
    in_span: set[int] = set()
    for start_at in range(0, len(ids), _CHUNK):
        rows = session.exec(
            select(  # type: ignore[call-overload]  # sqlmodel types select() for up to four columns
                Review.id,
                CompanyReply.template_id,
                CompanyReply.id,
                Review.private_reply,
                case((and_(*counted), 1), else_=0),
            )
            .outerjoin(CompanyReply, col(CompanyReply.review_id) == Review.id)
            .where(col(Review.id).in_(ids[start_at : start_at + _CHUNK]))
        ).all()
        for review_id, template_id, reply_id, private, counted_flag in rows:
            answers[review_id] = answer_of(template_id, reply_id, private)
            if counted_flag:
                in_span.add(review_id)
    groups: dict[int, list[int]] = defaultdict(list)
    for repeat, kept in repeats.items():
        groups[kept].append(repeat)
    extra = Counter[str]()
    for kept, copies in groups.items():
        members = [m for m in (kept, *sorted(copies)) if m in in_span]
        shown = [answers.get(m, "none") for m in members]
        extra.update(shown)  # what the report counted, one per copy
        best = next((a for a in shown if a != "none"), "none")
        extra.subtract([best])  # what the reviewer counts as
    unhappy = sum(extra.values())
    replied = unhappy - extra["none"]
    return unhappy, replied, extra["public"] + extra["private"], extra["template"]
