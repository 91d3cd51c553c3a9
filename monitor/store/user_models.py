"""People who use the web app and the API: accounts with a role, API tokens and browser sessions.

Passwords are kept as argon2 hashes (pwdlib); API tokens and session tokens only as their SHA-256, so a copy of
the database lets nobody sign in.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from pwdlib import PasswordHash
from sqlalchemy import update
from sqlmodel import Field, Session, SQLModel, col, select

from monitor.core.errors import MonitorError, NotFound
from monitor.store.db import UTCDateTime, utcnow
from monitor.store.states import ROLES

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "ROLES",
    "SESSION_HOURS",
    "ApiToken",
    "AppUser",
    "Principal",
    "WebSession",
    "authenticate",
    "create_user",
    "disable_user",
    "end_session",
    "ensure_user",
    "hash_token",
    "issue_api_token",
    "principal_for_session",
    "principal_for_token",
    "start_session",
    "user_by_name",
]

MIN_PASSWORD_LENGTH = 10
SESSION_HOURS = 12  # one working day; signing in again the next morning is expected
TOKEN_PREFIX = "rrm_"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
# Activity is written at most this often, so a busy page does not turn every request into a write.
_TOUCH_EVERY = timedelta(minutes=1)


class AppUser(SQLModel, table=True):
    """A person who signs in: an agent works tasks, a manager also assigns and sees the team, an admin is both."""

    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True)
    role: str = "agent"
    password_hash: str = ""
    disabled: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ApiToken(SQLModel, table=True):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    token_hash: str = Field(unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class WebSession(SQLModel, table=True):
    """A signed-in browser: the cookie holds a random token, the row its hash, the form token and the expiry."""

    __tablename__ = "web_session"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    token_hash: str = Field(unique=True, index=True)
    csrf_token: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


@dataclass(frozen=True)
class Principal:
    """Who is making a request: the user's id, name and role, and the session's form token (for browsers)."""

    user_id: int
    name: str
    role: str
    csrf_token: str | None = None

    @property
    def is_manager(self) -> bool:
        """Managers and admins may assign, snooze and see the team's figures."""
        return self.role in ("manager", "admin")


@cache
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()


@cache
def _dummy_hash() -> str:
    return _hasher().hash(secrets.token_urlsafe(16))


def hash_token(token: str) -> str:
    """The stored form of an API or session token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _check_name(name: str) -> str:
    value = name.strip()
    if not _NAME.match(value):
        raise MonitorError(
            f"{name!r} is not a valid user name: 1-64 letters, digits, '.', '_', '@' or '-', starting with a "
            "letter or digit"
        )
    return value


def user_by_name(session: Session, name: str) -> AppUser:
    """The user called `name`, or NotFound."""
    user = session.exec(select(AppUser).where(AppUser.name == name.strip())).first()
    if user is None:
        raise NotFound(f"no user named {name!r} (see `monitor users list`)")
    return user


def create_user(session: Session, name: str, role: str, password: str) -> AppUser:
    """A new account; the password is stored as an argon2 hash."""
    name = _check_name(name)
    if role not in ROLES:
        raise MonitorError(f"unknown role {role!r}; use one of: {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise MonitorError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    if session.exec(select(AppUser.id).where(AppUser.name == name)).first() is not None:
        raise MonitorError(f"a user named {name!r} exists already")
    user = AppUser(name=name, role=role, password_hash=_hasher().hash(password))
    session.add(user)
    session.flush()
    return user


def ensure_user(session: Session, name: str, role: str, password: str) -> AppUser:
    """The account `name` with this role and password, created or reset (and enabled) as needed."""
    existing = session.exec(select(AppUser).where(AppUser.name == name.strip())).first()
    if existing is None:
        return create_user(session, name, role, password)
    if role not in ROLES or len(password) < MIN_PASSWORD_LENGTH:
        raise MonitorError(f"role must be one of {', '.join(ROLES)} and the password {MIN_PASSWORD_LENGTH}+ characters")
    existing.role, existing.disabled, existing.password_hash = role, False, _hasher().hash(password)
    session.add(existing)
    session.flush()
    return existing


def disable_user(session: Session, name: str) -> AppUser:
    """Disable an account: it can no longer sign in, and its sessions and tokens stop working at once."""
    user = user_by_name(session, name)
    user.disabled = True
    session.add(user)
    for row in session.exec(select(WebSession).where(WebSession.user_id == user.id)).all():
        session.delete(row)
    session.flush()
    return user


def authenticate(session: Session, name: str, password: str) -> AppUser | None:
    """The enabled user with this name and password, else None (the same work is done for unknown names)."""
    user = session.exec(select(AppUser).where(AppUser.name == name.strip())).first()
    if user is None or not user.password_hash:
        _hasher().verify(password, _dummy_hash())  # an unknown name takes as long as a wrong password
        return None
    if not _hasher().verify(password, user.password_hash) or user.disabled:
        return None
    return user


def issue_api_token(session: Session, name: str) -> str:
    """A new API token for the user; the token itself is returned once and never stored."""
    user = user_by_name(session, name)
    if user.disabled:
        raise MonitorError(f"user {user.name!r} is disabled")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id or 0, token_hash=hash_token(token)))
    session.flush()
    return token


def principal_for_token(session: Session, token: str, now: datetime) -> Principal | None:
    """Who an API token belongs to, None for an unknown token or a disabled user."""
    row = session.exec(
        select(ApiToken, AppUser)
        .join(AppUser, col(ApiToken.user_id) == AppUser.id)
        .where(ApiToken.token_hash == hash_token(token))
    ).first()
    if row is None or row[1].disabled:
        return None
    api_token, user = row
    if api_token.last_used_at is None or now - api_token.last_used_at > _TOUCH_EVERY:
        session.execute(update(ApiToken).where(col(ApiToken.id) == api_token.id).values(last_used_at=now))
    return Principal(user.id or 0, user.name, user.role)


def start_session(session: Session, user: AppUser, now: datetime) -> str:
    """A new browser session for `user`; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            user_id=user.id or 0,
            token_hash=hash_token(token),
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + timedelta(hours=SESSION_HOURS),
            last_seen_at=now,
        )
    )
    # Expired sessions of anyone are dropped here, the one moment a row is written anyway.
    for stale in session.exec(select(WebSession).where(col(WebSession.expires_at) < now)).all():
        session.delete(stale)
    session.flush()
    return token


def principal_for_session(session: Session, token: str, now: datetime) -> Principal | None:
    """Who a session cookie belongs to, None when it is unknown, expired or its user disabled."""
    row = session.exec(
        select(WebSession, AppUser)
        .join(AppUser, col(WebSession.user_id) == AppUser.id)
        .where(WebSession.token_hash == hash_token(token))
    ).first()
    if row is None:
        return None
    web_session, user = row
    if user.disabled or web_session.expires_at <= now:
        return None
    if now - web_session.last_seen_at > _TOUCH_EVERY:
        session.execute(update(WebSession).where(col(WebSession.id) == web_session.id).values(last_seen_at=now))
    return Principal(user.id or 0, user.name, user.role, web_session.csrf_token)


def end_session(session: Session, token: str) -> None:
    """Sign a browser out: its session row is deleted, so the cookie is worthless even if kept."""
    for row in session.exec(select(WebSession).where(WebSession.token_hash == hash_token(token))).all():
        session.delete(row)
    session.flush()
