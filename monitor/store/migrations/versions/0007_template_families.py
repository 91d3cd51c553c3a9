"""template families

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 17:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import monitor.store.db

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "template_family",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("skeleton", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("share", sa.Float(), nullable=False),
        sa.Column("templates", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", monitor.store.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("template_family", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_template_family_company_id"), ["company_id"], unique=False)

    with op.batch_alter_table("reply_template", schema=None) as batch_op:
        batch_op.add_column(sa.Column("family_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.create_index(batch_op.f("ix_reply_template_family_id"), ["family_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reply_template", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reply_template_family_id"))
        batch_op.drop_column("family_id")

    with op.batch_alter_table("template_family", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_template_family_company_id"))

    op.drop_table("template_family")
