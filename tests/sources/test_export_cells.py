"""Repairing export cells: text that cannot hold mojibake skips ftfy and comes out exactly as ftfy would leave it."""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Iterator

import pytest

from monitor.core.encoding_repair import repair_encoding
from sources.exports.cells import _MAY_NEED_FTFY, repair_text
from tests.fixture_path import fixture


def _through_ftfy(text: str) -> str:
    return repair_encoding(text).replace("\r\n", "\n").replace("\r", "\n").strip()


def _fixture_texts() -> Iterator[str]:
    with fixture("app_store_export", "sg_food_delivery_app_store_400.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            yield from (row["review"], row["title"], row["developerResponse"])
    with fixture("google_play_export", "uber_google_play_2024_mojibake_400.csv").open(encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            yield from (row.get("content") or "", row.get("replyContent") or "", row.get("userName") or "")
    with gzip.open(fixture("hellopeter", "cell-c_2021_reviews_first300.jsonl.gz"), "rt", encoding="utf-8") as lines:
        for record in map(json.loads, lines):
            yield from (record.get("review_content") or "", record.get("review_title") or "")


def test_every_real_cell_is_repaired_as_ftfy_repairs_it_and_most_skip_it() -> None:
    texts = [text for text in _fixture_texts() if not text.isascii()]
    assert [repair_text(text) for text in texts] == [_through_ftfy(text) for text in texts]
    skipped = sum(_MAY_NEED_FTFY.search(text) is None for text in texts)
    assert 0 < skipped < len(texts)  # the mojibake rows of the Google Play export still go through ftfy


@pytest.mark.parametrize(
    "text",
    [
        "It’s the worst app 😡",  # nothing ftfy would change
        "Itâ€™s the worst",  # UTF-8 read as Windows-1252
        "It\x92s the worst",  # a Windows-1252 byte read as Latin-1 (a C1 control)
        "CafÃ© closed",  # UTF-8 read as Latin-1
        "Ã  bientôt",  # a lost no-break space
        "cafe\u0301 ’",  # a decomposed accent (ftfy composes it)
        "\ufeffBOM ’ and a bell\x07",  # control characters ftfy removes
        "ÐŸÑ€Ð¸Ð²ÐµÑ‚",  # Cyrillic read as Windows-1252
        "√áa va",  # read as Mac Roman
    ],
)
def test_cells_come_out_as_ftfy_leaves_them(text: str) -> None:
    assert repair_text(text) == _through_ftfy(text)
