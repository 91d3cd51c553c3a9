"""The Google Play Console reviews report: the monthly CSV files Play Console writes to the developer's Cloud
Storage bucket (`reviews/reviews_<package>_<YYYYMM>.csv`). It is how an app's whole review history is read: the
Developer API answers only the reviews of the last week.

Built on the report's documented columns (Play Console help, "Download and export monthly reports") as published
readers of the report spell them; no real report is recorded here, so the tests write files in this layout from
real Google Play reviews. Play Console writes the files in UTF-16 with a byte order mark, which the file reader
detects.

- A row is one review as it stands now: `Review Text` (and `Review Title`, which only older reviews have),
  `Star Rating` 1-5, `Reviewer Language`, `Device`, `App Version Name`, the submit and last-update times (as text
  and as milliseconds since the epoch), the developer's reply with its time, and `Review Link`.
- The review id is the store's own (`gp:AO...`), read from `Review Link` (`reviewId=` in the console's address,
  `reviewid=` or `id=` in older ones): the id the Developer API and the store's page give, so a review seen
  through both is one review. A row whose link names no id is identified by its package and submit time.
- The time stored is the last update, as the API and the store's page give it: a reviewer who edits a review
  wrote again. The first submit time is kept in `extra["submitted_at"]`.
- The report names no reviewer; a rating without text is stored as the report gives it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from monitor.core.language_tags import language_code
from monitor.core.records import ReplyRecord, ReviewRecord
from sources.exports.cells import (
    RowContext,
    RowNotes,
    RowSkipped,
    date_cell,
    derived_id,
    optional_text,
    read_text,
    required_rating,
    text_cell,
)

__all__ = ["OPTIONAL", "REQUIRED", "TIME_COLUMNS", "play_console_record", "review_id_from_link"]

REQUIRED = ("Package Name", "Star Rating", "Review Text")
# The times as text, read before any row is stored (`Layout.date_columns`); ISO, so they decide no order.
TIME_COLUMNS = ("Review Submit Date and Time", "Review Last Update Date and Time", "Developer Reply Date and Time")
OPTIONAL = (
    "App Version Code",
    "App Version Name",
    "Reviewer Language",
    "Device",
    *TIME_COLUMNS,
    "Review Submit Millis Since Epoch",
    "Review Last Update Millis Since Epoch",
    "Review Title",
    "Developer Reply Millis Since Epoch",
    "Developer Reply Text",
    "Review Link",
)
# `reviewId=gp%3A...` (the console's address today, and the store's page), `reviewid=gp:...` (older console
# addresses). Not a bare `id=`: on the store's page that is the package.
_REVIEW_ID = re.compile(r"[?&#;:]reviewid=([^&#;\s]+)", re.IGNORECASE)
# `#ReviewPlace:id=...`, `#ReviewDetailsPlace:id=...`: a console address that names the review by place.
_PLACE_ID = re.compile(r"Review(?:Details)?Place:(?:[^#\s]*?[;&])?id=([^&#;\s]+)", re.IGNORECASE)
_EXTRA_COLUMNS = (("App Version Name", "app_version"), ("App Version Code", "app_version_code"), ("Device", "device"))
_LANGUAGE = re.compile(r"[a-z]{2,3}")


def review_id_from_link(link: str | None) -> str | None:
    """The store's review id named in a report's `Review Link`, None when it names none."""
    if not link:
        return None
    found = _REVIEW_ID.search(link) or _PLACE_ID.search(link)
    review_id = unquote(found.group(1)).strip() if found else ""
    return review_id or None


def play_console_record(row: Mapping[str, Any], ctx: RowContext, notes: RowNotes) -> ReviewRecord:
    """One report row as a review."""
    link = optional_text(row.get("Review Link"))
    body = read_text(row.get("Review Text"), "review text")
    rating = required_rating(row.get("Star Rating"), ctx)
    package = text_cell(row.get("Package Name"), notes, "package name")
    submitted = _time(row, "Review Submit", ctx, notes, "date")
    updated = _time(row, "Review Last Update", ctx, notes, "last update date")
    site_id = review_id_from_link(link)
    notes.own_id = site_id is not None
    if site_id is None:
        if submitted is None:
            raise RowSkipped("no identity", "Review Link names no review id and there is no submit time to tell it by")
        site_id = derived_id("play_console", package, submitted)
    reply = None
    reply_text = text_cell(row.get("Developer Reply Text"), notes, "reply")
    if reply_text:
        reply = ReplyRecord(text=reply_text, published_at=_time(row, "Developer Reply", ctx, notes, "reply date"))
    extra: dict[str, Any] = {}
    if package:
        extra["package"] = package
    for column, key in (
        ("App Version Name", "app_version"),
        ("App Version Code", "app_version_code"),
        ("Device", "device"),
    ):
        value = text_cell(row.get(column), notes, column)
        if value:
            extra[key] = value
    if submitted is not None and updated is not None and updated != submitted:
        extra["submitted_at"] = submitted.isoformat()
    language = language_code(text_cell(row.get("Reviewer Language"), notes, "reviewer language"))
    return ReviewRecord(
        site_review_id=site_id,
        body=body,
        url=_console_link(link),
        rating=rating,
        rating_scale=ctx.rating_scale,
        title=text_cell(row.get("Review Title"), notes, "title"),
        # The device's language, as the Developer API gives it; its region stays in the report.
        language=language if language and _LANGUAGE.fullmatch(language) else None,
        published_at=updated or submitted,
        reply=reply,
        extra=extra,
    )


def _console_link(link: str | None) -> str | None:
    """The review's link when it points into Google's own pages, else None: it is shown to staff as a link, and a
    file edited by hand may hold any address there."""
    if not link:
        return None
    parts = urlsplit(link)
    host = (parts.hostname or "").rstrip(".")
    google = host == "google.com" or host.endswith(".google.com")
    return link if parts.scheme in ("https", "http") and google else None


def _time(row: Mapping[str, Any], prefix: str, ctx: RowContext, notes: RowNotes, what: str) -> datetime | None:
    """A time from its milliseconds column, else from its text column; a bad one costs that cell."""
    millis = row.get(f"{prefix} Millis Since Epoch")
    if optional_text(millis):
        return date_cell(millis, ctx, notes, what)
    return date_cell(row.get(f"{prefix} Date and Time"), ctx, notes, what)
