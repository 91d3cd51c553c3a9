"""Local fakes of the official store APIs, served over real HTTP on 127.0.0.1, written from their documented formats.

One `FakeStoreApis` server answers, on one host and port:

- the Google OAuth token endpoint (`POST /token`, JWT-bearer grant): it checks the assertion's RS256 signature
  with the public key registered for its issuer, its audience, lifetime and scope, and hands out bearer tokens;
- the Google Play Developer API (`reviews.list` paged by `tokenPagination.nextPageToken` → `token`,
  `reviews.get`, `reviews.reply`);
- the App Store Connect API (`customerReviews` of an app with `include=response`, paged by `links.next`, one
  review, `POST /v1/customerReviewResponses`): each request's ES256 JWT is checked with the key registered for its
  `kid` (issuer, audience `appstoreconnect-v1`, at most 20 minutes of life);
- the Google Business Profile API (a location's reviews paged by `nextPageToken` → `pageToken`, one review,
  `PUT .../reviews/{id}/reply`).

State is kept in memory (reviews and replies change when a reply is posted), every request is logged, and faults
can be queued per method and path prefix: an error status with headers and body, a slow answer, or a dropped
connection after the change was applied (the answer is lost, the store acted). Keys are made fresh per test with
`cryptography`; no real key exists anywhere in the suite.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from monitor.http.service_auth import APP_STORE_CONNECT_AUDIENCE, JWT_BEARER_GRANT

__all__ = [
    "ANDROID_SCOPE",
    "BUSINESS_SCOPE",
    "FakeStoreApis",
    "Fault",
    "LoggedRequest",
    "app_store_connect_key",
    "asc_review",
    "business_review",
    "play_review",
    "service_account_key",
]

ANDROID_SCOPE = "https://www.googleapis.com/auth/androidpublisher"
BUSINESS_SCOPE = "https://www.googleapis.com/auth/business.manage"
JSON = "application/json; charset=utf-8"


def _pem_private(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _pem_public(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def service_account_key(
    folder: Path, token_uri: str, *, email: str = "reviews@acme-project.iam.gserviceaccount.com", name: str = "sa.json"
) -> tuple[Path, str]:
    """A throw-away service-account JSON key file in `folder` and the PEM of its public key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    document = {
        "type": "service_account",
        "project_id": "acme-project",
        "private_key_id": "k1",
        "private_key": _pem_private(key),
        "client_email": email,
        "client_id": "1",
        "token_uri": token_uri,
    }
    path = folder / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path, _pem_public(key)


def app_store_connect_key(folder: Path, *, name: str = "AuthKey_TEST.p8") -> tuple[Path, str]:
    """A throw-away App Store Connect `.p8` EC key file in `folder` and the PEM of its public key."""
    key = ec.generate_private_key(ec.SECP256R1())
    path = folder / name
    path.write_text(_pem_private(key), encoding="utf-8")
    return path, _pem_public(key)


def _google_time(moment: datetime) -> dict[str, Any]:
    return {"seconds": str(int(moment.timestamp())), "nanos": 0}


def play_review(
    review_id: str,
    text: str,
    stars: int,
    when: datetime,
    *,
    author: str = "Ann Reviewer",
    language: str = "en_GB",
    reply: str | None = None,
    replied: datetime | None = None,
) -> dict[str, Any]:
    """A Play Developer API `Review` resource as documented."""
    comments: list[dict[str, Any]] = [
        {
            "userComment": {
                "text": text,
                "lastModified": _google_time(when),
                "starRating": stars,
                "reviewerLanguage": language,
                "device": "a52q",
                "androidOsVersion": 33,
                "appVersionCode": 412,
                "appVersionName": "4.1.2",
                "thumbsUpCount": 3,
                "thumbsDownCount": 0,
            }
        }
    ]
    if reply is not None:
        comments.append({"developerComment": {"text": reply, "lastModified": _google_time(replied or when)}})
    return {"reviewId": review_id, "authorName": author, "comments": comments}


def asc_review(
    review_id: str,
    body: str,
    rating: int,
    created: datetime,
    *,
    nickname: str = "Anne J",
    title: str = "Not working",
    response: str | None = None,
) -> dict[str, Any]:
    """A review as the fake keeps it: the `customerReviews` attributes and an optional response text."""
    return {
        "id": review_id,
        "attributes": {
            "rating": rating,
            "title": title,
            "body": body,
            "reviewerNickname": nickname,
            "createdDate": created.isoformat(),
            "territory": "USA",
        },
        "response": None
        if response is None
        else {"responseBody": response, "lastModifiedDate": created.isoformat(), "state": "PUBLISHED"},
    }


