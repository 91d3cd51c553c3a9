"""The template tables: each template reply a company posted and the families of reworded variants they form,
as last computed by the detector."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary, Text
from sqlmodel import Field, SQLModel

from monitor.store.db import UTCDateTime, utcnow

__all__ = ["ReplyTemplate", "TemplateFamily", "TemplateIndexState"]


class ReplyTemplate(SQLModel, table=True):
    """One template: the same message the company sent to `size` distinct reviewers."""

    __tablename__ = "reply_template"

    id: str = Field(primary_key=True)  # stable: a hash of company and representative text
    company_id: int = Field(foreign_key="company.id", index=True)
    kind: str = "template"  # "template" (sent to complaints) or "one_liner" (short thanks on praise)
    size: int = 0  # distinct recipients
    reply_count: int = 0
    unhappy_recipients: int = 0
    unhappy_share: float | None = None
    skeleton: str = Field(default="", sa_column=Column(Text, nullable=False))
    representative: str = Field(default="", sa_column=Column(Text, nullable=False))
    examples: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    sources: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    first_seen: datetime | None = Field(default=None, sa_type=UTCDateTime)  # earliest reply time in the template
    last_seen: datetime | None = Field(default=None, sa_type=UTCDateTime)
    active: bool = True  # False once no stored reply belongs to it any more
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    extra: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The family of reworded variants it belongs to (a `TemplateFamily` id); None until first grouped.
    family_id: str | None = Field(default=None, index=True)


class TemplateFamily(SQLModel, table=True):
    """Templates that are one canned message in reworded variants (a sentence reworded, added or dropped)."""

    __tablename__ = "template_family"

    id: str = Field(primary_key=True)  # stable: a hash of company and the centre template's text
    company_id: int = Field(foreign_key="company.id", index=True)
    name: str = Field(default="", sa_column=Column(Text, nullable=False))  # its most distinctive sentence
    skeleton: str = Field(default="", sa_column=Column(Text, nullable=False))  # shared text, the rest as {…}
    size: int = 0  # replies in its templates
    recipients: int = 0  # distinct recipients summed over its templates
    share: float = 0.0  # of the company's replies
    templates: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # heaviest first
    active: bool = True  # False once none of its templates is active
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TemplateIndexState(SQLModel, table=True):
    """A company's saved template index, so crawls assign new replies without re-clustering everything."""

    __tablename__ = "template_index_state"

    company_id: int = Field(foreign_key="company.id", primary_key=True)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))  # gzip-compressed JSON of TemplateIndex
    built_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    replies_at_build: int = 0
    # The company's replies with a rote score (every reply that is not blank) now: the denominator of a family's
    # share, kept by each classification so that a crawl does not count a big company's replies again.
    replies: int = 0
    # Replies assigned one by one since the build that matched no template: they may be forming a new
    # template together, which only a full re-clustering finds.
    pending: int = 0
