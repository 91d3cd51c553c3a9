"""The `file` source on real trimmed exports (App Store, Google Play, HelloPeter) and constructed broken files."""

from __future__ import annotations

import ast
import csv
import gc
import gzip
import io
import json
import re
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import ftfy
import pytest

from monitor.core.errors import BadExport, ConfigError, FetchError
from monitor.core.records import ReviewRecord
from sources.base import Page, get_source_class
from sources.exports.layouts import parse_developer_response
from sources.file import ExportFile, FileSource, read_export
from tests.export_files import write_csv_rows
from tests.fixture_path import fixture

APP_STORE = fixture("app_store_export", "sg_food_delivery_app_store_400.csv")
GOOGLE_PLAY = fixture("google_play_export", "uber_google_play_2024_mojibake_400.csv")
# Shared with the HelloPeter adapter's tests: the same API records, here read as an export file.
HELLOPETER = fixture("hellopeter", "cell-c_2021_reviews_first300.jsonl.gz")


def _bad(name: str) -> Path:
    return fixture("exports_bad", name)


def _read(path: Path | str, **options: object) -> tuple[list[ReviewRecord], list[str]]:
    records: list[ReviewRecord] = []
    problems: list[str] = []
    for page in read_export(path, **options):  # type: ignore[arg-type]
        records.extend(page.records)
        problems.extend(page.problems)
    return records, problems


def _csv_dicts(path: Path, encoding: str = "utf-8-sig") -> list[dict[str, str]]:
    with open(path, encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle))


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _hellopeter_available() -> bool:
    try:
        from sources.hellopeter import record_to_review  # noqa: F401
    except ImportError:
        return False
    return True


needs_hellopeter = pytest.mark.skipif(
    not _hellopeter_available(), reason="sources.hellopeter.record_to_review is not available"
)


# detection


@pytest.mark.parametrize(
    ("path", "layout", "kind"),
    [
        (APP_STORE, "app_store", "csv"),
        (GOOGLE_PLAY, "google_play", "csv"),
        pytest.param(HELLOPETER, "hellopeter", "jsonl", marks=needs_hellopeter),
    ],
)
def test_layout_is_detected(path: Path, layout: str, kind: str) -> None:
    with ExportFile(path) as export:
        assert export.layout.name == layout
        assert export.kind == kind


def test_forced_format_that_does_not_fit_names_the_missing_column() -> None:
    with pytest.raises(BadExport, match=r"google_play export without column 'content'"):
        ExportFile(APP_STORE, format="google_play")


# App Store


def test_app_store_counts_match_the_file() -> None:
    rows = _csv_dicts(APP_STORE)
    records, problems = _read(APP_STORE)
    assert problems == []
    assert len(records) == len(rows) == 400
    assert sum(r.reply is not None for r in records) == sum(bool(row["developerResponse"]) for row in rows)
    assert Counter(r.extra["app"] for r in records) == Counter(row["app"] for row in rows)
    assert sum(r.extra["is_edited"] for r in records) == sum(row["isEdited"] == "True" for row in rows)
    assert {r.rating_scale for r in records} == {5}


def test_app_store_fields_and_replies() -> None:
    rows = _csv_dicts(APP_STORE)
    records, _ = _read(APP_STORE)
    for row, record in zip(rows, records, strict=True):
        assert record.author_name == row["userName"]
        assert record.rating == float(row["rating"])
        assert record.title == (row["title"].strip() or None)
        assert record.published_at == datetime.fromisoformat(row["date"]).replace(tzinfo=UTC)
        assert record.body == _lines(row["review"])
        if row["developerResponse"]:
            # The fixture is trusted test data, so the test may use literal_eval as an independent reader.
            response = ast.literal_eval(row["developerResponse"])
            assert record.reply is not None
            assert record.reply.text == _lines(response["body"])
            modified = datetime.fromisoformat(response["modified"].replace("Z", "+00:00"))
            assert record.reply.published_at == modified
            assert record.extra["reply_id"] == str(response["id"])
    # Template replies: the same reply text posted many times survives intact.
    top_text, top_count = Counter(r.reply.text for r in records if r.reply).most_common(1)[0]
    assert top_count >= 12 and top_text.startswith("We are sorry to hear about your experience.")


