"""What a company's daily digest says, as plain data: queries in, one `CompanyDigest` per company and day out.

The digest covers one local calendar day of the company (its time zone): reviews first seen that day are
"new". Queue figures are the queue's state when the digest is built (`now`). Rendering lives in
`monitor.digest.render`; nothing here formats text for a reader.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from monitor.core.errors import MonitorError
from monitor.store.db import utcnow
from monitor.store.health import Health, advice
from monitor.store.models import Company, CompanyReply, CrawlRun, Review, SourceRow
from monitor.store.task_models import OPEN_STATUSES, OutreachTask, TaskEvent, TaskFollowUp, TaskReview
from monitor.store.template_models import ReplyTemplate
from responders.outreach.deadlines import BusinessCalendar

__all__ = [
    "CompanyDigest",
    "DayPoint",
    "Digest",
    "FollowUpLine",
    "LoopItem",
    "QueueHealth",
    "ReviewItem",
    "SourceProblem",
    "SourceReviews",
    "TaskLine",
    "TemplateShare",
    "TemplateSummary",
    "TemplateUse",
    "TemplatesProvider",
    "Theme",
    "build_company_digest",
    "build_digest",
    "day_window",
    "latest_activity_day",
    "templates_from_replies",
]

MAX_REVIEWS_PER_SOURCE = 8
MAX_OVERDUE_SHOWN = 10
MAX_TEMPLATES_SHOWN = 5
MAX_THEMES = 8
CHART_DAYS = 30
THEME_PERIOD_DAYS = 7
THEME_BASELINE_DAYS = 28
BODY_LIMIT = 600
_BAD_HEALTH = frozenset({Health.BLOCKED, Health.UNREACHABLE, Health.LAYOUT_CHANGED, Health.FAILED})
_URGENT_FLAGS = ("legal", "abuse")


# ----- the data ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewItem:
    """One new review from an unhappy reviewer, as the digest lists it."""

    review_id: int
    source: str
    url: str | None
    author: str | None
    rating: float | None
    rating_scale: int | None
    title: str | None
    body: str
    published_at: datetime | None
    first_seen: datetime
    flags: tuple[str, ...]
    helpful_votes: int
    severity: float | None
    task_id: int | None
    template_reply: bool = False
    answered: bool = False  # the company answered personally (a non-template public reply, or a private one)

    @property
    def task_note(self) -> str:
        """Where the reviewer stands in the queue, in a few words."""
        if self.task_id:
            return f"monitor tasks show {self.task_id}"
        return "answered personally, no task needed" if self.answered else "no task yet"

    @property
    def urgent(self) -> bool:
        """A legal threat or abuse: someone should look today."""
        return any(f in _URGENT_FLAGS for f in self.flags)


@dataclass
class SourceReviews:
    """New unhappy reviews of one source: the most urgent ones, and how many more there were."""

    source: str
    kind: str
    total: int
    shown: list[ReviewItem]

    @property
    def more(self) -> int:
        """Reviews left out to keep a bad day readable."""
        return self.total - len(self.shown)


@dataclass(frozen=True)
class TemplateSummary:
    """What is known about one template reply (from the template table, or derived from reply rows)."""

    id: str
    kind: str  # "template" or "one_liner"
    size: int  # distinct recipients, all time
    reply_count: int
    skeleton: str
    representative: str
    unhappy_share: float | None = None


TemplatesProvider = Callable[[Session, int], Sequence[TemplateSummary]]


@dataclass(frozen=True)
class TemplateUse:
    """One template the company used in the period."""

    id: str
    kind: str
    skeleton: str
    replies: int  # replies with this template in the period
    unhappy_recipients: int  # of them, to unhappy reviewers
    size: int  # distinct recipients, all time


@dataclass(frozen=True)
class TemplateShare:
    """Replies to unhappy reviewers in a span of days, and how many of them were templates."""

    replies: int
    templated: int

    @property
    def share(self) -> float | None:
        """Templated share, or None when there were no replies."""
        return self.templated / self.replies if self.replies else None


@dataclass(frozen=True)
class TaskLine:
    """One open task in a list (overdue, follow-ups)."""

    task_id: int
    reviewer: str | None
    owner: str | None
    status: str
    priority_label: str
    due_at: datetime | None


@dataclass(frozen=True)
class FollowUpLine:
    """A follow-up promised to a reviewer that is due soon (or already missed) and not done."""

    task_id: int
    reviewer: str | None
    owner: str | None
    due_at: datetime
    note: str
    missed: bool


@dataclass
class QueueHealth:
    """The outreach queue of one company when the digest was built."""

    open: int = 0
    unclaimed: int = 0
    due_today: int = 0
    overdue: int = 0
    overdue_oldest: list[TaskLine] = field(default_factory=list)
    resolved: int = 0  # closed as resolved within the digest day
    no_response: int = 0  # closed as no response within the digest day
    median_first_contact: timedelta | None = None  # tasks first contacted in the last 30 days
    follow_ups: list[FollowUpLine] = field(default_factory=list)
    age_buckets: list[tuple[str, int]] = field(default_factory=list)


@dataclass(frozen=True)
class LoopItem:
    """A contacted reviewer whose review changed afterwards."""

    task_id: int
    reviewer: str | None
    owner: str | None
    rating_before: float | None
    rating_after: float | None
    text_changed: bool
    at: datetime
    url: str | None


@dataclass(frozen=True)
class Quote:
    """A short excerpt of a review that shows a theme."""

    text: str
    url: str | None


@dataclass(frozen=True)
class Theme:
    """A complaint term or phrase: how many unhappy reviews used it now and before."""

    term: str
    count: int  # reviews in the theme period
    baseline: int  # reviews in the weeks before
    growth: float | None  # smoothed rate ratio; None when there is nothing to compare with
    quotes: tuple[Quote, ...]
    fixed: bool = False


@dataclass(frozen=True)
class SourceProblem:
    """A source whose latest runs failed, and since when."""

    source: str
    health: str
    since: datetime
    runs: int  # consecutive failed runs
    message: str
    advice: str


@dataclass(frozen=True)
class DayPoint:
    """One day of the charts."""

    day: date
    unhappy: int
    replies: int
    templated: int


@dataclass
class CompanyDigest:
    """Everything one company's digest for one day says."""

    company: str
    company_id: int
    timezone: str
    day: date
    window_start: datetime
    window_end: datetime
    generated_at: datetime
    new_reviews: int = 0
    new_unhappy: int = 0
    urgent: int = 0
    sources: list[SourceReviews] = field(default_factory=list)
    templates: list[TemplateUse] = field(default_factory=list)
    template_share_day: TemplateShare = field(default_factory=lambda: TemplateShare(0, 0))
    template_share_7d: TemplateShare = field(default_factory=lambda: TemplateShare(0, 0))
    template_share_30d: TemplateShare = field(default_factory=lambda: TemplateShare(0, 0))
    queue: QueueHealth = field(default_factory=QueueHealth)
    loop: list[LoopItem] = field(default_factory=list)
    themes: list[Theme] = field(default_factory=list)
    # What themes were compared with: "weeks" (the 4 weeks before), "happy" (this week's other reviews, when
    # there are no earlier weeks yet, e.g. after a first crawl) or "none" (most frequent terms).
    themes_basis: str = "none"
    fixed_themes: list[Theme] = field(default_factory=list)
    problems: list[SourceProblem] = field(default_factory=list)
    daily: list[DayPoint] = field(default_factory=list)

    @property
    def quiet(self) -> bool:
        """Nothing happened that needs a reader."""
        return not (self.new_unhappy or self.queue.open or self.problems or self.loop or self.templates)


