"""Damaged and unusual export files, written from real fixture rows: each is read as far as it can be, and
what cannot be read is said (a row problem, or `BadExport` for the file), never cut or misread silently."""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import re
import zlib
from typing import Any

import pytest

from monitor.core.errors import BadExport
from monitor.files.reader import ExportRow, ExportRows
from sources.file import ExportFile
from tests.fixture_path import fixture

APP_STORE = fixture("app_store_export", "sg_food_delivery_app_store_400.csv")
GOOGLE_PLAY = fixture("google_play_export", "uber_google_play_2024_mojibake_400.csv")
HELLOPETER = fixture("hellopeter", "cell-c_2021_reviews_first300.jsonl.gz")

DELIMITERS = [",", ";", "\t", "|"]
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "cp1252"]


def _csv_dicts(path: Any = APP_STORE) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _encodable(rows: list[dict[str, str]], encoding: str) -> list[dict[str, str]]:
    """The rows whose every cell the encoding can write (Windows-1252 cannot write CJK or emoji)."""
    kept = []
    for row in rows:
        try:
            "".join(row.values()).encode(encoding)
        except UnicodeEncodeError:
            continue
        kept.append(row)
    return kept


def _csv_text(
    rows: list[dict[str, str]], *, delimiter: str = ",", lineterminator: str = "\r\n", quoting: int = csv.QUOTE_MINIMAL
) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(
        buffer, fieldnames=list(rows[0]), delimiter=delimiter, lineterminator=lineterminator, quoting=quoting
    )
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _hellopeter_records() -> list[dict[str, Any]]:
    return [json.loads(line) for line in gzip.decompress(HELLOPETER.read_bytes()).decode("utf-8").splitlines()]


def _read(data: bytes, **options: Any) -> tuple[list[ExportRow], BadExport | None]:
    """The rows read, and the `BadExport` that stopped reading (None when the file was read to its end)."""
    read: list[ExportRow] = []
    try:
        with ExportRows(data, **options) as rows:
            read.extend(rows)
    except BadExport as exc:
        return read, exc
    return read, None


def _values(rows: list[ExportRow]) -> list[Any]:
    assert all(row.problem is None for row in rows), [(row.number, row.problem) for row in rows if row.problem]
    return [row.values for row in rows]


# 1. zero bytes, binary data and UTF-16 without a byte-order mark


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252", "utf-16"])
@pytest.mark.parametrize("where", ["head", "tail"])
def test_a_stray_zero_byte_in_a_cell_is_dropped_wherever_it_is(encoding: str, where: str) -> None:
    rows = _encodable(_csv_dicts(), encoding)
    damaged = [dict(row) for row in rows]
    index = 2 if where == "head" else len(rows) - 3  # within the first 64 KiB, or far beyond them
    damaged[index]["review"] = damaged[index]["review"][:5] + "\x00" + damaged[index]["review"][5:]
    damaged[index]["title"] += "\x00\x00"
    text = _csv_text(damaged)
    assert (text.index("\x00") < 20_000) == (where == "head") and len(text) > 200_000
    read, error = _read(text.encode(encoding))
    assert error is None
    assert _values(read) == rows


@pytest.mark.parametrize("where", ["head", "tail"])
def test_a_stray_zero_byte_in_json_lines_is_dropped_wherever_it_is(where: str) -> None:
    records = _hellopeter_records()
    lines = [json.dumps(record, ensure_ascii=False) for record in records]
    index = 1 if where == "head" else len(lines) - 2
    lines[index] = lines[index].replace('"review_title": "', '"review_title": "\x00', 1)
    read, error = _read("\n".join(lines).encode("utf-8"))
    assert error is None
    assert _values(read) == records


def test_binary_data_is_still_refused() -> None:
    random_looking = zlib.compress(APP_STORE.read_bytes())  # deflate data, with no gzip magic number
    for data in (fixture("exports_bad", "binary.dat").read_bytes(), random_looking, bytes(range(256)) * 300):
        with pytest.raises(BadExport, match="binary data, not a CSV/JSON text file"):
            ExportRows(data)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("delimiter", DELIMITERS)