def business_review(
    review_id: str,
    location: str,
    comment: str | None,
    stars: str,
    created: datetime,
    *,
    name: str = "Jane Doe",
    anonymous: bool = False,
    reply: str | None = None,
) -> dict[str, Any]:
    """A Business Profile `Review` resource as documented."""
    review: dict[str, Any] = {
        "name": f"{location}/reviews/{review_id}",
        "reviewId": review_id,
        "reviewer": {"displayName": "A Google user" if anonymous else name, "isAnonymous": anonymous},
        "starRating": stars,
        "createTime": created.isoformat().replace("+00:00", "Z"),
        "updateTime": created.isoformat().replace("+00:00", "Z"),
    }
    if comment is not None:
        review["comment"] = comment
    if reply is not None:
        review["reviewReply"] = {"comment": reply, "updateTime": created.isoformat().replace("+00:00", "Z")}
    return review


@dataclass(frozen=True)
class Fault:
    """Answer the next matching request with `status` (and headers, body); `slow` waits first; `drop` hangs up.

    With `apply`, the request is carried out before the fault is served (the store acted, its answer got lost).
    """

    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    slow: float = 0.0
    drop: bool = False
    apply: bool = False


@dataclass(frozen=True)
class LoggedRequest:
    """One request the fake received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class FakeStoreApis:
    """The fake server: register keys and reviews, queue faults, read the request log."""

    def __init__(self) -> None:
        self.google_keys: dict[str, str] = {}  # client_email -> public key PEM
        self.asc_keys: dict[str, tuple[str, str]] = {}  # key id -> (issuer id, public key PEM)
        self.tokens: dict[str, str] = {}  # bearer token -> scope
        self.play: dict[str, list[dict[str, Any]]] = {}
        self.asc: dict[str, list[dict[str, Any]]] = {}
        self.business: dict[str, list[dict[str, Any]]] = {}
        self.requests: list[LoggedRequest] = []
        self.faults: list[tuple[str, str, Fault]] = []
        self.page_size_cap = 2  # answers hold at most this many reviews, so paging is exercised
        self.token_lifetime = 3600
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.fake = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> FakeStoreApis:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT`."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def token_uri(self) -> str:
        """The fake's OAuth token endpoint."""
        return f"{self.base_url}/token"

    def add_fault(self, method: str, path_prefix: str, fault: Fault, *, times: int = 1) -> None:
        """Serve `fault` to the next `times` requests with this method whose path starts with `path_prefix`."""
        with self._lock:
            self.faults.extend([(method, path_prefix, fault)] * times)

    def logged(self, method: str, contains: str = "") -> list[LoggedRequest]:
        """Logged requests with this method whose path contains `contains`."""
        return [r for r in list(self.requests) if r.method == method and contains in r.path]

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for index, (m, prefix, fault) in enumerate(self.faults):
                if m == method and path.startswith(prefix):
                    del self.faults[index]
                    return fault
        return None

    def answer(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body for one request (faults aside)."""
        parts = urlsplit(target)
        query = dict(parse_qsl(parts.query))
        path = parts.path
        if path == "/token" and method == "POST":
            return self._token(body)
        if path.startswith("/androidpublisher/v3/applications/"):
            return self._play(method, path, query, headers, body)
        if path.startswith(("/v1/apps/", "/v1/customerReviews", "/v1/customerReviewResponses")):
            return self._app_store(method, path, query, headers, body)
        if path.startswith("/v4/accounts/"):
            return self._business(method, path, query, headers, body)
        return 404, {}, b"not found"

    def _token(self, body: bytes) -> tuple[int, dict[str, str], bytes]:
        form = dict(parse_qsl(body.decode()))
        refused = _json({"error": "invalid_grant", "error_description": "Invalid JWT Signature."})
        if form.get("grant_type") != JWT_BEARER_GRANT:
            return 400, {}, _json({"error": "unsupported_grant_type"})
        assertion = form.get("assertion", "")
        try:
            issuer = jwt.decode(assertion, options={"verify_signature": False}).get("iss", "")
            public = self.google_keys[issuer]
            claims = jwt.decode(assertion, public, algorithms=["RS256"], audience=self.token_uri)
        except (KeyError, jwt.PyJWTError):
            return 400, {}, refused
        if claims["exp"] - claims["iat"] > 3600 or claims.get("scope") not in (ANDROID_SCOPE, BUSINESS_SCOPE):
            return 400, {}, _json({"error": "invalid_scope"})
        token = f"ya29.fake-{len(self.tokens) + 1}"
        self.tokens[token] = claims["scope"]
        return 200, {}, _json({"access_token": token, "expires_in": self.token_lifetime, "token_type": "Bearer"})

    def _google_auth(self, headers: dict[str, str], scope: str) -> tuple[int, dict[str, str], bytes] | None:
        token = headers.get("authorization", "").removeprefix("Bearer ")
        if self.tokens.get(token) != scope:
            error = {
                "code": 401,
                "message": "Request had invalid authentication credentials.",
                "status": "UNAUTHENTICATED",
            }
            return 401, {}, _json({"error": error})
        return None

    def _play(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        refused = self._google_auth(headers, ANDROID_SCOPE)
        if refused:
            return refused
        rest = path.removeprefix("/androidpublisher/v3/applications/")
        package, _, tail = rest.partition("/reviews")
        reviews = self.play.get(unquote(package))
        if reviews is None:
            return 404, {}, _json({"error": {"code": 404, "message": "Package not found", "status": "NOT_FOUND"}})
        if tail == "" and method == "GET":
            start = int(query.get("token", "0") or 0)
            size = min(int(query.get("maxResults", "100")), self.page_size_cap)
            page: dict[str, Any] = {"reviews": reviews[start : start + size]} if reviews[start : start + size] else {}
            if start + size < len(reviews):
                page["tokenPagination"] = {"nextPageToken": str(start + size)}
            page["pageInfo"] = {"totalResults": len(reviews), "resultPerPage": size, "startIndex": start}
            return 200, {}, _json(page)
        segment = tail.removeprefix("/")
        replying = segment.endswith(":reply")
        review_id = unquote(segment.removesuffix(":reply"))
        review = next((r for r in reviews if r["reviewId"] == review_id), None)
        if review is None:
            return 404, {}, _json({"error": {"code": 404, "message": "Review not found", "status": "NOT_FOUND"}})
        if method == "GET" and not replying:
            return 200, {}, _json(review)
        if method == "POST" and replying:
            text = json.loads(body)["replyText"]
            now = _google_time(datetime.now(UTC))
            review["comments"] = [c for c in review["comments"] if "developerComment" not in c]
            review["comments"].append({"developerComment": {"text": text, "lastModified": now}})
            return 200, {}, _json({"result": {"replyText": text, "lastEdited": now}})
        return 405, {}, b""

    def _asc_auth(self, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes] | None:
        token = headers.get("authorization", "").removeprefix("Bearer ")
        problem = _json(
            {
                "errors": [
                    {
                        "status": "401",
                        "code": "NOT_AUTHORIZED",
                        "title": "Authentication credentials are missing or invalid.",
                        "detail": "Provide a properly configured and signed bearer token.",
                    }
                ]
            }
        )
        try:
            header = jwt.get_unverified_header(token)
            issuer, public = self.asc_keys[header["kid"]]
            claims = jwt.decode(token, public, algorithms=["ES256"], audience=APP_STORE_CONNECT_AUDIENCE, issuer=issuer)
        except (KeyError, jwt.PyJWTError):
            return 401, {}, problem
        if claims["exp"] - claims["iat"] > 20 * 60:
            return 401, {}, problem
        return None

    def _asc_document(self, review: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
        resource: dict[str, Any] = {"type": "customerReviews", "id": review["id"], "attributes": review["attributes"]}
        response = review.get("response")
        linked = {"type": "customerReviewResponses", "id": f"resp-{review['id']}"} if response else None
        resource["relationships"] = {"response": {"data": linked}}
        included = None if not response else {**linked, "attributes": response}  # type: ignore[dict-item]
        return resource, included

    def _app_store(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        refused = self._asc_auth(headers)
        if refused:
            return refused
        if path.startswith("/v1/apps/") and path.endswith("/customerReviews") and method == "GET":
            app_id = path.split("/")[3]
            reviews = sorted(self.asc.get(app_id, []), key=lambda r: r["attributes"]["createdDate"], reverse=True)
            start = int(query.get("cursor", "0"))
            size = min(int(query.get("limit", "50")), self.page_size_cap)
            data, included = [], []
            for review in reviews[start : start + size]:
                resource, response = self._asc_document(review)
                data.append(resource)
                if response:
                    included.append(response)
            document: dict[str, Any] = {"data": data, "links": {"self": self.base_url + path}}
            if included:
                document["included"] = included
            if start + size < len(reviews):
                document["links"]["next"] = f"{self.base_url}{path}?{urlencode({**query, 'cursor': start + size})}"
            document["meta"] = {"paging": {"total": len(reviews), "limit": size}}
            return 200, {}, _json(document)
        if path.startswith("/v1/customerReviews/") and method == "GET":
            review_id = unquote(path.removeprefix("/v1/customerReviews/"))
            review = next((r for rs in self.asc.values() for r in rs if r["id"] == review_id), None)
            if review is None:
                return 404, {}, _json({"errors": [{"status": "404", "code": "NOT_FOUND", "title": "Not found"}]})
            resource, response = self._asc_document(review)
            return 200, {}, _json({"data": resource, **({"included": [response]} if response else {})})
        if path == "/v1/customerReviewResponses" and method == "POST":
            data = json.loads(body)["data"]
            review_id = data["relationships"]["review"]["data"]["id"]
            review = next((r for rs in self.asc.values() for r in rs if r["id"] == review_id), None)
            if data.get("type") != "customerReviewResponses" or review is None:
                return 409, {}, _json({"errors": [{"status": "409", "code": "ENTITY_ERROR", "detail": "bad review"}]})
            now = datetime.now(UTC).isoformat()
            review["response"] = {
                "responseBody": data["attributes"]["responseBody"],
                "lastModifiedDate": now,
                "state": "PENDING_PUBLISH",
            }
            created = {"type": "customerReviewResponses", "id": f"resp-{review_id}", "attributes": review["response"]}
            return 201, {}, _json({"data": created, "links": {"self": f"{self.base_url}{path}/resp-{review_id}"}})
        return 404, {}, b""

    def _business(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        refused = self._google_auth(headers, BUSINESS_SCOPE)
        if refused:
            return refused
        location, _, tail = path.removeprefix("/v4/").partition("/reviews")
        reviews = self.business.get(location)
        if reviews is None:
            return 404, {}, _json({"error": {"code": 404, "message": "Location not found", "status": "NOT_FOUND"}})
        if tail == "" and method == "GET":
            ordered = sorted(reviews, key=lambda r: r["updateTime"], reverse=True)
            start = int(query.get("pageToken", "0") or 0)
            size = min(int(query.get("pageSize", "50")), self.page_size_cap)
            page: dict[str, Any] = {"reviews": ordered[start : start + size], "totalReviewCount": len(reviews)}
            if start + size < len(reviews):
                page["nextPageToken"] = str(start + size)
            return 200, {}, _json(page)
        segment = tail.removeprefix("/")
        replying = segment.endswith("/reply")
        review_id = unquote(segment.removesuffix("/reply"))
        review = next((r for r in reviews if r["reviewId"] == review_id), None)
        if review is None:
            return 404, {}, _json({"error": {"code": 404, "message": "Review not found", "status": "NOT_FOUND"}})
        if method == "GET" and not replying:
            return 200, {}, _json(review)
        if method == "PUT" and replying:
            now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
            review["reviewReply"] = {"comment": json.loads(body)["comment"], "updateTime": now}
            review["updateTime"] = now
            return 200, {}, _json(review["reviewReply"])
        return 405, {}, b""


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ThreadingHTTPServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def _serve(self) -> None:
        fake: FakeStoreApis = self.server.fake  # type: ignore[attr-defined]
        length = self.headers.get("Content-Length", "0")
        body = self.rfile.read(int(length)) if length.isdigit() else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        fake.requests.append(LoggedRequest(self.command, self.path, headers, body))
        fault = fake._take_fault(self.command, urlsplit(self.path).path)
        if fault is not None:
            if fault.apply:
                fake.answer(self.command, self.path, headers, body)
            if fault.slow:
                time.sleep(fault.slow)
            if fault.drop:
                self.close_connection = True
                self.connection.close()
                return
            if not fault.slow:
                self._send(fault.status, fault.headers, fault.body)
                return
        status, extra, payload = fake.answer(self.command, self.path, headers, body)
        self._send(status, extra, payload)

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", JSON)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
