"""The digest as an HTML e-mail, as plain text and as terminal text; every piece of review text is escaped."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from rich.markup import escape as rich_escape

from monitor.core.text_safety import printable
from monitor.digest.charts import html_column_chart, html_row_chart, sparkline, text_bars
from monitor.digest.data import CompanyDigest, Digest, ReviewItem, TemplateShare, Theme

__all__ = ["render_html", "render_terminal", "render_text", "subject"]

SKELETONS_SHOWN = 3
BODY_SHOWN = 320
_RED, _AMBER, _GREEN, _GREY = "#c0392b", "#d68910", "#1e8449", "#777777"


# ----- shared wording ----------------------------------------------------------------------------------------


def subject(digest: Digest) -> str:
    """The e-mail subject: the day and what needs attention first."""
    names = ", ".join(c.company for c in digest.companies) or "no companies"
    unhappy = sum(c.new_unhappy for c in digest.companies)
    urgent = sum(c.urgent for c in digest.companies)
    overdue = sum(c.queue.overdue for c in digest.companies)
    parts = [f"{unhappy} new unhappy review{'s' if unhappy != 1 else ''}"]
    if urgent:
        parts.append(f"{urgent} urgent")
    if overdue:
        parts.append(f"{overdue} overdue")
    broken = sum(len(c.problems) for c in digest.companies)
    if broken:
        parts.append(f"{broken} source{'s' if broken != 1 else ''} failing")
    return f"Review digest {digest.day:%a %d %b %Y} · {names}: {', '.join(parts)}"


def _one_line(text: str | None, limit: int) -> str:
    value = " ".join((text or "").split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _rating(item: ReviewItem) -> str:
    if item.rating is None:
        return "no rating"
    return f"{item.rating:g}/{item.rating_scale or 5}"


def _local(moment: datetime | None, timezone: str) -> str:
    if moment is None:
        return "-"
    return moment.astimezone(ZoneInfo(timezone or "UTC")).strftime("%d %b %H:%M")


def _pct(share: TemplateShare) -> str:
    value = share.share
    return "no replies" if value is None else f"{value:.0%} of {share.replies}"


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


def _safe_url(url: str | None) -> str | None:
    """Only http(s) links: a stored URL comes from a crawled page and could be `javascript:`."""
    if not url:
        return None
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


# ----- HTML --------------------------------------------------------------------------------------------------


def _e(text: object) -> str:
    return html.escape(printable("" if text is None else str(text)), quote=True)


_H2 = "font-size:17px;margin:24px 0 8px 0;padding-bottom:4px;border-bottom:1px solid #dddddd;color:#222222"
_H3 = "font-size:15px;margin:16px 0 6px 0;color:#333333"
_SMALL = "font-size:12px;color:#777777"


def _badge(text: str, colour: str) -> str:
    return (
        f'<span style="display:inline-block;padding:1px 6px;border-radius:3px;background:{colour};'
        f'color:#ffffff;font-size:11px;font-weight:bold">{_e(text)}</span> '
    )


def _html_review(item: ReviewItem, timezone: str) -> str:
    badges = "".join(_badge(f.upper(), _RED) for f in item.flags if f in ("legal", "abuse"))
    if item.helpful_votes:
        badges += _badge(f"{item.helpful_votes} found helpful", _AMBER)
    if item.template_reply:
        badges += _badge("template reply", _GREY)
    title = f"<strong>{_e(_one_line(item.title, 120))}</strong><br>" if item.title else ""
    url = _safe_url(item.url)
    link = f'<a href="{_e(url)}" style="color:#2c7fb8">open the review</a>' if url else "no link"
    task = (
        f'task #{item.task_id} · <code style="font-size:12px">monitor tasks show {item.task_id}</code>'
        if item.task_id
        else _e(item.task_note)
    )
    return (
        '<tr><td style="padding:8px 0;border-bottom:1px solid #eeeeee">'
        f"{badges}<strong>{_e(_rating(item))}</strong> · {_e(_one_line(item.author, 40) or 'anonymous')}"
        f' · <span style="{_SMALL}">{_e(_local(item.published_at or item.first_seen, timezone))}</span><br>'
        f'{title}<span style="font-size:14px;color:#333333">{_e(_one_line(item.body, BODY_SHOWN))}</span><br>'
        f'<span style="{_SMALL}">{link} · {task}</span></td></tr>'
    )


def _stat(label: str, value: object, colour: str = "#222222") -> str:
    return (
        '<td style="padding:6px;text-align:center;border:1px solid #eeeeee">'
        f'<div style="font-size:20px;font-weight:bold;color:{colour}">{_e(value)}</div>'
        f'<div style="{_SMALL}">{_e(label)}</div></td>'
    )


def _html_company(c: CompanyDigest) -> str:
    tz = c.timezone
    parts = [
        f'<h1 style="font-size:21px;margin:28px 0 4px 0;color:#111111">{_e(c.company)}</h1>',
        f'<div style="{_SMALL}">{c.day:%A %d %B %Y} ({_e(tz)}) · {c.new_reviews} new reviews, '
        f"{c.new_unhappy} from unhappy reviewers</div>",
    ]
    if c.problems:
        parts.append(f'<h2 style="{_H2};color:{_RED}">Sources not working</h2><ul style="padding-left:18px">')
        for p in c.problems:
            parts.append(
                f"<li><strong>{_e(p.source)}</strong>: {_e(p.health.replace('_', ' '))} since "
                f"{_e(_local(p.since, tz))} ({p.runs} run{'s' if p.runs != 1 else ''}). {_e(_one_line(p.message, 200))}"
                f'<br><span style="{_SMALL}">{_e(p.advice)}</span></li>'
            )
        parts.append("</ul>")
    parts.append(f'<h2 style="{_H2}">New unhappy reviews</h2>')
    if not c.sources:
        parts.append("<p>No new unhappy reviews this day.</p>")
    for src in c.sources:
        parts.append(f'<h3 style="{_H3}">{_e(src.source)} · {src.total} new</h3>')
        parts.append('<table role="presentation" width="100%" cellpadding="0" cellspacing="0">')
        parts.extend(_html_review(item, tz) for item in src.shown)
        parts.append("</table>")
        if src.more:
            parts.append(
                f'<p style="{_SMALL}">and {src.more} more · '
                f"<code>monitor reviews --unhappy --source {_e(src.source)}</code></p>"
            )
    days = [(f"{p.day:%d %b}", float(p.unhappy)) for p in c.daily]
    if any(v for _, v in days):
        parts.append(f'<h3 style="{_H3}">Unhappy reviews per day, last 30 days</h3>')
        parts.append(html_column_chart(days, colour=_RED, caption="unhappy reviews per day"))
    parts.append(_html_templates(c))
    parts.append(_html_queue(c))
    if c.loop:
        parts.append(f'<h2 style="{_H2}">Closing the loop</h2><ul style="padding-left:18px">')
        for item in c.loop:
            url = _safe_url(item.url)
            link = f' · <a href="{_e(url)}" style="color:#2c7fb8">review</a>' if url else ""
            what = f"rating {_rating_change(item.rating_before, item.rating_after)}"
            if item.text_changed:
                what += ", text edited"
            parts.append(
                f"<li>task #{item.task_id} · {_e(_one_line(item.reviewer, 40) or 'reviewer')}: {_e(what)}"
                f" (owner {_e(item.owner or '-')}){link}</li>"
            )
        parts.append("</ul>")
    parts.append(_html_themes(c))
    return "".join(parts)


def _html_templates(c: CompanyDigest) -> str:
    parts = [f'<h2 style="{_H2}">Template replies</h2>']
    parts.append(
        "<p>Share of replies to unhappy reviewers that were templates: "
        f"<strong>{_e(_pct(c.template_share_day))}</strong> this day, "
        f"{_e(_pct(c.template_share_7d))} in the 7 days before, {_e(_pct(c.template_share_30d))} in the 30 days "
        "before.</p>"
    )
    if not c.templates:
        parts.append("<p>No template replies posted this day.</p>")
        return "".join(parts)
    parts.append(
        '<table role="presentation" width="100%" cellpadding="4" cellspacing="0" style="border-collapse:collapse;'
        'font-size:13px"><tr style="background:#f4f4f4"><th align="left">template</th><th align="right">replies'
        '</th><th align="right">to unhappy</th><th align="right">all-time recipients</th></tr>'
    )
    for use in c.templates[:8]:
        parts.append(
            f"<tr><td><code>{_e(use.id)}</code> {_e(use.kind.replace('_', '-'))}</td>"
            f'<td align="right">{use.replies}</td><td align="right">{use.unhappy_recipients}</td>'
            f'<td align="right">{use.size}</td></tr>'
        )
    parts.append("</table>")
    for use in sorted(c.templates, key=lambda u: -u.size)[:SKELETONS_SHOWN]:
        if use.skeleton:
            parts.append(
                f'<p style="{_SMALL};margin-bottom:2px">{_e(use.id)}, sent to {use.size} reviewers:</p>'
                '<blockquote style="margin:0 0 8px 0;padding:6px 10px;border-left:3px solid #cccccc;'
                f'font-size:13px;color:#444444">{_e(_one_line(use.skeleton, 400))}</blockquote>'
            )
    shares = [(f"{p.day:%d %b}", (p.templated / p.replies) if p.replies else None) for p in c.daily]
    if any(v is not None for _, v in shares):
        parts.append(f'<h3 style="{_H3}">Template share per day, last 30 days</h3>')
        parts.append(
            html_column_chart(shares, colour=_AMBER, caption="template share of replies", value_format="{:.0%}")
        )
    return "".join(parts)


def _html_queue(c: CompanyDigest) -> str:
    q, tz = c.queue, c.timezone
    parts = [f'<h2 style="{_H2}">Outreach queue</h2>']
    parts.append(
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse">'
        "<tr>"
        + _stat("open", q.open)
        + _stat("unclaimed", q.unclaimed, _AMBER if q.unclaimed else "#222222")
        + _stat("due today", q.due_today)
        + _stat("overdue", q.overdue, _RED if q.overdue else _GREEN)
        + _stat("resolved", q.resolved, _GREEN)
        + _stat("no response", q.no_response)
        + "</tr></table>"
    )
    parts.append(f'<p style="{_SMALL}">Median time to first contact: {_e(_duration(q.median_first_contact))}</p>')
    if q.follow_ups:
        parts.append(f'<h3 style="{_H3}">Promised follow-ups due by the end of the next business day</h3><ul>')
        for f in q.follow_ups:
            state = f'<strong style="color:{_RED}">MISSED</strong> ' if f.missed else ""
            parts.append(
                f"<li>{state}task #{f.task_id} · {_e(_one_line(f.reviewer, 40) or 'reviewer')} · due "
                f"{_e(_local(f.due_at, tz))} · owner {_e(f.owner or 'nobody')}"
                f"{' · ' + _e(_one_line(f.note, 120)) if f.note else ''}</li>"
            )
        parts.append("</ul>")
    if q.overdue_oldest:
        parts.append(f'<h3 style="{_H3}">Overdue, oldest first</h3><ul>')
        for t in q.overdue_oldest:
            parts.append(
                f"<li>task #{t.task_id} · {_e(_one_line(t.reviewer, 40) or 'reviewer')} · due "
                f"{_e(_local(t.due_at, tz))} · {_e(t.status)} · owner {_e(t.owner or 'nobody')}</li>"
            )
        if q.overdue > len(q.overdue_oldest):
            parts.append(
                f"<li>and {q.overdue - len(q.overdue_oldest)} more · <code>monitor tasks list --overdue</code>"
            )
        parts.append("</ul>")
    if q.open:
        parts.append(f'<h3 style="{_H3}">Age of open tasks</h3>')
        parts.append(html_row_chart(q.age_buckets))
    return "".join(parts)


def _html_themes(c: CompanyDigest) -> str:
    if not c.themes and not c.fixed_themes:
        return ""
    parts = [f'<h2 style="{_H2}">Complaint themes</h2><p style="{_SMALL}">{_e(_BASIS_NOTE[c.themes_basis])}</p><ul>']
    for theme in c.themes:
        quotes = "".join(f'<br><span style="font-size:13px;color:#555555">“{_e(q.text)}”</span>' for q in theme.quotes)
        parts.append(f"<li><strong>{_e(theme.term)}</strong>: {_e(_growth(theme, c.themes_basis))}{quotes}</li>")
    for theme in c.fixed_themes:
        parts.append(
            f'<li><strong>{_e(theme.term)}</strong>: <span style="color:{_GREEN}">fixed — thank-you follow-ups due'
            f"</span> ({theme.count} complaints this week)</li>"
        )
    parts.append("</ul>")
    return "".join(parts)


def render_html(digest: Digest) -> str:
    """A complete HTML document: inline styles, at most 640px wide, no images, no scripts."""
    body = "".join(_html_company(c) for c in digest.companies) or "<p>No companies are configured.</p>"
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{_e(subject(digest))}</title></head>"
        '<body style="margin:0;padding:0;background:#f6f6f6">'
        '<div style="max-width:640px;margin:0 auto;padding:12px 16px;background:#ffffff;'
        'font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#222222;line-height:1.4">'
        f'<div style="{_SMALL}">Review digest for {digest.day:%A %d %B %Y}</div>'
        f"{body}"
        f'<p style="{_SMALL};margin-top:28px">Built {_e(_local(digest.generated_at, "UTC"))} UTC. Queue figures '
        "are the state when the digest was built; new reviews are those first seen on the day, in each "
        "company's time zone.</p></div></body></html>"
    )


# ----- text and terminal -------------------------------------------------------------------------------------


def _text_company(c: CompanyDigest, esc: Callable[[str], str], bold: Callable[[str], str]) -> list[str]:
    tz = c.timezone
    lines = [
        bold(f"== {esc(c.company)} · {c.day:%a %d %b %Y} ({esc(tz)}) =="),
        f"{c.new_reviews} new reviews, {c.new_unhappy} from unhappy reviewers, {c.urgent} urgent",
    ]
    if c.problems:
        lines += ["", bold("Sources not working")]
        for p in c.problems:
            lines.append(
                f"  {esc(p.source)}: {p.health.replace('_', ' ')} since {_local(p.since, tz)} "
                f"({p.runs} runs). {esc(_one_line(p.message, 160))}"
            )
            lines.append(f"    {esc(p.advice)}")
    lines += ["", bold("New unhappy reviews")]
    if not c.sources:
        lines.append("  none this day")
    for src in c.sources:
        lines.append(f"  {esc(src.source)}: {src.total} new")
        for item in src.shown:
            marks = " ".join(f"[{f.upper()}]" for f in item.flags if f in ("legal", "abuse"))
            reach = f" {item.helpful_votes} found helpful" if item.helpful_votes else ""
            lines.append(
                f"  - {esc(marks) + ' ' if marks else ''}{_rating(item)} {esc(_one_line(item.author, 40))}{reach}"
                f"{' (template reply)' if item.template_reply else ''}"
            )
            text = f"{item.title}: {item.body}" if item.title else item.body
            lines.append(f"    {esc(_one_line(text, 200))}")
            url = _safe_url(item.url)
            lines.append(f"    {esc(url) if url else 'no link'} · {item.task_note}")
        if src.more:
            lines.append(f"  and {src.more} more: monitor reviews --unhappy --source {esc(src.source)}")
    lines.append(f"  last 30 days: {sparkline([p.unhappy for p in c.daily])} (unhappy reviews per day)")
    lines += ["", bold("Template replies")]
    lines.append(
        f"  share of replies to unhappy reviewers: {_pct(c.template_share_day)} this day, "
        f"{_pct(c.template_share_7d)} the 7 days before, {_pct(c.template_share_30d)} the 30 days before"
    )
    for use in c.templates[:8]:
        lines.append(
            f"  {esc(use.id)} ({use.kind.replace('_', '-')}): {use.replies} replies, {use.unhappy_recipients} to "
            f"unhappy reviewers, {use.size} recipients all-time"
        )
    for use in sorted(c.templates, key=lambda u: -u.size)[:SKELETONS_SHOWN]:
        if use.skeleton:
            lines.append(f"    “{esc(_one_line(use.skeleton, 240))}”")
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
            f"  {'MISSED ' if f.missed else ''}follow-up task #{f.task_id} due {_local(f.due_at, tz)} "
            f"({esc(f.owner or 'nobody')}) {esc(_one_line(f.note, 80))}"
        )
    for t in q.overdue_oldest:
        lines.append(
            f"  overdue task #{t.task_id} since {_local(t.due_at, tz)} · {t.status} · {esc(t.owner or 'nobody')}"
        )
    if q.open:
        lines += ["  " + line for line in text_bars(q.age_buckets, width=24)]
    if c.loop:
        lines += ["", bold("Closing the loop")]
        for change in c.loop:
            edited = ", text edited" if change.text_changed else ""
            lines.append(
                f"  task #{change.task_id} {esc(_one_line(change.reviewer, 40))}: rating "
                f"{_rating_change(change.rating_before, change.rating_after)}{edited}"
            )
    if c.themes or c.fixed_themes:
        lines += ["", bold("Complaint themes"), f"  {_BASIS_NOTE[c.themes_basis]}"]
        for theme in c.themes:
            lines.append(f"  {esc(theme.term)}: {_growth(theme, c.themes_basis)}")
            lines.extend(f"    “{esc(_one_line(q.text, 160))}”" for q in theme.quotes[:1])
        for theme in c.fixed_themes:
            lines.append(f"  {esc(theme.term)}: fixed — thank-you follow-ups due")
    return lines


def _plain(text: str) -> str:
    return printable(text)


def _terminal(text: str) -> str:
    return rich_escape(printable(text))


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