@pytest.mark.parametrize("repeat", [1, 300])
def test_utf16_without_a_byte_order_mark_in_a_cjk_script(codec: str, delimiter: str, repeat: int) -> None:
    chinese = [
        {"review": row["review"], "title": row["title"], "rating": row["rating"]}
        for row in _csv_dicts()
        if len(re.findall("[\u4e00-\u9fff]", row["review"])) > len(row["review"]) / 2
    ]
    assert chinese
    rows = chinese * repeat  # once, and past the 64 KiB the encoding is guessed from
    with ExportRows(_csv_text(rows, delimiter=delimiter).encode(codec)) as export:
        assert export.encoding == codec
        assert _values(list(export)) == rows


# 2. classic Mac line ends with line breaks inside quoted cells


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("delimiter", DELIMITERS)
def test_cr_line_ends_with_lf_breaks_inside_quoted_cells(encoding: str, delimiter: str) -> None:
    rows = _encodable(_csv_dicts(), encoding)
    assert sum("\n" in row["review"] for row in rows) > 10  # multi-paragraph reviews
    # Excel for Mac ends rows with CR and breaks lines inside a cell with LF.
    data = _csv_text(rows, delimiter=delimiter).replace("\r\n", "\r").encode(encoding)
    read, error = _read(data)
    assert error is None
    assert _values(read) == rows


def test_lf_line_ends_with_cr_inside_quoted_cells_stay_lf() -> None:
    rows = _csv_dicts()[:60]
    for row in rows[::3]:
        row["title"] = row["title"] + "\r(edited)"
    # The csv module quotes a cell with a CR only when asked to; spreadsheets always do.
    read, error = _read(_csv_text(rows, lineterminator="\n", quoting=csv.QUOTE_ALL).encode("utf-8"))
    assert error is None
    assert _values(read) == rows


# 3. gzip data that breaks off


def _gzip_cut(text: str, keep: float) -> tuple[bytes, str]:
    """`text` gzipped and cut to `keep` of its compressed size, and the text that can still be decompressed."""
    packed = gzip.compress(text.encode("utf-8"))
    cut = packed[: int(len(packed) * keep)]
    return cut, zlib.decompressobj(wbits=31).decompress(cut).decode("utf-8", errors="ignore")


@pytest.mark.parametrize("count", [20, 400])  # under the 64 KiB sniffed, and under the 1 MiB read at a time
@pytest.mark.parametrize("delimiter", DELIMITERS)
def test_a_small_gzip_csv_cut_short_gives_its_rows_then_says_it_breaks_off(count: int, delimiter: str) -> None:
    rows = _csv_dicts()[:count]
    data, readable = _gzip_cut(_csv_text(rows, delimiter=delimiter), 0.8)
    read, error = _read(data)
    assert error is not None and "the file could not be read to the end" in str(error)
    whole = list(csv.reader(io.StringIO(readable, newline=""), delimiter=delimiter))
    # Every row wholly inside the readable data arrives; at most the one cut in two is lost.
    assert len(read) >= len(whole) - 2 > 0
    assert _values(read) == rows[: len(read)]


@pytest.mark.parametrize("kind", ["jsonl", "json"])
def test_a_small_gzip_json_file_cut_short_gives_its_records_then_says_it_breaks_off(kind: str) -> None:
    records = _hellopeter_records()[:40]
    text = "\n".join(json.dumps(r) for r in records) if kind == "jsonl" else json.dumps(records)
    data, readable = _gzip_cut(text, 0.7)
    read, error = _read(data)
    assert error is not None and "could not be read to the end" in str(error)
    separator = "\n" if kind == "jsonl" else ", "
    complete = max(
        n for n in range(len(records)) if len(separator.join(json.dumps(r) for r in records[:n])) < len(readable) - 1
    )
    assert len(read) == complete > 0
    assert _values(read) == records[:complete]


def test_gzip_data_too_damaged_to_give_a_byte_is_refused_at_once() -> None:
    packed = gzip.compress(APP_STORE.read_bytes())
    with pytest.raises(BadExport, match="damaged gzip data"):
        ExportRows(packed[:12])