@dataclass
class Digest:
    """One day's digest for one or more companies."""

    day: date
    generated_at: datetime
    companies: list[CompanyDigest]


# ----- windows -----------------------------------------------------------------------------------------------


def day_window(day: date, timezone: str) -> tuple[datetime, datetime]:
    """The UTC start and end of local calendar `day` in `timezone`."""
    zone = ZoneInfo(timezone or "UTC")
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def _local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


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
    return _local_day(newest, ZoneInfo(company.timezone if company else "UTC"))


# ----- building ----------------------------------------------------------------------------------------------


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
    _new_reviews(session, digest, sources)
    _templates(session, digest, sources, templates_for or stored_templates)
    _queue(session, digest, company, now)
    _loop(session, digest)
    _themes(session, digest, sources, company)
    _problems(session, digest, sources, now)
    _daily_unhappy(session, digest, sources)
    return digest


def _source_ids(sources: Iterable[SourceRow]) -> list[int]:
    return [s.id for s in sources if s.id is not None]


def _flags(text: str) -> tuple[str, ...]:
    return tuple(f for f in text.split(",") if f)


def urgency_key(item: ReviewItem) -> tuple[int, int, float, datetime]:
    """Most urgent first: legal/abuse flags, then reach (helpful votes), then severity, then newest."""
    flagged = 2 if "legal" in item.flags else (1 if "abuse" in item.flags else 0)
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


