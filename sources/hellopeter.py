"""HelloPeter (South Africa): reviews and threaded business replies from the public consumer API.

The paged endpoint is `https://api.hellopeter.com/consumer/business/<slug>/reviews?page=N`, answering
`{"data": [review, ...], "current_page": N, "last_page": M, "next_page_url": ...}` (a paginated JSON
envelope). The review records and their `messages` threads are known from a real capture of 5,930 API
records; the envelope around them is the API's observed public shape but no full captured response is
on file, so the paging keys are read defensively: `current_page`/`last_page` first, then the page number
in `next_page_url`, and an empty `data` list ends the listing.

Each message of a thread has `owner` (1 = reviewer, 2 = business) and `type` (`Public` or `Private`).
A private business message is shown by the site as a generated notice ("The business has replied
privately, and only <name> can view this message ..."); that notice is identical for every reviewer
apart from the name and is not the company's words, so it only sets `private_reply` and is never
taken as the company's reply text. The first public business message is the reply.

Timestamps in the API carry no zone; they are taken as UTC.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from monitor.core.channels import PUBLIC_REPLY_AND_PRIVATE_MESSAGE
from monitor.core.errors import LayoutChanged
from monitor.core.records import ReplyRecord, ReviewRecord
from sources.base import Option, Page, PageResult, Source
from sources.fields import html_to_text, parse_datetime, parse_rating
from sources.guards import json_text

__all__ = ["HelloPeter", "record_to_review"]

SITE = "https://www.hellopeter.com"
API_HOST = "https://api.hellopeter.com"
BUSINESS = 2  # message owner: 1 is the reviewer, 2 the business
REQUIRED_FIELDS = ("id", "created_at", "review_content")

_PRIVATE_NOTICE = re.compile(r"^\s*the (business|reviewer) has replied privately\b", re.I)
# Agents sign with a caret and their initials at the very end: "... will be in touch. ^NZ".
_CARET_SIGNATURE = re.compile(r"\^\s*([A-Za-z]{1,4})\W*$")
_SIGN_OFF = re.compile(r"^(kind |warm |best )?regards,?$", re.I)
_NAME_LINE = re.compile(r"^[^\W\d_][\w.'\- ]{0,40}$")
_HTML_TAG = re.compile(r"<(div|br|p|span|a|b|i|strong|em|ul|ol|li)\b", re.I)


class HelloPeter(Source):
    """Reviews, public replies and private-reply notices of one business on HelloPeter."""

    name = "hellopeter"
    channel = PUBLIC_REPLY_AND_PRIVATE_MESSAGE
    help = "HelloPeter business reviews with the business's public (and private-reply) responses"
    locator_help = "business slug (e.g. cell-c), its hellopeter.com page URL, or the API reviews URL"
    options: ClassVar[tuple[Option, ...]] = (Option("api_base", "base URL of the HelloPeter API", default=API_HOST),)

    def start_urls(self) -> list[str]:
        """The first page of the business's reviews in the API."""
        parts = urlsplit(self.locator)
        if parts.scheme and "/business/" in parts.path:
            return [self.locator]  # already an API URL (any API version); kept as given
        slug = parts.path.strip("/").split("/")[0] if parts.scheme else self.locator.strip("/")
        base = str(self.opts["api_base"]).rstrip("/")
        return [f"{base}/consumer/business/{quote(slug)}/reviews?page=1"]

    def parse(self, page: Page) -> PageResult:
        """Reviews of one API page; `next_url` is the following page while there is one."""
        envelope = _envelope(page)
        records: list[ReviewRecord] = []
        problems: list[str] = []
        for position, raw in enumerate(envelope["data"], start=1):
            if not isinstance(raw, dict):
                raise LayoutChanged(f"HelloPeter API page {page.url}: data[{position - 1}] is not an object")
            missing = [key for key in REQUIRED_FIELDS if key not in raw]
            if missing:
                raise LayoutChanged(
                    f"HelloPeter API page {page.url}: review record has no {', '.join(map(repr, missing))}"
                )
            try:
                records.append(record_to_review(raw))
            except ValueError as exc:
                problems.append(f"review {raw.get('id')}: {exc}")
        next_url = _next_url(page.url, envelope) if envelope["data"] else None
        total = envelope.get("total")  # the paginator's count of the whole listing
        listed = total if isinstance(total, int) and not isinstance(total, bool) else None
        return PageResult(records=records, next_url=next_url, problems=problems, listed_count=listed)


