"""The `monitor` command as a new user meets it: help, init, crawl, sources, reviews, import, probe."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from monitor.cli.main import app
from tests.fixture_path import fixture
from tests.site import TestSite

runner = CliRunner()
PAGE = "/review/eventnet.de?sort=recency"


@pytest.fixture
def site() -> Iterator[TestSite]:
    with TestSite() as s:
        s.set_robots("User-agent: *\nAllow: /\n")
        body = gzip.decompress(fixture("trustpilot", "trustpilot_eventnet.de_2024-07-02.html.gz").read_bytes())
        s.add_page(PAGE, body, "text/html; charset=utf-8")
        yield s


def write_config(tmp_path: Path, site: TestSite) -> Path:
    path = tmp_path / "monitor.toml"
    path.write_text(
        f'database_url = "sqlite:///{tmp_path / "m.db"}"\n[[company]]\nname = "Eventnet"\n'
        f'[[company.source]]\nname = "eventnet"\nkind = "trustpilot"\nlocator = "{site.url("/review/eventnet.de")}"\n'
        "min_delay = 0.0\n",
        encoding="utf-8",
    )
    return path


def test_every_command_has_help() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0 and "unhappy reviewers" in result.stdout
    for command in ("init", "crawl", "sources", "reviews", "import", "serve", "demo", "probe"):
        sub = runner.invoke(app, [command, "--help"])
        assert sub.exit_code == 0, command
        assert len(sub.stdout.strip().splitlines()) > 3, command


def test_init_crawl_sources_reviews(tmp_path: Path, site: TestSite) -> None:
    cfg = str(write_config(tmp_path, site))
    assert "created" in runner.invoke(app, ["-c", cfg, "init"]).stdout
    crawl = runner.invoke(app, ["-c", cfg, "crawl"])
    assert crawl.exit_code == 0, crawl.output
    assert "20 new" in crawl.stdout
    sources = runner.invoke(app, ["-c", cfg, "sources"])
    assert "eventnet" in sources.stdout and "ok" in sources.stdout
    listed = runner.invoke(app, ["-c", cfg, "reviews", "--json", "--limit", "100"])
    rows = json.loads(listed.stdout)
    assert len(rows) == 20
    assert sum(1 for r in rows if r["reply"]) == 4
    assert {r["source"] for r in rows} == {"eventnet"}


def test_crawl_of_unknown_source_names_the_configured_ones(tmp_path: Path, site: TestSite) -> None:
    cfg = str(write_config(tmp_path, site))
    result = runner.invoke(app, ["-c", cfg, "crawl", "--source", "nope"])
    assert result.exit_code == 1
    assert "no source named 'nope'" in result.stderr and "eventnet" in result.stderr


def test_probe_json_prints_reviews_then_health(site: TestSite) -> None:
    result = runner.invoke(app, ["probe", "trustpilot", site.url("/review/eventnet.de"), "--min-delay", "0", "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 21
    assert lines[-1]["health"] == "ok" and lines[-1]["pages"] == 1
    assert {"site_id", "author", "rating", "title", "text", "published", "reply_text", "reply_time"} <= set(lines[0])


def test_probe_of_legacy_page_says_layout_changed_and_fails(site: TestSite) -> None:
    site.add_page(PAGE, fixture("legacy_snippets", "trustpilot.html").read_bytes(), "text/html")
    result = runner.invoke(app, ["probe", "trustpilot", site.url("/review/eventnet.de"), "--min-delay", "0", "--json"])
    assert result.exit_code == 1
    last = json.loads(result.stdout.splitlines()[-1])
    assert last["health"] == "layout_changed" and "__NEXT_DATA__" in last["message"]


def test_probe_unknown_kind_and_bad_option() -> None:
    result = runner.invoke(app, ["probe", "yelpp", "https://example.com"])
    assert result.exit_code == 1 and "unknown source kind 'yelpp'" in result.stderr
    result = runner.invoke(app, ["probe", "hellopeter", "cell-c", "--option", "colour=blue"])
    assert result.exit_code == 1 and "no option 'colour'" in result.stderr


def test_probe_unreachable_host() -> None:
    result = runner.invoke(app, ["probe", "trustpilot", "http://127.0.0.1:9/review/x", "--min-delay", "0", "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout.splitlines()[-1])["health"] in {"unreachable", "blocked"}


def test_import_export_twice_never_duplicates(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'i.db'}"
    export = str(fixture("app_store_export", "sg_food_delivery_app_store_400.csv"))
    env = {"MONITOR_DATABASE_URL": db}
    first = runner.invoke(app, ["import", export, "--company", "Grab"], env=env)
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, ["import", export, "--company", "Grab"], env=env)
    # "400 new" also contains "0 new": the count must stand alone.
    assert re.search(r"(?<![\d,])0 new", again.stdout), again.stdout
    rows = json.loads(runner.invoke(app, ["reviews", "--json", "--limit", "1000"], env=env).stdout)
    assert len(rows) == len({r["site_review_id"] for r in rows}) == 400


def test_import_with_missing_column_fails_and_stores_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("userName,score,at\nAnn,1,01-02-2024 10:00\n", encoding="utf-8")
    env = {"MONITOR_DATABASE_URL": f"sqlite:///{tmp_path / 'i.db'}"}
    result = runner.invoke(app, ["import", str(bad), "--company", "Acme"], env=env)
    assert result.exit_code == 2  # failed: nothing in the file can be used
    assert "bad.csv" in result.output
    assert json.loads(runner.invoke(app, ["reviews", "--json"], env=env).stdout) == []


def test_malformed_config_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "monitor.toml"
    path.write_text("[[company]]\nname = 'A'\n[[company.source]]\nname='x'\nkind='nope'\nlocator='y'\n")
    result = runner.invoke(app, ["-c", str(path), "sources"])
    assert result.exit_code == 1
    assert "company[0].source[0].kind" in result.stderr and "unknown source kind 'nope'" in result.stderr


@pytest.mark.parametrize(
    "url",
    ["postgresql://monitor:S3cretPw@127.0.0.1:1/x", "notaurl", "sqlite:////proc/no-such-dir/monitor.store.db"],
)
def test_unusable_database_is_one_clear_line_without_the_password(url: str) -> None:
    result = runner.invoke(app, ["init"], env={"MONITOR_DATABASE_URL": url})
    assert result.exit_code == 1
    assert "cannot open the database" in result.stderr and "Traceback" not in result.output
    assert "S3cretPw" not in result.output


def test_config_path_that_is_a_folder(tmp_path: Path) -> None:
    result = runner.invoke(app, ["-c", str(tmp_path), "sources"])
    assert result.exit_code == 1 and "cannot read the configuration file" in result.stderr


def test_import_generic_columns_by_option_and_refuses_a_configured_source_name(tmp_path: Path, site: TestSite) -> None:
    cfg = str(write_config(tmp_path, site))
    export = tmp_path / "comments.csv"
    export.write_text("ref,comment,stars,when\nA1,Parcel never came,1,2024-05-01\nA2,Great,5,2024-05-02\n")
    taken = runner.invoke(app, ["-c", cfg, "import", str(export), "--company", "X", "--source-name", "eventnet"])
    assert taken.exit_code == 2 and "is a source of the configuration file" in taken.stderr
    args = ["-c", cfg, "import", str(export), "--company", "Eventnet", "--format", "generic"]
    for option in ("id_column=ref", "text_column=comment", "rating_column=stars", "date_column=when"):
        args += ["-o", option]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = json.loads(runner.invoke(app, ["-c", cfg, "reviews", "--json"]).stdout)
    assert {(r["site_review_id"], r["rating"]) for r in rows} == {("A1", 1.0), ("A2", 5.0)}
    bad = runner.invoke(app, ["-c", cfg, "import", str(export), "--company", "Eventnet", "-o", "colour=red"])
    assert bad.exit_code == 2 and "no option 'colour'" in bad.stderr


def test_runs_show_what_each_crawl_fetched(tmp_path: Path, site: TestSite) -> None:
    cfg = str(write_config(tmp_path, site))
    assert runner.invoke(app, ["-c", cfg, "crawl"]).exit_code == 0
    (run,) = json.loads(runner.invoke(app, ["-c", cfg, "runs", "--json"]).stdout)
    assert (run["source"], run["health"], run["pages"], run["reviews_new"]) == ("eventnet", "ok", 1, 20)
    assert run["status_codes"] == {"200": 1} and run["bytes"] > 10_000 and run["duration_s"] >= 0
    missing = runner.invoke(app, ["-c", cfg, "runs", "--source", "nope"])
    assert missing.exit_code == 1 and "no source named 'nope'" in missing.stderr