def test_a_gzip_file_cut_short_is_read_to_the_break_through_export_file() -> None:
    rows = _csv_dicts()
    data, _ = _gzip_cut(_csv_text(rows), 0.9)
    with ExportFile(data) as export:
        stored = []
        with pytest.raises(BadExport, match="could not be read to the end"):
            for batch in export.read(50):
                stored.extend(batch.records)
        assert len(stored) > 300


# 4. a CSV that ends inside a quoted cell


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
@pytest.mark.parametrize("ending", ["\r\n", "\n", "\r"])
@pytest.mark.parametrize("delimiter", DELIMITERS)
def test_a_csv_that_ends_inside_a_quoted_cell_breaks_off(encoding: str, ending: str, delimiter: str) -> None:
    rows = _csv_dicts()[:30]
    before = _csv_text(rows[:-1], delimiter=delimiter, lineterminator=ending, quoting=csv.QUOTE_ALL)
    text = _csv_text(rows, delimiter=delimiter, lineterminator=ending, quoting=csv.QUOTE_ALL)
    cut = text[: text.index(rows[-1]["review"][:20], len(before)) + 10]  # inside the last row's review
    read, error = _read(cut.encode(encoding))
    line = len(re.findall("\r\n|\r|\n", before)) + 1  # where the last row starts
    assert error is not None
    assert f"the file could not be read to the end (it ends inside a quoted cell of the row on line {line})" in str(
        error
    )
    assert _values(read) == rows[:-1]


@pytest.mark.parametrize("quoting", [csv.QUOTE_ALL, csv.QUOTE_MINIMAL])
def test_a_csv_without_a_final_line_end_is_whole(quoting: int) -> None:
    rows = _csv_dicts()[:30]
    read, error = _read(_csv_text(rows, quoting=quoting).rstrip("\r\n").encode("utf-8"))
    assert error is None and _values(read) == rows


