"""Telling a bot check, CAPTCHA or consent wall served with status 200 from a page of reviews.

Sites and their protection services often answer a crawler with an ordinary `200 OK` page that holds a challenge
instead of the content. Parsed as the site's layout it holds no reviews, so without this check a run would end as
"0 reviews, ok" (or as a changed layout) while the site is in fact refusing us. The crawl asks `wall_in` only
about pages that gave no reviews: a review page that embeds a CAPTCHA for its own "write a review" form is read
as usual.

The rules are general, never tied to one page: an answer header a protection service sets on its challenges, a
challenge script or endpoint of a known service, or a CAPTCHA widget or consent form together with words asking
the visitor to prove they are human or to accept before continuing. A challenge header on an error answer (a 503 or
429 from the protection service) makes that answer final and `Blocked` too (`monitor.http.answer`): asking again
only insists.
"""

from __future__ import annotations

from collections.abc import Mapping

from monitor.core.text_safety import printable
from monitor.http.page import Page

__all__ = ["SCANNED_BYTES", "challenge_in_headers", "wall_in"]

# Walls are small pages with their markers near the top; a 20 MB body is not lower-cased whole to look for them.
SCANNED_BYTES = 256_000

# Answer headers (lower case) that protection services set on a challenge, with the values that mean one.
_HEADERS: Mapping[str, tuple[str, ...]] = {
    "cf-mitigated": ("challenge",),  # Cloudflare
    "x-amzn-waf-action": ("captcha", "challenge"),  # AWS WAF
}

# Markup only a challenge page carries: the service's challenge endpoint or script.
_CHALLENGES: Mapping[str, str] = {
    "/cdn-cgi/challenge-platform/": "a Cloudflare challenge",
    "challenges.cloudflare.com/turnstile": "a Cloudflare Turnstile check",
    'id="challenge-form"': "a Cloudflare challenge",
    "captcha-delivery.com": "a DataDome CAPTCHA",
    'id="px-captcha"': "a PerimeterX (HUMAN) CAPTCHA",
    "/_sec/cp_challenge/": "an Akamai challenge",
    "_incapsula_resource": "an Imperva (Incapsula) check",
    "awswaf.com": "an AWS WAF CAPTCHA",
}

# Widgets and forms that also appear on ordinary pages: a wall only together with one of `_ASKS`.
_WIDGETS: Mapping[str, str] = {
    "g-recaptcha": "a reCAPTCHA",
    "google.com/recaptcha": "a reCAPTCHA",
    "h-captcha": "an hCaptcha",
    "hcaptcha.com": "an hCaptcha",
    "cf-turnstile": "a Cloudflare Turnstile check",
    "captcha": "a CAPTCHA",
    'action="https://consent.': "a consent wall",
    "consent-form": "a consent wall",
}
_ASKS = (
    "verify you are human",
    "verify that you are human",
    "are you a robot",
    "not a robot",
    "i am human",
    "unusual traffic",
    "checking your browser",
    "checking if the site connection is secure",
    "press & hold",
    "press and hold",
    "complete the security check",
    "before you continue",
    "accept all cookies to continue",
    "access to this page has been denied",
    "please enable js and disable any ad blocker",
)


def wall_in(page: Page) -> str | None:
    """What kind of wall `page` is ("a Cloudflare challenge", ...), or None when it looks like no wall."""
    challenge = challenge_in_headers(page.headers)
    if challenge is not None:
        return challenge
    text = page.body[:SCANNED_BYTES].decode("utf-8", errors="replace").lower()
    for marker, kind in _CHALLENGES.items():
        if marker in text:
            return kind
    ask = next((phrase for phrase in _ASKS if phrase in text), None)
    if ask is None:
        return None
    for marker, kind in _WIDGETS.items():
        if marker in text:
            return f"{kind} asking {ask!r}"
    return None


def challenge_in_headers(headers: Mapping[str, str]) -> str | None:
    """The challenge an answer's headers announce ("a Cloudflare challenge (answer header …)"), any status."""
    lowered = {name.lower(): value for name, value in headers.items()}
    for name, values in _HEADERS.items():
        value = lowered.get(name, "").strip().lower()
        if value in values:
            return f"{_kind_of_header(name)} (answer header {name}: {printable(value)[:40]})"
    return None


def _kind_of_header(name: str) -> str:
    return "a Cloudflare challenge" if name == "cf-mitigated" else "an AWS WAF challenge"