def test_app_store_multiline_bodies_keep_their_line_breaks() -> None:
    rows = _csv_dicts(APP_STORE)
    records, _ = _read(APP_STORE)
    multiline = [r for row, r in zip(rows, records, strict=True) if "\n" in row["review"].strip()]
    assert len(multiline) >= 50
    assert all("\n" in r.body and "\r" not in r.body for r in multiline)
    assert all(r.reply is None or "\r" not in r.reply.text for r in records)


def test_developer_response_with_datetime_call(tmp_path: Path) -> None:
    text = APP_STORE.read_text(encoding="utf-8")
    original = "'modified': '2020-10-03T01:46:05Z'"
    assert original in text
    path = tmp_path / "scraper_repr.csv"
    path.write_text(text.replace(original, "'modified': datetime.datetime(2020, 10, 3, 1, 46, 5)"), "utf-8")
    records, problems = _read(path)
    assert problems == []
    assert records[0].reply is not None
    assert records[0].reply.published_at == datetime(2020, 10, 3, 1, 46, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [
        "{'id': 1, 'body': __import__('os').getcwd()}",
        "{'id': 1, 'body': 'x', 'modified': datetime.datetime.now()}",
        "{'id': 1, 'body': 'x', 'modified': datetime.datetime(2020, 1, 1, tzinfo=os.system('true'))}",
        "{**{'id': 1}}",
        "(lambda: 1)()",
    ],
)
def test_developer_response_code_is_refused(value: str) -> None:
    with pytest.raises(ValueError):
        parse_developer_response(value)


def test_developer_response_cells_parse_in_threads_side_by_side() -> None:
    # A collection that yields the GIL (as any finaliser may) lets another thread parse in the middle of a
    # parse; CPython 3.11 before 3.11.8 then fails with "AST constructor recursion depth mismatch".
    cell = "{" + ", ".join(f"'k{i}': {{'a': [1, {{'b': ({i}, 'x')}}]}}" for i in range(50)) + "}"
    threshold = gc.get_threshold()

    def yield_the_gil(phase: str, info: dict[str, int]) -> None:
        time.sleep(0.0001)

    def parse_many(_: int) -> int:
        return sum(len(parse_developer_response(cell) or {}) for _ in range(100))

    gc.set_threshold(50)
    gc.callbacks.append(yield_the_gil)
    try:
        with ThreadPoolExecutor(4) as pool:
            counts = list(pool.map(parse_many, range(4)))
    finally:
        gc.callbacks.remove(yield_the_gil)
        gc.set_threshold(*threshold)
    assert counts == [100 * 50] * 4


# Google Play


def test_google_play_counts_match_the_file() -> None:
    rows = _csv_dicts(GOOGLE_PLAY)
    records, problems = _read(GOOGLE_PLAY)
    assert problems == []
    assert len(records) == len(rows) == 400
    replied = [row for row in rows if row["replyContent"].strip()]
    assert sum(r.reply is not None for r in records) == len(replied) == 33
    assert [r.helpful_votes for r in records] == [int(row["thumbsUpCount"]) for row in rows]
    assert [r.rating for r in records] == [float(row["score"]) for row in rows]
    assert all(r.extra.get("app_version") == (row["appVersion"] or None) for r, row in zip(records, rows, strict=True))


def test_google_play_mojibake_is_repaired() -> None:
    raw = GOOGLE_PLAY.read_text(encoding="utf-8-sig")
    assert "Ã®n cazul" in raw and "ðŸ™‚" in raw  # the fixture really holds mojibake
    records, _ = _read(GOOGLE_PLAY)
    bodies = [r.body for r in records]
    assert any("Mai ieftin decât Bolt, în cazul în care" in body for body in bodies)
    assert any("🙂" in body for body in bodies)
    assert any("أوبر" in body for body in bodies)
    assert not any(marker in body for body in bodies for marker in ("Ã", "ðŸ", "â€"))


