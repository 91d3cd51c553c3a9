"""the journal of jobs run on the distributed task engine

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 01:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import monitor.store.db

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "engine_job",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("queue", sa.String(), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("enqueued_at", monitor.store.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", monitor.store.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", monitor.store.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_engine_job_actor", "engine_job", ["actor"])
    op.create_index("ix_engine_job_state", "engine_job", ["state"])
    op.create_index("ix_engine_job_enqueued_at", "engine_job", ["enqueued_at"])


def downgrade() -> None:
    op.drop_table("engine_job")
