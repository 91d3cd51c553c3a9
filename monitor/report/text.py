"""A report as terminal text: the answers first, then one line per period with text bars, themes, queue, agents."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.markup import escape as rich_escape

from monitor.core.text_safety import single_line, terminal_text
from monitor.report.model import LOOP_GROUPS, CompanyReport, Figures, LoopGroup, Report
from monitor.report.periods import Period

__all__ = ["BAR_WIDTH", "pct", "render_plain", "render_terminal", "text_bar", "top_theme"]

BAR_WIDTH = 20
_LOOP_NAMES = {"personal": "answered personally", "template": "answered with a template", "unanswered": "not answered"}
_BLOCKS = " ▏▎▍▌▋▊▉█"


def pct(value: float | None) -> str:
    """A share as a whole percentage, or a dash when there is nothing to divide by."""
    return "-" if value is None else f"{value:.0%}"


def _hours(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.1f} h" if value < 48 else f"{value / 24:.1f} days"


def _rating(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}/5"


def text_bar(value: float, largest: float, width: int = BAR_WIDTH) -> str:
    """A bar of block characters, `width` long for `largest`, with eighths for the remainder."""
    if largest <= 0 or value <= 0:
        return ""
    eighths = round(value / largest * width * 8)
    return "█" * (eighths // 8) + (_BLOCKS[eighths % 8] if eighths % 8 else "")


def _headline(f: Figures) -> list[str]:
    public = f.replied - f.replied_privately
    pasted = f"{f.replied_with_template:,} with a template ({pct(f.template_share)} of {public:,} public replies)"
    return [
        f"{f.reviews:,} reviews, {f.unhappy_reviews:,} from unhappy reviewers ({pct(f.unhappy_share)})",
        f"answered {f.replied:,} of {f.unhappy_reviews:,} unhappy reviewers ({pct(f.response_rate)}): "
        f"{f.replied_personally:,} personally (of them {f.replied_privately:,} only privately), {pasted}; "
        f"{f.unanswered:,} not answered",
        f"median time to a public reply: {_hours(f.median_hours_to_reply)} ({f.timed_replies:,} replies with both "
        f"times) · average rating {_rating(f.rating_average)}",
    ]


def _trend(c: CompanyReport) -> str:
    """How the range compares with the period before it, in the terms a manager asks about."""
    now, before = c.total, c.previous
    if not before.reviews:
        return f"no reviews published in the period before ({c.previous_period.label}) to compare with"

    def points(a: float | None, b: float | None) -> str:
        return "-" if a is None or b is None else f"{round((a - b) * 100):+d} points"

    return (
        f"against {c.previous_period.label}: response rate {pct(before.response_rate)} → {pct(now.response_rate)} "
        f"({points(now.response_rate, before.response_rate)}), template share {pct(before.template_share)} → "
        f"{pct(now.template_share)} ({points(now.template_share, before.template_share)}), unhappy share "
        f"{pct(before.unhappy_share)} → {pct(now.unhappy_share)}"
    )


def top_theme(f: Figures) -> str:
    """A period's most mentioned complaint theme: its share, and the change against the period before."""
    if not f.themes:
        return "-"
    theme = f.themes[0]
    change = "" if theme.change is None else f", {round(theme.change):+d}"
    return f"{theme.term} {pct(theme.share)}{change}"


def _period_lines(periods: Sequence[tuple[Period, Figures]], esc: Callable[[str], str]) -> list[str]:
    largest = max((f.reviews for _, f in periods), default=0)
    width = max((len(p.label) for p, _ in periods), default=7)
    lines = [
        f"  {'period':<{width}}  {'reviews (▒ unhappy)':<{BAR_WIDTH + 8}} {'unhappy':>7} {'answered':>8} "
        f"{'template':>8} {'median reply':>12} {'rating':>6}  top theme (points against the period before)"
    ]
    for period, f in periods:
        bar = text_bar(f.reviews, largest)
        shaded = round(len(bar) * (f.unhappy_share or 0.0))
        bar = "▒" * shaded + bar[shaded:]
        lines.append(
            f"  {period.label:<{width}}  {bar:<{BAR_WIDTH}} {f.reviews:>7,} {pct(f.unhappy_share):>7} "
            f"{pct(f.response_rate):>8} {pct(f.template_share):>8} {_hours(f.median_hours_to_reply):>12} "
            f"{'-' if f.rating_average is None else f'{f.rating_average:.2f}':>6}  {esc(top_theme(f))}"
        )
    return lines


