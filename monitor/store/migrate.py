"""Create or upgrade the database schema with Alembic, from the first table on, one process at a time."""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Engine

from monitor.core.errors import MonitorError

__all__ = ["current_revision", "head_revision", "is_known_revision", "schema_lock", "upgrade"]

_MIGRATIONS = Path(__file__).parent / "migrations"
_LOCK_KEY = int.from_bytes(hashlib.blake2b(b"review-monitor:schema", digest_size=8).digest(), "big", signed=True)


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema of `engine`'s database up to `revision` (creating it when empty).

    A database at a revision this version does not know was upgraded by a newer version: refused, never touched.
    Callers that may race other processes hold `schema_lock` around it.
    """
    current = current_revision(engine)
    if not is_known_revision(current):
        raise MonitorError(
            f"the database is at schema {current}, which this version does not know (newest here: "
            f"{head_revision()}): a newer version of the product upgraded it; run that version"
        )
    cfg = _config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at, None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest schema revision this version of the product knows."""
    return ScriptDirectory.from_config(_config()).get_current_head()


def is_known_revision(revision: str | None) -> bool:
    """True for an empty database (None) and for every revision this version ships."""
    if revision is None:
        return True
    return any(script.revision == revision for script in ScriptDirectory.from_config(_config()).walk_revisions())


@contextmanager
def schema_lock(engine: Engine) -> Iterator[None]:
    """Hold the database's schema lock while the block runs, waiting for any other process that holds it.

    Several `monitor init` (or first crawls) started together on a fresh database would otherwise all create the
    same tables. PostgreSQL: a session advisory lock on a dedicated connection. SQLite: an exclusive `flock` on a
    file next to the database. Either is released at once when the process dies.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("select pg_advisory_lock(:k)"), {"k": _LOCK_KEY})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("select pg_advisory_unlock(:k)"), {"k": _LOCK_KEY})
                connection.commit()
        return
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        yield  # an in-memory database belongs to one process: nothing to coordinate
        return
    fd = os.open(f"{database}.schema.lock", os.O_CREAT | os.O_RDWR, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
