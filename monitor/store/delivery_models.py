"""Delivery bookkeeping of daily digests: one row per company and digest day, so a day is sent once."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from monitor.store.db import UTCDateTime, utcnow

__all__ = ["DELIVERY_STATUSES", "DigestDelivery"]

# sending: claimed by a process that is sending it now; sent: delivered (never sent again); failed: retried later.
DELIVERY_STATUSES = ("sending", "sent", "failed")


class DigestDelivery(SQLModel, table=True):
    """The delivery state of one company's digest for one day."""

    __tablename__ = "digest_delivery"
    __table_args__ = (UniqueConstraint("company_id", "digest_date", name="uq_digest_delivery_company_date"),)

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    digest_date: date
    status: str = Field(default="sending", index=True)
    attempts: int = 0
    last_error: str = Field(default="", sa_column=Column(Text, nullable=False))
    message_id: str = ""  # chosen before the first attempt, so a retry carries the same Message-ID
    recipients: str = ""  # comma-separated, as sent
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