def _share_bars(
    periods: Sequence[tuple[Period, Figures]], title: str, value: Callable[[Figures], float | None]
) -> list[str]:
    width = max((len(p.label) for p, _ in periods), default=7)
    lines = [f"  {title}"]
    for period, f in periods:
        share = value(f)
        lines.append(f"  {period.label:<{width}}  {text_bar(share or 0.0, 1.0):<{BAR_WIDTH}} {pct(share):>5}")
    return lines


def _loop_line(group: LoopGroup) -> str:
    name = _LOOP_NAMES[group.group]
    if not group.enough:
        return f"  {name}: {group.judged} with ratings before and after: too few to judge"
    return (
        f"  {name}: {group.judged:,} reviewers, {pct(group.share_up)} raised their rating, {pct(group.share_down)} "
        f"lowered it, mean change {group.mean_change or 0:+.2f} stars"
    )


def _company(report: Report, c: CompanyReport, esc: Callable[[str], str], bold: Callable[[str], str]) -> list[str]:
    f = c.total
    span = f"{report.first_day.isoformat()} to {report.last_day.isoformat()}"
    lines = [bold(f"== {esc(c.company)} · {span}, by publication date ({esc(c.timezone)}) ==")]
    lines += [f"  {line}" for line in _headline(f)]
    lines.append(f"  {_trend(c)}")
    if c.undated_reviews:
        lines.append(
            f"  not in any period: {c.undated_reviews:,} reviews without a publication date "
            f"({c.undated_unhappy:,} unhappy)"
        )
    if report.by is not None and len(c.periods) > 1:
        lines += ["", bold(f"By {report.by}"), *_period_lines(c.periods, esc)]
        lines += ["", *_share_bars(c.periods, "response rate (answered unhappy reviewers)", lambda x: x.response_rate)]
        lines += ["", *_share_bars(c.periods, "template share (of public replies to them)", lambda x: x.template_share)]
    lines += ["", bold("Did answering change ratings?") + " (rating when first seen → now, unhappy reviewers)"]
    lines += [_loop_line(f.loop[group]) for group in LOOP_GROUPS]
    lines += ["", bold("Complaint themes")]
    if not f.themes:
        lines.append("  none found" if f.themes_read else "  no complaints read")
    for theme in f.themes:
        change = "" if theme.change is None else f", {round(theme.change):+d} points against {c.previous_period.label}"
        lines.append(f"  {esc(theme.term)}: {pct(theme.share)} of complaints{change}")
    if f.themes:
        lines.append(f"  (from {f.themes_read:,} complaints read)")
    lines += ["", bold("Largest template families")]
    if not f.families:
        lines.append("  no template replies")
    for family in f.families[:5]:
        lines.append(
            f"  {esc(family.id)}{' (one-liner)' if family.kind == 'one_liner' else ''}: {family.replies:,} replies, "
            f"{family.to_unhappy:,} to unhappy reviewers"
            f"{'' if family.templates == 1 else f', {family.templates} templates'}"
        )
        if family.skeleton:
            lines.append(f"    “{esc(single_line(family.skeleton, 160))}”")
    lines += ["", bold("Outreach queue")]
    outcomes = " · ".join(f"{name.replace('_', ' ')} {n:,}" for name, n in f.outcomes.items())
    lines.append(
        f"  opened {f.tasks_opened:,} · first contacts {f.tasks_first_contacts:,} · deadlines missed "
        f"{f.tasks_breached:,} · closed {f.tasks_closed:,} ({outcomes})"
    )
    if c.agents:
        lines += ["", bold("Agents")]
        for a in c.agents:
            closed = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in a.closed.items() if n) or "none"
            lines.append(
                f"  {esc(a.agent)}: claimed {a.claimed}, contacted {a.contacted}, closed {closed}; first contact "
                f"after {_hours(a.median_hours_to_first_contact)} (median of {a.first_contacts}); "
                f"deadline breaches {a.deadline_breaches} ({a.late_first_contacts} late, {a.overdue_now} overdue now)"
            )
    return lines


def _render(report: Report, esc: Callable[[str], str], bold: Callable[[str], str]) -> str:
    lines: list[str] = []
    for company in report.companies:
        lines += [*_company(report, company, esc, bold), ""]
    if not report.companies:
        lines.append("no companies in the database")
    return "\n".join(lines)


def render_plain(report: Report) -> str:
    """The report as plain text."""
    # Every stored text here is a piece of one line: a newline in a company name would start a fake one.
    return _render(report, single_line, lambda s: s)


def render_terminal(report: Report) -> str:
    """Rich console markup: headings in bold, every stored text escaped so it prints as typed."""
    return _render(report, lambda s: rich_escape(terminal_text(single_line(s))), lambda s: f"[bold cyan]{s}[/]")
