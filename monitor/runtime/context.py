"""Opening the product's state for a command: settings once, the database at the current schema."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.core.errors import ConfigError, MonitorError
from monitor.core.redaction import redact_url, redact_urls

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from monitor.core.settings import Settings

__all__ = ["AppContext", "connect", "newer_schema_error", "open_database", "redact_url", "sqlite_file"]

# The database stack (SQLAlchemy, the migrations with alembic) and the settings file reader are imported where they
# are used: every command imports this module, and `monitor --help` or a command without a database needs neither.


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite database URL; None for an in-memory database or another kind of database."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        return None  # a URI filename (`?uri=true`): SQLite interprets it, not the file system
    return Path(database)


def connect(url: str) -> tuple[Engine, str | None]:
    """An engine on `url` and the schema revision it is at, or one clear error naming what failed."""
    from monitor.store.db import make_engine
    from monitor.store.migrate import current_revision

    try:
        path = sqlite_file(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = make_engine(url)
        return engine, current_revision(engine)
    except Exception as exc:  # any driver or file-system error: bad URL, server down, wrong password, no access
        reason = redact_urls(" ".join(str(exc).split())[:300])
        raise ConfigError(f"cannot open the database {redact_url(url)}: {exc.__class__.__name__}: {reason}") from None


def newer_schema_error(url: str, current: str | None) -> MonitorError:
    """The error for a database that a newer version of the product has upgraded."""
    from monitor.store.migrate import head_revision

    return MonitorError(
        f"the database {redact_url(url)} is at schema {current}, which this version does not know (newest here: "
        f"{head_revision()}): a newer version of the product upgraded it; run that version"
    )


def open_database(url: str, *, create: bool = True, must_exist: bool = False) -> Engine:
    """An engine on `url` whose schema is current: an empty database is created, an old one must be upgraded.

    With `must_exist`, a SQLite file that is not there is an error instead of a new empty database: a mistyped
    path must not look like a database without reviews.
    """
    from monitor.store.migrate import head_revision, is_known_revision, schema_lock, upgrade

    path = sqlite_file(url)
    if must_exist and path is not None and not path.exists():
        raise MonitorError(f"no database at {path}: run `monitor init`")
    engine, current = connect(url)
    head = head_revision()
    if not is_known_revision(current):
        raise newer_schema_error(url, current)
    if current is None and create:
        with schema_lock(engine):
            upgrade(engine)
    elif current != head:
        raise MonitorError(
            f"the database {redact_url(url)} is at schema {current}, this version needs {head}: run `monitor init`"
        )
    return engine


@dataclass
class AppContext:
    """What every command needs, built lazily from the `--config` option."""

    config_path: str | None = None
    # False for the demo: MONITOR_* variables meant for a real installation must not point it at real data.
    use_environment: bool = True
    # Only commands that fill the database (crawl, import, serve) may create a missing SQLite file; the others
    # refuse it, so a mistyped path is reported instead of showing an empty database.
    create_database: bool = False

    @cached_property
    def settings(self) -> Settings:
        from monitor.runtime.config_file import load_settings

        return load_settings(self.config_path, env=None if self.use_environment else {})

    @cached_property
    def engine(self) -> Engine:
        return open_database(self.settings.database_url, must_exist=not self.create_database)
