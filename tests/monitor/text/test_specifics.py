"""Amounts, dates, references and asks found in complaints, in the notations people write them."""

from __future__ import annotations

import gzip
import json

import pytest

from monitor.text.specifics import find_specifics
from responders.guidance.playbook import CaseFacts, guidance_for
from tests.fixture_path import fixture


@pytest.mark.parametrize(
    ("text", "amounts", "dates", "references", "asks"),
    [
        (
            "I was charged R1,499 twice on 3 March (ref 88412) and I want a refund!",
            ["R1,499"],
            ["3 March"],
            ["88412"],
            ["a refund"],
        ),
        ("Paid $20.99 on March 3rd, 2025, order #A12345 never came.", ["$20.99"], ["March 3rd, 2025"], ["A12345"], []),
        (
            "Bestellung Nr. 4711-22 vom 03.03.2025, 1.500,00 € abgebucht, bitte Erstattung",
            ["1.500,00 €"],
            ["03.03.2025"],
            ["4711-22"],
            ["a refund"],
        ),
        ("Rp 150.000 sudah dibayar, pesanan 998877 belum sampai", ["Rp 150.000"], [], ["998877"], []),
        (
            "₹2,999 deducted on 2025-01-31, ticket no: TCK-55120. Please cancel",
            ["₹2,999"],
            ["2025-01-31"],
            ["TCK-55120"],
            ["a cancellation"],
        ),
        ("Great app, love it. 5 stars from me since 2019", [], [], [], []),
    ],
)
def test_specifics_in_every_common_notation(
    text: str, amounts: list[str], dates: list[str], references: list[str], asks: list[str]
) -> None:
    found = find_specifics(text)
    assert (found.amounts, found.dates, found.references, found.asks) == (amounts, dates, references, asks)


def test_a_real_hellopeter_complaint_names_its_debits_dates_and_ask() -> None:
    path = fixture("hellopeter", "cell-c_2021_reviews_first300.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        review = next(r for r in map(json.loads, stream) if r["id"] == 3757697)
    found = find_specifics(review["review_content"])
    assert {"R1187", "R1677", "R489"} <= set(found.amounts)
    assert found.dates[:2] == ["18th of December 2021", "25th December 2021"]
    assert found.asks == ["a refund"]
    guidance = guidance_for(CaseFacts(reviewer_name="Thabo", review_text=review["review_content"], language="en"))
    (row,) = [value for label, value in guidance.facts if label == "What they wrote about"]
    assert row.startswith("amounts: R1187, R1677") and "asks for: a refund" in row


def test_a_text_without_specifics_adds_no_row_and_hostile_text_stays_text() -> None:
    plain = guidance_for(CaseFacts(review_text="The app is slow and the support never answers.", language="en"))
    assert "What they wrote about" not in {label for label, _ in plain.facts}
    hostile = find_specifics("<script>alert(1)</script> order #<b>12345</b> $5")
    assert hostile.amounts == ["$5"] and hostile.references == []  # markup is never read as a reference
