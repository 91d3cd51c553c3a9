"""SMTP delivery: the digest as a multipart/alternative e-mail (plain text + HTML), sent over SMTP."""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from monitor.core.errors import MonitorError
from monitor.core.settings import SmtpSettings
from monitor.core.text_safety import single_line

__all__ = ["DeliveryError", "build_email", "send_email"]

SUBJECT_CHARS = 300  # mail clients show far less; the rest of a long company list is cut with "…"


class DeliveryError(MonitorError):
    """An e-mail could not be handed to the SMTP server (the message says which server and why)."""

    def __init__(self, message: str, *, partial: bool = False) -> None:
        super().__init__(message)
        self.partial = partial  # some recipients accepted it: sending again would duplicate it for them


def build_email(
    *,
    subject: str,
    text: str,
    html: str,
    sender: str,
    recipients: Sequence[str],
    message_id: str | None = None,
) -> EmailMessage:
    """A multipart/alternative message: the plain text first, the HTML as the preferred last part."""
    if not recipients:
        raise DeliveryError("no recipients: set digest_recipients for the company in the configuration")
    for address in (sender, *recipients):
        _check_address(address)
    msg = EmailMessage()
    # One printable line: a line break in a header value would start a header of its own (`Bcc:`), and terminal
    # escapes or an open bidi override would reach every mail client's list of messages.
    msg["Subject"] = single_line(subject, SUBJECT_CHARS)
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = message_id or make_msgid(domain=sender.rsplit("@", 1)[-1] or None)
    # Automatic-reply suppression: a daily report should not trigger out-of-office answers.
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text, subtype="plain", charset="utf-8")
    msg.add_alternative(html, subtype="html", charset="utf-8")
    return msg


def _check_address(address: str) -> None:
    """Refuse an address that is not one printable line (it comes from the configuration, never from a review)."""
    if single_line(address) != address.strip():
        shown = single_line(address, 80)
        raise DeliveryError(f"{shown!r} is not one e-mail address: check from_address and digest_recipients")


def _context(settings: SmtpSettings) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if settings.ca_file:
        context.load_verify_locations(cafile=settings.ca_file)
    return context


def send_email(msg: EmailMessage, settings: SmtpSettings, *, env: Mapping[str, str] | None = None) -> str:
    """Send `msg` to every address in its To header; return its Message-ID. Raises DeliveryError on failure."""
    env = os.environ if env is None else env
    password = settings.password(env)
    where = f"{settings.host}:{settings.port} ({settings.security})"
    try:
        client: smtplib.SMTP
        if settings.security == "ssl":
            client = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout, context=_context(settings)
            )
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with client:
            client.ehlo()
            if settings.security == "starttls":
                client.starttls(context=_context(settings))
                client.ehlo()
            if settings.username:
                client.login(settings.username, password or "")
            refused = client.send_message(msg)
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(f"SMTP server {where} refused the login of {settings.username!r}: {_reply(exc)}") from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError(f"SMTP server {where} refused every recipient: {sorted(exc.recipients)}") from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(f"SMTP server {where} answered {exc.smtp_code}: {_reply(exc)}") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"cannot send through {where}: {exc.__class__.__name__}: {exc}") from None
    if refused:
        # Some recipients got it: retrying would send them a second copy, so this is reported, not retried.
        raise DeliveryError(f"SMTP server {where} refused some recipients: {sorted(refused)}", partial=True)
    return str(msg["Message-ID"])


def _reply(exc: smtplib.SMTPResponseException) -> str:
    raw = exc.smtp_error
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
