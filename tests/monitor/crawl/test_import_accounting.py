"""Every import ends with every row accounted for, a verdict and an exit status; a bad cell costs only that cell."""

from __future__ import annotations

import ast
import csv
import json
import re
from pathlib import Path

from sqlmodel import Session, select
from typer.testing import CliRunner, Result

from monitor.cli.main import app
from monitor.runtime.context import open_database
from monitor.store.models import CompanyReply, Review
from tests.export_files import review_count
from tests.fixture_path import fixture

runner = CliRunner()
APP_STORE = fixture("app_store_export", "sg_food_delivery_app_store_400.csv")
DOUBLED = fixture("exports_rewritten", "app_store_doubled_escapes_24.csv")


def _rows(path: Path = APP_STORE) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _write(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8", delimiter: str = ",") -> Path:
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _import(tmp_path: Path, path: Path, *args: str) -> Result:
    env = {"MONITOR_DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}"}
    return runner.invoke(app, ["import", str(path), "--company", "Grab", *args], env=env)


def _count(tmp_path: Path) -> int:
    return review_count(f"sqlite:///{tmp_path / 'm.db'}")


def test_many_bad_rows_make_a_partial_import_that_says_how_many(tmp_path: Path) -> None:
    rows = _rows()
    for row in rows[::13]:
        row["rating"] = "five"
    broken = len(rows[::13])
    path = _write(tmp_path / "ratings.csv", rows)
    result = _import(tmp_path, path)
    assert result.exit_code == 1, result.output
    share = f"{broken / len(rows):.1%}"
    assert (
        result.stdout.startswith("partial") and f"{broken} of {len(rows)} rows ({share}) were skipped" in result.stdout
    )
    assert f"rows read {len(rows)}: {len(rows) - broken} new, 0 changed, 0 unchanged, {broken} skipped" in result.stdout
    assert f"(rating unreadable {broken})" in result.stdout
    # Over 20 problems: all of them go to a file beside the database, and the summary names it.
    match = re.search(rf"{broken} problem\(s\), every one written to (\S+)", result.stdout)
    assert match is not None
    written = Path(match.group(1))
    assert written.parent == tmp_path and written.read_text(encoding="utf-8").count("\n") == broken
    assert "not a rating: 'five'; skipped" in written.read_text(encoding="utf-8")
    assert _count(tmp_path) == len(rows) - broken
    runs = json.loads(
        runner.invoke(app, ["runs", "--json"], env={"MONITOR_DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}"}).stdout
    )
    assert runs[0]["health"] == "partial" and len(runs[0]["errors"]) == broken


def test_a_few_bad_rows_are_printed_and_the_import_is_ok(tmp_path: Path) -> None:
    rows = _rows()
    for row in rows[:5]:
        row["rating"] = "?"
    result = _import(tmp_path, _write(tmp_path / "few.csv", rows))
    assert result.exit_code == 0, result.output
    assert "395 new" in result.stdout and "5 skipped (rating unreadable 5)" in result.stdout
    assert result.stderr.count("not a rating: '?'; skipped") == 5
    assert not list(tmp_path.glob("*.problems.txt"))


def test_problems_go_to_the_file_asked_for(tmp_path: Path) -> None:
    rows = _rows()[:40]
    rows[3]["rating"] = "x"
    target = tmp_path / "out" / "problems.txt"
    result = _import(tmp_path, _write(tmp_path / "one.csv", rows), "--problems", str(target))
    assert result.exit_code == 1  # 1 of 40 rows is over 2 %
    assert f"every one written to {target}" in result.stdout
    assert target.read_text(encoding="utf-8").startswith("line ")


def test_a_file_with_nothing_usable_fails_and_stores_nothing(tmp_path: Path) -> None:
    rows = _rows()[:30]
    for row in rows:
        row["rating"] = "n/a"
    result = _import(tmp_path, _write(tmp_path / "none.csv", rows))
    assert result.exit_code == 2, result.output
    assert result.stdout.startswith("failed") and "none of the 30 rows could be used" in result.stdout
    assert _count(tmp_path) == 0


def test_a_file_without_a_needed_column_fails_with_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("userName,score,at\nAnn,1,01-02-2024 10:00\n", encoding="utf-8")
    result = _import(tmp_path, bad)
    assert result.exit_code == 2 and "no column 'content'" in result.stdout
    assert _count(tmp_path) == 0


def test_doubled_escapes_and_unreadable_replies_cost_only_the_reply(tmp_path: Path) -> None:
    rows = _rows(DOUBLED)
    rows[0]["developerResponse"] = rows[0]["developerResponse"][:40]  # cut short: unreadable
    result = _import(tmp_path, _write(tmp_path / "replies.csv", rows))
    assert result.exit_code == 0, result.output
    assert "24 new" in result.stdout and "0 skipped" in result.stdout and "(reply unreadable 1)" in result.stdout
    engine = open_database(f"sqlite:///{tmp_path / 'm.db'}")
    with Session(engine) as session:
        replies = {
            review.author_name: reply.text
            for review, reply in session.exec(
                select(Review, CompanyReply).join(CompanyReply, CompanyReply.review_id == Review.id)  # type: ignore[arg-type]
            ).all()
        }
    engine.dispose()
    assert rows[0]["userName"] not in replies and len(replies) == 23
    for row in rows[1:]:
        body = ast.literal_eval(row["developerResponse"].replace("\\\\", "\\"))["body"]
        assert replies[row["userName"]] == body.replace("\r\n", "\n").replace("\r", "\n").strip()


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def test_audit_reads_the_encodings_import_reads(tmp_path: Path) -> None:
    # Real replies saved as a spreadsheet would: UTF-16 tab-separated ("Unicode text") and Windows-1252 with `;`.
    replies = [
        {"app": r["app"], "reply": ast.literal_eval(r["developerResponse"])["body"].strip()}
        for r in _rows()
        if r["developerResponse"]
    ]
    replies = [r for r in replies if _encodable(r["reply"], "cp1252")]
    assert len(replies) > 100
    found = {}
    for name, encoding, delimiter in [
        ("utf8.csv", "utf-8", ","),
        ("utf16.txt", "utf-16", "\t"),
        ("excel.csv", "cp1252", ";"),
    ]:
        path = _write(tmp_path / name, replies, encoding, delimiter)
        result = runner.invoke(app, ["templates", "audit", str(path), "--text-column", "reply", "--json"])
        assert result.exit_code == 0, result.output
        found[name] = [json.loads(line)["template"] is not None for line in result.stdout.splitlines()]
    assert len(found["utf8.csv"]) == len(replies) and any(found["utf8.csv"])
    assert found["utf16.txt"] == found["excel.csv"] == found["utf8.csv"]