def test_google_play_dates_are_day_first() -> None:
    rows = _csv_dicts(GOOGLE_PLAY)
    records, _ = _read(GOOGLE_PLAY)
    expected = []
    for row in rows:
        day, month, rest = row["at"].split("-")
        year, clock = rest.split(" ")
        hour, minute = clock.split(":")
        expected.append(datetime(int(year), int(month), int(day), int(hour), int(minute), tzinfo=UTC))
    assert [r.published_at for r in records] == expected
    assert any(d.day > 12 for d in expected)
    assert records[0].published_at == datetime(2024, 12, 18, 17, 17, tzinfo=UTC)


def test_a_wrong_explicit_order_costs_the_rows_whose_dates_it_cannot_read() -> None:
    # The option always wins: read month-first, a day-first file loses the rows whose day is above 12 (their
    # date is part of the derived id), and replies whose date cannot be read keep their text without it.
    rows = _csv_dicts(GOOGLE_PLAY)
    with ExportFile(GOOGLE_PLAY, day_first=False) as export:
        batches = list(export.read())
        stats = export.stats
    records = [r for b in batches for r in b.records]
    problems = [p for b in batches for p in b.problems]
    impossible = [row for row in rows if int(row["at"][:2]) > 12]
    bad_reply_dates = [row for row in rows if int(row["at"][:2]) <= 12 < int(row["repliedAt"][:2] or 0)]
    assert impossible
    assert len(records) == len(rows) - len(impossible)
    assert stats.skipped == {"date unreadable": len(impossible)}
    assert stats.dropped == ({"reply date unreadable": len(bad_reply_dates)} if bad_reply_dates else {})
    assert all("day-first" in p.detail for p in problems)


def test_ids_are_stable_and_unique() -> None:
    for path in (APP_STORE, GOOGLE_PLAY):
        first = [r.site_review_id for r in _read(path)[0]]
        again = [r.site_review_id for r in _read(path)[0]]
        assert first == again
        assert len(set(first)) == len(first)
        assert all(i.startswith("derived-") for i in first)  # neither export carries a review id


def test_derived_ids_survive_a_repaired_re_export(tmp_path: Path) -> None:
    # The same reviews saved again with the text repaired and ISO dates with seconds keep their ids.
    rows = _csv_dicts(GOOGLE_PLAY)
    for row in rows:
        row["content"] = ftfy.fix_encoding(row["content"])
        day, month, rest = row["at"].split("-")
        year, clock = rest.split(" ")
        row["at"] = f"{year}-{month}-{day}T{clock}:00Z"
    path = tmp_path / "repaired.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    original = [r.site_review_id for r in _read(GOOGLE_PLAY)[0]]
    assert [r.site_review_id for r in _read(path)[0]] == original


def test_review_id_column_is_used_when_present(tmp_path: Path) -> None:
    rows = _csv_dicts(GOOGLE_PLAY)[:5]
    path = tmp_path / "with_ids.json"
    path.write_text(json.dumps([{"reviewId": f"gp:{n}", **row} for n, row in enumerate(rows)]), "utf-8")
    records, _ = _read(path)
    assert [r.site_review_id for r in records] == [f"gp:{n}" for n in range(5)]


def test_same_account_twice_gets_a_distinct_id(tmp_path: Path) -> None:
    rows = _csv_dicts(APP_STORE)[:3]
    twin = dict(rows[0], review="A second, different review by the same account.")
    path = tmp_path / "twice.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows([*rows, twin])
    records, problems = _read(path)
    assert problems == []
    assert records[3].site_review_id == records[0].site_review_id + "-2"


# other containers and encodings


def test_json_array_and_gzip_give_the_same_records(tmp_path: Path) -> None:
    expected, _ = _read(GOOGLE_PLAY)
    as_json = tmp_path / "reviews.json"
    as_json.write_text(json.dumps(_csv_dicts(GOOGLE_PLAY), ensure_ascii=False, indent=2), "utf-8")
    as_gzip = tmp_path / "reviews.csv.gz"
    as_gzip.write_bytes(gzip.compress(GOOGLE_PLAY.read_bytes()))
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text(json.dumps({"count": 400, "reviews": _csv_dicts(GOOGLE_PLAY)}), "utf-8")
    for path in (as_json, as_gzip, wrapped):
        records, problems = _read(path)
        assert problems == []
        assert records == expected