def _new_reviews(session: Session, digest: CompanyDigest, sources: list[SourceRow]) -> None:
    ids = _source_ids(sources)
    in_window = (
        col(Review.source_id).in_(ids),
        col(Review.first_seen) >= digest.window_start,
        col(Review.first_seen) < digest.window_end,
    )
    digest.new_reviews = session.exec(select(func.count()).select_from(Review).where(*in_window)).one()
    rows = session.exec(
        select(Review, TaskReview.task_id, CompanyReply.template_id, CompanyReply.id)
        .outerjoin(TaskReview, col(TaskReview.review_id) == Review.id)
        .outerjoin(CompanyReply, col(CompanyReply.review_id) == Review.id)
        .where(*in_window, col(Review.unhappy).is_(True))
    ).all()
    names = {s.id: s for s in sources}
    by_source: dict[int, list[ReviewItem]] = defaultdict(list)
    for review, task_id, template, reply_id in rows:
        by_source[review.source_id].append(
            review_item(review, names[review.source_id].name, task_id, template, reply_id)
        )
    for source_id, items in by_source.items():
        items.sort(key=urgency_key)
        src = names[source_id]
        digest.sources.append(
            SourceReviews(source=src.name, kind=src.kind, total=len(items), shown=items[:MAX_REVIEWS_PER_SOURCE])
        )
    digest.sources.sort(key=lambda s: (-sum(i.urgent for i in s.shown), -s.total, s.source))
    digest.new_unhappy = sum(s.total for s in digest.sources)
    digest.urgent = sum(1 for s in digest.sources for i in s.shown if i.urgent)


# ----- templates ---------------------------------------------------------------------------------------------


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
    """Template facts from the template table, completed from the reply rows for ids it does not hold."""
    stored = [
        TemplateSummary(
            id=t.id,
            kind=t.kind,
            size=t.size,
            reply_count=t.reply_count,
            skeleton=t.skeleton,
            representative=t.representative,
            unhappy_share=t.unhappy_share,
        )
        for t in session.exec(select(ReplyTemplate).where(ReplyTemplate.company_id == company_id)).all()
    ]
    known = {t.id for t in stored}
    return stored + [t for t in templates_from_replies(session, company_id) if t.id not in known]


def _templates(
    session: Session, digest: CompanyDigest, sources: list[SourceRow], templates_for: TemplatesProvider
) -> None:
    since = digest.window_start - timedelta(days=CHART_DAYS)
    # A reply counts on the day the monitor first saw it, like the new reviews above: a digest reports what
    # appeared since the last one, including old replies found by a first crawl.
    when = CompanyReply.first_seen
    rows = session.exec(
        select(CompanyReply.template_id, CompanyReply.published_at, CompanyReply.first_seen, Review.unhappy)
        .join(Review, col(CompanyReply.review_id) == Review.id)
        .where(
            col(Review.source_id).in_(_source_ids(sources)),
            when >= since,
            when < digest.window_end,
        )
    ).all()
    zone = ZoneInfo(digest.timezone or "UTC")
    spans = {"day": [0, 0], "7d": [0, 0], "30d": [0, 0]}
    per_day: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    used: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for template_id, _published, first_seen, unhappy in rows:
        moment = first_seen
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        templated = template_id is not None
        if moment >= digest.window_start and template_id is not None:
            used[template_id][0] += 1
            used[template_id][1] += bool(unhappy)
        if not unhappy:
            continue
        per_day[_local_day(moment, zone)][0] += 1
        per_day[_local_day(moment, zone)][1] += templated
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
                )
            )
        uses.sort(key=lambda u: (-u.unhappy_recipients, -u.replies, -u.size, u.id))
        digest.templates = uses
    digest.daily = [
        DayPoint(day=d, unhappy=0, replies=per_day[d][0], templated=per_day[d][1]) for d in _chart_days(digest.day)
    ]


