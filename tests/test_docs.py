"""The documentation stays true: the README's example configuration loads, every kind and command is documented."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from monitor.cli.main import app
from monitor.runtime.config_file import load_settings
from sources.base import registry

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_example_configuration_is_valid(tmp_path: Path) -> None:
    blocks = re.findall(r"```toml\n(.*?)```", README, flags=re.S)
    (block,) = [b for b in blocks if "[[company]]" in b]  # the full example
    path = tmp_path / "monitor.toml"
    for other in blocks:  # smaller examples (the task engine) are valid files on their own too
        path.write_text(other, encoding="utf-8")
        load_settings(path, env={})
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


def _command_paths() -> list[tuple[str, ...]]:
    """Every command the `monitor` app has, found by walking the Click tree Typer builds (never a hand-kept list)."""
    root = typer.main.get_command(app)
    found: list[tuple[str, ...]] = []

    def walk(command: Any, path: tuple[str, ...]) -> None:
        # A group is whatever has sub-commands (Typer's group class is not always click's own Group).
        subcommands = getattr(command, "commands", None)
        if subcommands:
            for name, sub in subcommands.items():
                walk(sub, (*path, name))
        else:
            found.append(path)

    walk(root, ())
    return found


def test_the_command_walk_finds_every_group() -> None:
    paths = _command_paths()
    groups = {path[0] for path in paths if len(path) > 1}
    assert {"tasks", "templates"} <= groups
    assert ("crawl",) in paths and ("tasks", "claim") in paths


@pytest.mark.parametrize("path", _command_paths(), ids=" ".join)
def test_every_command_has_help_and_a_readme_entry(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    command: Any = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]
    assert command.help and len(command.help.split()) >= 4, f"`monitor {' '.join(path)}` has no real help text"
    # The README names each command as it is typed, e.g. `monitor tasks claim` or `tasks claim`.
    assert " ".join(path) in README, f"README does not mention `monitor {' '.join(path)}`"


def _layout_block() -> str:
    section = README.split("## How the code is laid out", 1)[1]
    return re.findall(r"```\n(.*?)```", section, flags=re.S)[1]


def test_readme_layout_names_every_package_and_nothing_else() -> None:
    block = _layout_block()
    indent_stack: list[tuple[int, str]] = []
    listed: set[str] = set()
    for line in block.splitlines():
        name = line.split()[0] if line.strip() else ""
        if not name.endswith("/"):
            continue
        depth = len(line) - len(line.lstrip())
        while indent_stack and indent_stack[-1][0] >= depth:
            indent_stack.pop()
        path = "/".join([*(n for _, n in indent_stack), name.rstrip("/")])
        indent_stack.append((depth, name.rstrip("/")))
        listed.add(path)
    on_disk = {
        str(init.parent.relative_to(ROOT))
        for top in ("monitor", "sources", "responders")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert listed == on_disk


@pytest.mark.parametrize("top", ["monitor", "responders", "sources"])
def test_top_packages_hold_sub_packages_not_a_heap_of_modules(top: str) -> None:
    modules = sorted(p.name for p in (ROOT / top).glob("*.py"))
    assert len(modules) <= 12, modules


def test_no_module_is_a_giant() -> None:
    giants = {
        str(path.relative_to(ROOT)): n
        for top in ("monitor", "sources", "responders")
        for path in (ROOT / top).rglob("*.py")
        if "migrations" not in path.parts and (n := len(path.read_text(encoding="utf-8").splitlines())) > 650
    }
    assert not giants


DOCS = [ROOT / "README.md", ROOT / "benchmarks" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            if not hasattr(target, attr):
                return False
            target = getattr(target, attr)
        return True
    return False


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_code_name_and_path_in_the_docs_exists(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    names = {
        name
        for name in re.findall(r"`((?:monitor|responders|sources)(?:\.[A-Za-z_]+)+)", text)
        if name.rsplit(".", 1)[1] not in {"toml", "db", "html", "py", "txt"}  # file names, not code
    }
    paths = set(re.findall(r"`((?:monitor|sources|responders|tests|benchmarks|tools|docs)/[\w./-]+)`", text))
    assert not sorted(n for n in names if not _resolves(n))
    assert not sorted(p for p in paths if not (ROOT / p).exists())
