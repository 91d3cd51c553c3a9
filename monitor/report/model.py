"""What a report says, as plain data: figures per company and period, filled by the queries, read by the renderers.

Reviews belong to the period of their publication date (`Review.published_at`) in the company's time zone;
task figures belong to the period in which the task was opened, first contacted, breached or closed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from monitor.report.periods import By, Period

__all__ = [
    "LOOP_GROUPS",
    "MIN_TO_JUDGE",
    "OUTCOMES",
    "AgentFigures",
    "CompanyReport",
    "Figures",
    "Found",
    "LoopGroup",
    "Report",
    "TemplateFamily",
    "Theme",
    "figures_at",
]

# Below this many reviewers with a rating before and after, a group's rating changes are not judged.
MIN_TO_JUDGE = 10
# How an unhappy reviewer was answered, for the loop effect: personally (a public reply that is no template, or a
# private reply), with a template, or not at all.
LOOP_GROUPS = ("personal", "template", "unanswered")
OUTCOMES = ("resolved", "no_response", "not_actionable")


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole else None


@dataclass
class LoopGroup:
    """Rating changes of one group of unhappy reviewers: from the rating first seen to the rating now."""

    group: str
    reviewers: int = 0
    judged: int = 0  # with a rating when first seen and a rating now
    up: int = 0
    down: int = 0
    change_sum: float = 0.0  # on a 5-point scale

    @property
    def enough(self) -> bool:
        """Whether there are enough reviewers to say anything."""
        return self.judged >= MIN_TO_JUDGE

    @property
    def share_up(self) -> float | None:
        """The share of judged reviewers whose rating went up."""
        return _share(self.up, self.judged)

    @property
    def share_down(self) -> float | None:
        """The share of judged reviewers whose rating went down."""
        return _share(self.down, self.judged)

    @property
    def mean_change(self) -> float | None:
        """The mean rating change of the judged reviewers, in stars of a 5-point scale."""
        return _share(self.change_sum, self.judged)

    def add(self, other: LoopGroup) -> None:
        """Add another period's counts of the same group."""
        self.reviewers += other.reviewers
        self.judged += other.judged
        self.up += other.up
        self.down += other.down
        self.change_sum += other.change_sum


@dataclass(frozen=True)
class Theme:
    """A complaint theme of a period: how many of the complaints read mention it, now and the period before."""

    term: str
    mentions: int
    share: float  # of the complaints read in the period
    previous_share: float | None  # None: no complaints to compare with in the previous period

    @property
    def change(self) -> float | None:
        """The change of the share against the previous period, in percentage points."""
        return None if self.previous_share is None else (self.share - self.previous_share) * 100


@dataclass
class TemplateFamily:
    """A template (or a family of related templates) and how often it was sent in a period."""

    id: str
    skeleton: str = ""
    kind: str = "template"
    replies: int = 0
    to_unhappy: int = 0
    templates: int = 1  # templates in the family


@dataclass
class Figures:
    """The figures of one company for one period (or the whole range): reviews, replies, ratings, queue, loop."""

    reviews: int = 0
    unhappy_reviews: int = 0
    replied: int = 0  # unhappy reviews with any reply, public or private
    replied_personally: int = 0  # a public reply that is no template, or only a private reply
    replied_with_template: int = 0
    replied_privately: int = 0  # the only answer was a private one (its text is not public): counted as personal
    rating_sum: float = 0.0  # on a 5-point scale
    rating_count: int = 0
    rating_distribution: dict[int, int] = field(default_factory=lambda: dict.fromkeys(range(1, 6), 0))
    median_hours_to_reply: float | None = None
    timed_replies: int = 0  # replies to unhappy reviews with both publication times, behind the median
    tasks_opened: int = 0
    tasks_first_contacts: int = 0
    tasks_breached: int = 0  # first-contact deadline in the period, missed (contacted late or not yet)
    tasks_closed: int = 0
    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    loop: dict[str, LoopGroup] = field(default_factory=lambda: {g: LoopGroup(g) for g in LOOP_GROUPS})
    themes: list[Theme] = field(default_factory=list)
    themes_read: int = 0  # complaints whose text was read for themes (a sample when there are many)
    families: list[TemplateFamily] = field(default_factory=list)

    @property
    def unanswered(self) -> int:
        """Unhappy reviews with no reply at all."""
        return self.unhappy_reviews - self.replied

    @property
    def response_rate(self) -> float | None:
        """Replied unhappy reviews over unhappy reviews."""
        return _share(self.replied, self.unhappy_reviews)

    @property
    def template_share(self) -> float | None:
        """Template replies over public replies to unhappy reviewers (a private reply's text cannot be judged)."""
        return _share(self.replied_with_template, self.replied - self.replied_privately)

    @property
    def unhappy_share(self) -> float | None:
        """Unhappy reviews over reviews."""
        return _share(self.unhappy_reviews, self.reviews)

    @property
    def rating_average(self) -> float | None:
        """The mean rating on a 5-point scale."""
        return _share(self.rating_sum, self.rating_count)


# The figures the queries fill, by (company id, period key).
Found = dict[tuple[int, str], Figures]


def figures_at(found: Found, company: int, key: str) -> Figures:
    """The figures of one company and period, created empty on first use."""
    if (company, key) not in found:
        found[company, key] = Figures()
    return found[company, key]


@dataclass
class AgentFigures:
    """What one person did on one company's outreach queue in the report's range."""

    agent: str
    claimed: int = 0
    contacted: int = 0  # tasks on which they logged a contact (or waiting for the customer)
    first_contacts: int = 0  # tasks whose first contact they made
    median_hours_to_first_contact: float | None = None  # task opened to first contact, of their first contacts
    late_first_contacts: int = 0  # first contacts made after the task's first-contact deadline
    overdue_now: int = 0  # tasks they hold now whose first-contact deadline passed without a contact
    closed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))

    @property
    def deadline_breaches(self) -> int:
        """Late first contacts plus held tasks whose deadline passed without one."""
        return self.late_first_contacts + self.overdue_now


@dataclass
class CompanyReport:
    """One company's report: totals for the range, the period before, each period, undated reviews and agents."""

    company: str
    timezone: str
    total: Figures
    previous: Figures  # the span before the range, as long as it: what the range is compared with
    previous_period: Period
    periods: list[tuple[Period, Figures]] = field(default_factory=list)
    undated_reviews: int = 0  # no publication date: in no period, counted here
    undated_unhappy: int = 0
    agents: list[AgentFigures] = field(default_factory=list)


@dataclass
class Report:
    """Reports of one or more companies over one range of local days."""

    first_day: date
    last_day: date
    by: By | None
    generated_at: datetime
    companies: list[CompanyReport] = field(default_factory=list)
