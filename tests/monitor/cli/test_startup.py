"""`monitor` starts without the heavy stacks: each command imports what it needs when it runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys

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
