"""Keys of PostgreSQL advisory locks, and a lock on one company's template and queue writes for a transaction.

Two processes that store reviews of one company at once (two workers crawling two of its sources) would each
re-cluster the company's replies and insert the same template rows and index; on PostgreSQL the second then fails
on the unique key. SQLite lets one writer in at a time, so it needs nothing here.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import text
from sqlmodel import Session

__all__ = ["advisory_key", "hold_company_writes"]


def advisory_key(scope: str, name: str) -> int:
    """The 64-bit advisory lock key of `scope`/`name` (the same on every machine)."""
    digest = hashlib.blake2b(f"review-monitor:{scope}:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def hold_company_writes(session: Session, company_id: int) -> None:
    """Wait until no other transaction writes this company's analysis, then hold that until this one ends.

    Taken at the start of a store transaction, before its rows are written, so that two holders cannot each wait
    for a row the other wrote. Re-entrant within a transaction; released at commit or rollback.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("select pg_advisory_xact_lock(:k)"), {"k": advisory_key("company", str(company_id))})
