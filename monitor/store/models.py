"""Database tables: companies, sources, reviews with their revisions and replies, and crawl runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from monitor.store.db import UTCDateTime, utcnow

__all__ = ["Company", "CompanyReply", "CrawlRun", "HttpValidator", "Review", "ReviewRevision", "SourceRow"]


def _when(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


class Company(SQLModel, table=True):
    """A company whose public reviews are watched."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True)
    timezone: str = "UTC"
    settings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SourceRow(SQLModel, table=True):
    """One watched place: a source kind, its locator and options, its schedule."""

    __tablename__ = "source"

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    name: str = Field(unique=True, index=True)
    kind: str
    locator: str
    options: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    schedule: str = "interval:6h"
    enabled: bool = True
    # False for sources created by `monitor import`: they are not in the config file and must not be disabled.
    managed: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Review(SQLModel, table=True):
    """The current state of one review; its history lives in `ReviewRevision`."""

    __table_args__ = (UniqueConstraint("source_id", "site_review_id", name="uq_review_source_site_id"),)

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", index=True)
    site_review_id: str
    url: str | None = None
    author_name: str | None = None
    author_handle: str | None = Field(default=None, index=True)
    rating: float | None = None
    rating_scale: int | None = None
    title: str | None = None
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    language: str | None = None
    published_at: datetime | None = _when(index=True)
    updated_at: datetime | None = _when()
    helpful_votes: int | None = None
    private_reply: bool = False
    private_reply_at: datetime | None = _when()
    reviewer_followup_at: datetime | None = _when()  # the reviewer wrote again in the site's thread
    first_seen: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    last_seen: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    seen_in_backfill: bool = False
    # Set by the negativity stage after each store: is this reviewer unhappy, how badly, and its flags.
    unhappy: bool | None = Field(default=None, index=True)
    severity: float | None = None
    flags: str = ""  # comma-separated: legal, regulator, fraud, abuse
    fingerprint: str = ""  # hash of the observed content; equal fingerprint = nothing changed
    extra: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class CompanyReply(SQLModel, table=True):
    """The company's current public reply to a review."""

    __tablename__ = "company_reply"

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", unique=True, index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    published_at: datetime | None = _when(index=True)
    author: str | None = None
    first_seen: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    template_id: str | None = Field(default=None, index=True)
    rote_score: float | None = None


class ReviewRevision(SQLModel, table=True):
    """One observed state of a review: written when it is first seen and whenever text, rating or reply change."""

    __tablename__ = "review_revision"
    __table_args__ = (Index("ix_revision_review_observed", "review_id", "observed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id")
    crawl_run_id: int | None = Field(default=None, foreign_key="crawl_run.id")
    observed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    changes: str = ""  # comma-separated: first_seen, text, title, rating, reply, reply_removed
    rating: float | None = None
    title: str | None = None
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    reply_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    reply_published_at: datetime | None = _when()


class CrawlRun(SQLModel, table=True):
    """One run of one source: what was fetched, what changed, and the health verdict."""

    __tablename__ = "crawl_run"

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", index=True)
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = _when()
    backfill: bool = False
    pages: int = 0
    bytes: int = 0
    status_codes: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    retries: int = 0
    reviews_seen: int = 0
    reviews_new: int = 0
    reviews_changed: int = 0
    errors: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # running, ok, partial, blocked, unreachable, layout_changed, failed, interrupted
    health: str = "running"
    message: str = ""


class HttpValidator(SQLModel, table=True):
    """The ETag / Last-Modified a page last came with, so the next crawl can ask "changed since?"."""

    __tablename__ = "http_validator"
    __table_args__ = (UniqueConstraint("source_id", "url", name="uq_validator_source_url"),)

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", index=True)
    url: str = Field(sa_column=Column(Text, nullable=False))
    etag: str | None = None
    last_modified: str | None = None
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
