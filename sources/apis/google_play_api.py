"""Google Play Developer API: the reviews of the company's own app, with its replies, and replying.

Built on the API's documented request and response formats; no real capture of an answer exists here, and the
tests run against a local fake written from the same documentation.

- List: `GET {api_base}/androidpublisher/v3/applications/{packageName}/reviews?maxResults=N[&token=T]` answers
  `{"reviews": [Review, ...], "tokenPagination": {"nextPageToken": "T"}}`; the token goes into the next request's
  `token` parameter. The API returns only reviews created or changed in the last 7 days, and only reviews with a
  text: a source crawled less often than daily risks gaps, and a pause longer than a week loses reviews for good.
- Review: `{"reviewId", "authorName", "comments": [{"userComment": {...}}, {"developerComment": {...}}]}`. The
  user comment holds `text` (title and body joined by a tab when the reviewer wrote both), `starRating` (1-5),
  `lastModified` (`{"seconds", "nanos"}`), `reviewerLanguage` (from the device, e.g. `en_GB`), `thumbsUpCount`,
  `appVersionName`; the developer comment, when there is one, is the company's reply (`text`, `lastModified`).
- Read one: `GET .../reviews/{reviewId}` answers one Review.
- Reply: `POST .../reviews/{reviewId}:reply` with `{"replyText": "..."}` (about 350 characters at most) answers
  `{"result": {"replyText", "lastEdited"}}`; a reply replaces the one there was.

Review ids are the store's own ("gp:AO..."), the same the `google_play` page adapter reads, so a review seen
through both is linked as one review of one reviewer. Credentials: a service-account JSON key (option
`credentials_file`) whose account has access to the app in Play Console; tokens are exchanged with the JWT-bearer
grant for the scope `https://www.googleapis.com/auth/androidpublisher`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import quote, urlencode

from monitor.core.errors import ConfigError, LayoutChanged
from monitor.core.language_tags import language_code
from monitor.core.records import ReplyRecord, ReviewRecord
from monitor.http.service_auth import ApiCredentials, GoogleServiceAccount, GoogleTokens
from sources.apis.common import JSON_CONTENT, JSON_HEADERS, ApiSource, json_body, less_than_daily, timestamp
from sources.base import ApiRequest, Option, Page, PageResult

__all__ = ["GooglePlayApi"]

SCOPE = "https://www.googleapis.com/auth/androidpublisher"
MAX_REPLY_CHARS = 350
WINDOW_DAYS = 7
_PACKAGE = re.compile(r"^[A-Za-z][\w]*(\.[\w]+)+$")
STORE_REVIEW_URL = "https://play.google.com/store/apps/details"


class GooglePlayApi(ApiSource):
    """Reviews of the company's own Google Play app from the Play Developer API, with replies; posts replies."""

    name = "google_play_api"
    site = "Google Play"
    help = (
        "Google Play Developer API for your own app: reviews created or changed in the last 7 days, with your "
        "replies; posts replies (crawl at least daily: older reviews are not listed)"
    )
    locator_help = "package name of your app, e.g. com.example.app"
    options: ClassVar[tuple[Option, ...]] = (
        Option(
            "credentials_file",
            "path of the service account's JSON key; the account needs access to the app in Play Console",
            required=True,
        ),
        Option("api_base", "base URL of the API", default="https://androidpublisher.googleapis.com"),
        Option("page_size", "reviews asked for per request (maxResults)", type=int, default=100),
    )
    # The API does not promise an order; it lists one week, so every run reads all of it.
    newest_first = False
    may_list_nothing = True
    device_language = True  # reviewerLanguage is the device's setting

    def __init__(self, locator: str, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(locator, options)
        if not _PACKAGE.match(self.locator):
            raise ConfigError(f"google_play_api: {self.locator!r} is not a package name like com.example.app")
        if self.opts["page_size"] < 1:
            raise ConfigError(f"google_play_api: option 'page_size' must be at least 1, got {self.opts['page_size']}")

    @property
    def _reviews(self) -> str:
        base = str(self.opts["api_base"]).rstrip("/")
        return f"{base}/androidpublisher/v3/applications/{quote(self.locator, safe='')}/reviews"

    def _list_url(self, token: str | None) -> str:
        query: dict[str, str] = {"maxResults": str(self.opts["page_size"])}
        if token:
            query["token"] = token
        return f"{self._reviews}?{urlencode(query)}"

    def start_urls(self) -> list[str]:
        """The first page of the listing."""
        return [self._list_url(None)]

    def load_credentials(self) -> ApiCredentials:
        """Tokens for the service-account key named by `credentials_file`."""
        account = GoogleServiceAccount.from_file(self.opts["credentials_file"], option="credentials_file")
        return GoogleTokens(account, SCOPE)

    def schedule_notice(self, schedule: str) -> str | None:
        """A warning when runs can be more than a day apart: the API lists one week of reviews only."""
        if not less_than_daily(schedule):
            return None
        return (
            f"schedule {schedule!r} runs less often than daily, but the Google Play Developer API lists only reviews "
            f"created or changed in the last {WINDOW_DAYS} days: a gap longer than that loses reviews for good; "
            "schedule this source at least daily"
        )

    def parse_document(self, page: Page, document: dict[str, Any]) -> PageResult:
        """The reviews of one listing answer; `next_url` carries `tokenPagination.nextPageToken`."""
        raw = document.get("reviews", [])
        if not isinstance(raw, list):
            raise LayoutChanged(f"Google Play API {page.url}: 'reviews' is {type(raw).__name__}, not a list")
        records: list[ReviewRecord] = []
        problems: list[str] = []
        for position, item in enumerate(raw, start=1):
            try:
                records.append(self._review(item))
            except ValueError as exc:
                problems.append(f"review {position}: {exc}")
        if raw and not records:
            raise LayoutChanged(f"Google Play API {page.url}: none of its {len(raw)} reviews has the documented shape")
        paging = document.get("tokenPagination")
        token = paging.get("nextPageToken") if isinstance(paging, dict) else None
        next_url = self._list_url(token) if isinstance(token, str) and token else None
        return PageResult(records=records, next_url=next_url, problems=problems)

    def _review(self, item: Any) -> ReviewRecord:
        if not isinstance(item, dict) or not isinstance(item.get("reviewId"), str) or not item["reviewId"]:
            raise ValueError("no reviewId")
        review_id = item["reviewId"]
        raw_comments = item.get("comments")
        comments: list[Any] = raw_comments if isinstance(raw_comments, list) else []
        user = _comment(comments, "userComment")
        if user is None:
            raise ValueError(f"{review_id}: no userComment")
        text = str(user.get("text") or "")
        # A review with a title and a body comes as one text, the two joined by a tab.
        title, _, body = text.partition("\t") if "\t" in text else ("", "", text)
        developer = _comment(comments, "developerComment")
        reply = None
        if developer is not None and str(developer.get("text") or "").strip():
            answered = timestamp(developer.get("lastModified"))
            reply = ReplyRecord(text=str(developer["text"]).strip(), published_at=answered)
        stars = user.get("starRating")
        language = user.get("reviewerLanguage")
        extra: dict[str, Any] = {}
        for key, name in (("appVersionName", "app_version"), ("reviewerLanguage", "reviewer_language")):
            if isinstance(user.get(key), str) and user[key]:
                extra[name] = user[key]
        votes = user.get("thumbsUpCount")
        author = item.get("authorName")
        return ReviewRecord(
            site_review_id=review_id,
            body=body.strip(),
            title=title.strip() or None,
            url=f"{STORE_REVIEW_URL}?id={quote(self.locator)}&reviewId={quote(review_id, safe=':')}",
            author_name=author if isinstance(author, str) and author else None,
            rating=float(stars) if isinstance(stars, int) and not isinstance(stars, bool) and 1 <= stars <= 5 else None,
            rating_scale=5,
            # The device's language: the best hint the API gives; its region is kept in `extra`.
            language=language_code(language) if isinstance(language, str) else None,
            # The API shows when a review was last written, not when it was first posted.
            published_at=timestamp(user.get("lastModified")),
            helpful_votes=votes if isinstance(votes, int) and not isinstance(votes, bool) else None,
            reply=reply,
            extra=extra,
        )

    def review_url(self, review_id: str) -> str:
        """`reviews.get` of one review."""
        return f"{self._reviews}/{quote(review_id, safe='')}"

    def parse_review(self, page: Page, review_id: str) -> ReviewRecord:
        """The review and its current reply from a `reviews.get` answer."""
        try:
            return self._review(json_body(page, self.site))
        except ValueError as exc:
            raise LayoutChanged(f"Google Play API {page.url}: the review is not in the known shape ({exc})") from None

    def reply_request(self, review_id: str, text: str) -> ApiRequest:
        """`reviews.reply`: POST `{"replyText": text}`."""
        body = json.dumps({"replyText": text}, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": JSON_CONTENT, **JSON_HEADERS}
        return ApiRequest("POST", f"{self.review_url(review_id)}:reply", headers, body)

    def confirmed_reply(self, page: Page, text: str) -> ReplyRecord:
        """The reply text and time from `result` of a `reviews.reply` answer."""
        result = json_body(page, self.site).get("result")
        result = result if isinstance(result, dict) else {}
        applied = result.get("replyText")
        return ReplyRecord(
            text=applied.strip() if isinstance(applied, str) and applied.strip() else text,
            published_at=timestamp(result.get("lastEdited")),
        )

    def reply_text_problem(self, text: str) -> str | None:
        """Google Play rejects replies longer than about 350 characters."""
        if len(text) > MAX_REPLY_CHARS:
            return (
                f"Google Play takes replies of at most about {MAX_REPLY_CHARS} characters; this one has {len(text)}: "
                "shorten it"
            )
        return None

    def refusal_advice(self, status: int) -> str:
        """What to check for a refusal of the Play Developer API."""
        if status == 401:
            return "the access token was not accepted; check the key in credentials_file and this machine's clock"
        if status == 403:
            return (
                "the service account may not do this: in Play Console > Users and permissions, give it access to "
                "this app with the permission to reply to reviews, and check that the Google Play Android Developer "
                "API is enabled in its Cloud project"
            )
        if status == 404:
            return "no such app or review for this account; check the package name and the review id"
        return "check credentials_file and the account's access to the app"


def _comment(comments: list[Any], kind: str) -> dict[str, Any] | None:
    for comment in comments:
        if isinstance(comment, dict) and isinstance(comment.get(kind), dict):
            value: dict[str, Any] = comment[kind]
            return value
    return None
