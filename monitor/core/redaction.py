"""Keeping credentials out of output: passwords in URLs and secret query parameters are masked before printing.

Database URLs and source locators may carry a password (`scheme://user:password@host/...`) or a token in the
query string (`?api_key=...`); error messages quote the URLs they failed on. Everything shown to a person or a log
goes through `redact_url` (one URL) or `redact_urls` (free text that may contain URLs).
"""

from __future__ import annotations

import re

__all__ = ["MASK", "quote_password", "redact_url", "redact_urls", "split_userinfo"]

MASK = "***"

# Query parameters whose value is a credential, compared case-insensitively, '-' read as '_'.
_SECRET_NAMES = frozenset(
    {
        "password",
        "passwd",
        "pass",
        "pwd",
        "token",
        "key",
        "api_key",
        "apikey",
        "secret",
        "client_secret",
        "access_token",
        "refresh_token",
        "auth",
        "authorization",
        "signature",
        "sig",
        "sslpassword",
    }
)
_SECRET_SUFFIXES = ("_token", "_key", "_secret", "_password")

# A URL inside free text: a scheme, then anything up to white space or a quote or bracket that ends it.
_URL_IN_TEXT = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")


def _is_secret(name: str) -> bool:
    key = name.strip().lower().replace("-", "_")
    return key in _SECRET_NAMES or key.endswith(_SECRET_SUFFIXES)


def _redact_query(query: str) -> str:
    """`a=1&password=x` → `a=1&password=***`; separators and every other parameter are kept as written."""
    pieces = re.split(r"([&;])", query)
    for i in range(0, len(pieces), 2):
        name, sep, value = pieces[i].partition("=")
        if sep and value and _is_secret(_percent_decoded(name)):
            pieces[i] = f"{name}={MASK}"
    return "".join(pieces)


def _percent_decoded(text: str) -> str:
    return re.sub(r"%([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), text)


def split_userinfo(rest: str) -> tuple[str, str] | None:
    """(userinfo, what follows the '@') of the part after `scheme://`, or None when it holds no credentials.

    Passwords are often written unencoded, so the userinfo ends at the last '@' before the path; a password with a
    raw '/' is recognised by the ':' that precedes it before any '/'.
    """
    path_at = rest.find("/")
    authority = rest if path_at < 0 else rest[:path_at]
    if "@" in authority:
        at = authority.rindex("@")
        return rest[:at], rest[at + 1 :]
    head = re.split(r"[?#]", rest, maxsplit=1)[0]
    if "@" in head:
        before = head[: head.index("@")]
        colon = before.find(":")
        if colon >= 0 and "/" not in before[:colon]:
            at = head.rindex("@")
            return rest[:at], rest[at + 1 :]
    return None


def redact_url(url: str) -> str:
    """`url` with the password of its user part and the values of secret query parameters replaced by ***."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    split = split_userinfo(rest) if sep else None
    if split is not None:
        userinfo, rest = split
        user, colon, _password = userinfo.partition(":")
        prefix = f"{scheme}://{user}:{MASK}@" if colon else f"{scheme}://{userinfo}@"
    else:
        prefix = f"{scheme}://" if sep else ""
    query_at = rest.find("?")
    if query_at >= 0:
        fragment_at = rest.find("#", query_at)
        end = len(rest) if fragment_at < 0 else fragment_at
        rest = rest[: query_at + 1] + _redact_query(rest[query_at + 1 : end]) + rest[end:]
    return prefix + rest


def quote_password(url: str) -> str:
    """`url` with a password written unencoded ('@', '/', '?' in it) percent-encoded, as URL parsers expect.

    Without this a database driver reads part of such a password as the host name, fails, and quotes that "host"
    (a piece of the password) in its error message.
    """
    scheme, sep, rest = url.partition("://")
    split = split_userinfo(rest) if sep else None
    if split is None:
        return url
    userinfo, host = split
    user, colon, password = userinfo.partition(":")
    if not colon or not re.search(r"[@/?#]", password):
        return url
    encoded = re.sub(r"[@/?#]", lambda m: f"%{ord(m.group(0)):02X}", password)
    return f"{scheme}://{user}:{encoded}@{host}"


def redact_urls(text: str) -> str:
    """Free text (an error message, a log line) with every URL in it passed through `redact_url`."""
    return _URL_IN_TEXT.sub(lambda m: redact_url(m.group(0)), text)
