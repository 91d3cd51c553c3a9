"""Texts that a review site writes in the company's reply slot: identical everywhere, yet no company template.

HelloPeter, for example, shows "The business has replied privately, and only <name> can view this message"
wherever the company answered in private. Such notices would otherwise look like the biggest template of
every company. Add a site's notice with `register_site_notice`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["SITE_NOTICES", "SiteNotice", "match_site_notice", "register_site_notice"]


@dataclass(frozen=True, slots=True)
class SiteNotice:
    """A site-generated text in a reply slot; `pattern` is searched in the raw reply (HTML included)."""

    name: str
    pattern: re.Pattern[str]
    description: str
    # Lower-case words every match contains: an ASCII text without one of them is skipped without running
    # the pattern (for ASCII text, lower-casing agrees with case-insensitive matching).
    required: tuple[str, ...] = ()


SITE_NOTICES: list[SiteNotice] = [
    SiteNotice(
        "hellopeter_private_reply",
        re.compile(r"\bThe business has replied privately, and only\b.{0,120}\bcan view this message", re.I | re.S),
        "HelloPeter: the company replied in private; the site shows this notice with the reviewer's name.",
        ("replied privately", "can view this message"),
    ),
    SiteNotice(
        "hellopeter_reviewer_private_reply",
        re.compile(r"\bThe reviewer has replied privately, and only\b.{0,120}\bcan view this message", re.I | re.S),
        "HelloPeter: the reviewer answered the company in private.",
        ("replied privately", "can view this message"),
    ),
]


def register_site_notice(name: str, pattern: str, description: str, required: tuple[str, ...] = ()) -> SiteNotice:
    """Add a site notice (a regular expression searched case-insensitively); returns it.

    `required`: lower-case words that every text the pattern matches contains (optional; a fast pre-check).
    """
    if any(notice.name == name for notice in SITE_NOTICES):
        raise ValueError(f"a site notice named {name!r} is already registered")
    notice = SiteNotice(name, re.compile(pattern, re.I | re.S), description, tuple(word.lower() for word in required))
    SITE_NOTICES.append(notice)
    return notice


def match_site_notice(text: str) -> SiteNotice | None:
    """The site notice that `text` is, or None for a reply the company wrote."""
    if len(text) > 2000:  # notices are short; a long text is a real reply that may quote one
        return None
    lower = text.lower() if text.isascii() else None
    for notice in SITE_NOTICES:
        if lower is not None and not all(word in lower for word in notice.required):
            continue
        if notice.pattern.search(text):
            return notice
    return None
