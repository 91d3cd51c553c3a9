"""Create or upgrade the database schema with Alembic, from the first table on, one process at a time.

Which revision a database is at, and which revisions this version ships, is read without Alembic: every command
that opens a database checks them, and only an upgrade needs Alembic itself.
"""

from __future__ import annotations

import ast
import fcntl
import hashlib
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from monitor.core.errors import MonitorError

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = ["current_revision", "head_revision", "is_known_revision", "revision_graph", "schema_lock", "upgrade"]

_MIGRATIONS = Path(__file__).parent / "migrations"
_VERSIONS = _MIGRATIONS / "versions"
_VERSION_TABLE = "alembic_version"
_LOCK_KEY = int.from_bytes(hashlib.blake2b(b"review-monitor:schema", digest_size=8).digest(), "big", signed=True)
# A revision file's module-level `revision = "0011"` and `down_revision = "0010"` (a type annotation and a trailing
# comment allowed), the names Alembic reads from the module; lines inside functions are indented and never match.
_DECLARATION = re.compile(
    r"^(revision|down_revision)(?:[ \t]*:[^=\n]+)?[ \t]*=[ \t]*([^#\n]+?)[ \t]*(?:#[^\n]*)?$", re.MULTILINE
)


def _config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema of `engine`'s database up to `revision` (creating it when empty).

    A database at a revision this version does not know was upgraded by a newer version: refused, never touched.
    Callers that may race other processes hold `schema_lock` around it.
    """
    from alembic import command

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
        # As Alembic reads it: no version table, or no row in it, is a database without a schema yet.
        if not inspect(connection).has_table(_VERSION_TABLE):
            return None
        rows = connection.execute(text(f"SELECT version_num FROM {_VERSION_TABLE}")).scalars().all()
    if len(rows) > 1:
        raise MonitorError(f"the table {_VERSION_TABLE} names several schema revisions: {', '.join(map(str, rows))}")
    return str(rows[0]) if rows else None


@cache
def revision_graph() -> Mapping[str, tuple[str, ...]]:
    """Every schema revision this version ships, with the revisions it follows, read from the migration files."""
    return _read_graph(_VERSIONS)


def _read_graph(folder: Path) -> dict[str, tuple[str, ...]]:
    graph: dict[str, tuple[str, ...]] = {}
    # The files Alembic loads: every `.py` in the versions folder but `__init__.py` and editor lock files.
    for path in sorted(folder.glob("*.py")):
        if path.name.startswith(("__init__", ".#")):
            continue
        revision, parents = _declared_revision(path)
        if revision in graph:
            raise RuntimeError(f"{path.name}: revision {revision!r} is declared by two migration files")
        graph[revision] = parents
    return graph


def _declared_revision(path: Path) -> tuple[str, tuple[str, ...]]:
    found: dict[str, list[object]] = {"revision": [], "down_revision": []}
    for match in _DECLARATION.finditer(path.read_text(encoding="utf-8")):
        try:
            found[match.group(1)].append(ast.literal_eval(match.group(2)))
        except (ValueError, SyntaxError):
            raise RuntimeError(f"{path.name}: {match.group(1)} is not a plain literal: {match.group(2)}") from None
    revisions, downs = found["revision"], found["down_revision"]
    if len(revisions) != 1 or not isinstance(revisions[0], str) or len(downs) != 1:
        raise RuntimeError(f'{path.name}: needs exactly one `revision = "..."` and one `down_revision = ...`')
    return revisions[0], _parents(downs[0], path)


def _parents(down: object, path: Path) -> tuple[str, ...]:
    """A `down_revision` as Alembic takes it: None (the first revision), one revision, or several (a merge)."""
    if down is None:
        return ()
    if isinstance(down, str):
        return (down,)
    if isinstance(down, tuple | list) and all(isinstance(parent, str) for parent in down):
        return tuple(str(parent) for parent in down)
    raise RuntimeError(f"{path.name}: down_revision must be None, a revision or a tuple of revisions")


def head_revision() -> str | None:
    """The newest schema revision this version of the product knows."""
    graph = revision_graph()
    followed = {parent for parents in graph.values() for parent in parents}
    heads = sorted(set(graph) - followed)
    if len(heads) > 1:
        raise RuntimeError(f"the migrations have several heads ({', '.join(heads)}): merge them")
    return heads[0] if heads else None


def is_known_revision(revision: str | None) -> bool:
    """True for an empty database (None) and for every revision this version ships."""
    return revision is None or revision in revision_graph()


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
