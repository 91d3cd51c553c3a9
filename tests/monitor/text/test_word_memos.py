"""The shortcuts of the text layer give the answers of the long way: ASCII tokens, remembered words, shared tokens."""

from __future__ import annotations

import random

import pytest

import monitor.text.lexicons.plans as plans_module
import monitor.text.regulators as regulators_module
from monitor.text.lexicons import plan, score_text, tokenize
from monitor.text.lexicons.plans import compiled_plan
from monitor.text.regulators import find_regulators
from monitor.text.words import _ASCII_TOKEN, _TOKEN

REVIEWS = [
    "I will report you to the Financial Ombudsman Service and my lawyer, this is FRAUD!!",
    "Not bad at all, the driver was not rude but the app is sooo slow",
    "Complained to the NCR and ICASA; Cell C's data bundles are a scam",
    "Gak bisa login, parah. Aplikasi ini sangat buruk",
    "Bahut bekaar service hai, driver ne cancel kar diya",
    "Die App funktioniert nicht, ich gehe zum Anwalt",
    "แอพแย่มาก คนขับไม่มาตามนัด เสียเวลา",
    "פניתי ולבנק ישראל, האפליקציה לא עובדת",
    "",
]


def test_ascii_text_is_cut_into_the_tokens_of_the_general_pattern() -> None:
    rng = random.Random(3)
    texts = ["don't", "it's 5*", "a_b", "x''y", "rock'n'roll", "\x1c\x1dword\x1f", "tab\there"]
    texts += ["".join(chr(rng.randrange(128)) for _ in range(rng.randrange(40))) for _ in range(3000)]
    for text in texts:
        assert _ASCII_TOKEN.findall(text) == _TOKEN.findall(text), text


@pytest.mark.parametrize("code", [None, "en", "id", "th", "he"])
def test_given_tokens_score_as_the_text_does(code: str | None) -> None:
    languages, guessed = plan(code)
    for text in REVIEWS:
        tokens = tokenize(text)
        assert score_text(text, languages, guessed, tokens=tokens) == score_text(text, languages, guessed)
        assert find_regulators(text, tokens=tokens) == find_regulators(text)


def test_a_plan_forgets_its_words_when_full_and_scores_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    languages, guessed = plan(None)
    expected = [score_text(text, languages, guessed) for text in REVIEWS]
    monkeypatch.setattr(plans_module, "_WORDS_LIMIT", 5)
    compiled_plan.cache_clear()
    try:
        assert [score_text(text, languages, guessed) for text in REVIEWS] == expected
        assert len(compiled_plan(tuple(languages), tuple(guessed))._words) <= 5
    finally:
        compiled_plan.cache_clear()


def test_the_regulator_matcher_forgets_its_words_when_full_and_finds_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    extra = ("Cell C Ombud",)
    expected = [find_regulators(text, extra) for text in REVIEWS]
    monkeypatch.setattr(regulators_module, "_KNOWN_LIMIT", 5)
    regulators_module._matcher.cache_clear()
    try:
        assert [find_regulators(text, extra) for text in REVIEWS] == expected
        assert len(regulators_module._matcher(extra).known) <= 5
    finally:
        regulators_module._matcher.cache_clear()
