"""A report as one HTML page, in the digest's look: its Jinja environment, layout and macros, this package's pages.

The report sits below the digest, so the caller hands in the digest's environment
(`monitor.digest.render.template_environment()`); the report's own templates in `monitor/report/templates/`
are found first, the layout (`base.html.j2`) and macros (`macros.html.j2`) come from the digest's. Every `{{ … }}`
goes through that environment's finalize step, which makes stored text printable and escapes it; the charts are
SVG built from escaped parts.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import ChoiceLoader, Environment, PackageLoader
from markupsafe import Markup

from monitor.report.model import LOOP_GROUPS, CompanyReport, Report
from monitor.report.svg import Series, bar_chart, line_chart
from monitor.report.text import pct, top_theme

__all__ = ["render_html", "report_environment", "title"]

_RED, _GREY, _BLUE, _AMBER, _GREEN = "#c0392b", "#bbbbbb", "#2c7fb8", "#d68910", "#1e8449"
_LOOP_NAMES = {"personal": "Answered personally", "template": "Answered with a template", "unanswered": "Not answered"}


def title(report: Report) -> str:
    """The page title: which companies, which days."""
    names = ", ".join(c.company for c in report.companies) or "no companies"
    return f"Review report {report.first_day.isoformat()} to {report.last_day.isoformat()} · {names}"


def _hours(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.1f} h" if value < 48 else f"{value / 24:.1f} days"


def _number(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _signed(value: float | None, digits: int = 0, unit: str = "") -> str:
    if value is None:
        return "-"
    shown = f"{value:+.{digits}f}"
    # Rounding can leave "-0": a change too small to show is no change.
    return f"{'+' + shown[1:] if float(shown) == 0 else shown}{unit}"


def _labels(c: CompanyReport) -> list[str]:
    return [period.label for period, _ in c.periods]


def _volume_chart(c: CompanyReport) -> Markup:
    figures = [f for _, f in c.periods]
    return bar_chart(
        "Reviews per period by publication date, unhappy ones in red",
        _labels(c),
        [
            Series("unhappy", _RED, [f.unhappy_reviews for f in figures]),
            Series("other", _GREY, [f.reviews - f.unhappy_reviews for f in figures]),
        ],
    )


def _shares_chart(c: CompanyReport) -> Markup:
    figures = [f for _, f in c.periods]
    return line_chart(
        "Response rate, template share and unhappy share per period",
        _labels(c),
        [
            Series("response rate", _BLUE, [f.response_rate for f in figures]),
            Series("template share", _AMBER, [f.template_share for f in figures]),
            Series("unhappy share", _RED, [f.unhappy_share for f in figures]),
        ],
        fmt="pct",
        top=1.0,
    )


def _rating_chart(c: CompanyReport) -> Markup:
    return line_chart(
        "Average rating per period (5-point scale)",
        _labels(c),
        [Series("average rating", _GREEN, [f.rating_average for _, f in c.periods])],
        fmt="rating",
        top=5.0,
    )


_HELPERS: dict[str, Any] = {
    "pct": pct,
    "top_theme": top_theme,
    "hours": _hours,
    "number": _number,
    "signed": _signed,
    "volume_chart": _volume_chart,
    "shares_chart": _shares_chart,
    "rating_chart": _rating_chart,
    "LOOP_GROUPS": LOOP_GROUPS,
    "LOOP_NAMES": _LOOP_NAMES,
}


@cache
def report_environment(base: Environment) -> Environment:
    """An overlay of `base` that finds this package's templates first and knows the report's helpers."""
    loader = ChoiceLoader([PackageLoader("monitor.report", "templates"), *([base.loader] if base.loader else [])])
    # A fresh cache: templates compiled for the base environment must not be reused with other globals.
    overlay = base.overlay(loader=loader, cache_size=50)
    # New dictionaries: an overlay shares its parent's, and the digest's environment must stay as it is.
    overlay.globals = {**base.globals, **_HELPERS}
    return overlay


def render_html(report: Report, base: Environment) -> str:
    """The complete HTML page of the report, rendered in an overlay of the digest's environment `base`."""
    page = report_environment(base).get_template("report.html.j2")
    return page.render(report=report, title=title(report))
