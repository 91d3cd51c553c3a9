"""Words written with masks for letters ("****ing", "f*ck", "a**hole") read as the swearing they hide, nothing else."""

from __future__ import annotations

import gzip
import json

import pytest

from monitor.text.negativity import assess
from monitor.text.words import masked_spans, tokenize
from tests.fixture_path import fixture


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("You ****ing idiots", ["****ing"]),
        ("what the f@#k, this is bull***t!", ["f@#k", "bull***t"]),
        ("total b*******. s*** service", ["b*******", "s***"]),
        ("paid S$7.50 and AR$ 20, $$$ gone", []),  # currencies
        ("ref **********74 and cellc**********", []),  # a site's masked account and phone numbers
        ("a *great* app", []),  # emphasis
        ("****", []),  # masks alone: a rating, a separator or a word, nobody can tell
    ],
)
def test_masked_words_are_found_and_numbers_currencies_and_emphasis_are_not(text: str, masked: list[str]) -> None:
    spans = masked_spans(text)
    assert [text[start:end] for start, end in spans] == masked
    tokens = tokenize(text, spans)
    assert all(word in tokens for word in masked)
    assert "".join(tokens) == "".join(text.split())  # nothing lost or added


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("You ****ing idiots", True),
        ("you ****s are doing this again", True),
        ("you a**hole", True),
        ("your staff are id**ts", True),
        ("bunch of ****heads", True),
        ("C-Fiber *****ups again", False),  # five masks fit "idiot" as well as "screw": no insult is shown
        ("No F@%KS given about the refund", False),  # swearing, but at nobody
    ],
)
def test_masked_swearing_at_someone_is_abuse(text: str, flagged: bool) -> None:
    verdict = assess(rating=1, text=text)
    assert ("abuse" in verdict.flags) is flagged, verdict.reasons


def test_the_reason_quotes_the_word_as_written() -> None:
    verdict = assess(rating=1, text="You ****ing idiots")
    assert "abusive language: “****ing”, “idiots”" in verdict.reasons


def test_a_masked_looking_word_that_hides_no_swearing_is_read_as_before() -> None:
    assert assess(rating=3, text="**terrible** app").complaint == assess(rating=3, text="terrible app").complaint
    assert "abuse" not in assess(rating=1, text="reimbur*****t of my costs, you said").flags


def test_a_real_review_masked_by_the_site_is_flagged_as_abuse() -> None:
    path = fixture("hellopeter", "cell-c_2021_reviews_first300.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        records = {record["id"]: record for record in map(json.loads, lines)}
    record = records[3754401]  # "Thank you cell c for ****ing my credit name up ... u bunch of ****s"
    verdict = assess(rating=record["review_rating"], text=record["review_content"], title=record["review_title"])
    assert "abuse" in verdict.flags
    assert any("****" in reason for reason in verdict.reasons)