# 5. JSON Lines whose first line is broken


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("packed", [False, True])
def test_json_lines_with_a_broken_first_line_lose_only_that_line(encoding: str, ending: str, packed: bool) -> None:
    records = _hellopeter_records()
    lines = [json.dumps(record, ensure_ascii=False) for record in records]
    lines[0] = lines[0][: len(lines[0]) // 2]  # cut in the middle
    data = ending.join(lines).encode(encoding)
    read, error = _read(gzip.compress(data) if packed else data)
    assert error is None
    assert [(row.number, (row.problem or "")[:15]) for row in read if row.values is None] == [(1, "not valid JSON ")]
    assert _values(read[1:]) == records[1:]
    assert [row.number for row in read] == list(range(1, len(records) + 1))


def test_a_broken_json_document_is_still_refused_as_one() -> None:
    records = _hellopeter_records()[:5]
    # A wrapper with one record per line, broken at its end: its lines are `{...},`, not objects.
    text = '{"reviews": [\n' + ",\n".join(json.dumps(r) for r in records) + "\n]\n"
    with pytest.raises(BadExport, match=r"not valid JSON .*expected a JSON array of objects or JSON Lines"):
        ExportRows(text.encode("utf-8"))
    assert _values(_read((text + "}").encode("utf-8"))[0]) == records


# 6. a header that names a column twice


@pytest.mark.parametrize("delimiter", DELIMITERS)
def test_a_header_naming_a_column_twice_is_refused(delimiter: str) -> None:
    rows = _csv_dicts()[:10]
    text = _csv_text(rows, delimiter=delimiter)
    header, rest = text.split("\r\n", 1)
    with pytest.raises(BadExport, match=r"names a column more than once \('review'\)"):
        ExportRows(header.replace("title", "review").encode("utf-8") + b"\r\n" + rest.encode("utf-8"))
    # The App Store export's first column has no name; a second one without a name is just as ambiguous.
    unnamed = header.replace("title", "")
    with pytest.raises(BadExport, match=r"names a column more than once \(''"):
        ExportRows((unnamed + "\r\n" + rest).encode("utf-8"))


def test_unnamed_columns_after_the_last_named_one_are_not_repeats() -> None:
    rows = _csv_dicts()[:10]
    header, rest = _csv_text(rows).split("\r\n", 1)
    padded = header + ",,\r\n" + rest.replace("\r\n", ",,\r\n")
    read, error = _read(padded.encode("utf-8"))
    assert error is None and _values(read) == rows  # the first column, also unnamed, keeps its values


# 7. rows of delimiters only


@pytest.mark.parametrize("ending", ["\r\n", "\n", "\r"])
@pytest.mark.parametrize("delimiter", DELIMITERS)
def test_rows_of_delimiters_only_are_blank_lines(ending: str, delimiter: str) -> None:
    rows = _csv_dicts(GOOGLE_PLAY)[:40]
    empty = delimiter * (len(rows[0]) - 1)
    blank = [empty, " " + delimiter + '""' + delimiter + "\t", empty]
    after = _csv_text(rows[10:], delimiter=delimiter, lineterminator=ending).split(ending, 1)[1]
    text = _csv_text(rows[:10], delimiter=delimiter, lineterminator=ending) + ending.join([*blank, after])
    text += ending.join(blank) + ending
    with ExportFile(text.encode("utf-8")) as export:
        kept = [record for batch in export.read() for record in batch.records]
        assert export.stats.rows == len(rows) == len(kept)
        assert not export.stats.skipped


# 8. Excel's `sep=` first line


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
@pytest.mark.parametrize("ending", ["\r\n", "\n", "\r"])
@pytest.mark.parametrize("line", ["sep={}", '"sep={}"', "SEP={}{}{}"])
@pytest.mark.parametrize("delimiter", [*DELIMITERS, ":"])
def test_an_excel_sep_line_names_the_delimiter(encoding: str, ending: str, line: str, delimiter: str) -> None:
    rows = _csv_dicts(GOOGLE_PLAY)[:30]
    text = (
        line.format(delimiter, delimiter, delimiter)
        + ending
        + _csv_text(rows, delimiter=delimiter, lineterminator=ending)
    )
    with ExportRows(text.encode(encoding)) as export:
        assert export.columns == list(rows[0])
        read = list(export)
    assert _values(read) == rows
    assert read[0].number == 3  # the sep line is line 1, the header line 2


def test_a_first_line_that_only_starts_like_a_sep_line_is_a_header() -> None:
    rows = [{"sep=": row["content"], "score": row["score"]} for row in _csv_dicts(GOOGLE_PLAY)[:5]]
    read, error = _read(_csv_text(rows).encode("utf-8"))
    assert error is None and _values(read) == rows


def test_a_byte_order_mark_then_a_sep_line() -> None:
    rows = _csv_dicts(GOOGLE_PLAY)[:5]
    data = codecs.BOM_UTF8 + ("sep=;\n" + _csv_text(rows, delimiter=";")).encode("utf-8")
    assert _values(_read(data)[0]) == rows


def test_a_header_naming_a_column_twice_in_another_case_names_both_spellings() -> None:
    header, rest = _csv_text(_csv_dicts()[:5]).split("\r\n", 1)
    with pytest.raises(BadExport, match=r"names a column more than once \('rating' and 'Rating'\)"):
        ExportRows((header.replace("title", "Rating") + "\r\n" + rest).encode("utf-8"))


# 9. JSON Lines cut in the middle of the last line


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("packed", [False, True])
@pytest.mark.parametrize("cut", [0.5, 0.97])
def test_json_lines_cut_inside_the_last_line_break_off(ending: str, packed: bool, cut: float) -> None:
    records = _hellopeter_records()[:30]
    lines = [json.dumps(record, ensure_ascii=False) for record in records]
    lines[-1] = lines[-1][: int(len(lines[-1]) * cut)]
    data = ending.join(lines).encode("utf-8")
    read, error = _read(gzip.compress(data) if packed else data)
    assert error is not None
    assert f"the file could not be read to the end (its last line, line {len(lines)}, breaks off inside a record" in (
        str(error)
    )
    assert _values(read) == records[:-1]


@pytest.mark.parametrize("last", ['{"id": 1, "review_content": "x",}', '{"id": 1} trailing', "[1, 2]", "not json"])
def test_a_whole_but_broken_last_line_is_a_problem_of_that_row(last: str) -> None:
    records = _hellopeter_records()[:5]
    data = "\n".join([*(json.dumps(record) for record in records), last]).encode("utf-8")
    read, error = _read(data)
    assert error is None
    assert _values(read[:-1]) == records and read[-1].values is None and read[-1].number == 6
