"""the next allowed request start per host, shared by every worker

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 01:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "host_slot",
        sa.Column("origin", sa.String(), nullable=False),
        sa.Column("next_at", sa.Float(), nullable=False),  # seconds since the epoch
        sa.PrimaryKeyConstraint("origin"),
    )


def downgrade() -> None:
    op.drop_table("host_slot")
