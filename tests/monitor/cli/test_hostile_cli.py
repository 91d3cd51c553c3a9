"""Commands given odd input or an odd place to work: one clear line each, never a traceback or a stray database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner, Result

from monitor.cli.main import app
from monitor.store.db import make_engine
from monitor.store.migrate import head_revision

runner = CliRunner()


def config(tmp_path: Path, url: str | None = None, name: str = "monitor.toml") -> str:
    path = tmp_path / name
    database = url or f"sqlite:///{tmp_path / 'monitor.store.db'}"
    path.write_text(
        f'database_url = "{database}"\n[[company]]\nname = "Acme"\n'
        '[[company.source]]\nname = "acme"\nkind = "hellopeter"\nlocator = "acme"\n',
        encoding="utf-8",
    )
    return str(path)


def one_clear_line(result: Result, expected: str) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_init_on_a_database_from_a_newer_version(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    assert runner.invoke(app, ["-c", cfg, "init"]).exit_code == 0
    engine = make_engine(f"sqlite:///{tmp_path / 'monitor.store.db'}")
    with engine.begin() as connection:
        connection.execute(text("update alembic_version set version_num = '9999_from_the_future'"))
    engine.dispose()
    for command in (["init"], ["reviews"]):
        result = runner.invoke(app, ["-c", cfg, *command])
        one_clear_line(result, "is at schema 9999_from_the_future, which this version does not know")
        assert "a newer version of the product upgraded it" in result.stderr


@pytest.fixture
def initialised(tmp_path: Path) -> str:
    cfg = config(tmp_path)
    assert runner.invoke(app, ["-c", cfg, "init"]).exit_code == 0
    return cfg


def test_digest_out_to_a_folder_or_a_file_path_through_a_file(tmp_path: Path, initialised: str) -> None:
    folder = tmp_path / "digests"
    folder.mkdir()
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x", encoding="utf-8")
    for target in (folder, a_file / "digest.html"):
        result = runner.invoke(app, ["-c", initialised, "digest", "--date", "2024-07-01", "--out", str(target)])
        one_clear_line(result, f"--out {target}: cannot write the digest")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full to stand for a full disk")
def test_digest_out_to_a_full_disk(initialised: str) -> None:
    result = runner.invoke(app, ["-c", initialised, "digest", "--date", "2024-07-01", "--out", "/dev/full"])
    one_clear_line(result, "--out /dev/full: cannot write the digest: No space left on device")


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_digest_of_a_day_at_the_end_of_the_calendar(initialised: str, day: str) -> None:
    for extra in ([], ["--text"], ["--send"]):
        result = runner.invoke(app, ["-c", initialised, "digest", "--date", day, *extra])
        one_clear_line(result, f"--date '{day}': must be between 1970-01-01 and 2999-12-31")


@pytest.mark.parametrize(
    "command",
    [["reviews"], ["runs"], ["sources"], ["tasks", "list"], ["digest"], ["digest", "--status"], ["templates", "list"]],
)
def test_read_commands_refuse_a_mistyped_database_path(tmp_path: Path, command: list[str]) -> None:
    missing = tmp_path / "typo" / "monitr.db"
    result = runner.invoke(app, ["-c", config(tmp_path, f"sqlite:///{missing}"), *command])
    one_clear_line(result, f"no database at {missing}: run `monitor init`")
    assert not missing.exists() and not missing.parent.exists()


def test_init_still_creates_the_database(tmp_path: Path) -> None:
    missing = tmp_path / "new" / "monitor.store.db"
    result = runner.invoke(app, ["-c", config(tmp_path, f"sqlite:///{missing}"), "init"])
    assert result.exit_code == 0, result.output
    assert missing.exists() and "created" in result.stdout


def init_together(cfg: str, processes: int = 10) -> list[tuple[int, str]]:
    """Start `processes` × `monitor init` at once; their exit codes and error output."""
    env = {**os.environ, "COLUMNS": "200"}
    command = [sys.executable, "-m", "monitor.cli.main", "-c", cfg, "init"]
    started = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for _ in range(processes)
    ]
    results = []
    for process in started:
        _out, err = process.communicate(timeout=120)
        results.append((process.returncode, err.decode()))
    return results


@pytest.mark.sqlite_only
def test_several_inits_at_once_on_a_fresh_sqlite_database(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    results = init_together(cfg)
    assert all(code == 0 for code, _ in results), [err for code, err in results if code]
    listed = runner.invoke(app, ["-c", cfg, "sources"])
    assert listed.exit_code == 0 and "acme" in listed.stdout


@pytest.mark.postgres
def test_several_inits_at_once_on_a_fresh_postgresql_database(tmp_path: Path, pg_url: str) -> None:
    cfg = config(tmp_path, pg_url)
    results = init_together(cfg)
    assert all(code == 0 for code, _ in results), [err for code, err in results if code]
    engine = make_engine(pg_url)
    with engine.connect() as connection:
        assert connection.execute(text("select version_num from alembic_version")).scalar() == head_revision()
        assert connection.execute(text("select count(*) from source")).scalar() == 1
    engine.dispose()
