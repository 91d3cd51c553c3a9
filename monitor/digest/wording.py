"""The sentences of the digest's figures beyond the day, shared by the HTML, text and terminal renderings.

They hold numbers, dates and fixed words only (agent names are the one stranger text, escaped by each renderer).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from monitor.digest.model import Backfill, BackfillPeriod, CompanyDigest, ResponseRate
from monitor.report.model import MIN_TO_JUDGE, AgentFigures, LoopGroup

__all__ = [
    "agent_summary",
    "backfill_note",
    "day_label",
    "headline",
    "loop_effect_line",
    "period_line",
    "response_line",
]

_GROUP_NAMES = {"personal": "answered personally", "template": "answered with a template", "unanswered": "not answered"}


def day_label(day: date, this_year: int | None = None) -> str:
    """`3 Mar`, or `3 Mar 2025` when the day is not in `this_year`."""
    return f"{day.day} {day:%b}" if day.year == this_year else f"{day.day} {day:%b %Y}"


def headline(c: CompanyDigest) -> str:
    """The day in counts: reviews first seen, and of them the news (a backfill's history is told apart)."""
    news = f"{c.new_unhappy:,} from unhappy reviewers, {c.urgent:,} urgent"
    if c.backfill is None:
        return f"{c.new_reviews:,} new reviews, {news}"
    fresh = c.new_reviews - c.backfill.reviews
    return (
        f"{c.new_reviews:,} reviews first seen, {c.backfill.reviews:,} of them history (see below); "
        f"of the other {fresh:,}: {news}"
    )


def response_line(rate: ResponseRate, this_year: int | None = None) -> str:
    """`Answered 0 of 1,369 unhappy reviewers published 3 Dec 2025 – 2 Dec (…)`: the key fact first."""
    span = f"{day_label(rate.first_day, this_year)} – {day_label(rate.last_day, this_year)}"
    if not rate.unhappy:
        return f"No unhappy reviewers published {span}"
    if not rate.replied:
        return f"Answered 0 of {rate.unhappy:,} unhappy reviewers published {span}: none of them got a reply"
    detail = f"{rate.personally:,} personally, {rate.with_template:,} with a template"
    share = f"{rate.share:.0%}" if rate.share is not None else "-"
    return f"Answered {rate.replied:,} of {rate.unhappy:,} unhappy reviewers published {span} ({share}; {detail})"


def backfill_note(backfill: Backfill, new_reviews: int, this_year: int) -> str:
    """What a backfill day is, in one sentence."""
    cutoff = day_label(backfill.older_than.date(), this_year)
    unit = "year" if backfill.by_year else "month"
    return (
        f"{backfill.reviews:,} of the {new_reviews:,} reviews first seen this day were published "
        f"before {cutoff}: history arriving (an import or a first crawl), summarised by publication {unit} below "
        f"instead of listed as news. {backfill.unhappy:,} of them are from unhappy reviewers, "
        f"{backfill.answered:,} of whom were answered."
    )


def period_line(period: BackfillPeriod) -> str:
    """`Mar 2025: 120 reviews, 40 unhappy, 3 answered` (or `2019: ...` for a year)."""
    reviews = f"{period.reviews:,} review{'s' if period.reviews != 1 else ''}"
    return f"{period.label}: {reviews}, {period.unhappy:,} unhappy, {period.answered:,} answered"


def _group(group: LoopGroup) -> str:
    name = _GROUP_NAMES.get(group.group, group.group)
    if not group.reviewers:
        return f"{name}: none"
    if not group.enough:
        return f"{name}: too few to judge ({group.judged} of {group.reviewers:,} with a rating change to read)"
    up, down, mean = group.share_up or 0.0, group.share_down or 0.0, group.mean_change or 0.0
    return (
        f"{name}: {group.up:,} of {group.judged:,} raised their rating ({up:.0%}), {group.down:,} lowered it "
        f"({down:.0%}), mean {mean:+.2f} stars"
    )


def loop_effect_line(groups: Sequence[LoopGroup]) -> str:
    """Rating changes of unhappy reviewers by how they were answered, or why nothing can be said yet."""
    if not groups or not any(g.reviewers for g in groups):
        return "Loop effect: no unhappy reviewers in the span"
    note = f" (judged from {MIN_TO_JUDGE} reviewers up)"
    return "Loop effect" + note + ": " + "; ".join(_group(g) for g in groups)


def agent_summary(agent: AgentFigures) -> str:
    """One agent's work in figures (the name is left to the renderer, which escapes it)."""
    closed = sum(agent.closed.values())
    outcomes = ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in agent.closed.items() if count)
    median = agent.median_hours_to_first_contact
    speed = "no first contacts" if median is None else f"median first contact {median:.1f} h"
    breaches = agent.deadline_breaches
    return (
        f"claimed {agent.claimed}, contacted {agent.contacted}, closed {closed}"
        f"{f' ({outcomes})' if outcomes else ''}, {speed}, "
        f"{breaches} deadline breach{'es' if breaches != 1 else ''}"
    )
