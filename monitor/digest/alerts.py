"""Instant alerts for urgent new reviews (legal threats, regulator complaints, fraud, abuse, high reach) via Apprise.

Apprise is an optional extra: `pip install 'review-response-monitor[alerts]'`. Its URLs name the service
(`slack://…`, `msteams://…`, `tgram://…`, `json://host/path`, …); see the Apprise documentation.
"""

from __future__ import annotations

import importlib
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from monitor.core.errors import ConfigError, MonitorError
from monitor.core.text_safety import safe_url, single_line
from monitor.digest.model import CompanyDigest, ReviewItem

__all__ = ["HIGH_REACH_VOTES", "Alert", "chat_text", "review_alert", "send_alerts", "urgent_alerts"]

HIGH_REACH_VOTES = 20
_INSTALL = "instant alerts need Apprise: pip install 'review-response-monitor[alerts]' (or: pip install apprise)"

# What chat tools read as a mention or a link rather than text: Slack's `<!channel>`, `<@U123>` and
# `<http://evil|click>` (and HTML-like `<at>`, `<a href>`), `@everyone` / `@here` / `@channel` / `@all` in Discord,
# Mattermost and Teams, and Markdown's `[label](url)`. An `@` inside an address (`care@acme.example`) is not one.
_CHAT_MARKUP = re.compile(r"<(?=\S)|(?<![\w.+-])@(?=\w)|\](?=\()")
_ZERO_WIDTH_SPACE = "\u200b"


@dataclass(frozen=True)
class Alert:
    """One urgent review, ready to post to a chat tool."""

    company: str
    review_id: int
    title: str
    body: str


def chat_text(text: str, limit: int | None = None) -> str:
    """Stranger text for a chat message: one printable line in which no chat tool finds a mention or a link."""
    # A zero-width space after `<` or `@`, or between `]` and `(`, leaves the text as it reads but is no longer the
    # syntax of a mention or a link, whatever the tool; entities (`&lt;`) would show as typed in the tools that
    # already escape plain text (Apprise's Slack), and a link's visible label could name another address.
    return _CHAT_MARKUP.sub(lambda match: match.group() + _ZERO_WIDTH_SPACE, single_line(text, limit))


def _why(item: ReviewItem, reach: int) -> str | None:
    reasons: list[str] = [f for f in ("legal", "regulator", "fraud", "abuse") if f in item.flags]
    if item.helpful_votes >= reach:
        reasons.append(f"{item.helpful_votes} people found it helpful")
    return ", ".join(reasons) or None


def urgent_alerts(digests: Iterable[CompanyDigest], *, reach: int = HIGH_REACH_VOTES) -> list[Alert]:
    """An alert per new unhappy review in the digests that carries a flag or is widely read."""
    return [
        alert
        for digest in digests
        for source in digest.sources
        for item in source.shown
        if (alert := review_alert(digest.company, item, reach)) is not None
    ]


def review_alert(company: str, item: ReviewItem, reach: int = HIGH_REACH_VOTES) -> Alert | None:
    """The alert for one unhappy review, or None when it is not urgent."""
    why = _why(item, reach)
    if why is None:
        return None
    rating = "no rating" if item.rating is None else f"{item.rating:g}/{item.rating_scale or 5}"
    # Each stranger text is one line of chat text: a newline in an author name could fake the link line below.
    author = chat_text(item.author or "anonymous", 80)
    text = chat_text(f"{item.title or ''} {item.body}", 300)
    url = safe_url(item.url)  # only http(s): a bare link shows where it goes, and `javascript:` never goes out
    return Alert(
        company=company,
        review_id=item.review_id,
        title=chat_text(f"{company}: urgent review on {item.source} ({why})", 250),
        body=f"{rating} by {author}: {text}\n{chat_text(url) if url else 'no link'}\n{item.task_note}",
    )


def _apprise() -> Any:
    try:
        return importlib.import_module("apprise")
    except ModuleNotFoundError:
        raise MonitorError(_INSTALL) from None


def send_alerts(alerts: Sequence[Alert], urls: Sequence[str]) -> int:
    """Post each alert to every Apprise URL; return how many were delivered. Raises when one fails."""
    if not alerts:
        return 0
    with warnings.catch_warnings():
        # Apprise loads its plugins lazily and some import deprecated standard modules: not an error here.
        warnings.simplefilter("ignore", DeprecationWarning)
        apprise = _apprise()
        notifier = apprise.Apprise()
        for url in urls:
            if not notifier.add(url):
                raise ConfigError(f"alert URL {url.split('://', 1)[0]}://… is not a URL Apprise understands")
        sent = 0
        for alert in alerts:
            ok = notifier.notify(title=alert.title, body=alert.body, body_format=apprise.NotifyFormat.TEXT)
            if not ok:
                raise MonitorError(f"the alert for review {alert.review_id} could not be delivered to every URL")
            sent += 1
    return sent
