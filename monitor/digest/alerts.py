"""Instant alerts for urgent new reviews (legal threats, regulator complaints, fraud, abuse, high reach) via Apprise.

Apprise is an optional extra: `pip install 'review-response-monitor[alerts]'`. Its URLs name the service
(`slack://…`, `msteams://…`, `tgram://…`, `json://host/path`, …); see the Apprise documentation.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from monitor.core.errors import ConfigError, MonitorError
from monitor.digest.model import CompanyDigest, ReviewItem

__all__ = ["HIGH_REACH_VOTES", "Alert", "review_alert", "send_alerts", "urgent_alerts"]

HIGH_REACH_VOTES = 20
_INSTALL = "instant alerts need Apprise: pip install 'review-response-monitor[alerts]' (or: pip install apprise)"


@dataclass(frozen=True)
class Alert:
    """One urgent review, ready to post to a chat tool."""

    company: str
    review_id: int
    title: str
    body: str


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
    text = " ".join(f"{item.title or ''} {item.body}".split())[:300]
    return Alert(
        company=company,
        review_id=item.review_id,
        title=f"{company}: urgent review on {item.source} ({why})",
        # Plain text only: chat tools render markup, and the review was written by a stranger.
        body=f"{rating} by {item.author or 'anonymous'}: {text}\n{item.url or ''}\n{item.task_note}",
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
