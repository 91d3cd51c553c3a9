"""Credentials for the official review APIs, read from the key files the configuration names.

- **Google** (Play Developer API, Business Profile API): a service-account JSON key. An access token comes from
  the JWT-bearer grant (RFC 7523): a JWT signed RS256 with the key's private key, with the service account as
  issuer, the API's scope and the key's own `token_uri` as audience, is POSTed as a form
  (`grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=...`) to that `token_uri`. The answer's
  `access_token` is kept in memory until shortly before its `expires_in` runs out.
- **App Store Connect**: a `.p8` EC private key with its key id and the team's issuer id. Each request carries a
  JWT signed ES256 (header `kid`, payload `iss`, `iat`, `exp` at most 20 minutes later, `aud`
  `appstoreconnect-v1`); there is no exchange. A token is reused until a minute before it expires.

The token exchange goes through the polite fetcher like every request (the `Fetch` callable it is given), so the
request policy applies to it too. Key files are read when they are first needed, never at configuration time; a key
file that is missing, unreadable or not a key of the expected kind is a one-line `ConfigError` naming the option.
Nothing here is ever written to disk or a log: a key's private part stays in memory.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import jwt

from monitor.core.errors import Blocked, ConfigError, FetchError
from monitor.core.text_safety import printable
from monitor.http.page import Fetch

__all__ = [
    "APP_STORE_CONNECT_AUDIENCE",
    "JWT_BEARER_GRANT",
    "ApiCredentials",
    "AppStoreConnectKey",
    "AppStoreConnectTokens",
    "GoogleServiceAccount",
    "GoogleTokens",
    "describe_api_error",
    "redact_authorization",
]

JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
APP_STORE_CONNECT_AUDIENCE = "appstoreconnect-v1"
# Google's assertions may be valid for at most an hour; App Store Connect tokens for at most 20 minutes.
GOOGLE_ASSERTION_SECONDS = 3600
APP_STORE_CONNECT_TOKEN_SECONDS = 20 * 60
# A token this close to its expiry is renewed before use, so a request never goes out with a token about to lapse.
RENEW_BEFORE_SECONDS = 60
MAX_KEY_FILE_BYTES = 100_000

Clock = Callable[[], float]


class ApiCredentials(Protocol):
    """What an official API's adapter needs to authorise its requests."""

    def trusted_urls(self) -> list[str]:
        """Endpoints besides the API itself that requests go to (a token endpoint)."""
        ...

    async def authorization(self, fetch: Fetch) -> str:
        """The `Authorization` header value for the next request."""
        ...


def redact_authorization(value: str) -> str:
    """An Authorization header value with its secret left out, for printing: `Bearer <redacted>`."""
    scheme = value.split(" ", 1)[0] if " " in value else ""
    return f"{scheme} <redacted>".strip()


def _read_key_file(path: str | None, option: str) -> str:
    if not path or not str(path).strip():
        raise ConfigError(f"option {option!r}: no key file named; give the path of the key file")
    file = Path(str(path)).expanduser()
    try:
        if file.stat().st_size > MAX_KEY_FILE_BYTES:
            raise ConfigError(f"option {option!r}: {file} is too large to be a key file")
        return file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"option {option!r}: the key file {file} does not exist") from None
    except UnicodeDecodeError:
        raise ConfigError(f"option {option!r}: the key file {file} is not text") from None
    except OSError as exc:
        raise ConfigError(f"option {option!r}: cannot read the key file {file} ({exc.strerror})") from None


def _check_signs(private_key: str, algorithm: str, what: str) -> None:
    """Refuse a key that cannot sign with `algorithm` now, instead of at the first request."""
    try:
        jwt.encode({"check": 1}, private_key, algorithm=algorithm)
    except Exception as exc:  # PyJWT and the crypto backend raise several types for a bad key
        raise ConfigError(f"{what} is not a usable {algorithm} private key ({type(exc).__name__})") from None


@dataclass(frozen=True)
class GoogleServiceAccount:
    """A Google service-account key: who signs, with which private key, and where tokens are exchanged."""

    path: str
    client_email: str
    private_key: str = field(repr=False)
    token_uri: str
    private_key_id: str | None = None

    @classmethod
    def from_file(cls, path: str | None, *, option: str = "credentials_file") -> GoogleServiceAccount:
        """Read and check a service-account JSON key; `ConfigError` names `option` when it is unusable."""
        text = _read_key_file(path, option)
        where = f"option {option!r}: {path}"
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            raise ConfigError(f"{where} is not JSON; it must be a service-account key file") from None
        if not isinstance(data, dict):
            raise ConfigError(f"{where} is not a service-account key (no JSON object)")
        if data.get("type") not in (None, "service_account"):
            raise ConfigError(f"{where} is a {str(data.get('type'))[:40]!r} key, not a service-account key")
        missing = [k for k in ("client_email", "private_key", "token_uri") if not isinstance(data.get(k), str)]
        if missing:
            raise ConfigError(f"{where} has no {missing[0]!r}; download the service account's JSON key again")
        _check_signs(data["private_key"], "RS256", f"{where}: its private_key")
        key_id = data.get("private_key_id")
        return cls(
            path=str(path),
            client_email=data["client_email"],
            private_key=data["private_key"],
            token_uri=data["token_uri"],
            private_key_id=key_id if isinstance(key_id, str) and key_id else None,
        )

    def assertion(self, scope: str, now: float) -> str:
        """The signed JWT that asks `token_uri` for an access token to `scope`."""
        issued = int(now)
        payload = {
            "iss": self.client_email,
            "scope": scope,
            "aud": self.token_uri,
            "iat": issued,
            "exp": issued + GOOGLE_ASSERTION_SECONDS,
        }
        headers = {"kid": self.private_key_id} if self.private_key_id else None
        return jwt.encode(payload, self.private_key, algorithm="RS256", headers=headers)


