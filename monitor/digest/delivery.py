"""Sending each company's digest for a day exactly once: claim the (company, day) row, send, record the result.

The row in `digest_delivery` is claimed atomically before anything is sent: an INSERT, or when the row
exists, a conditional UPDATE that only succeeds from 'failed' (or from a 'sending' claim so old that its
process must have died). Whoever wins the claim sends; everybody else sees 'sent' or 'sending' and stops.
A 'sent' row is never sent again. The one window left is a crash after the server accepted the message and
before 'sent' was written: the stale claim is then retried with the same Message-ID, so a mail client that
de-duplicates by Message-ID shows it once.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from zoneinfo import ZoneInfo

from sqlalchemy import and_, insert, or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from monitor.core.errors import ConfigError, MonitorError
from monitor.core.settings import Settings, SmtpSettings
from monitor.core.text_safety import printable
from monitor.digest.build import build_digest
from monitor.digest.mailer import DeliveryError, build_email, send_email
from monitor.digest.model import Digest, TemplatesProvider
from monitor.digest.render import render_html, render_text, subject
from monitor.store.db import utcnow
from monitor.store.delivery_models import DigestDelivery
from monitor.store.models import Company

__all__ = [
    "DeliveryResult",
    "claim_delivery",
    "deliver_company_digest",
    "delivery_rows",
    "failed_deliveries",
    "missed_days",
    "previous_local_day",
    "run_scheduled_digest",
    "smtp_settings",
]

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
BACKOFF_SECONDS = (30.0, 120.0, 600.0)
STALE_CLAIM = timedelta(minutes=30)
_TABLE = DigestDelivery.__table__  # type: ignore[attr-defined]

Sender = Callable[[EmailMessage, SmtpSettings], str]


@dataclass(frozen=True)
class DeliveryResult:
    """What happened to one company's digest for one day."""

    company: str
    day: date
    status: str  # sent, already_sent, in_progress, failed
    attempts: int
    message_id: str = ""
    error: str = ""


def _row(engine: Engine, company_id: int, day: date) -> DigestDelivery | None:
    with Session(engine) as session:
        return session.exec(
            select(DigestDelivery).where(DigestDelivery.company_id == company_id, DigestDelivery.digest_date == day)
        ).first()


def claim_delivery(
    engine: Engine, *, company_id: int, day: date, domain: str, now: datetime | None = None
) -> DigestDelivery | None:
    """Claim the right to send this company's digest for `day`; None when it is sent or being sent."""
    now = now or utcnow()
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(_TABLE).values(
                    company_id=company_id,
                    digest_date=day,
                    status="sending",
                    attempts=0,
                    last_error="",
                    message_id=make_msgid(domain=domain),
                    recipients="",
                    claimed_at=now,
                    updated_at=now,
                )
            )
    except IntegrityError:
        with engine.begin() as conn:
            claimed = conn.execute(
                update(_TABLE)
                .where(
                    _TABLE.c.company_id == company_id,
                    _TABLE.c.digest_date == day,
                    or_(
                        _TABLE.c.status == "failed",
                        and_(_TABLE.c.status == "sending", _TABLE.c.claimed_at < now - STALE_CLAIM),
                    ),
                )
                .values(status="sending", claimed_at=now, updated_at=now)
            ).rowcount
        if claimed != 1:
            return None
    return _row(engine, company_id, day)


def _finish(engine: Engine, row_id: int, **values: object) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(_TABLE)
            .where(_TABLE.c.id == row_id, _TABLE.c.status == "sending")
            .values(updated_at=utcnow(), **values)
        )


def _default_sender(env: Mapping[str, str]) -> Sender:
    def send(msg: EmailMessage, smtp: SmtpSettings) -> str:
        return send_email(msg, smtp, env=env)

    return send


