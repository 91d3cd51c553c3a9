"""`monitor users`: accounts with roles and argon2 passwords, disabling, and API tokens kept only as hashes."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlmodel import Session, select
from typer.testing import CliRunner

from monitor.cli.main import app
from monitor.store.db import utcnow
from monitor.store.user_models import ApiToken, AppUser, authenticate, principal_for_token
from tests.db_fixtures import migrated_sqlite, sqlite_url


def _config(tmp_path: Path) -> str:
    engine = migrated_sqlite(tmp_path)
    engine.dispose()
    path = tmp_path / "monitor.toml"
    path.write_text(f'database_url = "{sqlite_url(tmp_path)}"\n', encoding="utf-8")
    return str(path)


def test_add_list_token_disable(tmp_path: Path) -> None:
    config = _config(tmp_path)
    runner = CliRunner()
    added = runner.invoke(app, ["-c", config, "users", "add", "zoe", "--role", "manager"], input="a long password\n")
    assert added.exit_code == 0, added.output
    assert "added zoe (manager)" in added.output
    again = runner.invoke(app, ["-c", config, "users", "add", "zoe"], input="a long password\n")
    assert again.exit_code != 0 and "exists already" in again.output
    short = runner.invoke(app, ["-c", config, "users", "add", "kim"], input="short\n")
    assert short.exit_code != 0 and "at least 10 characters" in short.output
    role = runner.invoke(app, ["-c", config, "users", "add", "kim", "--role", "boss"], input="a long password\n")
    assert role.exit_code != 0 and "unknown role" in role.output
    token = runner.invoke(app, ["-c", config, "users", "token", "zoe"])
    assert token.exit_code == 0
    value = token.stdout.strip()
    listed = runner.invoke(app, ["-c", config, "users", "list"])
    assert "zoe" in listed.output and "manager" in listed.output and "active" in listed.output

    engine = migrated_sqlite(tmp_path)
    with Session(engine) as session:
        user = session.exec(select(AppUser)).one()
        assert user.password_hash.startswith("$argon2id$") and "a long password" not in user.password_hash
        assert authenticate(session, "zoe", "a long password") is not None
        assert authenticate(session, "zoe", "another password") is None
        stored = session.exec(select(ApiToken)).one()
        assert stored.token_hash == hashlib.sha256(value.encode()).hexdigest()
        who = principal_for_token(session, value, utcnow())
        assert who is not None and who.name == "zoe" and who.is_manager

    disabled = runner.invoke(app, ["-c", config, "users", "disable", "zoe"])
    assert disabled.exit_code == 0 and "disabled zoe" in disabled.output
    with Session(engine) as session:
        assert authenticate(session, "zoe", "a long password") is None
        assert principal_for_token(session, value, utcnow()) is None
    missing = runner.invoke(app, ["-c", config, "users", "disable", "nobody"])
    assert missing.exit_code != 0 and "no user named" in missing.output
    engine.dispose()
