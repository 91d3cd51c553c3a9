"""The queries behind each section of a company's digest: new reviews, templates, daily chart, queue, loop, health.

Each `add_*` function fills its part of a `CompanyDigest` whose day window is already set.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from monitor.core.redaction import redact_urls
from monitor.digest.model import (
    CompanyDigest,
    DayPoint,
    FamilyUse,
    FollowUpLine,
    LoopItem,
    ReviewItem,
    SourceProblem,
    SourceReviews,
    TaskLine,
    TemplateShare,
    TemplatesProvider,
    TemplateSummary,
    TemplateUse,
)
from monitor.store.health import Health, advice
from monitor.store.models import Company, CompanyReply, CrawlRun, Review, SourceRow
from monitor.store.task_models import OPEN_STATUSES, OutreachTask, TaskEvent, TaskFollowUp, TaskReview
from monitor.store.template_models import ReplyTemplate, TemplateFamily
from responders.outreach.deadlines import BusinessCalendar
from responders.outreach.identity import store_of
from responders.outreach.twins import same_review_elsewhere

__all__ = [
    "BODY_LIMIT",
    "CHART_DAYS",
    "MAX_OVERDUE_SHOWN",
    "MAX_REVIEWS_PER_SOURCE",
    "MAX_TEMPLATES_SHOWN",
    "TWIN_DAYS",
    "add_daily_unhappy",
    "add_loop",
    "add_new_reviews",
    "add_problems",
    "add_queue",
    "add_templates",
    "day_window",
    "local_day",
    "new_unhappy_items",
    "recent_twin_repeats",
    "review_item",
    "stored_templates",
    "templates_from_replies",
    "twin_repeats",
    "urgency_key",
]

MAX_REVIEWS_PER_SOURCE = 8
MAX_OVERDUE_SHOWN = 10
MAX_TEMPLATES_SHOWN = 5
CHART_DAYS = 30
TWIN_DAYS = 36  # the most first-seen days a section reads: the themes' week and 4 weeks before; the chart's 30
BODY_LIMIT = 600
_BAD_HEALTH = frozenset({Health.BLOCKED, Health.UNREACHABLE, Health.LAYOUT_CHANGED, Health.FAILED})
_AGE_BUCKETS = ((1, "< 1 day"), (3, "1-3 days"), (7, "3-7 days"), (30, "1-4 weeks"), (None, "> 4 weeks"))


def day_window(day: date, timezone: str) -> tuple[datetime, datetime]:
    """The UTC start and end of local calendar `day` in `timezone`."""
    zone = ZoneInfo(timezone or "UTC")
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    """The calendar day of `moment` in `zone`."""
    return moment.astimezone(zone).date()


def _source_ids(sources: Iterable[SourceRow]) -> list[int]:
    return [s.id for s in sources if s.id is not None]


def _flags(text: str) -> tuple[str, ...]:
    return tuple(f for f in text.split(",") if f)


def urgency_key(item: ReviewItem) -> tuple[int, int, float, datetime]:
    """Most urgent first: legal or regulator, fraud, abuse, then reach (helpful votes), severity, newest."""
    flags = set(item.flags)
    flagged = 3 if flags & {"legal", "regulator"} else 2 if "fraud" in flags else 1 if "abuse" in flags else 0
    return (-flagged, -item.helpful_votes, -(item.severity or 0.0), _neg_time(item.first_seen))


def _neg_time(moment: datetime) -> datetime:
    # Sorting ascending on a mirrored timestamp puts the newest first without a second sort.
    return datetime.max.replace(tzinfo=UTC) - (moment - datetime.min.replace(tzinfo=UTC))


def review_item(
    review: Review, source: str, task_id: int | None, template_id: str | None, reply_id: int | None = None
) -> ReviewItem:
    """One unhappy review as digests and alerts show it."""
    return ReviewItem(
        review_id=review.id or 0,
        source=source,
        url=review.url,
        author=review.author_name or review.author_handle,
        rating=review.rating,
        rating_scale=review.rating_scale,
        title=review.title,
        body=review.body[:BODY_LIMIT],
        published_at=review.published_at,
        first_seen=review.first_seen,
        flags=_flags(review.flags),
        helpful_votes=review.helpful_votes or 0,
        severity=review.severity,
        task_id=task_id,
        template_reply=template_id is not None,
        answered=(reply_id is not None and template_id is None) or review.private_reply,
    )


def new_unhappy_items(session: Session, review_ids: Sequence[int]) -> list[ReviewItem]:
    """The given reviews that are from unhappy reviewers, as items with their task and reply kind."""
    rows = session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types select() for up to four columns
            Review, SourceRow.name, TaskReview.task_id, CompanyReply.template_id, CompanyReply.id
        )
        .join(SourceRow, col(Review.source_id) == SourceRow.id)
        .outerjoin(TaskReview, col(TaskReview.review_id) == Review.id)
        .outerjoin(CompanyReply, col(CompanyReply.review_id) == Review.id)
        .where(col(Review.id).in_(list(review_ids)), col(Review.unhappy).is_(True))
    ).all()
    return [review_item(review, source, task, template, reply) for review, source, task, template, reply in rows]


def add_new_reviews(
    session: Session,
    digest: CompanyDigest,
    sources: list[SourceRow],
    *,
    published_since: datetime | None = None,
    repeats: Mapping[int, int] | None = None,
) -> None:
    """New unhappy reviews of the day, per source, most urgent first; twins of one store review count once.

    `new_reviews` counts every review first seen on the day. With `published_since` (a backfill day), only reviews
    published since then (or undated) are listed as the day's news; `monitor.digest.history` summarises the rest.
    `repeats` are the twins to skip (`recent_twin_repeats`), found here when not given.
    """
    ids = _source_ids(sources)
    in_window = [
        col(Review.source_id).in_(ids),
        col(Review.first_seen) >= digest.window_start,
        col(Review.first_seen) < digest.window_end,
    ]
    names = {s.id: s for s in sources}
    if repeats is None:
        repeats = twin_repeats(session, names, in_window)
    arrived = session.exec(select(Review.id).where(*in_window)).all()
    digest.twins_merged = sum(1 for review_id in arrived if review_id in repeats)
    digest.new_reviews = len(arrived) - digest.twins_merged
    if published_since is not None:  # counted above as arrived; listed below only when they are news
        in_window.append(or_(col(Review.published_at).is_(None), col(Review.published_at) >= published_since))
    rows = session.exec(
        select(Review, TaskReview.task_id, CompanyReply.template_id, CompanyReply.id)
        .outerjoin(TaskReview, col(TaskReview.review_id) == Review.id)
        .outerjoin(CompanyReply, col(CompanyReply.review_id) == Review.id)
        .where(*in_window, col(Review.unhappy).is_(True))
    ).all()
    by_source: dict[int, list[ReviewItem]] = defaultdict(list)
    for review, task_id, template, reply_id in rows:
        if review.id in repeats:
            continue
        by_source[review.source_id].append(
            review_item(review, names[review.source_id].name, task_id, template, reply_id)
        )
    urgent = {source_id: sum(1 for i in items if i.urgent) for source_id, items in by_source.items()}
    for source_id, items in by_source.items():
        items.sort(key=urgency_key)
        src = names[source_id]
        digest.sources.append(
            SourceReviews(source=src.name, kind=src.kind, total=len(items), shown=items[:MAX_REVIEWS_PER_SOURCE])
        )
    order = {names[source_id].name: count for source_id, count in urgent.items()}
    digest.sources.sort(key=lambda s: (-order.get(s.source, 0), -s.total, s.source))
    digest.new_unhappy = sum(s.total for s in digest.sources)
    digest.urgent = sum(urgent.values())  # every urgent review of the day, not only those listed


def twin_repeats(session: Session, sources: dict[int | None, SourceRow], where: Sequence[Any]) -> dict[int, int]:
    """Reviews in `where` that repeat a twin seen first (the same store review read through another source), each
    with the id of that first twin: a reviewer read twice is counted once, as the copy seen first."""
    stores = [store_of(s) for s in sources.values()]
    known = [store for store in stores if store is not None]
    if len(known) == len(set(known)):
        return {}  # no store is watched through two sources: no twins possible, nothing to load
    rows = {r.id or 0: r for r in session.exec(select(Review).where(*where)).all()}
    twins = same_review_elsewhere(session, [(r, sources[r.source_id]) for r in rows.values()])
    repeats: dict[int, int] = {}
    for review_id, others in twins.items():
        first = min([rows[review_id], *others], key=lambda r: (r.first_seen, r.id or 0))
        if first.id != review_id:
            repeats[review_id] = first.id or 0
    return repeats


def recent_twin_repeats(session: Session, digest: CompanyDigest, sources: list[SourceRow]) -> dict[int, int]:
    """`twin_repeats` of every review first seen in the TWIN_DAYS that end with the digest day: found once, for the
    sections that read reviews by first-seen day (new reviews, history, chart, themes)."""
    since = digest.window_end - timedelta(days=TWIN_DAYS)
    where = [
        col(Review.source_id).in_(_source_ids(sources)),
        col(Review.first_seen) >= since,
        col(Review.first_seen) < digest.window_end,
    ]
    return twin_repeats(session, {s.id: s for s in sources}, where)


def templates_from_replies(session: Session, company_id: int) -> list[TemplateSummary]:
    """Template facts derived from `CompanyReply.template_id`, for template ids the template table does not hold."""
    rows = session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types select() for up to four columns
            CompanyReply.template_id, CompanyReply.text, Review.author_handle, Review.id, Review.unhappy
        )
        .join(Review, col(CompanyReply.review_id) == Review.id)
        .join(SourceRow, col(Review.source_id) == SourceRow.id)
        .where(SourceRow.company_id == company_id, col(CompanyReply.template_id).is_not(None))
    ).all()
    texts: dict[str, Counter[str]] = defaultdict(Counter)
    recipients: dict[str, set[str]] = defaultdict(set)
    unhappy: dict[str, list[bool]] = defaultdict(list)
    for template_id, text, handle, review_id, is_unhappy in rows:
        texts[template_id][" ".join(text.split())] += 1
        recipients[template_id].add(handle or f"#{review_id}")
        if is_unhappy is not None:
            unhappy[template_id].append(bool(is_unhappy))
    result = []
    for template_id, counter in texts.items():
        representative = counter.most_common(1)[0][0]
        flags = unhappy[template_id]
        result.append(
            TemplateSummary(
                id=template_id,
                kind="one_liner" if len(representative.split()) <= 6 else "template",
                size=len(recipients[template_id]),
                reply_count=sum(counter.values()),
                skeleton=representative,
                representative=representative,
                unhappy_share=sum(flags) / len(flags) if flags else None,
            )
        )
    return result


def stored_templates(session: Session, company_id: int) -> list[TemplateSummary]:
    """Template facts (with their families) from the template tables, completed from the reply rows for ids they
    do not hold."""
    families = {f.id: f for f in session.exec(select(TemplateFamily).where(TemplateFamily.company_id == company_id))}
    stored = []
    for t in session.exec(select(ReplyTemplate).where(ReplyTemplate.company_id == company_id)).all():
        family = families.get(t.family_id or "")
        stored.append(
            TemplateSummary(
                id=t.id,
                kind=t.kind,
                size=t.size,
                reply_count=t.reply_count,
                skeleton=t.skeleton,
                representative=t.representative,
                unhappy_share=t.unhappy_share,
                family_id=family.id if family else None,
                family_name=family.name if family else "",
                family_skeleton=family.skeleton if family else "",
                family_size=family.size if family else 0,
                family_share=family.share if family else None,
            )
        )
    known = {t.id for t in stored}
    return stored + [t for t in templates_from_replies(session, company_id) if t.id not in known]


def add_templates(
    session: Session, digest: CompanyDigest, sources: list[SourceRow], templates_for: TemplatesProvider
) -> None:
    """Template use of the day, template shares of the day, week and month, and replies per chart day."""
    since = digest.window_start - timedelta(days=CHART_DAYS)
    # A reply counts on the day the monitor first saw it, like the new reviews above: a digest reports what
    # appeared since the last one, including old replies found by a first crawl.
    when = CompanyReply.first_seen
    in_span = (col(Review.source_id).in_(_source_ids(sources)), when >= since, when < digest.window_end)
    rows = session.exec(
        select(Review.id, CompanyReply.template_id, CompanyReply.first_seen, Review.unhappy)
        .join(Review, col(CompanyReply.review_id) == Review.id)
        .where(*in_span)
    ).all()
    # A reply read through both sources of one store is one reply: a copy whose first twin shows it too is skipped.
    replied = select(CompanyReply.review_id).join(Review, col(CompanyReply.review_id) == Review.id).where(*in_span)
    repeats = twin_repeats(session, {s.id: s for s in sources}, [col(Review.id).in_(replied)])
    with_reply = {row[0] for row in rows}
    repeats = {review_id: first for review_id, first in repeats.items() if first in with_reply}
    zone = ZoneInfo(digest.timezone or "UTC")
    spans = {"day": [0, 0], "7d": [0, 0], "30d": [0, 0]}
    per_day: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    used: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for review_id, template_id, first_seen, unhappy in rows:
        if review_id in repeats:
            continue
        moment = first_seen
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        templated = template_id is not None
        if moment >= digest.window_start and template_id is not None:
            used[template_id][0] += 1
            used[template_id][1] += bool(unhappy)
        if not unhappy:
            continue
        per_day[local_day(moment, zone)][0] += 1
        per_day[local_day(moment, zone)][1] += templated
        if moment >= digest.window_start:
            spans_hit = ["day"]
        elif moment >= digest.window_start - timedelta(days=7):
            spans_hit = ["7d", "30d"]
        else:
            spans_hit = ["30d"]
        for span in spans_hit:
            spans[span][0] += 1
            spans[span][1] += templated
    digest.template_share_day = TemplateShare(*spans["day"])
    digest.template_share_7d = TemplateShare(*spans["7d"])
    digest.template_share_30d = TemplateShare(*spans["30d"])
    if used:
        known = {t.id: t for t in templates_for(session, digest.company_id)}
        uses = []
        for template_id, (replies, unhappy_count) in used.items():
            info = known.get(template_id)
            uses.append(
                TemplateUse(
                    id=template_id,
                    kind=info.kind if info else "template",
                    skeleton=info.skeleton if info else "",
                    replies=replies,
                    unhappy_recipients=unhappy_count,
                    size=info.size if info else replies,
                    family_id=info.family_id if info else None,
                )
            )
        uses.sort(key=lambda u: (-u.unhappy_recipients, -u.replies, -u.size, u.id))
        digest.templates = uses
        digest.template_families = _families_used(uses, known)
    digest.daily = [
        DayPoint(day=d, unhappy=0, replies=per_day[d][0], templated=per_day[d][1]) for d in _chart_days(digest.day)
    ]


def _families_used(uses: list[TemplateUse], known: dict[str, TemplateSummary]) -> list[FamilyUse]:
    """The template uses grouped by family (a template without one stands alone), most used first."""
    grouped: dict[str, list[TemplateUse]] = defaultdict(list)
    for use in uses:
        grouped[use.family_id or use.id].append(use)
    families: list[FamilyUse] = []
    for key, variants in grouped.items():
        info = known.get(variants[0].id)
        if info is None or not info.family_id:
            families.extend(FamilyUse.alone(use) for use in variants)
            continue
        families.append(
            FamilyUse(
                id=key,
                name=info.family_name,
                skeleton=info.family_skeleton or variants[0].skeleton,
                replies=sum(v.replies for v in variants),
                unhappy_recipients=sum(v.unhappy_recipients for v in variants),
                size=info.family_size,
                share=info.family_share,
                variants=tuple(variants),
            )
        )
    families.sort(key=lambda f: (-f.unhappy_recipients, -f.replies, -f.size, f.id))
    return families


def _chart_days(day: date) -> list[date]:
    return [day - timedelta(days=offset) for offset in range(CHART_DAYS - 1, -1, -1)]


def add_daily_unhappy(
    session: Session, digest: CompanyDigest, sources: list[SourceRow], *, repeats: Mapping[int, int] | None = None
) -> None:
    """Unhappy reviews per day of the chart (after `add_templates` has laid out the days)."""
    first_day = _chart_days(digest.day)[0]
    start, _ = day_window(first_day, digest.timezone)
    where = [
        col(Review.source_id).in_(_source_ids(sources)),
        col(Review.unhappy).is_(True),
        col(Review.first_seen) >= start,
        col(Review.first_seen) < digest.window_end,
    ]
    if repeats is None:
        repeats = twin_repeats(session, {s.id: s for s in sources}, where)
    seen = session.exec(select(Review.id, Review.first_seen).where(*where)).all()
    zone = ZoneInfo(digest.timezone or "UTC")
    counts = Counter(local_day(moment, zone) for review_id, moment in seen if review_id not in repeats)
    digest.daily = [
        DayPoint(day=p.day, unhappy=counts.get(p.day, 0), replies=p.replies, templated=p.templated)
        for p in digest.daily
    ]


def add_queue(session: Session, digest: CompanyDigest, company: Company, now: datetime) -> None:
    """The outreach queue as it stands at `now`, with the day's closed tasks and the follow-ups due."""
    queue = digest.queue
    open_tasks = session.exec(
        select(OutreachTask).where(OutreachTask.company_id == company.id, col(OutreachTask.status).in_(OPEN_STATUSES))
    ).all()
    calendar = BusinessCalendar.from_company(company.timezone, company.settings)
    today_end = day_window(calendar.local(now).date(), company.timezone)[1]
    queue.open = len(open_tasks)
    queue.unclaimed = sum(1 for t in open_tasks if t.status == "new" and not t.owner)
    overdue = [t for t in open_tasks if t.due_at is not None and t.due_at < now]
    queue.overdue = len(overdue)
    queue.due_today = sum(1 for t in open_tasks if t.due_at is not None and now <= t.due_at < today_end)
    overdue.sort(key=lambda t: (t.due_at or now, t.id or 0))
    queue.overdue_oldest = [_task_line(t) for t in overdue[:MAX_OVERDUE_SHOWN]]
    ages = Counter[str]()
    for task in open_tasks:
        days = (now - task.created_at).total_seconds() / 86400
        ages[next(label for limit, label in _AGE_BUCKETS if limit is None or days < limit)] += 1
    queue.age_buckets = [(label, ages.get(label, 0)) for _, label in _AGE_BUCKETS]
    closed = session.exec(
        select(OutreachTask.outcome, func.count())
        .where(
            OutreachTask.company_id == company.id,
            col(OutreachTask.closed_at) >= digest.window_start,
            col(OutreachTask.closed_at) < digest.window_end,
        )
        .group_by(col(OutreachTask.outcome))
    ).all()
    outcomes = dict(closed)
    queue.resolved = outcomes.get("resolved", 0)
    queue.no_response = outcomes.get("no_response", 0)
    contacted = session.exec(
        select(OutreachTask.created_at, OutreachTask.first_contacted_at).where(
            OutreachTask.company_id == company.id,
            col(OutreachTask.first_contacted_at) >= now - timedelta(days=30),
            col(OutreachTask.first_contacted_at) <= now,
        )
    ).all()
    waits = [(done - created).total_seconds() for created, done in contacted if done is not None]
    if waits:
        queue.median_first_contact = timedelta(seconds=statistics.median(max(0.0, w) for w in waits))
    horizon = calendar.at(calendar.next_business_day(calendar.local(now).date()), calendar.hours[1])
    follow_ups = session.exec(
        select(TaskFollowUp, OutreachTask)
        .join(OutreachTask, col(TaskFollowUp.task_id) == OutreachTask.id)
        .where(
            OutreachTask.company_id == company.id,
            col(OutreachTask.status).in_(OPEN_STATUSES),
            col(TaskFollowUp.done_at).is_(None),
            col(TaskFollowUp.due_at) <= horizon,
        )
        .order_by(col(TaskFollowUp.due_at))
    ).all()
    queue.follow_ups = [
        FollowUpLine(
            task_id=task.id or 0,
            reviewer=task.reviewer_name or task.reviewer_handle,
            owner=task.owner,
            due_at=follow_up.due_at,
            note=follow_up.note,
            missed=follow_up.due_at < now,
        )
        for follow_up, task in follow_ups
    ]


