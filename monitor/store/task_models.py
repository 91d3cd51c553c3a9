"""Outreach queue tables: one task per unhappy reviewer, its reviews, its events and its promised follow-ups."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from monitor.store.db import UTCDateTime, utcnow
from monitor.store.states import CLOSED_STATUSES, OPEN_STATUSES, OUTCOMES

__all__ = [
    "CLOSED_STATUSES",
    "OPEN_STATUSES",
    "OUTCOMES",
    "OutreachTask",
    "TaskEvent",
    "TaskFollowUp",
    "TaskReview",
]


def _when(*, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=True, index=index)


class OutreachTask(SQLModel, table=True):
    """One unhappy reviewer of one company who has not had a personal response yet."""

    __tablename__ = "outreach_task"
    __table_args__ = (
        UniqueConstraint("company_id", "reviewer_key", name="uq_task_company_reviewer"),
        Index("ix_task_open_order", "status", "due_at", "priority"),
    )

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    source_id: int = Field(foreign_key="source.id")  # where the reviewer first complained
    # Who the reviewer is: see responders.outreach.identity.reviewer_key for the linking rule.
    reviewer_key: str
    reviewer_name: str | None = None
    reviewer_handle: str | None = None
    status: str = Field(default="new", index=True)
    owner: str | None = Field(default=None, index=True)
    claimed_at: datetime | None = _when()
    last_activity_at: datetime | None = _when()  # claims expire when nothing is logged for a while
    priority: int = 0
    priority_label: str = "normal"
    template_reply: bool = False  # the company answered with a template instead of a personal reply
    complaint_at: datetime = Field(sa_type=UTCDateTime)  # the latest complaint: review published or edited
    first_contact_due: datetime = Field(sa_type=UTCDateTime)
    first_contacted_at: datetime | None = _when()
    due_at: datetime | None = _when(index=True)  # the next thing owed: first contact or a promised follow-up
    waiting_since: datetime | None = _when()
    outcome: str | None = None
    closed_at: datetime | None = _when()
    needs_attention: bool = False  # the owner must look again: a reopened task
    reopen_count: int = 0
    rating_at_contact: float | None = None
    rating_before: float | None = None  # closing the loop: the rating change seen after contact
    rating_after: float | None = None
    rating_changed_at: datetime | None = _when()
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TaskReview(SQLModel, table=True):
    """A review that belongs to a task; a review belongs to at most one task."""

    __tablename__ = "task_review"

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="outreach_task.id", index=True)
    review_id: int = Field(foreign_key="review.id", unique=True)
    linked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_revision_id: int = 0  # revisions up to this one have been looked at (keeps updates idempotent)


class TaskEvent(SQLModel, table=True):
    """One step in a task's life: who did what, when, with an optional note and details."""

    __tablename__ = "task_event"

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="outreach_task.id", index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor: str = "system"
    kind: str
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class TaskFollowUp(SQLModel, table=True):
    """A follow-up promised to the reviewer, with its own due time."""

    __tablename__ = "task_follow_up"

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="outreach_task.id", index=True)
    due_at: datetime = Field(sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: str = ""
    done_at: datetime | None = _when()
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
