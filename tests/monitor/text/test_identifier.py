"""The numpy byte walk gives py3langid's own scores to the last bit, on every path it can take."""

from __future__ import annotations

import random

import numpy as np
import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

import monitor.text.identifier as identifier_module
from monitor.text.identifier import Identifier
from monitor.text.language import _model

TEXTS = [
    "The driver never showed up and support did not answer my emails",
    "Aplikácia vôbec nefunguje, vodič neprišiel a peniaze mi nevrátili",
    "האפליקציה לא עובדת והנהג לא הגיע בכלל",
    "Приложение ужасное, водитель не приехал, деньги списали",
    "التطبيق سيء جدا والسائق لم يصل",
    "ऐप बहुत बेकार है, ड्राइवर नहीं आया",
    "Ứng dụng quá tệ, tài xế không đến và không hoàn tiền",
    "แอพแย่มาก คนขับไม่มาตามนัด เสียเวลา",
    "",
    " ",
    "a",
    "ok",
    "👍👍",
    "5*",
    "THE APP KEEPS CRASHING, FIX IT NOW!!!",
    "Bahut bekaar service hai, driver ne cancel kar diya",
    "Grab food delivery was late again. " * 40,
    "\x00\x01\x1c\x1f\x7f",
]


def _random_texts(count: int) -> list[str]:
    rng = random.Random(11)
    planes = ((0x20, 0x7E), (0xA0, 0x24F), (0x400, 0x4FF), (0x590, 0x6FF), (0xE00, 0xE7F), (0x1F300, 0x1F64F))
    texts = []
    for _ in range(count):
        low, high = rng.choice(planes)
        texts.append("".join(chr(rng.randint(low, high)) for _ in range(rng.randint(1, 80))))
    return texts


@pytest.fixture(scope="module")
def reference() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _same(ours: Identifier, reference: LanguageIdentifier, texts: list[str]) -> None:
    for text in texts:
        expected = reference._decide(text)
        got = ours._decide(text)
        assert got.dtype == expected.dtype
        assert np.array_equal(got.view(np.uint32), expected.view(np.uint32)), text


@pytest.mark.parametrize("shortest", [0, identifier_module._SHORTEST])
def test_scores_are_py3langids_to_the_last_bit(
    reference: LanguageIdentifier, monkeypatch: pytest.MonkeyPatch, shortest: int
) -> None:
    # With no shortest length every text takes the numpy walk; with the product's, short ones take py3langid's.
    monkeypatch.setattr(identifier_module, "_SHORTEST", shortest)
    _same(_model().identifier, reference, TEXTS + _random_texts(300))


def test_a_window_shorter_than_the_trie_falls_back_to_the_byte_walk(
    reference: LanguageIdentifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours = _model().identifier
    monkeypatch.setattr(identifier_module, "_WINDOW", 2)
    monkeypatch.setattr(identifier_module, "_SHORTEST", 0)
    # Two bytes cannot tell the state after a longer n-gram: the check sees it and py3langid walks instead.
    assert ours._visits(ours._encode("The driver never showed up")) is None
    _same(ours, reference, TEXTS)


def test_features_beyond_the_widened_rows_are_widened_each_time(
    reference: LanguageIdentifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(identifier_module, "_WIDENED_ROWS", 40)
    monkeypatch.setattr(identifier_module, "_SHORTEST", 0)
    ours = Identifier(
        reference.nb_ptc,
        reference.nb_pc,
        reference.nb_classes,
        reference.tk_nextmove,
        reference.tk_output,
        norm_probs=True,
        tk_row=reference.tk_row,
    )
    _same(ours, reference, TEXTS)
    assert ours._rows._used == 40


def _batch_matches(ours: Identifier, reference: LanguageIdentifier, texts: list[str]) -> None:
    got = ours.decide_many(texts)
    assert got.shape == (len(texts), len(reference.nb_classes))
    for row, text in enumerate(texts):
        # The batch normalises all rows at once: equal to rounding, never a different distribution.
        np.testing.assert_allclose(got[row], reference._decide(text), rtol=1e-5, atol=1e-7, err_msg=text)


def test_a_batch_scores_each_text_as_py3langid_does(
    reference: LanguageIdentifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = TEXTS + _random_texts(300)
    walked: list[bytes] = []
    original = LanguageIdentifier._raw_score
    monkeypatch.setattr(
        LanguageIdentifier, "_raw_score", lambda self, text: walked.append(text) or original(self, text)
    )
    got = _model().identifier.decide_many(texts)
    # Every text was read by the batch's own walk: none fell back to py3langid's byte by byte.
    assert walked == []
    monkeypatch.undo()
    _batch_matches(_model().identifier, reference, texts)
    np.testing.assert_array_equal(got, _model().identifier.decide_many(texts))
    # A text's scores do not depend on its neighbours in the batch.
    alone = _model().identifier.decide_many([texts[0]])
    together = _model().identifier.decide_many(list(reversed(texts)))
    np.testing.assert_array_equal(alone[0], together[-1])
    assert _model().identifier.decide_many([]).shape == (0, len(reference.nb_classes))


def test_a_batch_falls_back_per_text_when_the_window_cannot_read_it(
    reference: LanguageIdentifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(identifier_module, "_WINDOW", 2)
    _batch_matches(_model().identifier, reference, TEXTS)
