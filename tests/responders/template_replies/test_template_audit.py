from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from monitor.cli.templates import templates_app
from monitor.core.errors import BadExport
from responders.template_replies.audit import audit_rows, read_reply_rows
from tests.fixture_path import fixture

runner = CliRunner()
DUNZO = fixture("replies", "google_play_dunzo_replies.jsonl")


def dunzo_rows() -> list[dict[str, object]]:
    return [json.loads(line) for line in DUNZO.read_text(encoding="utf-8").splitlines()]


def write_csv(path: Path, rows: list[dict[str, object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_audit_rows_matches_groups_and_min_size() -> None:
    texts = [str(r["reply"]) for r in dunzo_rows()]
    report = audit_rows(texts)
    assert len(report.templates) == 2
    assert len(report.template_ids) == len(texts)
    assert not audit_rows(texts, min_size=34).templates
    assert len(audit_rows(texts, groups=["dunzo"] * len(texts)).templates) == 2


@pytest.mark.parametrize("kind", ["csv", "jsonl", "json", "jsonl.gz"])
def test_reader_reads_every_format_in_order(tmp_path: Path, kind: str) -> None:
    rows = dunzo_rows()
    if kind == "csv":
        path = write_csv(tmp_path / "r.csv", rows)
    elif kind == "json":
        path = tmp_path / "r.json"
        path.write_text(json.dumps(rows), encoding="utf-8")
    elif kind == "jsonl.gz":
        path = tmp_path / "r.jsonl.gz"
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write(DUNZO.read_text(encoding="utf-8"))
    else:
        path = DUNZO
    read = read_reply_rows(path, "reply", "author")
    assert read.texts == [r["reply"] for r in rows]
    assert read.groups == [r["author"] for r in rows]


def test_reader_names_the_missing_column_and_the_columns_found(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", dunzo_rows())
    with pytest.raises(BadExport, match=r"no column 'body'.*review_id, author, rating, reply"):
        read_reply_rows(path, "body")


def test_reader_reaches_nested_json_fields(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join(json.dumps({"reply": {"text": t}}) for t in ["a", "b"]), encoding="utf-8")
    assert read_reply_rows(path, "reply.text").texts == ["a", "b"]


def test_cli_json_prints_one_object_per_row_in_order(tmp_path: Path) -> None:
    rows = dunzo_rows()
    rows.insert(5, {"review_id": "x", "author": "nobody", "rating": 3, "reply": ""})
    path = write_csv(tmp_path / "replies.csv", rows)
    result = runner.invoke(templates_app, ["audit", str(path), "--text-column", "reply", "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["row"] for line in lines] == list(range(len(rows)))
    assert lines[5] == {"row": 5, "template": None, "family": None, "score": None}
    regret = [line for line, row in zip(lines, rows, strict=True) if "regret the inconvenience" in str(row["reply"])]
    assert len({line["template"] for line in regret}) == 1 and regret[0]["template"] is not None
    assert all(0 < line["score"] <= 1 for line in regret)


def test_cli_summary_shows_templates_and_escapes_markup(tmp_path: Path) -> None:
    rows = [{"reply": "[bold]Sorry[/bold], please mail us at help@example.com"} for _ in range(4)]
    path = write_csv(tmp_path / "replies.csv", rows)
    result = runner.invoke(templates_app, ["audit", str(path), "--text-column", "reply"])
    assert result.exit_code == 0, result.output
    assert "1 templates; 4 of 4 replies" in result.stdout
    assert "[bold]Sorry[/bold]" in result.stdout  # shown literally, not interpreted as markup


def test_cli_missing_column_exits_2_with_the_columns_found(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "replies.csv", dunzo_rows())
    result = runner.invoke(templates_app, ["audit", str(path), "--text-column", "text", "--json"])
    assert result.exit_code == 2
    assert "no column 'text'" in result.stderr and "reply" in result.stderr
    assert result.stdout == ""


def _header_then_broken_rows(path: Path) -> Path:
    rows = dunzo_rows()
    header = ",".join(rows[0])
    # Every data row has one field: none can be read, but the header still names the file's columns.
    path.write_text(header + "\n" + "\n".join(str(row["reply"]).replace(",", " ")[:40] for row in rows) + "\n")
    return path


def test_a_missing_column_is_named_even_when_no_row_can_be_read(tmp_path: Path) -> None:
    path = _header_then_broken_rows(tmp_path / "broken.csv")
    result = runner.invoke(templates_app, ["audit", str(path), "--text-column", "no_such_column"])
    assert result.exit_code == 2
    assert "no column 'no_such_column'" in result.stderr and "reply" in result.stderr
    grouped = runner.invoke(templates_app, ["audit", str(path), "--text-column", "reply", "--group-column", "app_id"])
    assert grouped.exit_code == 2 and "no column 'app_id'" in grouped.stderr


def test_a_file_whose_rows_cannot_be_read_is_not_an_audit_of_nothing(tmp_path: Path) -> None:
    path = _header_then_broken_rows(tmp_path / "broken.csv")
    result = runner.invoke(templates_app, ["audit", str(path), "--text-column", "reply"])
    assert result.exit_code == 2
    assert f"none of its {len(dunzo_rows())} row(s) could be read" in result.stderr
    assert "0 templates" not in result.stdout