def test_api_pages_one_per_line(tmp_path: Path) -> None:
    rows = _csv_dicts(GOOGLE_PLAY)[:6]
    path = tmp_path / "pages.jsonl"
    pages = [{"data": rows[:4], "current_page": 1}, {"data": rows[4:], "current_page": 2}]
    path.write_text("".join(json.dumps(page) + "\n" for page in pages), "utf-8")
    records, problems = _read(path)
    assert problems == []
    assert [r.author_name for r in records] == [row["userName"] for row in rows]


def test_classic_mac_line_ends(tmp_path: Path) -> None:
    rows = _csv_dicts(GOOGLE_PLAY)[:20]
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\r")
    writer.writeheader()
    writer.writerows(rows)
    assert "\n" not in buffer.getvalue()
    path = tmp_path / "mac.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    records, problems = _read(path)
    assert problems == []
    assert [r.author_name for r in records] == [row["userName"] for row in rows]


def test_utf16_tab_separated_spreadsheet_text(tmp_path: Path) -> None:
    rows = _csv_dicts(APP_STORE)[:30]
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), delimiter="\t")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "unicode_text.txt"
    path.write_bytes(buffer.getvalue().encode("utf-16"))
    records, problems = _read(path)
    assert problems == []
    assert [r.body for r in records] == [_lines(row["review"]) for row in rows]


def test_windows_1252_file_and_explicit_wrong_encoding(tmp_path: Path) -> None:
    path = tmp_path / "cp1252.csv"
    path.write_bytes("content,score,at\nCafé “great”,5,18-12-2024 17:17\n".encode("cp1252"))
    records, _ = _read(path)
    assert records[0].body == "Café “great”"
    with pytest.raises(BadExport, match="not valid utf-8"):
        _read(path, encoding="utf-8")
    assert _read(path, encoding="cp1252")[0][0].body == "Café “great”"
    with pytest.raises(BadExport, match="unknown encoding"):
        ExportFile(path, encoding="no-such-codec")


# generic layout


def _generic_file(tmp_path: Path) -> tuple[Path, list[dict[str, str]]]:
    rows = [row for row in _csv_dicts(GOOGLE_PLAY) if row["replyContent"]][:10]
    renamed = [
        {
            "Comment": r["content"],
            "Stars": r["score"],
            "Posted": r["at"],
            "Name": r["userName"],
            "Answer": r["replyContent"],
        }
        for r in rows
    ]
    path = tmp_path / "generic.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(renamed[0]), delimiter=";")
        writer.writeheader()
        writer.writerows(renamed)
    return path, renamed


def test_generic_columns(tmp_path: Path) -> None:
    path, rows = _generic_file(tmp_path)
    columns = {
        "text_column": "Comment",
        "rating_column": "Stars",
        "date_column": "Posted",
        "author_column": "Name",
        "reply_column": "Answer",
    }
    with ExportFile(path, columns=columns) as export:
        assert export.layout.name == "generic"
    records, problems = _read(path, columns=columns)
    assert problems == []
    assert [r.author_name for r in records] == [row["Name"] for row in rows]
    assert [r.rating for r in records] == [float(row["Stars"]) for row in rows]
    assert all(
        r.reply is not None and r.reply.text == ftfy.fix_text(row["Answer"]).strip()
        for r, row in zip(records, rows, strict=True)
    )
    assert records[0].published_at is not None and records[0].published_at.tzinfo == UTC


def test_generic_column_that_does_not_exist(tmp_path: Path) -> None:
    path, _ = _generic_file(tmp_path)
    with pytest.raises(BadExport, match=r"column 'Review' \(text_column\) not found.*'Comment'") as caught:
        ExportFile(path, format="generic", columns={"text_column": "Review"})
    assert str(path) in str(caught.value)
    with pytest.raises(BadExport, match="needs text_column"):
        ExportFile(_bad("unknown_layout.csv"), format="generic")