def _task_line(task: OutreachTask) -> TaskLine:
    return TaskLine(
        task_id=task.id or 0,
        reviewer=task.reviewer_name or task.reviewer_handle,
        owner=task.owner,
        status=task.status,
        priority_label=task.priority_label,
        due_at=task.due_at,
    )


def add_loop(session: Session, digest: CompanyDigest) -> None:
    """Contacted reviewers who changed their rating or text during the day, biggest rating gain first."""
    rows = session.exec(
        select(TaskEvent, OutreachTask)
        .join(OutreachTask, col(TaskEvent.task_id) == OutreachTask.id)
        .where(
            OutreachTask.company_id == digest.company_id,
            col(TaskEvent.kind).in_(("rating_changed", "review_edited")),
            col(TaskEvent.at) >= digest.window_start,
            col(TaskEvent.at) < digest.window_end,
            col(OutreachTask.first_contacted_at).is_not(None),
        )
        .order_by(col(TaskEvent.at))
    ).all()
    latest: dict[int, LoopItem] = {}
    review_ids = {event.data.get("review_id") for event, _ in rows}
    urls = dict(
        session.exec(select(Review.id, Review.url).where(col(Review.id).in_([i for i in review_ids if i]))).all()
    )
    for event, task in rows:
        if task.first_contacted_at and event.at < task.first_contacted_at:
            continue  # an edit before anyone spoke to the reviewer is not a result of outreach
        data = event.data
        changes = set(str(data.get("changes", "")).split(","))
        before = latest.get(task.id or 0)
        latest[task.id or 0] = LoopItem(
            task_id=task.id or 0,
            reviewer=task.reviewer_name or task.reviewer_handle,
            owner=task.owner,
            rating_before=before.rating_before if before else _float(data.get("rating_before")),
            rating_after=_float(data.get("rating_after")),
            text_changed=bool(changes & {"text", "title"}) or (before.text_changed if before else False),
            at=event.at,
            url=urls.get(data.get("review_id")),
        )
    items = list(latest.values())
    items.sort(key=lambda i: -((i.rating_after or 0) - (i.rating_before or 0)))
    digest.loop = items


def _float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def add_problems(session: Session, digest: CompanyDigest, sources: list[SourceRow], now: datetime) -> None:
    """Enabled sources whose latest runs failed, with how long and what to do."""
    for src in sorted(sources, key=lambda s: s.name):
        if not src.enabled or not src.managed:  # an imported file (`monitor import`) is not a watched source
            continue
        runs = session.exec(
            select(CrawlRun)
            .where(CrawlRun.source_id == src.id, col(CrawlRun.started_at) <= now, CrawlRun.health != Health.RUNNING)
            .order_by(col(CrawlRun.started_at).desc())
            .limit(50)
        ).all()
        if not runs or runs[0].health not in _BAD_HEALTH:
            continue
        streak = 0
        since = runs[0].started_at
        for run in runs:
            if run.health not in _BAD_HEALTH:
                break
            streak += 1
            since = run.started_at
        health = Health(runs[0].health)
        digest.problems.append(
            SourceProblem(
                source=src.name,
                health=health.value,
                since=since,
                runs=streak,
                # Run messages quote URLs, and a locator may carry credentials: never mail them out.
                message=redact_urls(runs[0].message or ""),
                advice=advice(health),
            )
        )
