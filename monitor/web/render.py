"""HTML pages of the web app: the digest's Jinja environment (autoescape, text made printable) with the app's pages.

The app's templates live in `monitor/web/templates/` and extend the digest's `base.html.j2`, found through a
ChoiceLoader, so the e-mail and the web app share one layout and one escaping rule.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from jinja2 import ChoiceLoader, Environment, PackageLoader
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from monitor.core.text_safety import printable
from monitor.digest.render import template_environment
from monitor.store.user_models import Principal
from responders.checker.check import Finding

__all__ = ["RTL_LANGUAGES", "environment", "highlight", "page", "text_dir", "when"]

RTL_LANGUAGES = frozenset({"he", "iw", "ar", "fa", "ur", "yi", "ps", "sd", "ug", "dv"})


def when(moment: datetime | None, timezone: str = "UTC", *, zone: bool = True) -> str:
    """A moment in the company's time zone, with the zone named: 'Tue 05 Mar 2025 14:00 Europe/Berlin'."""
    if moment is None:
        return "-"
    local = moment.astimezone(ZoneInfo(timezone or "UTC"))
    text = local.strftime("%a %d %b %Y %H:%M")
    return f"{text} {timezone or 'UTC'}" if zone else text


def text_dir(language: str | None) -> str:
    """The `dir` attribute for text in `language`: rtl for right-to-left languages, else auto."""
    return "rtl" if (language or "").lower() in RTL_LANGUAGES else "auto"


def highlight(text: str, findings: Sequence[Finding]) -> Markup:
    """The draft as HTML with each finding's span marked; every piece of the draft is escaped."""
    parts: list[str] = []
    position = 0
    for finding in sorted(findings, key=lambda f: (f.start, f.end)):
        start, end = max(finding.start, position), min(finding.end, len(text))
        if start >= end:
            continue
        parts.append(html.escape(printable(text[position:start])))
        parts.append(
            f'<mark class="finding" title="{html.escape(finding.message)}">'
            f"{html.escape(printable(text[start:end]))}</mark>"
        )
        position = end
    parts.append(html.escape(printable(text[position:])))
    return Markup("".join(parts))


def _query(base: dict[str, Any], **changes: Any) -> str:
    """A query string from `base` with `changes`, dropping empty values (for filter and paging links)."""
    merged = {**base, **changes}
    return urlencode({k: v for k, v in merged.items() if v not in (None, "", False)})


@cache
def environment() -> Environment:
    """The app's Jinja environment: its own templates first, then the digest's (for the shared layout)."""
    env = template_environment().overlay(
        loader=ChoiceLoader([PackageLoader("monitor.web", "templates"), PackageLoader("monitor.digest", "templates")])
    )
    # An overlay shares the digest's dictionaries: copies keep the app's additions out of the e-mail's environment.
    env.filters = dict(env.filters)
    env.globals = dict(env.globals)
    env.filters.update(when=when, text_dir=text_dir)
    env.globals.update(query=_query, highlight=highlight)
    return env


def page(
    request: Request,
    name: str,
    principal: Principal | None,
    *,
    status_code: int = 200,
    title: str = "",
    **context: Any,
) -> HTMLResponse:
    """Render `name` with the signed-in person and their form token."""
    template = environment().get_template(name)
    body = template.render(
        request=request,
        me=principal,
        csrf=principal.csrf_token if principal else "",
        title=title,
        path=request.url.path,
        **context,
    )
    return HTMLResponse(body, status_code=status_code)
