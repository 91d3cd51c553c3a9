"""Opening the product's state for a command: settings once, the database at the current schema."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from sqlalchemy.engine import Engine

from monitor.core.errors import ConfigError, MonitorError
from monitor.core.settings import Settings
from monitor.runtime.config_file import load_settings
from monitor.store.db import make_engine
from monitor.store.migrate import current_revision, head_revision, upgrade

__all__ = ["AppContext", "connect", "open_database", "redact_url"]


def connect(url: str) -> tuple[Engine, str | None]:
    """An engine on `url` and the schema revision it is at, or one clear error naming what failed."""
    try:
        if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = make_engine(url)
        return engine, current_revision(engine)
    except Exception as exc:  # any driver or file-system error: bad URL, server down, wrong password, no access
        reason = " ".join(str(exc).split())[:300]
        raise ConfigError(f"cannot open the database {redact_url(url)}: {exc.__class__.__name__}: {reason}") from None


def open_database(url: str, *, create: bool = True) -> Engine:
    """An engine on `url` whose schema is current: an empty database is created, an old one must be upgraded."""
    engine, current = connect(url)
    head = head_revision()
    if current is None and create:
        upgrade(engine)
    elif current != head:
        raise MonitorError(
            f"the database {redact_url(url)} is at schema {current}, this version needs {head}: run `monitor init`"
        )
    return engine


def redact_url(url: str) -> str:
    """The database URL without its password, for messages and output."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':')[0]}:***@{host}"
    return url


@dataclass
class AppContext:
    """What every command needs, built lazily from the `--config` option."""

    config_path: str | None = None
    # False for the demo: MONITOR_* variables meant for a real installation must not point it at real data.
    use_environment: bool = True

    @cached_property
    def settings(self) -> Settings:
        return load_settings(self.config_path, env=None if self.use_environment else {})

    @cached_property
    def engine(self) -> Engine:
        return open_database(self.settings.database_url)
