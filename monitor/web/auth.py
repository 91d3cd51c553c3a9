"""Who is asking: browser sessions (cookie + form token), API bearer tokens, roles, and sign-in rate limiting.

A browser session is a random token in an HttpOnly, SameSite=Lax cookie (Secure when the request came over
https, directly or through a trusted proxy); the database keeps only its hash, the session's form token and its
expiry, so signing out or disabling the user ends it at once. Every form carries the session's form token in a
hidden field and every POST is checked against it; the sign-in form, which comes before any session, is checked
against a token in a short-lived cookie of its own.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine
from starlette.responses import Response

from monitor.store.db import session_scope, utcnow
from monitor.store.user_models import SESSION_HOURS, Principal, principal_for_session, principal_for_token

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "SIGNIN_COOKIE",
    "ApiManager",
    "ApiUser",
    "Manager",
    "SignInLimiter",
    "SignInRequired",
    "User",
    "check_form_token",
    "clear_session_cookie",
    "optional_user",
    "remember_signin_token",
    "set_session_cookie",
    "signin_token",
]

SESSION_COOKIE = "rrm_session"
SIGNIN_COOKIE = "rrm_signin"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
bearer = HTTPBearer(auto_error=False, description="An API token from `monitor users token NAME`.")


class SignInRequired(Exception):
    """A page that needs a signed-in person was asked for without one: the app answers with the sign-in page."""


@dataclass
class SignInLimiter:
    """At most `failures` failed sign-ins per user name and address within `window` seconds."""

    failures: int = 5
    window: float = 300.0

    def __post_init__(self) -> None:
        self._seen: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._seen.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def retry_after(self, name: str, address: str) -> int:
        """Seconds until this name may try again from this address; 0 when it may now."""
        now = time.monotonic()
        with self._lock:
            times = self._recent((name.strip().lower(), address), now)
            if len(times) < self.failures:
                return 0
            return max(1, int(times[0] + self.window - now) + 1)

    def failed(self, name: str, address: str) -> None:
        """Count one failed attempt."""
        now = time.monotonic()
        with self._lock:
            if len(self._seen) > 10_000:  # forget quiet keys so a flood of names cannot grow memory without end
                for key in [k for k, v in self._seen.items() if not v or v[-1] <= now - self.window]:
                    del self._seen[key]
            self._recent((name.strip().lower(), address), now).append(now)

    def succeeded(self, name: str, address: str) -> None:
        """A correct password clears the count."""
        with self._lock:
            self._seen.pop((name.strip().lower(), address), None)


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def _is_https(request: Request) -> bool:
    # The proxy-headers middleware of the server has already applied X-Forwarded-Proto from trusted proxies.
    return request.url.scheme == "https"


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    """Put the session token in the browser: HttpOnly, SameSite=Lax, Secure over https."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=SESSION_HOURS * 3600,
        httponly=True,
        samesite="lax",
        secure=_is_https(request),
        path="/",
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    """Remove the session cookie."""
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=_is_https(request))


def signin_token(request: Request) -> str:
    """The form token of the sign-in form: the one in the browser's sign-in cookie, else a new one."""
    token = request.cookies.get(SIGNIN_COOKIE) or ""
    return token if 20 <= len(token) <= 100 else secrets.token_urlsafe(32)


def remember_signin_token(request: Request, response: Response, token: str) -> None:
    """Keep the sign-in form's token in a short-lived cookie of its own (there is no session yet)."""
    response.set_cookie(
        SIGNIN_COOKIE, token, max_age=3600, httponly=True, samesite="lax", secure=_is_https(request), path="/"
    )


def _same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


def check_form_token(expected: str | None, form: Mapping[str, object]) -> None:
    """Refuse a form whose hidden form token is missing or wrong (a cross-site request)."""
    value = form.get(CSRF_FIELD)
    if not isinstance(value, str) or not _same(expected, value):
        raise HTTPException(403, "the form has expired or did not come from this site; reload the page and retry")


def _from_cookie(request: Request) -> Principal | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > 200:
        return None
    with session_scope(_engine(request)) as session:
        return principal_for_session(session, token, utcnow())


def optional_user(request: Request) -> Principal | None:
    """The signed-in person, or None."""
    return _from_cookie(request)


async def _require_user(request: Request) -> Principal:
    principal = _from_cookie(request)
    if principal is None:
        raise SignInRequired()
    if request.method not in _SAFE_METHODS:
        check_form_token(principal.csrf_token, await request.form())
    return principal


def _require_manager(principal: Annotated[Principal, Depends(_require_user)]) -> Principal:
    if not principal.is_manager:
        raise HTTPException(403, "this page is for managers")
    return principal


def _api_user(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Principal:
    if credentials is not None:
        token = credentials.credentials
        principal = None
        if len(token) <= 200:
            with session_scope(_engine(request)) as session:
                principal = principal_for_token(session, token, utcnow())
        if principal is None:
            raise HTTPException(401, "the API token is not valid", headers={"WWW-Authenticate": "Bearer"})
        return principal
    # The app's own pages call the API with their session cookie and the form token in a header.
    principal = _from_cookie(request)
    if principal is None:
        message = "send an API token: Authorization: Bearer TOKEN"
        raise HTTPException(401, message, headers={"WWW-Authenticate": "Bearer"})
    if request.method not in _SAFE_METHODS and not _same(principal.csrf_token, request.headers.get(CSRF_HEADER)):
        raise HTTPException(403, f"a request with the session cookie needs the {CSRF_HEADER} header")
    return principal


def _api_manager(principal: Annotated[Principal, Depends(_api_user)]) -> Principal:
    if not principal.is_manager:
        raise HTTPException(403, f"{principal.role}s may not do this; it is for managers")
    return principal


User = Annotated[Principal, Depends(_require_user)]
Manager = Annotated[Principal, Depends(_require_manager)]
ApiUser = Annotated[Principal, Depends(_api_user)]
ApiManager = Annotated[Principal, Depends(_api_manager)]
