"""Database set-up shared by tests: a migrated SQLite file per test, and a configured source row."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from monitor.app_context import open_database
from monitor.config import Settings, parse_settings


def sqlite_engine(tmp_path: Path) -> Engine:
    """A fresh database created through the migrations, as `monitor init` does."""
    return open_database(f"sqlite:///{tmp_path / 'monitor.db'}")


def settings_with(tmp_path: Path, toml_sources: str, *, company: str = "Acme") -> Settings:
    """Settings for one company with the given `[[company.source]]` blocks."""
    import tomllib

    text = f'database_url = "sqlite:///{tmp_path / "monitor.db"}"\n[[company]]\nname = "{company}"\n{toml_sources}'
    return parse_settings(tomllib.loads(text), where="test.toml", env={})
