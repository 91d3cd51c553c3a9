"""One crawl per source, one posting per task at a time, across processes: locks freed when their holder exits.

PostgreSQL: a session advisory lock held on a dedicated connection. SQLite: an exclusive `flock` on a file
next to the database. Either way a killed process releases its lock at once, so the next run can start
and mark the dead run as interrupted.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

__all__ = ["named_lock", "source_lock"]


def _key(scope: str, name: str) -> int:
    digest = hashlib.blake2b(f"review-monitor:{scope}:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def source_lock(engine: Engine, source: str) -> AbstractContextManager[bool]:
    """Hold the crawl lock of one source while the block runs; yields False when another run holds it."""
    return named_lock(engine, "crawl", source)


@contextmanager
def named_lock(engine: Engine, scope: str, name: str) -> Iterator[bool]:
    """Hold the lock `scope`/`name` while the block runs, never waiting; yields False when another holds it."""
    backend = engine.dialect.name
    if backend == "postgresql":
        key = _key(scope, name)
        with engine.connect() as connection:
            got = bool(connection.execute(text("select pg_try_advisory_lock(:k)"), {"k": key}).scalar())
            connection.commit()
            try:
                yield got
            finally:
                if got:
                    connection.execute(text("select pg_advisory_unlock(:k)"), {"k": key})
                    connection.commit()
        return
    database = engine.url.database if backend == "sqlite" else None
    if not database or database == ":memory:":
        yield True  # one process owns an in-memory database: nothing to coordinate
        return
    safe_name = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)
    path = Path(f"{database}.{scope}-{safe_name}.lock")
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