def _chart_days(day: date) -> list[date]:
    return [day - timedelta(days=offset) for offset in range(CHART_DAYS - 1, -1, -1)]


def _daily_unhappy(session: Session, digest: CompanyDigest, sources: list[SourceRow]) -> None:
    first_day = _chart_days(digest.day)[0]
    start, _ = day_window(first_day, digest.timezone)
    seen = session.exec(
        select(Review.first_seen).where(
            col(Review.source_id).in_(_source_ids(sources)),
            col(Review.unhappy).is_(True),
            col(Review.first_seen) >= start,
            col(Review.first_seen) < digest.window_end,
        )
    ).all()
    zone = ZoneInfo(digest.timezone or "UTC")
    counts = Counter(_local_day(moment, zone) for moment in seen)
    digest.daily = [
        DayPoint(day=p.day, unhappy=counts.get(p.day, 0), replies=p.replies, templated=p.templated)
        for p in digest.daily
    ]


# ----- the queue ---------------------------------------------------------------------------------------------

_AGE_BUCKETS = ((1, "< 1 day"), (3, "1-3 days"), (7, "3-7 days"), (30, "1-4 weeks"), (None, "> 4 weeks"))


def _queue(session: Session, digest: CompanyDigest, company: Company, now: datetime) -> None:
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


def _loop(session: Session, digest: CompanyDigest) -> None:
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


# ----- complaint themes --------------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]{2,}(?:['’][^\W\d_]+)*")
# Function words and review staples of the languages the product reads; they never make a theme.
_STOPWORD_TEXT = """
    a about after again all also am an and any app are as at be because been before being but by can can't
    could did didn't do does doesn't don't dont even every for from get got had has have having he her here
    him his how i i'm i've if im in into is isn't it it's its just me more most my no not now of off on once
    one only or other our out over own really same she should so some still such than that the their them
    then there these they this those through to too up us very was wasn't we were what when where which while
    who why will with won't would you your yours ive thats theres cant wont didnt doesnt isnt wasnt
    bad worst terrible horrible awful poor good great nice best ever never always please thanks thank
    company app service customer customers review star stars give time times today yesterday day days
    another ago take use used using going went make made want also already back
    said say says saying told tell telling asked ask asking tried try trying sent send sending called calling
    came come coming know knew need needed see saw seen let keep kept put able since until yet week weeks
    month months year years hour hours minutes someone something anything nothing everything last first next
    der die das und ist nicht ich es zu sie mit sich den ein eine auf für von dem im auch aber wie noch nur
    sehr wenn war man kann schon mir mich wir oder dass bei nach keine kein
    de la el en los las por con para una es muy pero lo del al se su le ya que y
    le les et est pas je des un une qui du pour avec ce il elle sur mais ne au aux
    um uma com os as no na muito mais do da mas foi eu não nao meu minha
    și si este nu să sa în pe cu un că ca mai foarte pentru am ai fost sunt din care sau dar
    ja on ei se en että mutta kun oli tämä ole olen myös niin jo kuin mitä vain
    ve bir bu çok için ile da ama gibi daha ben sen ne var yok değil mi en
    je to na sa som že ale aj by so mi ma ste sme nie len už ako čo keď pri pre
    """
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def _terms(text: str) -> set[str]:
    """Words and adjacent-word pairs of a review, lower-cased, stopwords left out."""
    words = [w.lower().replace("’", "'") for w in _WORD.findall(text)]
    kept = [w if w not in _STOPWORDS and len(w) > 2 else None for w in words]
    found = {w for w in kept if w}
    found.update(f"{a} {b}" for a, b in pairwise(kept) if a and b)
    return found


