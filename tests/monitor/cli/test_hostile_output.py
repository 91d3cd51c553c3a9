"""Every command shows stranger text as typed and inert: tables, task details, JSON, CSV files and export audits.

The store holds the hostile review set of `tests/hostile_text.py`, written the way a crawl and an import write it.
Terminal output is judged line by line as printed (Rich wraps at the 200 columns the suite pins): no control
character, no escape sequence, no bidi override left open at the end of a line, Rich markup shown as typed.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from monitor.cli.main import app
from monitor.core.spreadsheet import FORMULA_STARTS
from tests.hostile_text import (
    ANSI,
    BIDI,
    CLOSERS,
    EVIL_COMPANY,
    FORMULAS,
    IMG,
    READABLE,
    RICH,
    SCRIPT,
    TEMPLATE,
    assert_bidi_balanced,
    assert_printable,
    assert_terminal_text,
    build_hostile_store,
)

runner = CliRunner()
SPAN = ["--from", "2024-06-01", "--to", "2024-06-30"]


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_hostile_store(tmp_path_factory.mktemp("hostile"))


def cli(config: Path, *args: str) -> Result:
    result = runner.invoke(app, ["-c", str(config), *args])
    assert result.exit_code == 0, result.output
    return result


def one_json_line(config: Path, *args: str) -> Any:
    out = cli(config, *args, "--json").stdout
    assert out.endswith("\n") and len(out.splitlines()) == 1, out[:300]  # splitlines() splits at U+2028 too
    return json.loads(out)


def task_of(config: Path, review_id: str) -> int:
    """The task of the review the site calls `review_id` (h1 … h12)."""
    reviews = {r["site_review_id"]: r["id"] for r in one_json_line(config, "reviews", "--limit", "100")}
    tasks = one_json_line(config, "tasks", "list")
    return next(t["id"] for t in tasks if reviews[review_id] in t["review_ids"])


@pytest.mark.parametrize(
    "command",
    [
        ["reviews"],
        ["reviews", "--unhappy", "--limit", "3"],
        ["tasks", "list"],
        ["templates", "list", "--kind", "all", "--examples", "3"],
        ["runs"],
        ["sources"],
        ["digest", "--text", "--date", "2024-06-03"],
        ["report", *SPAN, "--by", "day"],
    ],
    ids=" ".join,
)
def test_tables_and_summaries_print_every_line_clean(config: Path, command: list[str]) -> None:
    assert_terminal_text(cli(config, *command).stdout, " ".join(command))


def test_task_details_show_each_field_as_typed(config: Path) -> None:
    for review_id in [f"h{n}" for n in range(1, 13)]:
        shown = cli(config, "tasks", "show", str(task_of(config, review_id))).stdout
        assert_terminal_text(shown, review_id)
    first = cli(config, "tasks", "show", str(task_of(config, "h1"))).stdout
    assert f"Awful {SCRIPT}" in first and IMG in first and "{{7*7}}" in first  # the title, the name, the reply
    markup = cli(config, "tasks", "show", str(task_of(config, "h11"))).stdout
    assert RICH in markup  # Rich markup printed as typed, its trailing backslash too: nothing was styled or linked
    edited = cli(config, "tasks", "show", str(task_of(config, "h2"))).stdout
    assert "\n    {{7*7}} {% raw %}" in edited and "price 1$ gnikcis ok" in edited  # overrides dropped, text kept
    readable = cli(config, "tasks", "show", str(task_of(config, "h12"))).stdout
    assert READABLE in readable  # quotes, ampersands, accents, emoji, Arabic, Hebrew and CJK print as typed


def test_a_terminal_line_never_keeps_an_override_that_closes_on_the_next(config: Path) -> None:
    # The reply of h1 is longer than a line: Rich wraps it, and the old output left its override open there.
    shown = cli(config, "tasks", "show", str(task_of(config, "h1"))).stdout
    assert "\u202e" not in shown and "\u2067" not in shown
    table = cli(config, "reviews").stdout
    assert "\u202e" not in table and "gnikcis" in table


@pytest.mark.parametrize(
    "command",
    [["reviews"], ["tasks", "list", "--status", "all"], ["templates", "list"], ["runs"], ["report", *SPAN]],
    ids=" ".join,
)
def test_json_is_one_valid_line_without_controls(config: Path, command: list[str]) -> None:
    data = one_json_line(config, *command)
    assert_printable(json.dumps(data, ensure_ascii=False), " ".join(command))


def test_json_keeps_the_text_whole(config: Path) -> None:
    reviews = {r["site_review_id"]: r for r in one_json_line(config, "reviews", "--limit", "100")}
    breakers = reviews["h3"]["body"]
    assert 'say "hi" \\"} ], {"x": 1} \n\n lone \ufffd and \ufffd halves' in breakers  # lone halves as U+FFFD
    assert reviews["h2"]["author"] == "Eve\nNewline\nName"  # JSON escapes the newline; the line stays one
    assert reviews["h10"]["body"].startswith("Terrible delivery") and len(reviews["h10"]["body"]) == 100_000
    assert reviews["h1"]["url"] == "javascript:window.__xss=4;alert(1)"  # data for programs, never a link
    detail = one_json_line(config, "tasks", "show", str(task_of(config, "h2")))
    assert_bidi_balanced(detail["reviews"][0]["title"], "a title in JSON keeps its overrides, each one closed")


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def _assert_formula_safe(rows: list[dict[str, str]], where: str) -> None:
    for row in rows:
        for column, cell in row.items():
            assert not cell.startswith(FORMULA_STARTS), f"{where} {column}: {cell[:60]!r}"
            assert_printable(cell.replace("\n", " ").replace("\t", " "), f"{where} {column}")


def test_csv_exports_neutralise_formulas_the_owasp_way(config: Path, tmp_path: Path) -> None:
    cli(config, "reviews", "--csv", str(tmp_path / "reviews.csv"))
    cli(config, "tasks", "list", "--status", "all", "--csv", str(tmp_path / "tasks.csv"))
    cli(config, "report", *SPAN, "--by", "week", "--csv", str(tmp_path / "report.csv"))
    reviews, tasks, report = (_csv(tmp_path / name) for name in ("reviews.csv", "tasks.csv", "report.csv"))
    for rows, where in ((reviews, "reviews"), (tasks, "tasks"), (report, "report")):
        _assert_formula_safe(rows, where)
    # A leading quote makes the spreadsheet show the text as typed; a carriage return is a control, so it goes.
    expected = {"'" + f.replace("\r", "") for f in FORMULAS}
    assert expected <= {row["author"] for row in reviews}
    assert expected <= {row["title"] for row in reviews}
    assert "'" + FORMULAS[0] in {row["reviewer"] for row in tasks}
    company = "'" + EVIL_COMPANY.split(" <")[0]
    assert all(row["company"].startswith(company) for row in report if "Evil" in row["company"])
    assert any(row["company"].startswith(company) for row in tasks)
    body = next(row["body"] for row in reviews if row["site_review_id"] == "h12")
    assert body == f"{READABLE} terrible"  # nothing else is touched: no entities, no quotes added


def test_an_export_audit_prints_the_file_s_text_inert(tmp_path: Path) -> None:
    export = tmp_path / "replies.csv"
    with export.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["reply", "app"])
        for n in range(4):
            writer.writerow([f"Hi user {n}, {ANSI} {RICH} {BIDI} {SCRIPT} {TEMPLATE} {CLOSERS}", f"{ANSI}app{BIDI}"])
    result = runner.invoke(
        app, ["templates", "audit", str(export), "--text-column", "reply", "--group-column", "app", "--top", "5"]
    )
    assert result.exit_code == 0, result.output
    assert_terminal_text(result.stdout, "templates audit")
    # The skeleton's placeholders stand for the numbers and links; the markup around them is printed as typed.
    assert "[link={url}]link[/link]" in result.stdout and "fake[/] back\\" in result.stdout
    assert "{% raw %}" in result.stdout and "\x1b" not in result.stderr


def test_a_readable_review_is_not_turned_into_entities_or_escapes(config: Path) -> None:
    table = cli(config, "reviews", "--source", "hostile-reviews").stdout
    assert "&amp;" not in table and "&quot;" not in table and "\\u" not in table
    assert "دانة" in table and "השירות היה נורא" in table and "الخدمة سيئة" in table
