"""What a company's daily digest says, as plain data: the view model that the queries fill and the renderers read.

The digest covers one local calendar day of the company (its time zone): reviews first seen that day are
"new". Queue figures are the queue's state when the digest is built. Nothing here queries or formats.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session

from monitor.report.model import AgentFigures, LoopGroup

__all__ = [
    "MAX_MONTH_ROWS",
    "Backfill",
    "BackfillMonth",
    "BackfillPeriod",
    "CompanyDigest",
    "DayPoint",
    "Digest",
    "FamilyUse",
    "FollowUpLine",
    "LoopItem",
    "QueueHealth",
    "Quote",
    "ResponseRate",
    "ReviewItem",
    "SourceProblem",
    "SourceReviews",
    "TaskLine",
    "TemplateShare",
    "TemplateSummary",
    "TemplateUse",
    "TemplatesProvider",
    "Theme",
]

_URGENT_FLAGS = ("legal", "regulator", "fraud", "abuse")


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
        """A legal threat, a complaint to a regulator, a fraud report or abuse: someone should look today."""
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
    family_id: str | None = None  # the family of reworded variants it belongs to
    family_name: str = ""
    family_skeleton: str = ""
    family_size: int = 0  # replies in the family's templates, all time
    family_share: float | None = None  # of the company's replies, all time


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
    family_id: str | None = None


@dataclass(frozen=True)
class FamilyUse:
    """One canned message the company used in the period, with the template variants it was sent in."""

    id: str
    name: str  # its most distinctive shared sentence
    skeleton: str  # the text its variants share, the rest as {…}
    replies: int  # replies with any of its variants in the period
    unhappy_recipients: int  # of them, to unhappy reviewers
    size: int  # replies in the family, all time (a template on its own: its distinct recipients)
    share: float | None  # of the company's replies, all time
    variants: tuple[TemplateUse, ...]  # used in the period, most used first
    grouped: bool = True  # False for a template shown on its own, without family facts

    @property
    def kind(self) -> str:
        """ "one_liner" when every variant used is one, else "template"."""
        return "one_liner" if all(v.kind == "one_liner" for v in self.variants) else "template"

    @classmethod
    def alone(cls, use: TemplateUse) -> FamilyUse:
        """A template used on its own (no family known)."""
        return cls(use.id, "", use.skeleton, use.replies, use.unhappy_recipients, use.size, None, (use,), False)


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


@dataclass(frozen=True)
class ResponseRate:
    """How many unhappy reviewers published in a span of days got an answer (by publication date)."""

    first_day: date
    last_day: date
    unhappy: int
    replied: int
    personally: int  # a public reply that is no template, or a private one
    with_template: int

    @property
    def share(self) -> float | None:
        """Replied over unhappy; None when there were no unhappy reviewers."""
        return self.replied / self.unhappy if self.unhappy else None


@dataclass(frozen=True)
class BackfillMonth:
    """Reviews of one publication month that arrived in a backfill."""

    month: date  # its first day
    reviews: int
    unhappy: int
    answered: int  # unhappy reviews with any reply, public or private


# More months of history than this are shown by year: an imported history of ten years would be 120 lines.
MAX_MONTH_ROWS = 24


@dataclass
class Backfill:
    """Most of the day's new reviews were published long before: history arriving (an import, a first crawl)."""

    reviews: int  # first seen on the day, published before `older_than`
    unhappy: int
    answered: int
    older_than: datetime
    months: list[BackfillMonth] = field(default_factory=list)

    @property
    def by_year(self) -> bool:
        """Whether the history is shown by year: it spans more months than a reader scans (a long import)."""
        return len(self.months) > MAX_MONTH_ROWS

    def periods(self) -> list[BackfillPeriod]:
        """The rows a digest shows: one per publication month, or per year when there are too many months."""
        if not self.by_year:
            return [BackfillPeriod(f"{m.month:%b %Y}", m.reviews, m.unhappy, m.answered) for m in self.months]
        years: dict[int, list[int]] = {}
        for m in self.months:
            counts = years.setdefault(m.month.year, [0, 0, 0])
            counts[0] += m.reviews
            counts[1] += m.unhappy
            counts[2] += m.answered
        return [BackfillPeriod(str(year), *counts) for year, counts in sorted(years.items())]


@dataclass(frozen=True, slots=True)
class BackfillPeriod:
    """One row of a backfill's summary: a month ("Mar 2025") or a year ("2019") and its reviews."""

    label: str
    reviews: int
    unhappy: int
    answered: int  # unhappy reviews with any reply, public or private


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
    # The templates above grouped into families of reworded variants, most used first (see `families_used`).
    template_families: list[FamilyUse] = field(default_factory=list)
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
    response: ResponseRate | None = None  # the header's "answered X of Y unhappy reviewers"
    backfill: Backfill | None = None  # set when the day's news is mostly old reviews arriving
    # The loop effect over the response span: rating changes of unhappy reviewers by how they were answered.
    loop_effect: list[LoopGroup] = field(default_factory=list)
    agents: list[AgentFigures] = field(default_factory=list)  # each person's work on the queue in the span
    twins_merged: int = 0  # reviews read through a second source of the same store, counted once

    @property
    def families_used(self) -> list[FamilyUse]:
        """The families used in the period; each template on its own when no families were filled in."""
        return self.template_families or [FamilyUse.alone(use) for use in self.templates]

    @property
    def quiet(self) -> bool:
        """Nothing happened that needs a reader."""
        return not (
            self.new_unhappy or self.queue.open or self.problems or self.loop or self.templates or self.backfill
        )


@dataclass
class Digest:
    """One day's digest for one or more companies."""

    day: date
    generated_at: datetime
    companies: list[CompanyDigest]