# broken rows


def _marker_lines(path: Path, marker: str) -> list[int]:
    text = path.read_text(encoding="utf-8")
    return [n for n, line in enumerate(text.split("\n"), start=1) if line.startswith(marker)]


def test_broken_csv_rows_are_reported_by_line_and_skipped() -> None:
    path = _bad("app_store_broken_rows.csv")
    records, problems = _read(path)
    by_line = {int(m.group(1)): p for p in problems if (m := re.match(r"line (\d+): ", p))}
    assert len(by_line) == len(problems)
    for marker, reason, outcome in [
        ("BROKEN-RATING", "not a rating", "; skipped"),
        ("BROKEN-FIELDS", "3 fields where the header has 9", "; skipped"),
        ("BROKEN-DATE", "is not a possible date/time", "; kept without the date"),
        ("BROKEN-QUOTE", "fields where the header has 9", "; skipped"),
        ("BROKEN-RESPONSE", "unsupported expression", "; kept without the reply"),
    ]:
        [line] = _marker_lines(path, marker)
        problem = by_line.pop(line)
        assert reason in problem and problem.endswith(outcome), marker
    # What is left is the exact repeat of the first row (a multi-line row) at the end of the file.
    first_row, repeated_row = _marker_lines(path, "0,2020-09-30 10:13:55,")
    assert by_line == {repeated_row: f"line {repeated_row}: repeats the review on line {first_row}; skipped"}
    # Every intact row is kept, including those after the runaway quote; a bad date or reply costs only that cell.
    intact = _csv_dicts(APP_STORE)[:20]
    undated, unreplied = (r for r in records if r.published_at is None or r.author_name == "Camtycai")
    rest = [r for r in records if r not in (undated, unreplied)]
    assert [r.author_name for r in rest] == [row["userName"] for row in intact]
    assert [r.body for r in rest] == [_lines(row["review"]) for row in intact]
    assert undated.body.startswith("Seems like grabfood has a routing issue")
    assert undated.published_at is None and undated.reply is not None
    assert undated.reply.text.startswith("Thank you for your feedback")
    assert unreplied.author_name == "Camtycai" and unreplied.reply is None
    assert unreplied.published_at == datetime(2021, 1, 23, 23, 47, 45, tzinfo=UTC)


def test_response_code_in_a_file_never_runs() -> None:
    target = Path("/tmp/review_monitor_pwned")
    assert "open('/tmp/review_monitor_pwned'" in _bad("app_store_broken_rows.csv").read_text("utf-8")
    _read(_bad("app_store_broken_rows.csv"))
    assert not target.exists()


def test_broken_json_lines_are_reported_and_skipped() -> None:
    path = _bad("google_play_broken.jsonl")
    lines = path.read_text(encoding="utf-8").splitlines()
    valid = []
    for line in lines:
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            valid.append(value)
    records, problems = _read(path)
    assert [r.author_name for r in records] == [v["userName"] for v in valid]
    assert [p.split(":")[0] for p in problems] == ["line 5", "line 8"]
    assert "not valid JSON" in problems[0] and "not an object" in problems[1]


# files that cannot be read


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("google_play_no_content.csv", r"looks like a google_play export but has no column 'content'"),
        ("unknown_layout.csv", r"unknown export layout; columns found: 'order_id', 'amount', 'currency'.*app_store"),
        ("empty.csv", r"the file is empty"),
        ("blank_lines.csv", r"the file is empty"),
        ("binary.dat", r"binary data"),
        ("no_such_file.csv", r"no such file"),
    ],
)
def test_unreadable_files(name: str, message: str) -> None:
    path = fixture("exports_bad") / name
    with pytest.raises(BadExport, match=message) as caught:
        _read(path)
    assert str(path) in str(caught.value)


def test_truncated_json_array() -> None:
    path = _bad("google_play_truncated.json")
    started = path.read_text(encoding="utf-8").count('"userName"')  # the first key of each record
    with pytest.raises(BadExport, match=rf"record {started}, or the file is cut short"):
        _read(path)


