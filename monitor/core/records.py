"""Plain records a source produces; the store turns them into rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["ReplyRecord", "ReviewRecord"]


@dataclass(frozen=True, slots=True)
class ReplyRecord:
    """The company's public reply to a review, as the site shows it."""

    text: str
    published_at: datetime | None = None
    author: str | None = None  # who signed it: agent initials, team name, developer name


@dataclass(frozen=True, slots=True)
class ReviewRecord:
    """One review as a site shows it; `site_review_id` is the site's own stable id."""

    site_review_id: str
    body: str
    url: str | None = None
    author_name: str | None = None
    author_handle: str | None = None  # profile id / URL: the stable identity of the reviewer on this site
    rating: float | None = None
    rating_scale: int | None = None
    title: str | None = None
    language: str | None = None
    published_at: datetime | None = None  # always timezone-aware (UTC) when known
    updated_at: datetime | None = None
    helpful_votes: int | None = None
    reply: ReplyRecord | None = None
    # The site says the company answered privately (the text is not public); never a company template.
    private_reply: bool = False
    private_reply_at: datetime | None = None
    # The reviewer's latest message after the review in a site thread (HelloPeter): they wrote again.
    reviewer_followup_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)
