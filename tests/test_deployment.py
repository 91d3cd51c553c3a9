"""The deployment files: units and compose parse, and every command they run is a `monitor` command."""

from __future__ import annotations

import configparser
import shlex
from pathlib import Path
from typing import Any

import typer
import yaml

from monitor.cli.main import app

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


def _runs(argv: list[str]) -> None:
    """`argv` (after the program) names a real command whose options parse (a wrong option raises)."""
    root: Any = typer.main.get_command(app)  # Typer's group class is not always click's own Group
    command = root.commands.get(argv[0])
    assert command is not None, f"no command {argv[0]!r}"
    command.make_context(argv[0], list(argv[1:]))


def test_every_unit_runs_a_monitor_command_with_options_that_parse() -> None:
    units = sorted((DEPLOY / "systemd").glob("*.service"))
    assert {u.name for u in units} == {"monitor-web.service", "monitor-scheduler.service", "monitor-worker@.service"}
    for unit in units:
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive in systemd
        parser.read(unit, encoding="utf-8")
        assert parser["Service"]["EnvironmentFile"] == "/etc/monitor/monitor.env"
        program, *argv = shlex.split(parser["Service"]["ExecStart"])
        assert program.endswith("/monitor")
        _runs(argv)


def test_the_compose_file_runs_the_three_roles_from_one_image() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"db", "broker", "web", "scheduler", "worker"} <= set(services)
    for role in ("web", "scheduler", "worker"):
        assert services[role]["build"]["dockerfile"] == "deploy/Dockerfile"
        assert services[role]["environment"]["MONITOR_ENGINE_URL"].startswith("amqp://")
        _runs(services[role]["command"])
    assert services["worker"]["deploy"]["replicas"] >= 2
    example = (DEPLOY / "monitor.env.example").read_text(encoding="utf-8")
    assert {"MONITOR_CONFIG", "MONITOR_DATABASE_URL", "MONITOR_ENGINE_URL"} <= {
        line.split("=", 1)[0] for line in example.splitlines() if "=" in line and not line.startswith("#")
    }
