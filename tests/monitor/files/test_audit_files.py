"""`templates audit` reads export files as `monitor import` does, and fails (exit 2, one line) on a file that holds
nothing to audit instead of reporting 0 templates as a clean audit."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from typer.testing import CliRunner

from monitor.cli.main import app

runner = CliRunner()


@pytest.mark.parametrize(
    "data",
    [
        b"id,reply\n",
        b"id,reply",
        codecs.BOM_UTF8 + b"sep=;\r\nid;reply\r\n;\r\n\r\n",
        "id\treply\r\n".encode("utf-16"),
    ],
)
def test_a_header_without_rows_is_not_an_audit_of_nothing(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "header-only.csv"
    path.write_bytes(data)
    result = runner.invoke(app, ["templates", "audit", str(path), "--text-column", "reply"])
    assert result.exit_code == 2, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {path}: the file has no rows (only a header), so no reply was audited"]
    assert "templates" not in result.stdout