class GoogleTokens:
    """Access tokens for one service account and scope, exchanged through the fetcher and kept until near expiry."""

    def __init__(self, account: GoogleServiceAccount, scope: str, *, clock: Clock = time.time) -> None:
        self.account = account
        self.scope = scope
        self._clock = clock
        self._token: str | None = None
        self._expires = 0.0

    def trusted_urls(self) -> list[str]:
        """The key's token endpoint."""
        return [self.account.token_uri]

    async def authorization(self, fetch: Fetch) -> str:
        """`Bearer <access token>`, exchanging a fresh assertion when the kept token is missing or nearly expired."""
        now = self._clock()
        if self._token is None or now >= self._expires - RENEW_BEFORE_SECONDS:
            self._token, lifetime = await self._exchange(fetch, now)
            self._expires = now + lifetime
        return f"Bearer {self._token}"

    async def _exchange(self, fetch: Fetch, now: float) -> tuple[str, float]:
        uri = self.account.token_uri
        form = {"grant_type": JWT_BEARER_GRANT, "assertion": self.account.assertion(self.scope, now)}
        try:
            page = await fetch(uri, form=form)
        except FetchError as exc:
            if exc.status in (400, 401, 403):
                raise Blocked(
                    f"the token endpoint {uri} refused the service-account key {self.account.path} "
                    f"(HTTP {exc.status}): check that the key is still active (not deleted or disabled), that it "
                    "belongs to the account given access to this app or location, and that this machine's clock is "
                    "right",
                    url=uri,
                    status=exc.status,
                ) from None
            raise
        answer = _json_object(page.body)
        token = answer.get("access_token") if answer else None
        if not isinstance(token, str) or not token:
            raise FetchError(f"the token endpoint {uri} answered without an access_token", url=uri, status=page.status)
        lifetime = answer.get("expires_in") if answer else None
        seconds = float(lifetime) if isinstance(lifetime, int | float) and not isinstance(lifetime, bool) else 3600.0
        return token, max(0.0, seconds)


@dataclass(frozen=True)
class AppStoreConnectKey:
    """An App Store Connect API key: its id, the team's issuer id and the `.p8` EC private key."""

    path: str
    key_id: str
    issuer_id: str
    private_key: str = field(repr=False)

    @classmethod
    def from_file(
        cls, path: str | None, *, key_id: str, issuer_id: str, option: str = "private_key_file"
    ) -> AppStoreConnectKey:
        """Read and check a `.p8` key; `ConfigError` names `option` when it is unusable."""
        text = _read_key_file(path, option)
        if not key_id.strip() or not issuer_id.strip():
            raise ConfigError("options 'key_id' and 'issuer_id' must both be given (App Store Connect > Keys)")
        _check_signs(text, "ES256", f"option {option!r}: {path}")
        return cls(path=str(path), key_id=key_id.strip(), issuer_id=issuer_id.strip(), private_key=text)

    def token(self, now: float, *, lifetime: int = APP_STORE_CONNECT_TOKEN_SECONDS) -> str:
        """A signed ES256 JWT valid from `now` for `lifetime` seconds (at most 20 minutes)."""
        issued = int(now)
        payload: dict[str, Any] = {
            "iss": self.issuer_id,
            "iat": issued,
            "exp": issued + min(lifetime, APP_STORE_CONNECT_TOKEN_SECONDS),
            "aud": APP_STORE_CONNECT_AUDIENCE,
        }
        return jwt.encode(payload, self.private_key, algorithm="ES256", headers={"kid": self.key_id, "typ": "JWT"})


class AppStoreConnectTokens:
    """Signed App Store Connect tokens, one reused until a minute before it expires."""

    def __init__(self, key: AppStoreConnectKey, *, clock: Clock = time.time) -> None:
        self.key = key
        self._clock = clock
        self._token: str | None = None
        self._expires = 0.0

    def trusted_urls(self) -> list[str]:
        """None: tokens are signed here, never exchanged."""
        return []

    async def authorization(self, fetch: Fetch) -> str:
        """`Bearer <signed token>`; `fetch` is not needed."""
        now = self._clock()
        if self._token is None or now >= self._expires - RENEW_BEFORE_SECONDS:
            self._token = self.key.token(now)
            self._expires = now + APP_STORE_CONNECT_TOKEN_SECONDS
        return f"Bearer {self._token}"


def _json_object(body: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def describe_api_error(body: bytes) -> str:
    """The reason an API gave in its error body (Google's `error.message`, JSON:API `errors[].detail`), or ""."""
    answer = _json_object(body) or {}
    error = answer.get("error")
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return printable(error["message"])[:300]
    if isinstance(error, str):
        detail = answer.get("error_description")
        return printable(f"{error}: {detail}" if isinstance(detail, str) else error)[:300]
    errors = answer.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        text = first.get("detail") or first.get("title") or first.get("code")
        if isinstance(text, str):
            return printable(text)[:300]
    return ""
