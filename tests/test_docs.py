"""The documentation stays true: the README's example configuration loads, every kind and command is documented."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from monitor.cli.main import app
from monitor.runtime.config_file import load_settings
from sources.base import registry

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_example_configuration_is_valid(tmp_path: Path) -> None:
    (block,) = re.findall(r"```toml\n(.*?)```", README, flags=re.S)
    path = tmp_path / "monitor.toml"
    path.write_text(block, encoding="utf-8")
    settings = load_settings(path, env={})
    assert settings.smtp is not None and settings.smtp.password_env == "MONITOR_SMTP_PASSWORD"
    assert {s.kind for s in settings.all_sources()} == {"trustpilot", "hellopeter", "google_play", "file"}


def test_every_source_kind_has_help_options_and_a_test_module() -> None:
    kinds = registry()
    assert {"trustpilot", "hellopeter", "google_play", "app_store", "jsonld", "css", "feed", "file"} <= set(kinds)
    for name, cls in kinds.items():
        assert cls.help and cls.locator_help, name
        assert all(opt.help for opt in cls.options), name
        assert (ROOT / "tests" / "sources" / f"test_{name}.py").exists(), f"no tests for source kind {name}"
    listed = CliRunner().invoke(app, ["sources", "--kinds"])
    assert listed.exit_code == 0
    for name in kinds:
        assert name in listed.stdout


def test_every_command_and_subcommand_has_help() -> None:
    commands = [
        "init",
        "crawl",
        "sources",
        "reviews",
        "import",
        "serve",
        "demo",
        "probe",
        "digest",
        "check-reply",
        "templates list",
        "templates audit",
        "tasks list",
        "tasks show",
        "tasks claim",
        "tasks log",
        "tasks close",
    ]
    for command in commands:
        result = CliRunner().invoke(app, [*command.split(), "--help"])
        assert result.exit_code == 0, command
        assert len(result.stdout.split()) > 15, command
        assert command.split()[0] in README, f"README does not mention `monitor {command}`"
