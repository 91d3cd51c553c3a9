"""One crawl per source, one posting per task at a time, across processes: locks freed when their holder exits.

PostgreSQL: a session advisory lock held on a dedicated connection. SQLite: an exclusive `flock` on a file
next to the database. Either way a killed process releases its lock at once, so the next run can start
and mark the dead run as interrupted.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from monitor.store.advisory import advisory_key

__all__ = ["Lease", "lease", "named_lock", "source_lock"]


def source_lock(engine: Engine, source: str) -> AbstractContextManager[bool]:
    """Hold the crawl lock of one source while the block runs; yields False when another run holds it."""
    return named_lock(engine, "crawl", source)


@contextmanager
def named_lock(engine: Engine, scope: str, name: str) -> Iterator[bool]:
    """Hold the lock `scope`/`name` while the block runs, never waiting; yields False when another holds it."""
    backend = engine.dialect.name
    if backend == "postgresql":
        key = advisory_key(scope, name)
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


@dataclass
class Lease:
    """A lock taken for as long as its holder runs: `held` when taken, and `still_held()` to check it later."""

    held: bool
    _check: Callable[[], bool]

    def still_held(self) -> bool:
        """Whether the lock is still this process's (False from the moment its database connection was lost)."""
        if self.held and not self._check():
            self.held = False  # a lost lock stays lost: a new connection would not hold it
        return self.held


def _holds(connection: Connection, key: int) -> bool:
    try:
        found = connection.execute(
            text(
                "select count(*) from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()"
                # A bigint key is stored as two 32-bit halves; shifting in bigint gives the signed key back.
                " and granted and objsubid = 1 and ((classid::bigint << 32) | objid::bigint) = :k"
            ),
            {"k": key},
        ).scalar()
        connection.commit()
    except SQLAlchemyError:
        return False  # the connection, and with it the lock, is gone
    return bool(found)


@contextmanager
def lease(engine: Engine, scope: str, name: str) -> Iterator[Lease]:
    """Like `named_lock`, for a holder that runs for days: its `Lease` says whether the lock is still held.

    A PostgreSQL advisory lock lives as long as its connection: when the connection drops (a database restart,
    a network cut, an administrator ending the session), the lock is released and another process may take it
    while this one still runs. `Lease.still_held` finds that out, so the holder can step down.
    """
    if engine.dialect.name != "postgresql":
        with named_lock(engine, scope, name) as got:
            yield Lease(got, lambda: True)  # a file lock is held for as long as the process lives
        return
    key = advisory_key(scope, name)
    connection = engine.connect()
    try:
        got = bool(connection.execute(text("select pg_try_advisory_lock(:k)"), {"k": key}).scalar())
        connection.commit()
        taken = Lease(got, lambda: _holds(connection, key))
        yield taken
        if taken.still_held():
            connection.execute(text("select pg_advisory_unlock(:k)"), {"k": key})
            connection.commit()
    finally:
        with suppress(SQLAlchemyError):  # a connection that is already gone has nothing left to close
            connection.close()
