"""Google Business Profile API: the reviews of one of the company's own locations, with its replies, and replying.

Built on the API's documented request and response formats; no real capture of an answer exists here, and the
tests run against a local fake written from the same documentation.

- List: `GET {api_base}/v4/accounts/{a}/locations/{l}/reviews?pageSize=N&orderBy=updateTime desc[&pageToken=T]`
  answers `{"reviews": [Review, ...], "averageRating", "totalReviewCount", "nextPageToken": "T"}`.
- Review: `{"name", "reviewId", "reviewer": {"displayName", "isAnonymous"}, "starRating": "ONE".."FIVE",
  "comment", "createTime", "updateTime", "reviewReply": {"comment", "updateTime"}}`; a rating without text has no
  `comment`.
- Read one: `GET .../reviews/{reviewId}` answers one Review.
- Reply: `PUT .../reviews/{reviewId}/reply` with `{"comment": "..."}` (at most 4096 bytes) answers the ReviewReply
  `{"comment", "updateTime"}`; it replaces the reply there was.

Only a verified location can be replied to, and only by an owner or manager of it. Credentials: a service-account
JSON key (option `credentials_file`) whose account manages the location; tokens are exchanged with the JWT-bearer
grant for the scope `https://www.googleapis.com/auth/business.manage`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import quote, urlencode

from monitor.core.errors import ConfigError, LayoutChanged
from monitor.core.records import ReplyRecord, ReviewRecord
from monitor.http.service_auth import ApiCredentials, GoogleServiceAccount, GoogleTokens
from sources.apis.common import JSON_CONTENT, JSON_HEADERS, ApiSource, json_body
from sources.base import ApiRequest, Option, Page, PageResult
from sources.fields import parse_datetime

__all__ = ["GoogleBusiness"]

SCOPE = "https://www.googleapis.com/auth/business.manage"
MAX_REPLY_BYTES = 4096
MAX_PAGE_SIZE = 50
STARS = {"ONE": 1.0, "TWO": 2.0, "THREE": 3.0, "FOUR": 4.0, "FIVE": 5.0}
_LOCATION = re.compile(r"^accounts/[^/?#\s]+/locations/[^/?#\s]+$")


class GoogleBusiness(ApiSource):
    """Reviews of one of the company's Google Business Profile locations, with replies; posts replies."""

    name = "google_business"
    site = "Google Business Profile"
    help = (
        "Google Business Profile API for your own location: every review with your reply; posts replies (the "
        "location must be verified)"
    )
    locator_help = "the location's resource name, accounts/{account id}/locations/{location id}"
    options: ClassVar[tuple[Option, ...]] = (
        Option(
            "credentials_file",
            "path of the service account's JSON key; the account must be a manager of the location",
            required=True,
        ),
        Option("api_base", "base URL of the API", default="https://mybusiness.googleapis.com"),
        Option("page_size", f"reviews asked for per request (at most {MAX_PAGE_SIZE})", type=int, default=50),
    )

    def __init__(self, locator: str, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(locator, options)
        self.locator = self.locator.strip("/")
        if not _LOCATION.match(self.locator):
            raise ConfigError(f"google_business: {self.locator!r} is not accounts/{{account}}/locations/{{location}}")
        if not 1 <= self.opts["page_size"] <= MAX_PAGE_SIZE:
            raise ConfigError(f"google_business: option 'page_size' must be 1 to {MAX_PAGE_SIZE}")

    @property
    def _reviews(self) -> str:
        base = str(self.opts["api_base"]).rstrip("/")
        return f"{base}/v4/{self.locator}/reviews"

    def _list_url(self, token: str | None) -> str:
        query = {"pageSize": str(self.opts["page_size"]), "orderBy": "updateTime desc"}
        if token:
            query["pageToken"] = token
        return f"{self._reviews}?{urlencode(query)}"

    def start_urls(self) -> list[str]:
        """The most recently updated reviews first."""
        return [self._list_url(None)]

    def load_credentials(self) -> ApiCredentials:
        """Tokens for the service-account key named by `credentials_file`."""
        account = GoogleServiceAccount.from_file(self.opts["credentials_file"], option="credentials_file")
        return GoogleTokens(account, SCOPE)

    def parse_document(self, page: Page, document: dict[str, Any]) -> PageResult:
        """The reviews of one listing answer; `next_url` carries `nextPageToken`."""
        raw = document.get("reviews", [])
        if not isinstance(raw, list):
            raise LayoutChanged(f"Business Profile API {page.url}: 'reviews' is {type(raw).__name__}, not a list")
        records: list[ReviewRecord] = []
        problems: list[str] = []
        for position, item in enumerate(raw, start=1):
            try:
                records.append(_review(item))
            except ValueError as exc:
                problems.append(f"review {position}: {exc}")
        if raw and not records:
            raise LayoutChanged(f"Business Profile API {page.url}: none of its {len(raw)} reviews has the known shape")
        token = document.get("nextPageToken")
        next_url = self._list_url(token) if isinstance(token, str) and token else None
        return PageResult(records=records, next_url=next_url, problems=problems)

    def review_url(self, review_id: str) -> str:
        """One review of the location."""
        return f"{self._reviews}/{quote(review_id, safe='')}"

    def parse_review(self, page: Page, review_id: str) -> ReviewRecord:
        """The review and its current reply."""
        try:
            return _review(json_body(page, self.site))
        except ValueError as exc:
            raise LayoutChanged(f"Business Profile API {page.url}: not a review ({exc})") from None

    def reply_request(self, review_id: str, text: str) -> ApiRequest:
        """PUT the reply (creating or replacing it)."""
        body = json.dumps({"comment": text}, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": JSON_CONTENT, **JSON_HEADERS}
        return ApiRequest("PUT", f"{self.review_url(review_id)}/reply", headers, body)

    def confirmed_reply(self, page: Page, text: str) -> ReplyRecord:
        """The reply as Google stored it."""
        answer = json_body(page, self.site)
        stored = answer.get("comment")
        return ReplyRecord(
            text=stored.strip() if isinstance(stored, str) and stored.strip() else text,
            published_at=parse_datetime(answer.get("updateTime")),
        )

    def reply_text_problem(self, text: str) -> str | None:
        """Business Profile replies hold at most 4096 bytes."""
        size = len(text.encode("utf-8"))
        if size > MAX_REPLY_BYTES:
            return f"Google Business Profile takes replies of at most {MAX_REPLY_BYTES} bytes; this one has {size}"
        return None

    def refusal_advice(self, status: int) -> str:
        """What to check for a refusal of the Business Profile API."""
        if status == 401:
            return "the access token was not accepted; check the key in credentials_file and this machine's clock"
        if status == 403:
            return (
                "the service account may not do this: it must be an owner or manager of the location, the location "
                "must be verified (unverified locations cannot be replied to), and the API must be enabled"
            )
        if status == 404:
            return "no such location or review for this account; check the locator and the review id"
        return "check credentials_file and the account's access to the location"


def _review(item: Any) -> ReviewRecord:
    if not isinstance(item, dict) or not isinstance(item.get("reviewId"), str) or not item["reviewId"]:
        raise ValueError("no reviewId")
    raw_reviewer = item.get("reviewer")
    reviewer: dict[str, Any] = raw_reviewer if isinstance(raw_reviewer, dict) else {}
    name = reviewer.get("displayName")
    reply = None
    raw_reply = item.get("reviewReply")
    if isinstance(raw_reply, dict) and isinstance(raw_reply.get("comment"), str) and raw_reply["comment"].strip():
        reply = ReplyRecord(text=raw_reply["comment"].strip(), published_at=parse_datetime(raw_reply.get("updateTime")))
    created = parse_datetime(item.get("createTime"))
    updated = parse_datetime(item.get("updateTime"))
    return ReviewRecord(
        site_review_id=item["reviewId"],
        body=str(item.get("comment") or "").strip(),
        author_name=None if reviewer.get("isAnonymous") is True or not isinstance(name, str) else name,
        rating=STARS.get(str(item.get("starRating"))),
        rating_scale=5,
        published_at=created,
        updated_at=updated if updated is not None and updated != created else None,
        reply=reply,
    )
