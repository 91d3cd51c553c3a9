"""Delivery against a real SMTP server on 127.0.0.1: structure, STARTTLS + AUTH, send-once, retries, scheduling."""

from __future__ import annotations

import datetime as dt
import email
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from apscheduler.schedulers.background import BackgroundScheduler
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy.engine import Engine
from sqlmodel import Session

from monitor.core.errors import ConfigError
from monitor.core.settings import CompanyConfig, Settings, SmtpSettings
from monitor.digest.delivery import (
    claim_delivery,
    deliver_company_digest,
    delivery_rows,
    smtp_settings,
)
from monitor.scheduler import sync_jobs
from tests.db_fixtures import add_company, add_review, add_source, at, migrated_sqlite

DAY = dt.date(2024, 3, 11)
RECIPIENTS = ["manager@example.com", "lead@example.com"]


class Inbox:
    """An aiosmtpd handler that keeps what it receives and can refuse the first few messages."""

    def __init__(self, refuse: int = 0) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.refuse = refuse

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse > 0:
            self.refuse -= 1
            return "451 4.3.0 try again later"
        message = email.message_from_bytes(envelope.content, policy=default)
        assert isinstance(message, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = migrated_sqlite(tmp_path)
    with Session(engine, expire_on_commit=False) as session:
        company = add_company(session, name="Acme")
        src = add_source(session, company)
        add_review(session, src, published=at("2024-03-11 08:00"), body="<script>alert(1)</script> never again")
        session.commit()
    yield engine
    engine.dispose()


@pytest.fixture
def plain_server() -> Iterator[tuple[Inbox, SmtpSettings]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, SmtpSettings(host="127.0.0.1", port=port, security="none", from_address="digest@example.com")
    finally:
        controller.stop()


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def test_starttls_with_auth_delivers_a_multipart_alternative_email(engine: Engine, tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    logins: list[str] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.login == b"digest" and data.password == b"s3cret"
        if ok:
            logins.append(mechanism)
        return AuthResult(success=ok)

    inbox = Inbox()
    port = _free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=tls,
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
    )
    controller.start()
    try:
        smtp = SmtpSettings(
            host="127.0.0.1",
            port=port,
            security="starttls",
            username="digest",
            password_env="DIGEST_SMTP_PASSWORD",
            from_address="digest@example.com",
            ca_file=str(cert),
            timeout=10,
        )
        result = deliver_company_digest(
            engine, company="Acme", day=DAY, smtp=smtp, recipients=RECIPIENTS, env={"DIGEST_SMTP_PASSWORD": "s3cret"}
        )
    finally:
        controller.stop()
    assert result.status == "sent", result.error
    assert logins
    (rcpts, message) = inbox.messages[0]
    assert sorted(rcpts) == sorted(RECIPIENTS)
    assert message["Subject"].startswith("Review digest Mon 11 Mar 2024 · Acme: 1 new unhappy review")
    assert message["Message-ID"] == result.message_id
    assert message.get_content_type() == "multipart/alternative"
    kinds = [part.get_content_type() for part in message.iter_parts()]
    assert kinds == ["text/plain", "text/html"]
    html_text = message.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    assert 'src="http' not in html_text and "<script" not in html_text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_text


def test_a_day_is_sent_once_even_after_a_restart(engine: Engine, plain_server: tuple[Inbox, SmtpSettings]) -> None:
    inbox, smtp = plain_server
    first = deliver_company_digest(engine, company="Acme", day=DAY, smtp=smtp, recipients=RECIPIENTS)
    engine.dispose()  # a restart: nothing survives but the database
    second = deliver_company_digest(engine, company="Acme", day=DAY, smtp=smtp, recipients=RECIPIENTS)
    assert (first.status, second.status) == ("sent", "already_sent")
    assert second.message_id == first.message_id
    assert len(inbox.messages) == 1
    other_day = deliver_company_digest(
        engine, company="Acme", day=DAY + dt.timedelta(1), smtp=smtp, recipients=RECIPIENTS
    )
    assert other_day.status == "sent" and len(inbox.messages) == 2


def test_a_fresh_claim_blocks_a_second_sender(engine: Engine) -> None:
    now = at("2024-03-12 07:00")
    assert claim_delivery(engine, company_id=1, day=DAY, domain="example.com", now=now) is not None
    assert claim_delivery(engine, company_id=1, day=DAY, domain="example.com", now=now) is None
    # A claim left behind by a process that died long ago can be taken over.
    later = now + dt.timedelta(hours=2)
    assert claim_delivery(engine, company_id=1, day=DAY, domain="example.com", now=later) is not None


def test_a_failing_server_is_retried_with_backoff_then_succeeds(
    engine: Engine, plain_server: tuple[Inbox, SmtpSettings]
) -> None:
    inbox, smtp = plain_server
    inbox.refuse = 2
    waits: list[float] = []
    result = deliver_company_digest(
        engine, company="Acme", day=DAY, smtp=smtp, recipients=RECIPIENTS, sleep=waits.append, backoff=(1.0, 5.0)
    )
    assert result.status == "sent" and result.attempts == 3
    assert waits == [1.0, 5.0]
    assert len(inbox.messages) == 1


def test_a_failed_day_is_recorded_and_a_later_run_retries_it(engine: Engine, tmp_path: Path) -> None:
    port = _free_port()  # nothing listens here
    dead = SmtpSettings(host="127.0.0.1", port=port, security="none", from_address="digest@example.com", timeout=2)
    failed = deliver_company_digest(
        engine, company="Acme", day=DAY, smtp=dead, recipients=RECIPIENTS, sleep=lambda _s: None, max_attempts=2
    )
    assert failed.status == "failed" and failed.attempts == 2 and "cannot send" in failed.error
    ((name, row),) = delivery_rows(engine)
    assert (name, row.status, row.attempts) == ("Acme", "failed", 2)
    assert "127.0.0.1" in row.last_error
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        retried = deliver_company_digest(engine, company="Acme", day=DAY, smtp=dead, recipients=RECIPIENTS)
    finally:
        controller.stop()
    assert retried.status == "sent" and retried.attempts == 3
    assert inbox.messages[0][1]["Message-ID"] == failed.message_id  # the same message, not a new one


def test_scheduled_digest_jobs_per_company() -> None:
    settings = Settings(
        companies=(
            CompanyConfig(name="Acme", timezone="Europe/Berlin", digest_time="07:30", digest_recipients=("a@x.io",)),
            CompanyConfig(name="Quiet", digest_recipients=()),
        )
    )
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.start(paused=True)
    try:
        scheduler.add_job(print, "interval", hours=1, id="digest:Gone")
        assert sync_jobs(scheduler, settings, "monitor.toml") == ["digest:Acme", "upkeep"]
        job = scheduler.get_job("digest:Acme")
        assert scheduler.get_job("digest:Gone") is None
        assert job.id == "digest:Acme" and job.args == ("monitor.toml", "Acme")
        # The scheduler's own body: it sends here, or queues the digest when a task engine is configured.
        assert job.func.__module__ == "monitor.scheduler" and job.func.__name__ == "run_digest"
        fire = job.trigger.get_next_fire_time(None, dt.datetime(2024, 7, 1, tzinfo=dt.UTC))
        assert fire.astimezone(dt.UTC) == dt.datetime(2024, 7, 1, 5, 30, tzinfo=dt.UTC)  # 07:30 in Berlin summer
    finally:
        scheduler.shutdown(wait=False)


def test_a_stored_digest_job_of_an_older_version_gets_the_current_body() -> None:
    settings = Settings(companies=(CompanyConfig(name="Acme", digest_time="07:30", digest_recipients=("a@x.io",)),))
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.start(paused=True)
    try:
        sync_jobs(scheduler, settings, "monitor.toml")
        same = scheduler.get_job("digest:Acme")
        # Same trigger and arguments, another function: what a job store written by an earlier version holds.
        scheduler.add_job(print, trigger=same.trigger, args=same.args, id="digest:Acme", replace_existing=True)
        sync_jobs(scheduler, settings, "monitor.toml")
        assert scheduler.get_job("digest:Acme").func.__name__ == "run_digest"
    finally:
        scheduler.shutdown(wait=False)


def test_missing_smtp_settings_say_what_to_add() -> None:
    with pytest.raises(ConfigError, match=r"\[smtp\]"):
        smtp_settings(Settings())
    with pytest.raises(ConfigError, match="security"):
        SmtpSettings(security="tls")


def _cli_config(tmp_path: Path, smtp: SmtpSettings, *, recipients: bool = True) -> Path:
    config = tmp_path / "monitor.toml"
    rcpt = 'digest_recipients = ["boss@example.com"]\n' if recipients else ""
    config.write_text(
        f'database_url = "sqlite:///{tmp_path / "monitor.store.db"}"\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {smtp.port}\nsecurity = "none"\nfrom_address = "digest@example.com"\n'
        f'[[company]]\nname = "Acme"\ntimezone = "Pacific/Kiritimati"\n{rcpt}'
        f'[[company]]\nname = "Quiet"\n',
        encoding="utf-8",
    )
    return config


def test_send_without_a_date_mails_yesterday_in_the_company_zone_and_refuses_today(
    engine: Engine, tmp_path: Path, plain_server: tuple[Inbox, SmtpSettings]
) -> None:
    from typer.testing import CliRunner

    from monitor.cli.main import app
    from monitor.digest.delivery import previous_local_day

    inbox, smtp = plain_server
    config = str(_cli_config(tmp_path, smtp))
    result = CliRunner().invoke(app, ["-c", config, "digest", "--send"])
    assert result.exit_code == 0, result.output
    yesterday = previous_local_day("Pacific/Kiritimati")
    assert f"sent Acme {yesterday.isoformat()}" in result.stdout
    assert "skipped Quiet: no digest_recipients" in result.stdout
    assert len(inbox.messages) == 1
    today = CliRunner().invoke(app, ["-c", config, "digest", "--send", "--date", "today", "--company", "Acme"])
    assert today.exit_code == 1 and "has not ended yet" in today.stdout
    assert len(inbox.messages) == 1


def test_a_missing_password_leaves_nothing_claimed(engine: Engine, tmp_path: Path) -> None:
    smtp = SmtpSettings(
        host="127.0.0.1",
        port=_free_port(),
        security="none",
        from_address="d@example.com",
        username="bot",
        password_env="NO_SUCH_PASSWORD_VAR",
    )
    with pytest.raises(ConfigError, match="NO_SUCH_PASSWORD_VAR"):
        deliver_company_digest(
            engine, company="Acme", day=dt.date(2024, 3, 11), smtp=smtp, recipients=["a@example.com"], env={}
        )
    from monitor.digest.delivery import delivery_rows

    assert delivery_rows(engine) == []


def test_missed_days_are_only_those_after_the_first_delivery(
    engine: Engine, plain_server: tuple[Inbox, SmtpSettings]
) -> None:
    from monitor.digest.delivery import missed_days

    _, smtp = plain_server
    assert missed_days(engine, company="Acme", since=dt.date(2024, 3, 1), until=dt.date(2024, 3, 12)) == []
    deliver_company_digest(engine, company="Acme", day=dt.date(2024, 3, 8), smtp=smtp, recipients=["a@example.com"])
    deliver_company_digest(engine, company="Acme", day=dt.date(2024, 3, 10), smtp=smtp, recipients=["a@example.com"])
    assert missed_days(engine, company="Acme", since=dt.date(2024, 3, 5), until=dt.date(2024, 3, 12)) == [
        dt.date(2024, 3, 9),
        dt.date(2024, 3, 11),
    ]
