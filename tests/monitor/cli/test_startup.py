"""`monitor` starts without the heavy stacks: each command imports what it needs when it runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# What no command needs to be built and parsed: the database, migrations, settings file reader (httpx,
# APScheduler), digest, report, analysis, template clustering, playbook, crawl, task engine and web app.
NOT_AT_STARTUP = (
    "sqlalchemy",
    "sqlmodel",
    "alembic",
    "jinja2",
    "httpx",
    "numpy",
    "apscheduler",
    "dramatiq",
    "uvicorn",
    "pwdlib",
    "sources",
    "responders",
    "responders.template_replies.clusters",
    "responders.guidance.playbook",
    "monitor.store.db",
    "monitor.store.migrate",
    "monitor.runtime.config_file",
    "monitor.crawl",
    "monitor.digest",
    "monitor.digest.build",
    "monitor.report",
    "monitor.text",
    "monitor.engine",
    "monitor.web",
)


def _modules_at_startup() -> set[str]:
    """The modules a fresh process holds once the `monitor` app and its whole command tree are built."""
    code = (
        "import json, sys, typer, monitor.cli.main as m; typer.main.get_command(m.app); "
        "print(json.dumps(sorted(sys.modules)))"
    )
    # Without the PostgreSQL test shim, whose start-up hook loads the database layer into every subprocess.
    env = {key: value for key, value in os.environ.items() if key != "MONITOR_TEST_BACKEND"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout))


def test_the_command_tree_is_built_without_the_heavy_stacks() -> None:
    loaded = _modules_at_startup()
    assert {"monitor.cli.main", "monitor.cli.tasks", "monitor.cli.report", "typer"} <= loaded
    assert sorted(loaded & set(NOT_AT_STARTUP)) == []


# What a command on a current database with default settings does not need: the migrations (Alembic), and what only
# some settings ask for (a proxy, a schedule, a source, extra regulator names).
NOT_ON_A_CURRENT_DATABASE = ("alembic", "httpx", "apscheduler", "sources", "monitor.text", "numpy", "jinja2")

# Runs the `monitor` command given after the path of a file, and lists the modules loaded into that file at exit.
_RUN_AND_LIST = """
import json, runpy, sys
listing, sys.argv = sys.argv[1], ["monitor", *sys.argv[2:]]
try:
    runpy.run_module("monitor.cli.main", run_name="__main__")
finally:
    with open(listing, "w", encoding="utf-8") as out:
        json.dump(sorted(sys.modules), out)
"""


def _monitor(tmp_path: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `monitor *args` on the database `url` with default settings, in a folder without a config file."""
    # Without the PostgreSQL test shim, which loads the database layer into every subprocess; the PostgreSQL case
    # names its database itself.
    env = {key: value for key, value in os.environ.items() if not key.startswith("MONITOR_")}
    env["MONITOR_DATABASE_URL"] = url
    return subprocess.run(
        [sys.executable, "-c", _RUN_AND_LIST, str(tmp_path / "modules.json"), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A SQLite file or a throw-away PostgreSQL database (the `pg_url` fixture)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'monitor.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


def test_a_command_on_a_current_database_loads_no_migrations(tmp_path: Path, database_url: str) -> None:
    made = _monitor(tmp_path, database_url, "init")
    assert made.returncode == 0 and "created" in made.stdout, made.stderr
    claimed = _monitor(tmp_path, database_url, "tasks", "claim", "1", "--as", "x")
    assert claimed.returncode == 1 and "no task 1" in claimed.stderr, claimed.stderr  # the database was opened
    loaded = set(json.loads((tmp_path / "modules.json").read_text(encoding="utf-8")))
    assert {"monitor.store.db", "monitor.store.migrate", "monitor.runtime.config_file"} <= loaded
    assert sorted(loaded & set(NOT_ON_A_CURRENT_DATABASE)) == []
