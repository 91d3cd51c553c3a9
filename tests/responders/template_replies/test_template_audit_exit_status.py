"""`templates audit` fails (exit 2, one line on stderr) rather than report an audit of nothing as a clean one."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from monitor.cli.templates import templates_app

runner = CliRunner()


def test_a_file_without_any_reply_is_not_an_audit_of_nothing(tmp_path: Path) -> None:
    path = tmp_path / "no-replies.csv"
    path.write_text("id,reply\n1,\n2,  \n3,\n", encoding="utf-8")
    result = runner.invoke(templates_app, ["audit", str(path), "--text-column", "reply"])
    assert result.exit_code == 2
    reason = f"error: {path}: none of its 3 row(s) has a reply in column 'reply'"
    assert result.stderr.strip().splitlines()[-1] == reason
    assert "0 templates" not in result.stdout


def test_an_excel_file_none_of_whose_rows_fit_its_header_names_the_columns_found(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_text("sep=;\nid;reply\n1;Thanks;for writing\n2;Thanks;for writing\n", encoding="utf-8")
    result = runner.invoke(templates_app, ["audit", str(path), "--text-column", "no_such_column"])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "no column 'no_such_column'; columns found: id, reply" in result.stderr
    unreadable = runner.invoke(templates_app, ["audit", str(path), "--text-column", "reply"])
    assert unreadable.exit_code == 2 and "none of its 2 row(s) could be read" in unreadable.stderr


def test_an_error_is_one_line_even_for_a_path_with_a_line_break(tmp_path: Path) -> None:
    path = tmp_path / "two\nlines.csv"
    path.write_text("id,reply\n1,Thanks\n", encoding="utf-8")
    result = runner.invoke(templates_app, ["audit", str(path), "--text-column", "nope"])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "no column 'nope'" in result.stderr