def deliver_company_digest(
    engine: Engine,
    *,
    company: str,
    day: date,
    smtp: SmtpSettings,
    recipients: Sequence[str],
    now: datetime | None = None,
    max_attempts: int = MAX_ATTEMPTS,
    backoff: Sequence[float] = BACKOFF_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
    send: Sender | None = None,
    env: Mapping[str, str] | None = None,
    templates_for: TemplatesProvider | None = None,
) -> DeliveryResult:
    """Build, render and send one company's digest for `day`, at most once; failures are recorded and retried."""
    env = os.environ if env is None else env
    smtp.password(env)  # a missing password is a configuration error: found before anything is claimed
    send = send or _default_sender(env)
    with Session(engine) as session:
        row = session.exec(select(Company).where(Company.name == company)).first()
        if row is None:
            raise MonitorError(f"no company named {company!r} in the database; run `monitor init`")
        company_id = row.id or 0
    if not recipients:
        return DeliveryResult(company, day, "failed", 0, error="no digest_recipients configured for this company")
    domain = smtp.from_address.rsplit("@", 1)[-1]
    claim = claim_delivery(engine, company_id=company_id, day=day, domain=domain, now=now)
    if claim is None:
        existing = _row(engine, company_id, day)
        status = "already_sent" if existing is not None and existing.status == "sent" else "in_progress"
        return DeliveryResult(
            company, day, status, existing.attempts if existing else 0, existing.message_id if existing else ""
        )
    try:
        with Session(engine) as session:
            digest = build_digest(session=session, day=day, companies=[company], now=now, templates_for=templates_for)
        msg = _message(digest, smtp, recipients, claim.message_id)
    except Exception as exc:
        # The claim must not stay "sending": record the failure so a later run retries it.
        error = f"the digest could not be built: {exc.__class__.__name__}: {exc}"
        _finish(engine, claim.id or 0, status="failed", attempts=claim.attempts, last_error=error)
        raise
    attempts = claim.attempts
    error = ""
    for attempt in range(max_attempts):
        attempts += 1
        try:
            message_id = send(msg, smtp)
        except DeliveryError as exc:
            error = str(exc)
            if exc.partial:
                # Part of the recipients have it: sending again would duplicate it for them.
                _finish(engine, claim.id or 0, status="sent", attempts=attempts, last_error=error, sent_at=utcnow())
                log.warning("digest %s %s sent with refused recipients: %s", company, day, error)
                return DeliveryResult(company, day, "sent", attempts, claim.message_id, error)
            log.warning("digest %s %s: attempt %d of %d failed: %s", company, day, attempt + 1, max_attempts, error)
            _finish(engine, claim.id or 0, status="failed", attempts=attempts, last_error=error)
            if attempt + 1 == max_attempts:
                break
            sleep(backoff[min(attempt, len(backoff) - 1)])
            if claim_delivery(engine, company_id=company_id, day=day, domain=domain) is None:
                # Someone else (another process retrying) took it over in the meantime.
                return DeliveryResult(company, day, "in_progress", attempts, claim.message_id, error)
            continue
        _finish(
            engine,
            claim.id or 0,
            status="sent",
            attempts=attempts,
            last_error="",
            message_id=message_id,
            recipients=",".join(recipients),
            sent_at=utcnow(),
        )
        log.info("digest %s %s sent to %d recipient(s), %s", company, day, len(recipients), message_id)
        return DeliveryResult(company, day, "sent", attempts, message_id)
    log.error("digest %s %s NOT sent after %d attempt(s): %s", company, day, attempts, error)
    return DeliveryResult(company, day, "failed", attempts, claim.message_id, error)


def _message(digest: Digest, smtp: SmtpSettings, recipients: Sequence[str], message_id: str) -> EmailMessage:
    return build_email(
        subject=subject(digest),
        text=render_text(digest),
        html=render_html(digest),
        sender=smtp.from_address,
        recipients=recipients,
        message_id=message_id,
    )


def delivery_rows(
    engine: Engine, *, since: date | None = None, company: str | None = None
) -> list[tuple[str, DigestDelivery]]:
    """Delivery rows with their company names, newest day first (for `monitor digest --status`)."""
    with Session(engine) as session:
        query = select(Company.name, DigestDelivery).join(Company, col(Company.id) == DigestDelivery.company_id)
        if company is not None:
            query = query.where(Company.name == company)
        if since is not None:
            query = query.where(DigestDelivery.digest_date >= since)
        query = query.order_by(col(DigestDelivery.digest_date).desc(), col(Company.name))
        return [(name, row) for name, row in session.exec(query).all()]


def failed_deliveries(engine: Engine, *, company: str, since: date) -> list[date]:
    """Days since `since` whose digest for `company` failed and should be retried."""
    return [row.digest_date for _, row in delivery_rows(engine, since=since, company=company) if row.status == "failed"]


def missed_days(engine: Engine, *, company: str, since: date, until: date) -> list[date]:
    """Days in [since, until) with no delivery at all, after the company's first delivery (the scheduler was down).

    Days before the first delivery are not "missed": a new installation does not mail a week of old digests.
    """
    done = {row.digest_date for _, row in delivery_rows(engine, company=company)}
    if not done:
        return []
    first = min(done)
    return [d for d in (since + timedelta(days=n) for n in range((until - since).days)) if d > first and d not in done]


RETRY_DAYS = 7


def smtp_settings(settings: Settings) -> SmtpSettings:
    """The `[smtp]` settings, or an error saying what to add to the configuration."""
    if settings.smtp is None:
        raise ConfigError(
            "no [smtp] table in the configuration: add host, port, security (starttls|ssl|none), username, "
            "password_env and from_address to send digests"
        )
    return settings.smtp


def previous_local_day(timezone: str, now: datetime | None = None) -> date:
    """Yesterday in `timezone`: the day a digest sent this morning covers."""
    moment = (now or utcnow()).astimezone(ZoneInfo(timezone or "UTC"))
    return moment.date() - timedelta(days=1)


def run_scheduled_digest(config_path: str | None, company_name: str) -> None:
    """The job body: send yesterday's digest of one company, then retry its failed days of the last week."""
    from monitor.runtime.context import AppContext

    try:
        ctx = AppContext(config_path)
        company = ctx.settings.company(company_name)
        smtp = smtp_settings(ctx.settings)
    except MonitorError as exc:
        # A broken or edited configuration must not kill the scheduler thread: one line, and the next run retries.
        log.error("digest %s not sent: %s", company_name, printable(str(exc)))
        return
    day = previous_local_day(company.timezone)
    since = day - timedelta(RETRY_DAYS)
    days = [day, *failed_deliveries(ctx.engine, company=company.name, since=since)]
    days += missed_days(ctx.engine, company=company.name, since=since, until=day)
    for when in sorted(set(days)):
        result = deliver_company_digest(
            ctx.engine, company=company.name, day=when, smtp=smtp, recipients=company.digest_recipients
        )
        if result.status == "failed":
            log.error("digest %s %s failed: %s (see `monitor digest --status`)", company.name, when, result.error)
