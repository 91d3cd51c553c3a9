"""indexes for the task board's review filters and text search

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 00:30:00.000000

Flagged reviews (legal, regulator, fraud, abuse) are a few in a hundred: a partial index lets the board find the
tasks behind them without walking the whole queue. On PostgreSQL, trigram indexes (`pg_trgm`, a trusted extension
that a database owner may create) let `ILIKE '%words%'` search review text and reviewer names without reading every
row. Where the extension cannot be created, the search still works, by reading every row, and this migration says so.
"""

from __future__ import annotations

import logging

from alembic import op
from sqlalchemy.exc import DBAPIError

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)
TRIGRAM_INDEXES = {
    "ix_review_body_trgm": ("review", "body"),
    "ix_review_title_trgm": ("review", "title"),
    "ix_task_reviewer_name_trgm": ("outreach_task", "reviewer_name"),
    "ix_task_reviewer_handle_trgm": ("outreach_task", "reviewer_handle"),
}


def upgrade() -> None:
    op.execute("CREATE INDEX ix_review_flagged ON review (id) WHERE flags <> ''")
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    savepoint = bind.begin_nested()
    try:
        bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DBAPIError as exc:
        savepoint.rollback()
        log.warning("pg_trgm could not be created (%s): text search on the board reads every review", exc.orig)
        return
    savepoint.commit()
    for name, (table, column) in TRIGRAM_INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON {table} USING gin ({column} gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in TRIGRAM_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    op.execute("DROP INDEX ix_review_flagged")