def test_spreadsheet_saved_as_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "reviews.csv"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 60)
    with pytest.raises(BadExport, match="ZIP archive"):
        ExportFile(path)


# the source


async def _no_fetch(url: str) -> Page:
    raise AssertionError("the file source must not fetch")


async def test_source_pages_read_the_file() -> None:
    source = FileSource(str(GOOGLE_PLAY))
    pages = [page async for page in source.pages(_no_fetch)]
    assert sum(len(p.records) for p in pages) == 400
    assert [r.site_review_id for p in pages for r in p.records] == [r.site_review_id for r in _read(GOOGLE_PLAY)[0]]
    first_only = [page async for page in source.pages(_no_fetch, max_pages=1)]
    assert len(first_only) == 1


def test_pages_have_the_asked_size() -> None:
    sizes = [len(page.records) for page in read_export(APP_STORE, page_size=150)]
    assert sizes == [150, 150, 100]


def test_source_options_and_parse() -> None:
    assert get_source_class("file") is FileSource
    with pytest.raises(ConfigError, match="format 'csv' is unknown"):
        FileSource(str(APP_STORE), {"format": "csv"})
    with pytest.raises(ConfigError, match="no option 'colour'"):
        FileSource(str(APP_STORE), {"colour": "red"})
    source = FileSource("upload.csv", {"format": "app_store", "day_first": "false"})
    result = source.parse(Page(url="upload.csv", status=200, body=APP_STORE.read_bytes()))
    assert result.records == _read(APP_STORE)[0]


# HelloPeter


@needs_hellopeter
def test_hellopeter_records_are_mapped_by_the_adapter() -> None:
    raw = [json.loads(line) for line in gzip.decompress(HELLOPETER.read_bytes()).decode("utf-8").splitlines()]
    records, problems = _read(HELLOPETER)
    assert problems == []
    assert [r.site_review_id for r in records] == [str(item["id"]) for item in raw]
    public = {
        str(item["id"])
        for item in raw
        if any(m.get("owner") == 2 and m.get("type") == "Public" for m in item["messages"])
    }
    assert public  # the fixture holds public business replies
    assert {r.site_review_id for r in records if r.reply is not None} == public
    assert all(r.rating_scale == 5 and r.published_at is not None for r in records)


# Dates: one day/month order per file, decided from all its dates

US_APP_STORE = fixture("exports_rewritten", "app_store_us_dates_150.csv")
US_GOOGLE_PLAY = fixture("exports_rewritten", "google_play_us_ampm_400.csv")
DOUBLED = fixture("exports_rewritten", "app_store_doubled_escapes_24.csv")


def test_month_first_file_is_read_month_first_with_its_own_dates() -> None:
    originals = _csv_dicts(APP_STORE)[:150]
    with ExportFile(US_APP_STORE) as export:
        assert export.day_first is False and export.date_order.startswith("month-first")
        records = list(export.records())
        assert export.stats.rows == 150 and export.stats.skipped_rows == 0
    assert len(records) == 150
    for record, row in zip(records, originals, strict=True):
        expected = datetime.fromisoformat(row["date"]).replace(second=0, tzinfo=UTC)  # the spreadsheet kept minutes
        assert record.published_at == expected
    assert any(r.published_at is not None and r.published_at.day <= 12 for r in records)  # the ambiguous ones too


def test_month_first_am_pm_file_gives_the_day_first_files_dates() -> None:
    day_first, _ = _read(GOOGLE_PLAY)
    month_first, problems = _read(US_GOOGLE_PLAY)
    assert problems == []
    assert [r.published_at for r in month_first] == [r.published_at for r in day_first]
    assert [r.reply.published_at if r.reply else None for r in month_first] == [
        r.reply.published_at if r.reply else None for r in day_first
    ]
    # The same reviews get the same derived ids whichever way the file wrote their dates.
    assert [r.site_review_id for r in month_first] == [r.site_review_id for r in day_first]