def _envelope(page: Page) -> dict[str, Any]:
    try:
        envelope = json_text.loads(page.body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        kind = page.content_type or "unknown content"
        raise LayoutChanged(
            f"HelloPeter API page {page.url}: expected JSON, got {kind} that does not parse ({exc.__class__.__name__})"
        ) from exc
    if not isinstance(envelope, dict) or not isinstance(envelope.get("data"), list):
        raise LayoutChanged(f"HelloPeter API page {page.url}: JSON has no 'data' list of reviews")
    return envelope


def record_to_review(raw: dict[str, Any]) -> ReviewRecord:
    """Map one HelloPeter API review record (with its `messages` thread) to a `ReviewRecord`."""
    review_id = str(raw["id"])
    slug = raw.get("business_slug") or raw.get("business")
    permalink = raw.get("permalink")
    body = str(raw.get("review_content") or "")
    if _HTML_TAG.search(body):
        # A few reviews (e.g. sent through other channels) arrive as HTML; most are plain text.
        body = html_to_text(body)
    messages = [_message(m) for m in raw.get("messages") or [] if isinstance(m, dict)]
    reply, private, private_at = _replies(messages)
    followups = [m.created_at for m in messages if not m.from_business and m.created_at is not None]
    extra: dict[str, Any] = {}
    if messages:
        extra["thread"] = [_thread_entry(m) for m in messages]
    if raw.get("source"):
        extra["channel"] = raw["source"]
    if raw.get("nps_rating") is not None:
        extra["nps_rating"] = raw["nps_rating"]
    return ReviewRecord(
        site_review_id=review_id,
        body=body,
        url=f"{SITE}/{slug}/reviews/{permalink}" if slug and permalink else None,
        author_name=raw.get("authorDisplayName") or raw.get("author") or None,
        author_handle=raw.get("user_id") or raw.get("author_id") or None,
        rating=parse_rating(raw.get("review_rating")),
        rating_scale=5,
        title=raw.get("review_title") or None,
        published_at=parse_datetime(raw.get("created_at")),
        reply=reply,
        private_reply=private,
        private_reply_at=private_at,
        reviewer_followup_at=max(followups) if followups else None,
        extra=extra,
    )


@dataclass(frozen=True, slots=True)
class _Message:
    """One thread message, read once: who wrote it, whether it is private, its visible text."""

    from_business: bool
    private: bool
    type: str
    created_at: datetime | None
    text: str | None  # None for private messages: the site shows only a generated notice
    sender: str | None


def _message(raw: dict[str, Any]) -> _Message:
    private = raw.get("type") == "Private"
    text = None if private else html_to_text(str(raw.get("body") or ""))
    if text is not None and _PRIVATE_NOTICE.match(text):
        private, text = True, None
    return _Message(
        from_business=raw.get("owner") == BUSINESS,
        private=private,
        type="Private" if private else str(raw.get("type") or "Public"),
        created_at=parse_datetime(raw.get("created_at")),
        text=text,
        sender=raw.get("from") or None,
    )


def _replies(messages: list[_Message]) -> tuple[ReplyRecord | None, bool, datetime | None]:
    """The first public business reply; whether, and first when, the business replied privately."""
    reply: ReplyRecord | None = None
    private = False
    private_at: datetime | None = None
    for message in messages:
        if not message.from_business:
            continue
        if message.private:
            if not private:
                private, private_at = True, message.created_at
        elif reply is None and message.text:
            reply = ReplyRecord(
                text=message.text,
                published_at=message.created_at,
                author=_signer(message.text) or message.sender,
            )
    return reply, private, private_at


def _signer(text: str) -> str | None:
    """Who signed a reply: caret initials ('^NZ') or a name under a 'Regards' sign-off."""
    caret = _CARET_SIGNATURE.search(text)
    if caret:
        return caret.group(1).upper()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) >= 2 and _SIGN_OFF.match(lines[-2]) and _NAME_LINE.match(lines[-1]):
        return lines[-1]
    return None


def _thread_entry(message: _Message) -> dict[str, Any]:
    return {
        "from": "business" if message.from_business else "reviewer",
        "type": message.type,
        "created_at": message.created_at.isoformat() if message.created_at else None,
        "text": message.text,
    }


_PAGE_NUMBER = re.compile(r"[0-9]{1,9}")


def _next_url(url: str, envelope: dict[str, Any]) -> str | None:
    current, last = envelope.get("current_page"), envelope.get("last_page")
    if isinstance(current, int) and isinstance(last, int):
        return _with_page(url, current + 1) if current < last else None
    next_link = envelope.get("next_page_url")
    if isinstance(next_link, str) and next_link:
        number = dict(parse_qsl(urlsplit(next_link).query)).get("page", "")
        # Keep our own host and path (the API's link may name another host than the one configured). ASCII digits
        # only, and few: str.isdigit() takes "²", and int() refuses numbers of more than 4,300 digits.
        return _with_page(url, int(number)) if _PAGE_NUMBER.fullmatch(number) else next_link
    return None


def _with_page(url: str, number: int) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query["page"] = str(number)
    return urlunsplit(parts._replace(query=urlencode(query)))
