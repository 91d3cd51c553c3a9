"""the company's count of classified replies, kept by every classification so a crawl need not count them

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("template_index_state", sa.Column("replies", sa.Integer(), nullable=False, server_default="0"))
    # Replies that carry a rote score are the ones the last classification counted (a blank reply has none).
    op.execute(
        """
        UPDATE template_index_state SET replies = (
            SELECT count(*) FROM company_reply
            JOIN review ON review.id = company_reply.review_id
            JOIN source ON source.id = review.source_id
            WHERE source.company_id = template_index_state.company_id AND company_reply.rote_score IS NOT NULL
        )
        """
    )


def downgrade() -> None:
    op.drop_column("template_index_state", "replies")