def _themes(session: Session, digest: CompanyDigest, sources: list[SourceRow], company: Company) -> None:
    period_start = digest.window_end - timedelta(days=THEME_PERIOD_DAYS)
    baseline_start = period_start - timedelta(days=THEME_BASELINE_DAYS)
    rows = session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types select() for up to four columns
            Review.unhappy, Review.title, Review.body, Review.url, Review.first_seen
        ).where(
            col(Review.source_id).in_(_source_ids(sources)),
            col(Review.unhappy).is_not(None),
            col(Review.first_seen) >= baseline_start,
            col(Review.first_seen) < digest.window_end,
        )
    ).all()
    # The company's own name is in every complaint about it: never a theme.
    own = {w.lower() for name in [company.name, *(s.name for s in sources)] for w in _WORD.findall(name)}
    period: Counter[str] = Counter()
    baseline: Counter[str] = Counter()
    happy: Counter[str] = Counter()
    period_docs = baseline_docs = happy_docs = 0
    texts: list[tuple[str, str | None, set[str]]] = []
    for unhappy, title, body, url, first_seen in rows:
        text = f"{title}. {body}" if title else body
        terms = {t for t in _terms(text) if not (set(t.split()) & own)}
        if not unhappy:
            if first_seen >= period_start:
                happy.update(terms)
                happy_docs += 1
        elif first_seen >= period_start:
            period.update(terms)
            period_docs += 1
            texts.append((text, url, terms))
        else:
            baseline.update(terms)
            baseline_docs += 1
    if baseline_docs:
        digest.themes_basis = "weeks"
    elif happy_docs:
        digest.themes_basis, baseline, baseline_docs = "happy", happy, happy_docs
    fixed = [str(t).lower() for t in (company.settings or {}).get("fixed_themes", []) if str(t).strip()]
    digest.themes = _rank_themes(period, baseline, period_docs, baseline_docs, texts, set(fixed))
    digest.fixed_themes = [
        Theme(
            term=term,
            count=period.get(term, 0),
            baseline=baseline.get(term, 0),
            growth=None,
            quotes=_quotes(term, texts),
            fixed=True,
        )
        for term in fixed
    ]


def _rank_themes(
    period: Counter[str],
    baseline: Counter[str],
    period_docs: int,
    baseline_docs: int,
    texts: list[tuple[str, str | None, set[str]]],
    fixed: set[str],
) -> list[Theme]:
    if period_docs == 0:
        return []
    min_count = max(2, math.ceil(period_docs * 0.01))
    scored: list[tuple[float, str, float | None]] = []
    for term, count in period.items():
        if count < min_count or term in fixed:
            continue
        if baseline_docs:
            # Additive smoothing keeps a term first seen this week from an infinite growth rate.
            now_rate = (count + 0.5) / (period_docs + 1)
            before_rate = (baseline.get(term, 0) + 0.5) / (baseline_docs + 1)
            growth = now_rate / before_rate
            if growth < 1.5:
                continue
            score = count * math.log(growth)
        else:
            growth = None
            score = float(count)
        if " " in term:
            score *= 1.5  # a phrase says more than either of its words
        scored.append((score, term, growth))
    scored.sort(key=lambda s: (-s[0], s[1]))
    chosen: list[tuple[str, float | None]] = []
    for _score, term, growth in scored:
        # A word inside a chosen phrase with about the same count adds nothing.
        if any(term in c.split() and period[term] <= period[c] * 1.3 for c, _ in chosen if " " in c):
            continue
        chosen.append((term, growth))
        if len(chosen) == MAX_THEMES:
            break
    return [
        Theme(term=t, count=period[t], baseline=baseline.get(t, 0), growth=g, quotes=_quotes(t, texts))
        for t, g in chosen
    ]


def _quotes(term: str, texts: list[tuple[str, str | None, set[str]]], limit: int = 2) -> tuple[Quote, ...]:
    found: list[Quote] = []
    first = term.split()[0]
    pattern = re.compile(re.escape(first), re.IGNORECASE)
    for text, url, terms in texts:
        if term not in terms:
            continue
        match = pattern.search(text)
        at = match.start() if match else 0
        begin = max(0, at - 60)
        snippet = " ".join(text[begin : at + 100].split())
        found.append(Quote(text=("…" if begin else "") + snippet + ("…" if at + 100 < len(text) else ""), url=url))
        if len(found) == limit:
            break
    return tuple(found)


# ----- source health -----------------------------------------------------------------------------------------


def _problems(session: Session, digest: CompanyDigest, sources: list[SourceRow], now: datetime) -> None:
    for src in sorted(sources, key=lambda s: s.name):
        if not src.enabled:
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
                message=runs[0].message,
                advice=advice(health),
            )
        )
