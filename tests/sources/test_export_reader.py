"""Export files read into rows, on real fixture rows written out in other containers and encodings."""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from monitor.core.errors import BadExport
from monitor.files.keys import SeenKeys, key_of
from monitor.files.reader import ExportRow, ExportRows, read_rows
from tests.fixture_path import fixture

APP_STORE = fixture("app_store_export", "sg_food_delivery_app_store_400.csv")
GOOGLE_PLAY = fixture("google_play_export", "uber_google_play_2024_mojibake_400.csv")
HELLOPETER = fixture("hellopeter", "cell-c_2021_reviews_first300.jsonl.gz")
TRUNCATED = fixture("exports_bad", "google_play_truncated.json")


def _csv_dicts(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _hellopeter_records() -> list[dict[str, Any]]:
    return [json.loads(line) for line in gzip.decompress(HELLOPETER.read_bytes()).decode("utf-8").splitlines()]


def _values(rows: list[ExportRow]) -> list[Any]:
    assert all(row.problem is None for row in rows), [row.problem for row in rows if row.problem]
    return [row.values for row in rows]


def _csv_text(rows: list[dict[str, str]], *, delimiter: str = ",", lineterminator: str = "\r\n") -> str:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), delimiter=delimiter, lineterminator=lineterminator)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def test_json_array_read_incrementally_gives_the_rows_json_loads_gives(tmp_path: Path) -> None:
    # Typed values (ints, floats, booleans, nulls, nested objects) from real API records, repeated so
    # the array spans several read chunks and records cross chunk boundaries.
    records = _hellopeter_records() * 2
    for number, record in enumerate(records):
        record["score"] = number / 7  # floats stay floats, as json.loads gives them
    path = tmp_path / "hellopeter.json"
    text = json.dumps(records, ensure_ascii=False)
    assert len(text) > 1 << 20
    path.write_text(text, "utf-8")
    with ExportRows(path) as rows:
        assert rows.kind == "json" and rows.row_label == "record"
        assert rows.columns == list(records[0])
        read = list(rows)
    assert _values(read) == json.loads(text)
    assert [row.number for row in read] == list(range(1, len(records) + 1))


def test_pretty_printed_array_matches_the_csv_it_came_from(tmp_path: Path) -> None:
    rows = _csv_dicts(GOOGLE_PLAY)
    path = tmp_path / "reviews.json"
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=2), "utf-8")
    assert _values(list(read_rows(path))) == rows
    assert _values(list(read_rows(GOOGLE_PLAY))) == rows


def test_rows_arrive_before_a_broken_end_is_read() -> None:
    started = TRUNCATED.read_text(encoding="utf-8").count('"userName"')
    expected = _csv_dicts(GOOGLE_PLAY)[: started - 1]
    read: list[ExportRow] = []
    with pytest.raises(BadExport, match=rf"record {started}, or the file is cut short"):
        read.extend(read_rows(TRUNCATED))
    assert _values(read) == expected


def test_large_array_cut_short_keeps_every_whole_record_before_the_cut(tmp_path: Path) -> None:
    records = _hellopeter_records() * 2
    text = json.dumps(records)
    cut = text[: len(text) - len(json.dumps(records[-1])) // 2]
    path = tmp_path / "cut.json"
    path.write_text(cut, "utf-8")
    read: list[ExportRow] = []
    with pytest.raises(BadExport, match=rf"record {len(records)}, or the file is cut short"):
        read.extend(read_rows(path))
    assert _values(read) == records[:-1]


def test_array_with_values_python_json_writes_beyond_the_standard(tmp_path: Path) -> None:
    rows = _csv_dicts(GOOGLE_PLAY)[:5]
    records: list[dict[str, Any]] = [dict(row, thumbsUpCount=int(row["thumbsUpCount"])) for row in rows]
    records[2]["thumbsUpCount"] = float("nan")
    records[3]["thumbsUpCount"] = 2**70
    path = tmp_path / "pandas_dump.json"
    path.write_text(json.dumps(records), "utf-8")
    values = _values(list(read_rows(path)))
    assert values[2]["thumbsUpCount"] != values[2]["thumbsUpCount"]  # NaN
    assert values[:2] == records[:2] and values[3:] == records[3:]


def test_array_rows_that_are_not_objects_are_problems(tmp_path: Path) -> None:
    rows = _csv_dicts(APP_STORE)[:3]
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps([1, rows[0], ["list"], rows[1], "text", rows[2]]) + "\n\nnot part of the array", "utf-8")
    read = list(read_rows(path))
    assert [(row.number, row.problem) for row in read if row.values is None] == [
        (1, "a JSON int, not an object"),
        (3, "a JSON list, not an object"),
        (5, "a JSON str, not an object"),
    ]
    assert [row.values for row in read if row.values is not None] == rows


def test_json_lines_and_gzip_give_each_line_as_a_row() -> None:
    records = _hellopeter_records()
    with ExportRows(HELLOPETER) as rows:
        assert rows.kind == "jsonl" and rows.row_label == "line"
        read = list(rows)
    assert _values(read) == records
    assert [row.number for row in read] == list(range(1, len(records) + 1))


