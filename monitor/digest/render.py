"""The digest as an HTML e-mail, as plain text and as terminal text; every piece of review text is escaped.

The HTML comes from the Jinja templates in `monitor/digest/templates/`; the text renderings are built here.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup
from rich.markup import escape as rich_escape

from monitor.core.text_safety import printable, safe_url, single_line, terminal_text
from monitor.digest.charts import html_column_chart, html_row_chart, sparkline, text_bars
from monitor.digest.model import CompanyDigest, DayPoint, Digest, FamilyUse, ReviewItem, TemplateShare, Theme
from monitor.digest.wording import (
    agent_summary,
    backfill_note,
    day_label,
    headline,
    loop_effect_line,
    period_line,
    response_line,
)

__all__ = ["render_html", "render_terminal", "render_text", "subject", "template_environment"]

SKELETONS_SHOWN = 3
BODY_SHOWN = 320
TEMPLATES_LISTED = 8


def subject(digest: Digest) -> str:
    """The e-mail subject, one printable line: the day and what needs attention first."""
    # Company names come from the configuration or `import --company`: a newline in one would end the header.
    names = ", ".join(single_line(c.company, 60) for c in digest.companies) or "no companies"
    unhappy = sum(c.new_unhappy for c in digest.companies)
    urgent = sum(c.urgent for c in digest.companies)
    overdue = sum(c.queue.overdue for c in digest.companies)
    parts = [f"{unhappy} new unhappy review{'s' if unhappy != 1 else ''}"]
    if urgent:
        parts.append(f"{urgent} urgent")
    if overdue:
        parts.append(f"{overdue} overdue")
    history = sum(c.backfill.reviews for c in digest.companies if c.backfill)
    if history:
        parts.append(f"{history:,} older reviews arrived")
    broken = sum(len(c.problems) for c in digest.companies)
    if broken:
        parts.append(f"{broken} source{'s' if broken != 1 else ''} failing")
    return single_line(f"Review digest {digest.day:%a %d %b %Y} · {names}: {', '.join(parts)}")


def _one_line(text: str | None, limit: int) -> str:
    return single_line(text or "", limit)


def _rating(item: ReviewItem) -> str:
    if item.rating is None:
        return "no rating"
    return f"{item.rating:g}/{item.rating_scale or 5}"


def _local(moment: datetime | None, timezone: str, this_year: int | None = None) -> str:
    """`03 Mar 14:05` in the zone; the year is added whenever it is not `this_year` (the digest's)."""
    if moment is None:
        return "-"
    local = moment.astimezone(ZoneInfo(timezone or "UTC"))
    return local.strftime("%d %b %H:%M" if local.year == this_year else "%d %b %Y %H:%M")


def _pct(share: TemplateShare) -> str:
    value = share.share
    return "no replies" if value is None else f"{value:.0%} of {share.replies}"


def _family_title(family: FamilyUse) -> str:
    """A family by its most distinctive sentence; a template on its own by the start of its canned text."""
    if family.name:
        return f"“{_one_line(family.name, 90)}”"
    if family.skeleton:
        return f"“{_one_line(family.skeleton, 90)}”"
    return f"template {family.id} (text not stored)"


def _skeleton_label(family: FamilyUse) -> str:
    """What introduces a canned text: the family's name, or that it is a template of its own, and its reach."""
    if family.name:
        return f"Family {_family_title(family)}, {_family_total(family)}"
    return f"A template on its own, {_family_total(family)}"


def _family_total(family: FamilyUse) -> str:
    if not family.grouped:
        return f"{family.size} recipients all-time"
    share = f", {family.share:.0%} of all replies" if family.share else ""
    return f"{family.size} replies all-time{share}"


def _variants(family: FamilyUse, shown: int = 6) -> str:
    """The template variants a family was sent in this period, most used first ("" for a single one)."""
    if len(family.variants) < 2:
        return ""
    listed = ", ".join(f"{v.id} ({v.replies})" for v in family.variants[:shown])
    return f"{len(family.variants)} variants: {listed}" + (" …" if len(family.variants) > shown else "")


def _duration(value: timedelta | None) -> str:
    if value is None:
        return "no first contacts in the last 30 days"
    hours = value.total_seconds() / 3600
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"


def _rating_change(before: float | None, after: float | None) -> str:
    def show(v: float | None) -> str:
        return "?" if v is None else f"{v:g}"

    return f"{show(before)} → {show(after)}"


def _growth(theme: Theme, basis: str) -> str:
    if basis == "weeks":
        return f"{theme.count} reviews this week, {theme.baseline} in the 4 weeks before (×{theme.growth or 0:.1f})"
    if basis == "happy":
        return f"{theme.count} complaints (in {theme.baseline} other reviews)"
    return f"{theme.count} complaints"


_BASIS_NOTE = {
    "weeks": "Terms used more often in this week's complaints than in the 4 weeks before.",
    "happy": (
        "No earlier weeks to compare with yet: terms that set this week's complaints apart from the other "
        "reviews of the same week."
    ),
    "none": "The most frequent terms in this week's complaints.",
}


def _html_text(value: object) -> Markup:
    """What every `{{ … }}` of a template prints: stranger text made printable, then escaped."""
    if isinstance(value, Markup):
        return value  # already HTML: a macro's output, or a chart built from escaped parts
    # Autoescaping alone would keep control characters and unclosed bidi overrides, so the text is cleaned
    # first. It is then escaped here, with html.escape as the charts do (quotes become &quot;), and returned
    # as Markup so that autoescaping, which stays on for everything else, does not escape it twice.
    return Markup(html.escape(printable("" if value is None else str(value)), quote=True))


def _unhappy_per_day(daily: Sequence[DayPoint], this_year: int) -> list[tuple[str, float | None]]:
    return [(day_label(p.day, this_year), float(p.unhappy)) for p in daily]


def _template_share_per_day(daily: Sequence[DayPoint], this_year: int) -> list[tuple[str, float | None]]:
    return [(day_label(p.day, this_year), (p.templated / p.replies) if p.replies else None) for p in daily]


@cache
def template_environment() -> Environment:
    """The Jinja environment of the HTML templates, with the digest's wording helpers as filters and globals."""
    env = Environment(
        loader=PackageLoader("monitor.digest", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=_html_text,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        one_line=_one_line, rating=_rating, local=_local, pct=_pct, duration=_duration, safe_url=safe_url
    )
    env.filters.update(
        family_title=_family_title, family_total=_family_total, variants=_variants, skeleton_label=_skeleton_label
    )
    env.globals.update(
        column_chart=html_column_chart,
        row_chart=html_row_chart,
        unhappy_per_day=_unhappy_per_day,
        template_share_per_day=_template_share_per_day,
        rating_change=_rating_change,
        response_line=response_line,
        headline=headline,
        backfill_note=backfill_note,
        period_line=period_line,
        loop_effect_line=loop_effect_line,
        agent_summary=agent_summary,
        growth=_growth,
        basis_note=_BASIS_NOTE,
        BODY_SHOWN=BODY_SHOWN,
        SKELETONS_SHOWN=SKELETONS_SHOWN,
        TEMPLATES_LISTED=TEMPLATES_LISTED,
    )
    return env


def render_html(digest: Digest) -> str:
    """A complete HTML document: inline styles, at most 640px wide, no images, no scripts."""
    page = template_environment().get_template("digest.html.j2")
    return page.render(digest=digest, subject=subject(digest))


def _text_company(c: CompanyDigest, esc: Callable[[str], str], bold: Callable[[str], str]) -> list[str]:
    tz = c.timezone
    lines = [
        bold(f"== {esc(c.company)} · {c.day:%a %d %b %Y} ({esc(tz)}) =="),
        headline(c),
    ]
    year = c.day.year
    if c.response is not None:
        lines.append(bold(response_line(c.response, year)))
    if c.backfill is not None:
        lines += ["", bold("History arriving"), f"  {backfill_note(c.backfill, c.new_reviews, year)}"]
        lines += [f"  {period_line(period)}" for period in c.backfill.periods()]
    if c.problems:
        lines += ["", bold("Sources not working")]
        for p in c.problems:
            lines.append(
                f"  {esc(p.source)}: {p.health.replace('_', ' ')} since {_local(p.since, tz, year)} "
                f"({p.runs} runs). {esc(_one_line(p.message, 160))}"
            )
            lines.append(f"    {esc(p.advice)}")
    lines += ["", bold("New unhappy reviews")]
    if not c.sources:
        lines.append("  none this day")
    for src in c.sources:
        lines.append(f"  {esc(src.source)}: {src.total} new")
        for item in src.shown:
            marks = " ".join(f"[{f.upper()}]" for f in item.flags if f in ("legal", "regulator", "fraud", "abuse"))
            reach = f" {item.helpful_votes} found helpful" if item.helpful_votes else ""
            lines.append(
                f"  - {esc(marks) + ' ' if marks else ''}{_rating(item)} {esc(_one_line(item.author, 40))}{reach}"
                f"{' (template reply)' if item.template_reply else ''}"
            )
            text = f"{item.title}: {item.body}" if item.title else item.body
            lines.append(f"    {esc(_one_line(text, 200))}")
            url = safe_url(item.url)
            lines.append(f"    {esc(url) if url else 'no link'} · {item.task_note}")
        if src.more:
            lines.append(f"  and {src.more} more: monitor reviews --unhappy --source {esc(src.source)}")
    lines.append(f"  last 30 days: {sparkline([p.unhappy for p in c.daily])} (unhappy reviews per day)")
    lines += ["", bold("Template replies")]
    lines.append(
        f"  share of replies to unhappy reviewers: {_pct(c.template_share_day)} this day, "
        f"{_pct(c.template_share_7d)} the 7 days before, {_pct(c.template_share_30d)} the 30 days before"
    )
    for family in c.families_used[:TEMPLATES_LISTED]:
        lines.append(
            f"  {esc(_family_title(family))} ({family.kind.replace('_', '-')}): {family.replies} replies, "
            f"{family.unhappy_recipients} to unhappy reviewers, {_family_total(family)}"
        )
        if variants := _variants(family):
            lines.append(f"    {esc(variants)}")
    if len(c.families_used) > TEMPLATES_LISTED:
        lines.append(f"  and {len(c.families_used) - TEMPLATES_LISTED} more canned messages")
    for family in sorted(c.families_used, key=lambda f: -f.size)[:SKELETONS_SHOWN]:
        if family.skeleton:
            lines.append(f"  {esc(_skeleton_label(family))}:")
            lines.append(f"    “{esc(_one_line(family.skeleton, 240))}”")
    shares = [p.templated / p.replies if p.replies else None for p in c.daily]
    if any(v is not None for v in shares):
        lines.append(f"  last 30 days: {sparkline(shares)} (template share)")
    q = c.queue
    lines += ["", bold("Outreach queue")]
    lines.append(
        f"  open {q.open} · unclaimed {q.unclaimed} · due today {q.due_today} · overdue {q.overdue} · "
        f"resolved {q.resolved} · no response {q.no_response}"
    )
    lines.append(f"  median time to first contact: {_duration(q.median_first_contact)}")
    for f in q.follow_ups:
        lines.append(
            f"  {'MISSED ' if f.missed else ''}follow-up task #{f.task_id} due {_local(f.due_at, tz, year)} "
            f"({esc(f.owner or 'nobody')}) {esc(_one_line(f.note, 80))}"
        )
    for t in q.overdue_oldest:
        lines.append(
            f"  overdue task #{t.task_id} since {_local(t.due_at, tz, year)} · {t.status} · {esc(t.owner or 'nobody')}"
        )
    if q.overdue > len(q.overdue_oldest):
        lines.append(f"  and {q.overdue - len(q.overdue_oldest)} more overdue: monitor tasks list --overdue")
    if q.open:
        lines += ["  " + line for line in text_bars(q.age_buckets, width=24)]
    lines += ["", bold("Closing the loop"), f"  {loop_effect_line(c.loop_effect)}"]
    if c.loop:
        for change in c.loop:
            edited = ", text edited" if change.text_changed else ""
            lines.append(
                f"  task #{change.task_id} {esc(_one_line(change.reviewer, 40))}: rating "
                f"{_rating_change(change.rating_before, change.rating_after)}{edited}"
            )
    if c.agents:
        lines += ["", bold("Agents")]
        lines += [f"  {esc(_one_line(a.agent, 40))}: {agent_summary(a)}" for a in c.agents]
    if c.themes or c.fixed_themes:
        lines += ["", bold("Complaint themes"), f"  {_BASIS_NOTE[c.themes_basis]}"]
        for theme in c.themes:
            lines.append(f"  {esc(theme.term)}: {_growth(theme, c.themes_basis)}")
            lines.extend(f"    “{esc(_one_line(q.text, 160))}”" for q in theme.quotes[:1])
        for theme in c.fixed_themes:
            lines.append(f"  {esc(theme.term)}: fixed — thank-you follow-ups due")
    return lines


def _plain(text: str) -> str:
    # Every stored text in the text renderings is a piece of one line: a newline in a name would start a fake one.
    return single_line(text)


def _terminal(text: str) -> str:
    return rich_escape(terminal_text(single_line(text)))


def render_text(digest: Digest) -> str:
    """The plain-text alternative of the e-mail."""
    lines = [subject(digest), ""]
    for c in digest.companies:
        lines += [*_text_company(c, _plain, _plain), ""]
    return "\n".join(lines)


def render_terminal(digest: Digest) -> str:
    """Rich console markup: headings in bold, every stored text escaped so it prints as typed."""
    lines = [f"[bold]{_terminal(subject(digest))}[/]", ""]
    for c in digest.companies:
        lines += [*_text_company(c, _terminal, lambda s: f"[bold cyan]{s}[/]"), ""]
    return "\n".join(lines)
