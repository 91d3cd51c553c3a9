"""Run the suite on PostgreSQL: every SQLite file a test opens becomes a PostgreSQL database of its own.

With `MONITOR_TEST_BACKEND=postgresql` (`make test-pg`), `monitor.store.db.make_engine` maps each SQLite file URL
to a database on `MONITOR_TEST_PG` named after the file, created on first use and dropped when the session ends.
Every engine the product makes goes through `make_engine`, in the test process and (through
`tests/pg_shim/sitecustomize.py`) in the commands tests start as subprocesses, so the same file means the same
PostgreSQL database everywhere. The file itself is created empty, so checks for a database file still hold.
Tests of what only SQLite has (its files, its locks, reading it with `sqlite3`) are marked `sqlite_only`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import uuid
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

BACKEND = os.environ.get("MONITOR_TEST_BACKEND", "sqlite")
SERVER = os.environ.get("MONITOR_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
PREFIX_VARIABLE = "MONITOR_TEST_PG_PREFIX"
_created: set[str] = set()


def prefix() -> str:
    """The name prefix of this session's databases, shared with the subprocesses it starts."""
    found = os.environ.get(PREFIX_VARIABLE)
    if not found:
        found = os.environ[PREFIX_VARIABLE] = f"mt_{uuid.uuid4().hex[:8]}_"
    return found


def _database_for(path: str) -> str:
    name = prefix() + hashlib.blake2b(str(Path(path).resolve()).encode(), digest_size=10).hexdigest()
    if name not in _created:
        from sqlalchemy import create_engine, text
        from sqlalchemy.exc import DBAPIError

        admin = create_engine("postgresql+psycopg://" + SERVER.removeprefix("postgresql://"))
        try:
            with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                exists = connection.execute(text("select 1 from pg_database where datname = :n"), {"n": name}).first()
                if exists is None:
                    with suppress(DBAPIError):  # another process created it first
                        connection.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            admin.dispose()
        _created.add(name)
    return f"{SERVER.rsplit('/', 1)[0]}/{name}"


def copy_database(source: Path, target: Path) -> None:
    """Copy the database of SQLite file `source` to `target`: the file, or in a PostgreSQL run its database."""
    if BACKEND != "postgresql":
        shutil.copy(source, target)
        return
    from sqlalchemy import create_engine, text

    name = _database_for(str(source)).rsplit("/", 1)[1]
    copy = prefix() + hashlib.blake2b(str(target.resolve()).encode(), digest_size=10).hexdigest()
    admin = create_engine("postgresql+psycopg://" + SERVER.removeprefix("postgresql://"))
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"'))
    finally:
        admin.dispose()
    _created.add(copy)
    target.touch()


def _mapped(original: Callable[..., Any]) -> Callable[..., Any]:
    def make_engine(url: str, *, echo: bool = False) -> Any:
        from sqlalchemy.engine import make_url

        if url.startswith("sqlite"):
            database = make_url(url).database
            if database and database != ":memory:" and not database.startswith("file:"):
                Path(database).parent.mkdir(parents=True, exist_ok=True)
                Path(database).touch()
                url = _database_for(database)
        return original(url, echo=echo)

    make_engine.__doc__ = original.__doc__
    make_engine.__wrapped__ = original  # type: ignore[attr-defined]
    return make_engine


def install() -> None:
    """Map SQLite files to PostgreSQL databases in this process (a no-op unless the backend is postgresql)."""
    if BACKEND != "postgresql":
        return
    import monitor.store.db as db

    if hasattr(db.make_engine, "__wrapped__"):
        return
    original = db.make_engine
    replacement = _mapped(original)
    # Modules that imported the name hold their own reference: replace it wherever it is.
    for module in list(sys.modules.values()):
        if getattr(module, "make_engine", None) is original:
            module.make_engine = replacement  # type: ignore[attr-defined]
    prefix()
    shim = str(Path(__file__).resolve().parent / "pg_shim")
    paths = os.environ.get("PYTHONPATH", "")
    if shim not in paths.split(os.pathsep):
        os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (shim, paths) if p)


def drop_databases() -> None:
    """Drop every database this session created (subprocesses' included, found by the prefix)."""
    if BACKEND != "postgresql":
        return
    from sqlalchemy import create_engine, text

    admin = create_engine("postgresql+psycopg://" + SERVER.removeprefix("postgresql://"))
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            names = connection.execute(
                text("select datname from pg_database where datname like :p"), {"p": prefix() + "%"}
            ).scalars()
            for name in list(names):
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