def test_csv_rows_are_numbered_by_the_line_they_start_on() -> None:
    rows = _csv_dicts(APP_STORE)
    starts = []
    with open(APP_STORE, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        line = reader.line_num
        for _ in reader:
            starts.append(line + 1)
            line = reader.line_num
    with ExportRows(APP_STORE) as export:
        assert export.kind == "csv" and export.columns == list(rows[0])
        read = list(export)
    assert _values(read) == rows
    assert [row.number for row in read] == starts
    assert any(b - a > 1 for a, b in itertools.pairwise(starts))  # multi-line rows


@pytest.mark.parametrize(
    ("codec", "expected"),
    [("utf-16", "utf-16"), ("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be")],
)
def test_utf16_tab_separated_text_with_and_without_a_byte_order_mark(tmp_path: Path, codec: str, expected: str) -> None:
    rows = _csv_dicts(APP_STORE)[:40]
    path = tmp_path / "unicode_text.txt"
    path.write_bytes(_csv_text(rows, delimiter="\t").encode(codec))
    with ExportRows(path) as export:
        assert export.encoding == expected
        assert _values(list(export)) == rows


def test_utf16_json_array(tmp_path: Path) -> None:
    rows = _csv_dicts(GOOGLE_PLAY)[:50]
    path = tmp_path / "reviews.json"
    path.write_bytes(json.dumps(rows, ensure_ascii=False).encode("utf-16"))
    assert _values(list(read_rows(path))) == rows


def _cp1252_rows() -> list[dict[str, str]]:
    rows = []
    for row in _csv_dicts(APP_STORE):
        try:
            "".join(row.values()).encode("cp1252")
        except UnicodeEncodeError:
            continue
        rows.append(row)
    return rows


def test_windows_1252_file_is_read_right(tmp_path: Path) -> None:
    rows = _cp1252_rows()
    assert any(any(ord(c) > 127 for c in "".join(row.values())) for row in rows)  # curly quotes, accents, ...
    path = tmp_path / "cp1252.csv"
    path.write_bytes(_csv_text(rows).encode("cp1252"))
    assert _values(list(read_rows(path))) == rows
    assert _values(list(read_rows(path, encoding="windows-1252"))) == rows
    with pytest.raises(BadExport, match="not valid utf-8"):
        list(read_rows(path, encoding="utf-8"))


def test_windows_1252_lines_inside_a_utf8_file_keep_every_character(tmp_path: Path) -> None:
    rows = _csv_dicts(GOOGLE_PLAY)[:30]
    text = _csv_text(rows)
    cafe = dict(rows[0], content="Café “great” – 5€")
    data = text.encode("utf-8") + _csv_text([cafe]).split("\r\n", 1)[1].encode("cp1252")
    values = _values(list(read_rows(data)))
    assert values == [*rows, cafe]


def test_classic_mac_line_ends_and_byte_order_mark(tmp_path: Path) -> None:
    rows = _csv_dicts(GOOGLE_PLAY)[:20]
    data = codecs.BOM_UTF8 + _csv_text(rows, delimiter=";", lineterminator="\r").encode("utf-8")
    with ExportRows(data) as export:
        assert export.encoding == "utf-8-sig" and export.columns == list(rows[0])
        assert _values(list(export)) == rows


def test_unreadable_files_raise_at_once() -> None:
    with pytest.raises(BadExport, match="binary data"):
        ExportRows(fixture("exports_bad", "binary.dat"))
    with pytest.raises(BadExport, match="the file is empty"):
        read_rows(fixture("exports_bad", "blank_lines.csv"))
    with pytest.raises(BadExport, match="ZIP archive"):
        read_rows(b"PK\x03\x04" + b"\x00" * 60)


def test_a_cell_longer_than_the_csv_modules_default_limit_is_read(tmp_path: Path) -> None:
    rows = _csv_dicts(APP_STORE)[:3]
    long_text = rows[1]["review"] * (200_000 // len(rows[1]["review"]) + 1)  # real text, repeated past 128 KiB
    rows[1]["review"] = long_text
    path = tmp_path / "long.csv"
    path.write_text(_csv_text(rows), encoding="utf-8")
    read = list(read_rows(path))
    assert [row.problem for row in read] == [None, None, None]
    assert read[1].values is not None and read[1].values["review"] == long_text


def test_seen_keys_move_to_disk_past_their_memory_bound_and_still_answer() -> None:
    ids = [row["userName"] + f" #{n}" for n, row in enumerate(_csv_dicts(APP_STORE) * 3)]
    with SeenKeys(memory_limit=100) as seen:
        for start in range(0, len(ids), 70):
            chunk = ids[start : start + 70]
            assert seen.get_many([key_of(i) for i in chunk]) == {}
            seen.add_many({key_of(i): (start + n, len(i)) for n, i in enumerate(chunk)})
        assert seen.count == len(ids) == 1200
        found = seen.get_many([key_of(ids[5]), key_of(ids[1150]), key_of("never added")])
    assert found == {key_of(ids[5]): (5, len(ids[5])), key_of(ids[1150]): (1150, len(ids[1150]))}