def test_a_file_whose_dates_cannot_tell_is_refused_and_the_option_decides(tmp_path: Path) -> None:
    ambiguous = [row for row in _csv_dicts(US_APP_STORE) if int(row["date"].split("/")[1]) <= 12]
    assert len(ambiguous) >= 20
    path = write_csv_rows(tmp_path / "ambiguous.csv", ambiguous)
    with pytest.raises(BadExport, match=r"cannot tell whether dates such as '\d+/\d+/2\d+ .*-o day_first=true\|false"):
        ExportFile(path)
    records, problems = _read(path, day_first=False)
    assert problems == [] and len(records) == len(ambiguous)
    by_author = {r.author_name: r for r in _read(APP_STORE)[0]}
    for record in records:
        assert record.published_at == by_author[record.author_name].published_at.replace(second=0)  # type: ignore[union-attr]


def test_a_file_with_both_orders_is_refused_unless_the_option_says(tmp_path: Path) -> None:
    us = _csv_dicts(US_APP_STORE)
    for row in us[:5]:
        month, day, rest = row["date"].split("/")
        row["date"] = f"{day}/{month}/{rest}"  # five rows re-saved day-first
    path = write_csv_rows(tmp_path / "mixed.csv", us)
    with pytest.raises(BadExport, match=r"dates are written in both orders \(line \d+: .* day-first; line \d+: .*"):
        ExportFile(path)
    with ExportFile(path, day_first="false") as export:
        list(export.records())
        assert export.stats.skipped_rows == 0  # the nickname is the id: a date that cannot be read costs the date
        assert 0 < export.stats.dropped["date unreadable"] <= 5


def test_iso_and_epoch_dates_need_no_order(tmp_path: Path) -> None:
    rows = _csv_dicts(GOOGLE_PLAY)[:30]
    for n, (row, record) in enumerate(zip(rows, _read(GOOGLE_PLAY)[0], strict=False)):
        assert record.published_at is not None
        stamp = record.published_at.timestamp()
        row["at"] = str(int(stamp * 1000)) if n % 2 else record.published_at.strftime("%Y-%m-%dT%H:%M:%S+00:00")
        row["repliedAt"] = ""
    with ExportFile(write_csv_rows(tmp_path / "iso.csv", rows)) as export:
        assert export.day_first is None
        records = list(export.records())
    assert [r.published_at for r in records] == [r.published_at for r in _read(GOOGLE_PLAY)[0][:30]]


def test_future_and_ancient_dates_are_row_problems_not_values(tmp_path: Path) -> None:
    app = _csv_dicts(APP_STORE)[:10]
    app[1]["date"] = "2999-01-01 10:00:00"
    app[2]["date"] = "1970-01-01 00:00:00"
    with ExportFile(write_csv_rows(tmp_path / "app.csv", app)) as export:
        records = list(export.records())
        assert export.stats.dropped == {"date out of range": 2}
    assert len(records) == 10 and [r.published_at is None for r in records][:3] == [False, True, True]
    play = _csv_dicts(GOOGLE_PLAY)[:10]
    play[3]["at"] = "01-01-2999 10:00"  # no review id: the date is part of the derived one, so the row goes
    with ExportFile(write_csv_rows(tmp_path / "play.csv", play)) as export:
        assert len(list(export.records())) == 9
        assert export.stats.skipped == {"date out of range": 1}


def test_other_order_aliases_name_the_ids_of_a_wrongly_ordered_read() -> None:
    with ExportFile(US_GOOGLE_PLAY, day_first=True) as wrong:
        wrong_ids = {r.site_review_id for r in wrong.records()}
    with ExportFile(US_GOOGLE_PLAY) as right:
        aliases = {k: v for batch in right.read() for k, v in batch.aliases.items()}
    assert aliases and set(aliases.values()) <= wrong_ids


# Cells: a bad cell costs that cell


