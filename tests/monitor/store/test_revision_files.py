"""The schema revisions read without Alembic (the migration files' text, one query on the version table) are the
ones Alembic itself finds, so a new migration cannot make the two views disagree unnoticed."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Engine

from monitor.store.migrate import (
    _config,
    _read_graph,
    current_revision,
    head_revision,
    is_known_revision,
    revision_graph,
    upgrade,
)


def _alembic_graph(scripts: ScriptDirectory) -> dict[str, tuple[str, ...]]:
    """Each revision Alembic loads, with the revisions it follows."""
    graph: dict[str, tuple[str, ...]] = {}
    for script in scripts.walk_revisions():
        down = script.down_revision
        graph[script.revision] = () if down is None else (down,) if isinstance(down, str) else tuple(down)
    return graph


def test_the_shipped_revisions_and_head_are_alembics() -> None:
    scripts = ScriptDirectory.from_config(_config())
    assert dict(revision_graph()) == _alembic_graph(scripts)
    assert head_revision() == scripts.get_current_head()
    assert all(is_known_revision(revision) for revision in _alembic_graph(scripts))
    assert is_known_revision(None)
    assert not is_known_revision("9999_from_the_future")


_FILES = {
    "0001_first.py": '"""first\n\nRevision ID: 0001\nRevises:\n"""\nrevision = "0001"\ndown_revision = None\n',
    # The newer Alembic template annotates the declarations.
    "0002_typed.py": (
        "from typing import Sequence, Union\n\n"
        'revision: str = "0002"\ndown_revision: Union[str, None] = "0001"\n'
        "branch_labels: Union[str, Sequence[str], None] = None\n\n"
        "def upgrade() -> None:\n    revision = 'not a declaration'\n"
    ),
    "0003_side.py": "revision = 'side'  # a branch\ndown_revision = '0001'\n",
    "0004_merge.py": 'revision = "0004"\ndown_revision = ("0002", "side")\n',
    "__init__.py": "",
}


def test_the_files_alembic_loads_are_read_as_alembic_reads_them(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    for name, body in _FILES.items():
        (versions / name).write_text(body, encoding="utf-8")
    cfg = Config()
    cfg.set_main_option("script_location", str(tmp_path))
    expected = _alembic_graph(ScriptDirectory.from_config(cfg))
    assert _read_graph(versions) == expected
    assert expected["0004"] == ("0002", "side")


@pytest.mark.parametrize(
    "body",
    [
        "revision = make_id()\ndown_revision = None\n",  # not a literal: only running the file would tell
        'revision = "0001"\n',  # no down_revision
        'revision = "0001"\nrevision = "0002"\ndown_revision = None\n',  # which one does the module end with?
        'revision = "0001"\ndown_revision = 1\n',
    ],
)
def test_a_revision_file_that_cannot_be_read_plainly_is_refused(tmp_path: Path, body: str) -> None:
    (tmp_path / "0001_odd.py").write_text(body, encoding="utf-8")
    with pytest.raises(RuntimeError, match=r"0001_odd\.py"):
        _read_graph(tmp_path)


def _alembic_current(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def test_the_database_revision_is_the_one_alembic_reads(engine: Engine) -> None:
    assert current_revision(engine) is None and _alembic_current(engine) is None  # an empty database
    upgrade(engine, "0003")
    assert current_revision(engine) == _alembic_current(engine) == "0003"
    upgrade(engine)
    assert current_revision(engine) == _alembic_current(engine) == head_revision()
    with engine.begin() as connection:
        connection.execute(text("delete from alembic_version"))
    assert current_revision(engine) is None and _alembic_current(engine) is None  # a version table without a row
