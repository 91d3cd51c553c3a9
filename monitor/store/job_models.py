"""The journal of jobs run on the distributed task engine: what is queued, running, failed or done, and where.

The broker holds the messages; this table is what people read (`monitor jobs`). A row is written when a job is
enqueued and updated by the worker that runs it, so a crashed worker leaves its row `running` until the broker
hands the job to another worker, whose start overwrites it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

from monitor.store.db import UTCDateTime, utcnow
from monitor.store.states import JOB_STATES

__all__ = ["JOB_STATES", "HostSlot", "JobRow"]


class JobRow(SQLModel, table=True):
    """One job: its message id, what it runs, its state and attempts, and the last error."""

    __tablename__ = "engine_job"

    id: str = Field(primary_key=True)  # the broker message id
    actor: str = Field(index=True)
    queue: str
    args: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    state: str = Field(default="queued", index=True)
    attempts: int = 0
    worker: str = ""
    error: str = Field(default="", sa_column=Column(Text, nullable=False))
    enqueued_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class HostSlot(SQLModel, table=True):
    """The next moment (seconds since the epoch) a request to one origin may start, across every worker."""

    __tablename__ = "host_slot"

    origin: str = Field(primary_key=True)
    next_at: float