def test_doubled_escapes_in_reply_dicts_are_undone() -> None:
    records, problems = _read(DOUBLED)
    assert problems == [] and len(records) == 24
    rows = _csv_dicts(DOUBLED)
    for record, row in zip(records, rows, strict=True):
        once = row["developerResponse"].replace("\\\\", "\\")
        expected = ast.literal_eval(once)["body"]  # trusted test data: literal_eval as an independent reader
        assert record.reply is not None and record.reply.text == _lines(expected)
        assert "\\n" not in record.reply.text and "\\'" not in record.reply.text
    assert sum("'" in r.reply.text and '"' in r.reply.text for r in records if r.reply) >= 4


def test_unreadable_reply_keeps_the_review(tmp_path: Path) -> None:
    rows = _csv_dicts(APP_STORE)[:5]
    rows[0]["developerResponse"] = "{'id': 1, 'body': 'cut short"
    with ExportFile(write_csv_rows(tmp_path / "reply.csv", rows)) as export:
        records = list(export.records())
        assert export.stats.dropped == {"reply unreadable": 1} and export.stats.skipped_rows == 0
    assert len(records) == 5 and records[0].reply is None and records[0].body == _lines(rows[0]["review"])


def test_unreadable_rating_keeps_a_generic_review_with_an_id_only(tmp_path: Path) -> None:
    path, rows = _generic_file(tmp_path)
    text = path.read_text(encoding="utf-8").splitlines()
    header = text[0] + ";Ref"
    lines = [header] + [f"{line};r{n}" for n, line in enumerate(text[1:])]
    cells = lines[1].split(";")
    cells[1] = "five"
    lines[1] = ";".join(cells)
    with_ids = tmp_path / "with_ids.csv"
    with_ids.write_text("\n".join(lines) + "\n", encoding="utf-8")
    columns = {"text_column": "Comment", "rating_column": "Stars", "date_column": "Posted", "id_column": "Ref"}
    with ExportFile(with_ids, columns=columns) as export:
        records = list(export.records())
        assert export.stats.dropped == {"rating unreadable": 1}
    assert len(records) == len(rows) and records[0].rating is None
    del columns["id_column"]
    with ExportFile(with_ids, columns=columns) as export:
        assert len(list(export.records())) == len(rows) - 1
        assert export.stats.skipped == {"rating unreadable": 1}


def test_day_first_option_is_checked() -> None:
    with pytest.raises(ConfigError, match="day_first must be true, false or auto"):
        FileSource(str(APP_STORE), {"day_first": "sometimes"})
    assert FileSource(str(APP_STORE), {"day_first": True}).opts["day_first"] == "True"


async def test_a_file_longer_than_max_pages_is_partial_not_cut_silently(tmp_path: Path) -> None:
    rows = _csv_dicts(GOOGLE_PLAY)
    again = [dict(row, userName=row["userName"] + " (2)") for row in rows]
    source = FileSource(str(write_csv_rows(tmp_path / "long.csv", rows + again)))
    assert sum([len(page.records) async for page in source.pages(_no_fetch)]) == 800
    pages = []
    with pytest.raises(FetchError, match=r"only the first 1 page\(s\) of 500 reviews were read.*monitor import"):
        async for page in source.pages(_no_fetch, max_pages=1):
            pages.append(page)
    assert [len(page.records) for page in pages] == [500]


def test_every_row_is_accounted_for() -> None:
    with ExportFile(_bad("app_store_broken_rows.csv")) as export:
        batches = list(export.read(7))
        stats = export.stats
    assert sum(b.rows for b in batches) == stats.rows
    assert stats.rows == stats.kept + stats.skipped_rows + stats.duplicates
    assert stats.skipped == {"unreadable row": 2, "rating unreadable": 1} and stats.duplicates == 1


@pytest.mark.parametrize(("path", "column"), [(APP_STORE, "rating"), (GOOGLE_PLAY, "score")])
def test_a_store_review_without_its_stars_is_skipped_not_kept_unrated(tmp_path: Path, path: Path, column: str) -> None:
    rows = _csv_dicts(path)[:20]
    for row in rows[:3]:
        row[column] = " " if row is rows[1] else ""
    with ExportFile(write_csv_rows(tmp_path / path.name, rows)) as export:
        records = list(export.records())
        assert export.stats.skipped == {"rating missing": 3}
    assert len(records) == 17 and all(record.rating is not None for record in records)
