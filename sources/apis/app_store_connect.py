"""App Store Connect API: every customer review of the company's own app, with its response, and responding.

Built on the API's documented request and response formats; no real capture of an answer exists here, and the
tests run against a local fake written from the same documentation.

- List: `GET {api_base}/v1/apps/{id}/customerReviews?include=response&sort=-createdDate&limit=N` answers a JSON:API
  document: `data` holds `customerReviews` (`attributes`: `rating`, `title`, `body`, `reviewerNickname`,
  `createdDate`, `territory`; `relationships.response.data` names the response, if any), `included` holds the
  `customerReviewResponses` (`attributes`: `responseBody`, `lastModifiedDate`, `state` PUBLISHED or
  PENDING_PUBLISH) and `links.next` is the next page's URL (absent on the last page). Newest first.
- Read one: `GET {api_base}/v1/customerReviews/{id}?include=response` answers one review the same way.
- Respond: `POST {api_base}/v1/customerReviewResponses` with
  `{"data": {"type": "customerReviewResponses", "attributes": {"responseBody": "..."},
  "relationships": {"review": {"data": {"type": "customerReviews", "id": "..."}}}}}` answers the response
  resource. A review has at most one response; posting again replaces it. Apple publishes responses after its own
  review, so a new one is PENDING_PUBLISH for a while.

Credentials: an API key (options `key_id`, `issuer_id` and `private_key_file`, the `.p8` EC key) whose role may
answer reviews; each request carries an ES256 JWT (`kid` header; `iss`, `iat`, `exp` at most 20 minutes later and
`aud` `appstoreconnect-v1`). The public reviews feed (`app_store`) shows other review ids, so a review seen through
both is linked by its reviewer's nickname and exact text instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import quote, urlencode

from monitor.core.errors import ConfigError, LayoutChanged
from monitor.core.records import ReplyRecord, ReviewRecord
from monitor.http.service_auth import ApiCredentials, AppStoreConnectKey, AppStoreConnectTokens
from sources.apis.common import JSON_CONTENT, JSON_HEADERS, ApiSource, json_body
from sources.base import ApiRequest, Option, Page, PageResult
from sources.fields import parse_datetime

__all__ = ["AppStoreConnect"]

REVIEW_TYPE = "customerReviews"
RESPONSE_TYPE = "customerReviewResponses"
MAX_PAGE_SIZE = 200
_APP_ID = re.compile(r"^(?:id)?(\d+)$")


class AppStoreConnect(ApiSource):
    """Customer reviews of the company's own iOS app from App Store Connect, with responses; posts responses."""

    name = "app_store_connect"
    site = "App Store"
    help = (
        "App Store Connect API for your own app: every customer review with your response; posts responses "
        "(Apple publishes them after its review)"
    )
    locator_help = "the app's Apple id (numeric, e.g. 1234567890)"
    options: ClassVar[tuple[Option, ...]] = (
        Option("key_id", "the API key's id (App Store Connect > Users and Access > Integrations)", required=True),
        Option("issuer_id", "the issuer id shown above the team's API keys", required=True),
        Option("private_key_file", "path of the API key's .p8 file (an EC private key)", required=True),
        Option("api_base", "base URL of the API", default="https://api.appstoreconnect.apple.com"),
        Option("page_size", f"reviews asked for per request (at most {MAX_PAGE_SIZE})", type=int, default=200),
    )

    def __init__(self, locator: str, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(locator, options)
        match = _APP_ID.match(self.locator)
        if not match:
            raise ConfigError(f"app_store_connect: {self.locator!r} is not a numeric Apple app id")
        self.app_id = match.group(1)
        if not 1 <= self.opts["page_size"] <= MAX_PAGE_SIZE:
            raise ConfigError(f"app_store_connect: option 'page_size' must be 1 to {MAX_PAGE_SIZE}")

    @property
    def _base(self) -> str:
        return str(self.opts["api_base"]).rstrip("/")

    def start_urls(self) -> list[str]:
        """The newest page of the app's customer reviews, with their responses included."""
        query = urlencode({"include": "response", "sort": "-createdDate", "limit": str(self.opts["page_size"])})
        return [f"{self._base}/v1/apps/{self.app_id}/customerReviews?{query}"]

    def load_credentials(self) -> ApiCredentials:
        """Signed tokens for the .p8 key named by `private_key_file`."""
        key = AppStoreConnectKey.from_file(
            self.opts["private_key_file"],
            key_id=str(self.opts["key_id"]),
            issuer_id=str(self.opts["issuer_id"]),
            option="private_key_file",
        )
        return AppStoreConnectTokens(key)

    def parse_document(self, page: Page, document: dict[str, Any]) -> PageResult:
        """The reviews of one listing answer; `next_url` is `links.next`."""
        data = document.get("data", [])
        if not isinstance(data, list):
            raise LayoutChanged(f"App Store Connect API {page.url}: 'data' is {type(data).__name__}, not a list")
        responses = _responses(document)
        records: list[ReviewRecord] = []
        problems: list[str] = []
        for position, item in enumerate(data, start=1):
            try:
                records.append(_review(item, responses))
            except ValueError as exc:
                problems.append(f"review {position}: {exc}")
        if data and not records:
            raise LayoutChanged(f"App Store Connect API {page.url}: none of its {len(data)} items is a customer review")
        links = document.get("links")
        following = links.get("next") if isinstance(links, dict) else None
        return PageResult(
            records=records, next_url=following if isinstance(following, str) and following else None, problems=problems
        )

    def review_url(self, review_id: str) -> str:
        """One customer review with its response."""
        return f"{self._base}/v1/customerReviews/{quote(review_id, safe='')}?include=response"

    def parse_review(self, page: Page, review_id: str) -> ReviewRecord:
        """The review and its current response from the answer to `review_url`."""
        document = json_body(page, self.site)
        try:
            return _review(document.get("data"), _responses(document))
        except ValueError as exc:
            raise LayoutChanged(f"App Store Connect API {page.url}: not a customer review ({exc})") from None

    def reply_request(self, review_id: str, text: str) -> ApiRequest:
        """Create (or replace) the response to the review."""
        payload = {
            "data": {
                "type": RESPONSE_TYPE,
                "attributes": {"responseBody": text},
                "relationships": {"review": {"data": {"type": REVIEW_TYPE, "id": review_id}}},
            }
        }
        headers = {"Content-Type": JSON_CONTENT, **JSON_HEADERS}
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return ApiRequest("POST", f"{self._base}/v1/{RESPONSE_TYPE}", headers, body)

    def confirmed_reply(self, page: Page, text: str) -> ReplyRecord:
        """The response as Apple stored it."""
        data = json_body(page, self.site).get("data")
        attributes = data.get("attributes") if isinstance(data, dict) else None
        attributes = attributes if isinstance(attributes, dict) else {}
        stored = attributes.get("responseBody")
        return ReplyRecord(
            text=stored.strip() if isinstance(stored, str) and stored.strip() else text,
            published_at=parse_datetime(attributes.get("lastModifiedDate")),
        )

    def refusal_advice(self, status: int) -> str:
        """What to check for a refusal of the App Store Connect API."""
        if status == 401:
            return (
                "the token was not accepted; check key_id, issuer_id and private_key_file (a revoked key stops "
                "working at once) and this machine's clock"
            )
        if status == 403:
            return "the API key's role may not do this: answering reviews needs Admin, App Manager or Customer Support"
        if status == 404:
            return "no such app or review for this key's team; check the app id and the review id"
        if status == 409:
            return "App Store Connect refused the response as it stands (a conflict); read the review again"
        return "check the API key options and its role"


def _responses(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The included responses by id."""
    found: dict[str, dict[str, Any]] = {}
    included = document.get("included")
    for item in included if isinstance(included, list) else []:
        if isinstance(item, dict) and item.get("type") == RESPONSE_TYPE and isinstance(item.get("id"), str):
            attributes = item.get("attributes")
            found[item["id"]] = attributes if isinstance(attributes, dict) else {}
    return found


def _review(item: Any, responses: dict[str, dict[str, Any]]) -> ReviewRecord:
    if not isinstance(item, dict) or item.get("type") != REVIEW_TYPE or not isinstance(item.get("id"), str):
        raise ValueError("not a customerReviews resource with an id")
    attributes = item.get("attributes")
    if not isinstance(attributes, dict):
        raise ValueError(f"{item['id']}: no attributes")
    rating = attributes.get("rating")
    extra: dict[str, Any] = {}
    if isinstance(attributes.get("territory"), str):
        extra["territory"] = attributes["territory"]
    reply = None
    relationships = item.get("relationships")
    response = relationships.get("response") if isinstance(relationships, dict) else None
    linked = response.get("data") if isinstance(response, dict) else None
    if isinstance(linked, dict) and isinstance(linked.get("id"), str) and linked["id"] in responses:
        attrs = responses[linked["id"]]
        text = attrs.get("responseBody")
        if isinstance(text, str) and text.strip():
            reply = ReplyRecord(text=text.strip(), published_at=parse_datetime(attrs.get("lastModifiedDate")))
            if isinstance(attrs.get("state"), str):
                extra["response_state"] = attrs["state"]
    nickname = attributes.get("reviewerNickname")
    title = attributes.get("title")
    return ReviewRecord(
        site_review_id=item["id"],
        body=str(attributes.get("body") or "").strip(),
        title=title.strip() or None if isinstance(title, str) else None,
        author_name=nickname if isinstance(nickname, str) and nickname else None,
        rating=float(rating) if isinstance(rating, int) and not isinstance(rating, bool) and 1 <= rating <= 5 else None,
        rating_scale=5,
        published_at=parse_datetime(attributes.get("createdDate")),
        reply=reply,
        extra=extra,
    )
