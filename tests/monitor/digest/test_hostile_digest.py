"""The digest of a hostile day: its HTML, the e-mail built from it (headers!) and the chat alerts stay inert.

The store holds the hostile review set of `tests/hostile_text.py`, and a company whose name (given to
`monitor import --company`) carries markup, terminal escapes, an open bidi override and a `Bcc:` header line.
"""

from __future__ import annotations

import email
import re
from collections.abc import Iterator
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from monitor.core.settings import SmtpSettings
from monitor.core.text_safety import safe_url
from monitor.digest.alerts import Alert, chat_text, review_alert, send_alerts
from monitor.digest.build import build_digest
from monitor.digest.delivery import deliver_company_digest
from monitor.digest.mailer import DeliveryError, build_email
from monitor.digest.model import Digest
from monitor.digest.render import render_html, render_text, subject
from monitor.runtime.config_file import load_settings
from monitor.runtime.context import open_database
from monitor.store.models import Company
from tests.hostile_text import (
    BASE,
    CHAT,
    CHAT_MARKUP,
    DAY,
    SCRIPT,
    assert_inert_html,
    assert_printable,
    assert_terminal_text,
    build_hostile_store,
    html_problems,
)

SMTP = SmtpSettings(host="127.0.0.1", port=2525, security="none", from_address="digest@acme.example")
HEADERS = {"Subject", "From", "To", "Date", "Message-ID", "Auto-Submitted", "MIME-Version", "Content-Type"}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    config = build_hostile_store(tmp_path_factory.mktemp("hostile"))
    engine = open_database(load_settings(config, env={}).database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def digest(engine: Engine) -> Digest:
    with Session(engine) as session:
        return build_digest(session=session, day=DAY, now=BASE + timedelta(days=1))


def evil_company(engine: Engine) -> str:
    """The stored name of the company the hostile import created (as the store keeps it)."""
    with Session(engine) as session:
        return next(c.name for c in session.exec(select(Company)).all() if "HYPERLINK" in c.name)


def test_the_html_digest_shows_every_payload_as_text(digest: Digest) -> None:
    seen = assert_inert_html(render_html(digest), "digest")
    # The digest quotes excerpts, which may start inside the tag; which review's excerpt is shown depends on the
    # database's order among equals. The script's text is there, as text.
    assert SCRIPT[len("<script>") :] in seen and "{{7*7}} {% raw %}" in seen
    assert '=HYPERLINK("http://evil.example","Evil")' in seen
    assert "javascript" not in re.findall(r'href="([^"]*)"', render_html(digest)).__str__().lower()


def test_the_subject_and_the_text_part_are_clean_lines(digest: Digest) -> None:
    line = subject(digest)
    assert "\n" not in line and "\r" not in line and '=HYPERLINK("http://evil.example","Evil")' in line
    assert_terminal_text(line, "subject")
    text = render_text(digest)
    assert_terminal_text(text, "text part")
    assert text.splitlines()[0] == line


def _sent(engine: Engine, company: str) -> EmailMessage:
    captured: list[EmailMessage] = []

    def send(msg: EmailMessage, smtp: SmtpSettings) -> str:
        captured.append(msg)
        return str(msg["Message-ID"])

    result = deliver_company_digest(
        engine, company=company, day=DAY, smtp=SMTP, recipients=["ops@acme.example"], send=send, env={}
    )
    assert result.status == "sent", result.error
    (msg,) = captured
    return msg


@pytest.mark.parametrize("which", ["hostile company", "hostile reviews"])
def test_the_email_has_only_its_own_headers_and_inert_parts(engine: Engine, which: str) -> None:
    company = evil_company(engine) if which == "hostile company" else "Acme"
    raw = _sent(engine, company).as_bytes()
    head = raw.split(b"\n\n", 1)[0]  # the headers end at the first empty line; a body may quote "Bcc:"
    assert b"\x1b" not in raw and b"Bcc" not in head
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert set(parsed.keys()) == HEADERS
    assert parsed["To"] == "ops@acme.example" and "\n" not in str(parsed["Subject"])
    plain = parsed.get_body(("plain",))
    html = parsed.get_body(("html",))
    assert plain is not None and html is not None
    assert_terminal_text(plain.get_content(), f"{which}: text part")
    assert html_problems(html.get_content()) == []


@pytest.mark.parametrize(
    ("sender", "recipient"),
    [("digest@acme.example\r\nBcc: x@evil.example", "ops@acme.example"), ("d@acme.example", "ops@a.example\nBcc: x")],
)
def test_an_address_that_is_not_one_line_is_refused(sender: str, recipient: str) -> None:
    with pytest.raises(DeliveryError, match="is not one e-mail address"):
        build_email(subject="s", text="t", html="<p>h</p>", sender=sender, recipients=[recipient])


def _alerts(digest: Digest) -> list[Alert]:
    """An alert for every review the digest lists, as if each were urgent."""
    alerts = [
        review_alert(c.company, item, reach=0) for c in digest.companies for src in c.sources for item in src.shown
    ]
    return [a for a in alerts if a is not None]


def test_chat_alerts_carry_no_mention_no_link_markup_and_no_extra_line(digest: Digest) -> None:
    alerts = _alerts(digest)
    assert len(alerts) >= 5
    for alert in alerts:
        assert "\n" not in alert.title and CHAT_MARKUP.search(alert.title) is None, alert.title
        rating_line, link, task = alert.body.split("\n")  # a newline in a name cannot add a line
        assert CHAT_MARKUP.search(rating_line) is None, rating_line
        assert link == "no link" or link.startswith(("https://", "http://")), link
        assert_printable(alert.body, alert.title)
        assert task.startswith(("monitor tasks show", "no task"))
    bodies = " ".join(a.body.replace("\u200b", "") for a in alerts)
    assert CHAT in bodies  # shown as typed: the zero-width spaces only break the markup
    assert "javascript" not in bodies.lower().replace("window.__xss=4", "")


def test_alerts_reach_the_chat_tool_as_built(digest: Digest, alert_endpoint: tuple[str, list[dict[str, Any]]]) -> None:
    alerts = _alerts(digest)[:3]
    url, received = alert_endpoint
    assert send_alerts(alerts, [url]) == 3
    assert [r["message"] for r in received] == [a.body for a in alerts]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<!channel> now", "<\u200b!channel> now"),
        ("hi <@U123>", "hi <\u200b@\u200bU123>"),
        ("<http://evil.example|click>", "<\u200bhttp://evil.example|click>"),
        ("[label](http://evil.example)", "[label]\u200b(http://evil.example)"),
        ("@everyone @here look", "@\u200beveryone @\u200bhere look"),
        ("write to care@acme.example", "write to care@acme.example"),
        ('café, "quotes" & 中文 😡', 'café, "quotes" & 中文 😡'),
        ("two\nlines\r\nhere\x1b[2J", "two lines here[2J"),
    ],
)
def test_chat_text(text: str, expected: str) -> None:
    assert chat_text(text) == expected


@pytest.mark.parametrize(
    ("url", "link"),
    [
        ("https://reviews.example/r/1", "https://reviews.example/r/1"),
        ("HTTP://reviews.example/r/2", "HTTP://reviews.example/r/2"),
        ("javascript:alert(1)", None),
        (" JaVaScRiPt:alert(1)", None),
        ("java\nscript:alert(1)", None),
        ("\x01javascript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("vbscript:msgbox(1)", None),
        ("//evil.example/r", None),
        ("http://[::1", None),
        (None, None),
    ],
)
def test_only_http_links_become_links(url: str | None, link: str | None) -> None:
    assert safe_url(url) == link
