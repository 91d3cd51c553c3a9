"""`monitor report` on real exports imported through `monitor import`: the figures against counts made here from
the export files and from the stored rows, in JSON, CSV, HTML and the terminal."""

from __future__ import annotations

import csv
import gzip
import json
import statistics
from collections import Counter
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from monitor.cli.main import app
from monitor.store.db import make_engine
from monitor.store.models import Company, CompanyReply, Review, SourceRow
from tests.fixture_path import fixture

runner = CliRunner()
APP_STORE = fixture("app_store_export", "sg_food_delivery_app_store_400.csv")
HELLOPETER = fixture("hellopeter", "cell-c_2021_reviews_first300.jsonl.gz")
FIGURE_KEYS = {
    "reviews",
    "unhappy_reviews",
    "replied",
    "replied_personally",
    "replied_with_template",
    "unanswered",
    "response_rate",
    "template_share",
    "median_hours_to_reply",
    "rating_average",
    "rating_distribution",
    "top_themes",
    "template_families",
    "tasks_opened",
    "tasks_closed",
    "tasks_breached",
    "task_outcomes",
    "loop_effect",
}


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both exports imported as two companies, the way a user loads a year of history."""
    path = tmp_path_factory.mktemp("report") / "monitor.db"
    for export, company in ((APP_STORE, "Grab"), (HELLOPETER, "Cell C")):
        result = runner.invoke(app, ["import", str(export), "--company", company], env=_env(path))
        assert result.exit_code == 0, result.output
    return path


def _env(path: Path) -> dict[str, str]:
    return {"MONITOR_DATABASE_URL": f"sqlite:///{path}"}


def _report(database: Path, *args: str) -> list[dict[str, Any]]:
    result = runner.invoke(app, ["report", *args, "--json"], env=_env(database))
    assert result.exit_code == 0, result.output
    data: list[dict[str, Any]] = json.loads(result.stdout)
    return data


def _app_store_rows() -> list[dict[str, str]]:
    with APP_STORE.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def _hellopeter_records() -> list[dict[str, Any]]:
    return [json.loads(line) for line in gzip.decompress(HELLOPETER.read_bytes()).splitlines()]


def _stored(database: Path, company: str, month: str) -> dict[str, Any]:
    """Unhappy reviews and their answers of one month, straight from the stored rows (not through the report)."""
    engine = make_engine(f"sqlite:///{database}")
    try:
        with Session(engine) as session:
            stored = session.exec(
                select(  # type: ignore[call-overload]  # sqlmodel types select() for up to four columns
                    Review.unhappy,
                    Review.private_reply,
                    CompanyReply.id,
                    CompanyReply.template_id,
                    CompanyReply.published_at,
                    Review.published_at,
                )
                .join(SourceRow, col(SourceRow.id) == Review.source_id)
                .join(Company, col(Company.id) == SourceRow.company_id)
                .outerjoin(CompanyReply, col(CompanyReply.review_id) == Review.id)
                .where(Company.name == company)
            ).all()
    finally:
        engine.dispose()
    rows = [
        (unhappy, private, reply_id, template, (replied - published).total_seconds() / 3600 if replied else None)
        for unhappy, private, reply_id, template, replied, published in stored
        if published is not None and f"{published.astimezone(UTC):%Y-%m}" == month
    ]
    unhappy = [row for row in rows if row[0] == 1]
    hours = [row[4] for row in unhappy if row[2] is not None and row[4] is not None and row[4] >= 0]
    return {
        "reviews": len(rows),
        "unhappy_reviews": len(unhappy),
        "replied": sum(1 for row in unhappy if row[2] is not None or row[1] == 1),
        "replied_with_template": sum(1 for row in unhappy if row[3] is not None),
        "replied_privately": sum(1 for row in unhappy if row[2] is None and row[1] == 1),
        "median_hours_to_reply": round(statistics.median(hours), 2) if hours else None,
    }


def _periods(company: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["period"]: p for p in company["periods"]}


def test_app_store_year_by_month_matches_the_export_and_the_stored_rows(database: Path) -> None:
    (grab,) = _report(database, "--from", "2021-01-01", "--to", "2021-12-31", "--by", "month", "--company", "Grab")
    assert set(grab) >= FIGURE_KEYS and set(grab["periods"][0]) >= FIGURE_KEYS
    rows = [r for r in _app_store_rows() if r["date"].startswith("2021")]
    per_month = Counter(r["date"][:7] for r in rows)
    periods = _periods(grab)
    assert list(periods) == [f"2021-{m:02d}" for m in range(1, 13)]
    assert {month: p["reviews"] for month, p in periods.items() if p["reviews"]} == dict(per_month)
    assert grab["reviews"] == len(rows) == 176
    assert grab["rating_distribution"] == {str(s): Counter(int(r["rating"]) for r in rows)[s] for s in range(1, 6)}
    assert grab["rating_average"] == round(statistics.mean(int(r["rating"]) for r in rows), 3)
    # Every 1-2 star review that got a developer response is an answered complaint; the report can only count more.
    answered_low = sum(1 for r in rows if int(r["rating"]) <= 2 and r["developerResponse"])
    answered_any = sum(1 for r in rows if r["developerResponse"])
    assert answered_low <= grab["replied"] <= answered_any
    for month, period in periods.items():
        stored = _stored(database, "Grab", month)
        for key, value in stored.items():
            assert period[key] == value, (month, key)
        assert period["unanswered"] == stored["unhappy_reviews"] - stored["replied"]
        assert period["replied_personally"] + period["replied_with_template"] == period["replied"]
    unhappy = sum(p["unhappy_reviews"] for p in periods.values())
    replied = sum(p["replied"] for p in periods.values())
    templated = sum(p["replied_with_template"] for p in periods.values())
    assert (grab["unhappy_reviews"], grab["replied"], grab["replied_with_template"]) == (unhappy, replied, templated)
    assert grab["response_rate"] == round(replied / unhappy, 4)
    assert grab["template_share"] == round(templated / replied, 4)  # no private replies on the App Store
    # The year is compared with the year before, not with the December before its first month.
    previous = grab["previous_period"]
    assert (previous["from"], previous["to"]) == ("2020-01-01", "2020-12-31")
    assert previous["reviews"] == sum(1 for r in _app_store_rows() if r["date"].startswith("2020"))


def test_hellopeter_private_replies_and_reply_times(database: Path) -> None:
    (cell_c,) = _report(database, "--from", "2021-12-01", "--to", "2022-01-31", "--by", "month", "--company", "Cell C")
    records = _hellopeter_records()
    periods = _periods(cell_c)
    assert {m: p["reviews"] for m, p in periods.items()} == dict(Counter(r["created_at"][:7] for r in records))
    public = sum(1 for r in records if any(m["owner"] == 2 and m["type"] == "Public" for m in r.get("messages") or []))
    private_only = [
        r for r in records if not any(m["owner"] == 2 and m["type"] == "Public" for m in r["messages"] or [])
    ]
    assert public == 210  # as the fixture's provenance says
    for month, period in periods.items():
        stored = _stored(database, "Cell C", month)
        for key, value in stored.items():
            assert period[key] == value, (month, key)
    assert cell_c["replied_privately"] > 0
    assert cell_c["replied_privately"] <= len(private_only)
    assert cell_c["template_share"] == round(
        cell_c["replied_with_template"] / (cell_c["replied"] - cell_c["replied_privately"]), 4
    )
    assert cell_c["median_hours_to_reply"] is not None and cell_c["median_hours_to_reply"] > 0


def test_without_by_there_are_no_periods_and_the_previous_span_is_compared(database: Path) -> None:
    (grab,) = _report(database, "--from", "2021-01-01", "--to", "2021-12-31", "--company", "Grab")
    assert "periods" not in grab
    previous = grab["previous_period"]
    assert (previous["from"], previous["to"]) == ("2020-01-01", "2020-12-31")
    assert previous["reviews"] == sum(1 for r in _app_store_rows() if r["date"].startswith("2020"))
    assert grab["undated_reviews"] == 0
    assert all(theme["term"] and 0 < theme["share"] <= 1 for theme in grab["top_themes"])
    assert grab["top_themes"], "a year of complaints has themes"


def test_csv_has_a_row_per_company_and_period_matching_the_json(database: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.csv"
    args = ["report", "--from", "2021-01-01", "--to", "2021-12-31", "--by", "month", "--csv", str(out)]
    result = runner.invoke(app, args, env=_env(database))
    assert result.exit_code == 0, result.output
    assert "24 row(s) written" in result.stdout
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # the mark that makes Excel read UTF-8
    with out.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == 2 * 12
    data = {
        c["company"]: _periods(c)
        for c in _report(database, "--from", "2021-01-01", "--to", "2021-12-31", "--by", "month")
    }
    for row in rows:
        period = data[row["company"]][row["period"]]
        for key in ("reviews", "unhappy_reviews", "replied", "replied_with_template", "unanswered"):
            assert int(row[key]) == period[key], key
        assert row["response_rate"] == ("" if period["response_rate"] is None else str(period["response_rate"]))


def test_html_and_terminal_show_the_answers(database: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    args = ["report", "--from", "2021-01-01", "--to", "2021-12-31", "--by", "month", "--company", "Grab"]
    result = runner.invoke(app, [*args, "--out", str(out)], env=_env(database))
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    (grab,) = _report(database, "--from", "2021-01-01", "--to", "2021-12-31", "--by", "month", "--company", "Grab")
    assert f"Answered {grab['replied']} of {grab['unhappy_reviews']} unhappy reviewers" in page
    assert page.count("<svg") == 3 and "<script" not in page
    text = runner.invoke(app, args, env=_env(database))
    assert text.exit_code == 0, text.output
    assert f"answered {grab['replied']} of {grab['unhappy_reviews']} unhappy reviewers" in text.stdout
    assert "By month" in text.stdout and "█" in text.stdout


def test_wrong_input_is_one_clear_line(database: Path) -> None:
    env = _env(database)
    cases = [
        (["--from", "2021-02-01", "--to", "2021-01-01"], "is before --from"),
        (["--from", "2021-13-01", "--to", "2021-12-31"], "--from '2021-13-01': use YYYY-MM-DD"),
        (["--from", "2021-01-01", "--to", "2021-12-31", "--by", "year"], "--by 'year'"),
        (["--from", "2021-01-01", "--to", "2021-12-31", "--company", "Nope"], "no company named 'Nope'"),
    ]
    for args, message in cases:
        result = runner.invoke(app, ["report", *args], env=env)
        assert result.exit_code == 1, args
        assert message in result.stderr, (args, result.stderr)
