"""A report as JSON-ready data (one object per company) and as CSV rows (one per company and period)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any, TextIO

from monitor.core.spreadsheet import safe_row
from monitor.core.text_safety import single_line
from monitor.report.model import LOOP_GROUPS, OUTCOMES, AgentFigures, CompanyReport, Figures, LoopGroup, Report
from monitor.report.periods import Period

__all__ = ["CSV_COLUMNS", "company_json", "figures_json", "report_json", "write_csv"]


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def _loop_json(group: LoopGroup) -> dict[str, Any]:
    return {
        "reviewers": group.reviewers,
        "judged": group.judged,
        "up": group.up,
        "down": group.down,
        "share_up": _round(group.share_up),
        "share_down": _round(group.share_down),
        "mean_change": _round(group.mean_change),
        "verdict": "enough to judge" if group.enough else "too few to judge",
    }


def figures_json(figures: Figures) -> dict[str, Any]:
    """The figures of one period (or of the whole range) under the report's key names."""
    return {
        "reviews": figures.reviews,
        "unhappy_reviews": figures.unhappy_reviews,
        "replied": figures.replied,
        "replied_personally": figures.replied_personally,
        "replied_with_template": figures.replied_with_template,
        "replied_privately": figures.replied_privately,
        "unanswered": figures.unanswered,
        "response_rate": _round(figures.response_rate),
        "template_share": _round(figures.template_share),
        "median_hours_to_reply": _round(figures.median_hours_to_reply, 2),
        "timed_replies": figures.timed_replies,
        "rating_average": _round(figures.rating_average, 3),
        "rating_distribution": {str(star): n for star, n in sorted(figures.rating_distribution.items())},
        "top_themes": [
            {
                "term": theme.term,
                "mentions": theme.mentions,
                "share": _round(theme.share),
                "previous_share": _round(theme.previous_share),
                "change_points": _round(theme.change, 2),
            }
            for theme in figures.themes
        ],
        "themes_read": figures.themes_read,
        "template_families": [
            {
                "id": family.id,
                "kind": family.kind,
                "replies": family.replies,
                "to_unhappy": family.to_unhappy,
                "templates": family.templates,
                "skeleton": family.skeleton,
            }
            for family in figures.families[:5]
        ],
        "tasks_opened": figures.tasks_opened,
        "tasks_first_contacts": figures.tasks_first_contacts,
        "tasks_breached": figures.tasks_breached,
        "tasks_closed": figures.tasks_closed,
        "task_outcomes": dict(figures.outcomes),
        "loop_effect": {group: _loop_json(figures.loop[group]) for group in LOOP_GROUPS},
    }


def _period_json(period: Period) -> dict[str, Any]:
    return {"period": period.label, "from": period.first_day.isoformat(), "to": period.last_day.isoformat()}


def _agent_json(agent: AgentFigures) -> dict[str, Any]:
    return {
        "agent": agent.agent,
        "claimed": agent.claimed,
        "contacted": agent.contacted,
        "first_contacts": agent.first_contacts,
        "median_hours_to_first_contact": _round(agent.median_hours_to_first_contact, 2),
        "closed": dict(agent.closed),
        "late_first_contacts": agent.late_first_contacts,
        "overdue_now": agent.overdue_now,
        "deadline_breaches": agent.deadline_breaches,
    }


def company_json(report: Report, company: CompanyReport) -> dict[str, Any]:
    """One company's report: totals for the range, the period before, periods (with --by), undated, agents."""
    data: dict[str, Any] = {
        "company": company.company,
        "timezone": company.timezone,
        "from": report.first_day.isoformat(),
        "to": report.last_day.isoformat(),
        "by": report.by,
        **figures_json(company.total),
        "undated_reviews": company.undated_reviews,
        "undated_unhappy_reviews": company.undated_unhappy,
        "previous_period": {**_period_json(company.previous_period), **figures_json(company.previous)},
        "agents": [_agent_json(agent) for agent in company.agents],
    }
    if report.by is not None:
        data["periods"] = [{**_period_json(period), **figures_json(figures)} for period, figures in company.periods]
    return data


def report_json(report: Report) -> list[dict[str, Any]]:
    """The whole report: a list with one object per company."""
    return [company_json(report, company) for company in report.companies]


CSV_COLUMNS = (
    "company",
    "period",
    "from",
    "to",
    "reviews",
    "unhappy_reviews",
    "replied",
    "replied_personally",
    "replied_with_template",
    "replied_privately",
    "unanswered",
    "response_rate",
    "template_share",
    "median_hours_to_reply",
    "rating_average",
    *(f"rating_{star}" for star in range(1, 6)),
    "tasks_opened",
    "tasks_first_contacts",
    "tasks_breached",
    "tasks_closed",
    *(f"outcome_{name}" for name in OUTCOMES),
    *(f"loop_{group}_{what}" for group in LOOP_GROUPS for what in ("judged", "up", "down", "mean_change")),
    "top_themes",
    "largest_template",
    "undated_reviews",
)


def _csv_row(company: CompanyReport, period: Period, figures: Figures) -> list[object]:
    loops: list[object] = []
    for group in LOOP_GROUPS:
        loop = figures.loop[group]
        loops += [loop.judged, loop.up, loop.down, _round(loop.mean_change)]
    largest = figures.families[0] if figures.families else None
    return [
        company.company,
        period.label,
        period.first_day.isoformat(),
        period.last_day.isoformat(),
        figures.reviews,
        figures.unhappy_reviews,
        figures.replied,
        figures.replied_personally,
        figures.replied_with_template,
        figures.replied_privately,
        figures.unanswered,
        _round(figures.response_rate),
        _round(figures.template_share),
        _round(figures.median_hours_to_reply, 2),
        _round(figures.rating_average, 3),
        *(figures.rating_distribution.get(star, 0) for star in range(1, 6)),
        figures.tasks_opened,
        figures.tasks_first_contacts,
        figures.tasks_breached,
        figures.tasks_closed,
        *(figures.outcomes.get(name, 0) for name in OUTCOMES),
        *loops,
        "; ".join(theme.term for theme in figures.themes),
        f"{largest.skeleton or largest.id} ({largest.replies} replies)" if largest else "",
        company.undated_reviews,
    ]


def _rows(report: Report) -> Iterator[list[object]]:
    for company in report.companies:
        for period, figures in company.periods:
            yield _csv_row(company, period, figures)


def write_csv(report: Report, stream: TextIO) -> int:
    """Write the header and one row per company and period; every text cell printable and formula-safe."""
    writer = csv.writer(stream)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for row in _rows(report):
        cells = [single_line(c) if isinstance(c, str) else ("" if c is None else c) for c in row]
        writer.writerow(safe_row(cells))
        count += 1
    return count
