"""Export files as spreadsheets, scripts and people leave them, written from real fixture rows: exports joined into
one file, mixed line ends, text kept by Excel formulas, JSON with lone surrogate escapes, and files that are no
files. Each is read as written, or refused at once with one line saying why."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

from monitor.core.errors import BadExport
from monitor.files.reader import ExportRow, ExportRows
from tests.fixture_path import fixture

APP_STORE = fixture("app_store_export", "sg_food_delivery_app_store_400.csv")
GOOGLE_PLAY = fixture("google_play_export", "uber_google_play_2024_mojibake_400.csv")
HELLOPETER = fixture("hellopeter", "cell-c_2021_reviews_first300.jsonl.gz")


def _csv_dicts(path: Path = APP_STORE) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _csv_text(
    rows: list[dict[str, str]],
    *,
    fields: list[str] | None = None,
    delimiter: str = ",",
    lineterminator: str = "\r\n",
    quoting: int = csv.QUOTE_MINIMAL,
) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(
        buffer,
        fieldnames=fields or list(rows[0]),
        delimiter=delimiter,
        lineterminator=lineterminator,
        quoting=quoting,
    )
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _read(data: bytes | Path) -> list[ExportRow]:
    with ExportRows(data) as rows:
        read = list(rows)
    assert all(row.problem is None for row in read), [(row.number, row.problem) for row in read if row.problem]
    return read


def _values(rows: list[ExportRow]) -> list[Any]:
    return [dict(row.values or {}) for row in rows]


# 1. exports joined into one file


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("reordered", [False, True])
def test_exports_joined_into_one_file_give_every_row_under_its_own_header(delimiter: str, reordered: bool) -> None:
    rows = _csv_dicts()[:60]
    fields = list(rows[0])
    later = list(reversed(fields)) if reordered else fields
    # The second export starts with its byte-order mark and Excel's `sep=` line, as a saved file does.
    second = "\ufeff" + f"sep={delimiter}\r\n" + _csv_text(rows[30:], fields=later, delimiter=delimiter)
    text = _csv_text(rows[:30], delimiter=delimiter) + second
    read = _read(text.encode("utf-8"))
    assert _values(read) == rows
    # Rows keep the number of the physical line they start on: after the first export, `sep=` and the header.
    assert read[30].number == _csv_text(rows[:30], delimiter=delimiter).count("\n") + 3


def test_a_header_repeated_in_other_case_and_spacing_is_still_a_header() -> None:
    rows = _csv_dicts(GOOGLE_PLAY)[:20]
    header, rest = _csv_text(rows[10:]).split("\r\n", 1)
    again = ",".join(f" {name.upper()} " for name in header.split(","))
    read = _read((_csv_text(rows[:10]) + again + "\r\n" + rest).encode("utf-8"))
    assert _values(read) == rows


def test_a_row_that_only_shares_some_names_with_the_header_is_data() -> None:
    rows = _csv_dicts(GOOGLE_PLAY)[:5]
    rows[2] = dict.fromkeys(rows[2], "")
    rows[2].update(userName="content", content="score", score="at")
    assert _values(_read(_csv_text(rows).encode("utf-8"))) == rows


# 2. mixed line ends


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_lf_crlf_and_lone_cr_line_ends_mixed_in_one_file_give_every_row(encoding: str) -> None:
    rows = _csv_dicts()[:60]
    assert sum("\n" in row["review"] for row in rows) > 3
    lines = _csv_text(rows, lineterminator="\r\n", quoting=csv.QUOTE_ALL).split('"\r\n')
    ends = ['"\n', '"\r', '"\r\n']
    text = "".join(line + ends[n % 3] for n, line in enumerate(lines[:-1])) + lines[-1]
    read = _read(text.encode(encoding))
    assert _values(read) == rows


def test_json_lines_ended_by_lone_crs_and_lfs_give_every_record() -> None:
    records = [json.loads(line) for line in gzip.decompress(HELLOPETER.read_bytes()).decode("utf-8").splitlines()]
    text = "".join(json.dumps(record) + ("\r" if n % 2 else "\n") for n, record in enumerate(records[:40]))
    assert _values(_read(text.encode("utf-8"))) == records[:40]


# 3. text kept by an Excel formula


def test_excel_text_formulas_give_the_text_they_show() -> None:
    rows = _csv_dicts(GOOGLE_PLAY)[:20]
    written = [dict(row) for row in rows]
    for n, row in enumerate(written):
        row["reviewCreatedVersion"] = f'="{row["reviewCreatedVersion"]}"'
        if n % 3 == 0:
            row["content"] = '="' + row["content"].replace('"', '""') + '"'
    assert _values(_read(_csv_text(written).encode("utf-8"))) == rows
    # Written by hand-made exports as it is typed, not quoted as a CSV cell.
    text = _csv_text(rows[:5], quoting=csv.QUOTE_ALL).replace('"4.556.10005"', '="4.556.10005"')
    assert text.count('="4.556.10005"') == 10
    assert _values(_read(text.encode("utf-8"))) == rows[:5]


def test_other_formulas_and_equals_signs_stay_as_written() -> None:
    rows = _csv_dicts(GOOGLE_PLAY)[:3]
    rows[0]["content"] = '=HYPERLINK("https://example.com")'
    rows[1]["content"] = '="a" & "b"'
    rows[2]["content"] = "= 5 stars"
    assert _values(_read(_csv_text(rows).encode("utf-8"))) == rows


# 4. JSON with a lone surrogate escape


@pytest.mark.parametrize("kind", ["jsonl", "json", "pretty"])
def test_a_lone_surrogate_escape_in_json_becomes_a_replacement_character(kind: str) -> None:
    records = [json.loads(line) for line in gzip.decompress(HELLOPETER.read_bytes()).decode("utf-8").splitlines()]
    records = records[:10]
    records[2]["review_content"] = "half an emoji \ud83d here"
    records[3]["authorDisplayName"] = "Ann \udc00"
    records[4]["review_title"] = "a whole one \U0001f600"
    if kind == "jsonl":
        text = "\n".join(json.dumps(record) for record in records)
    else:
        text = json.dumps(records, indent=2 if kind == "pretty" else None)
    read = _values(_read(text.encode("utf-8")))
    # A JSON array's parser (yajl) replaces some of them with '?' itself; either way the rest of the text stays.
    assert read[2]["review_content"] in ("half an emoji \ufffd here", "half an emoji ? here")
    assert read[3]["authorDisplayName"] in ("Ann \ufffd", "Ann ?")
    assert read[4]["review_title"] == "a whole one \U0001f600"
    assert read[5:] == records[5:] and read[:2] == records[:2]


# 5. what is not a file


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need a POSIX system")
def test_a_named_pipe_is_refused_at_once_without_waiting_for_a_writer(tmp_path: Path) -> None:
    pipe = tmp_path / "export.csv"
    os.mkfifo(pipe)
    with pytest.raises(BadExport, match=r"is a named pipe \(FIFO\), not a file; save the export to a file"):
        ExportRows(pipe)


def test_a_device_is_refused() -> None:
    with pytest.raises(BadExport, match="is a device or socket, not a file"):
        ExportRows(Path(os.devnull))
