"""Offline language identification of review texts with py3langid, limited to the product's languages."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from monitor.text.langid_model import load_identifier
from monitor.text.languages import SUPPORTED

__all__ = ["SUPPORTED", "detect_language", "detect_languages", "language_probabilities"]

# Model labels for regional or historical varieties whose texts the supported language's resources read well.
# Javanese, Acehnese and Bikol are languages of their own, but the model gives their labels to short, informal
# Indonesian and Tagalog reviews ("gak bisa login, parah", "ok naman pero minsan delayed").
_VARIETIES: dict[str, str] = {
    **{"arz": "ar", "ary": "ar", "hbo": "he", "pcm": "en"},
    **{"jv": "id", "ace": "id", "bcl": "tl"},
}
# Languages close enough that the model splits a text's probability between them (Malay and Indonesian share
# most of their words): the winner's confidence counts its relative's share too.
_RELATIVES: dict[str, tuple[str, ...]] = {"id": ("ms",), "ms": ("id",)}
# Below this many letters no language model can tell ("ok", "5*", an emoji with a word).
_MIN_LETTERS = 3
# Share of the model's probability that the best language (varieties included) needs before it is trusted;
# short texts spread their probability over related languages and fall below it.
_MIN_CONFIDENCE = 0.5
# The language is settled long before this; the model's cost grows with every byte, so a 20,000-character
# draft would cost twenty times as much for the same answer.
_MAX_CHARS = 1_000
_THAI = re.compile("[\u0e00-\u0e7f]")


@dataclass(frozen=True, slots=True)
class _Model:
    identifier: Any
    # For every column of the model's score vector, the index in ``codes`` of the language it counts for.
    groups: Any
    codes: tuple[str, ...]
    index: dict[str, int]


@cache
def _model() -> _Model:
    # Probabilities, not raw log-likelihoods, so one confidence threshold works for every text length.
    identifier = load_identifier(norm_probs=True)
    labels = [_VARIETIES.get(label, label) for label in identifier.nb_classes]
    codes = tuple(dict.fromkeys(labels))
    index = {code: position for position, code in enumerate(codes)}
    groups = np.array([index[label] for label in labels], dtype=np.intp)
    return _Model(identifier, groups, codes, index)


def _totals(text: str) -> Any:
    model = _model()
    # ``_decide`` is the probability vector ``rank`` sorts into (label, probability) pairs; summing it by
    # language in one numpy call skips building and sorting 140 pairs per text (py3langid is pinned below 0.5).
    scores = model.identifier._decide(text)
    return np.bincount(model.groups, weights=scores, minlength=len(model.codes))


def language_probabilities(text: str) -> dict[str, float]:
    """The model's probability per language (varieties merged into their language), for evaluation and tests."""
    totals = _totals(text[:_MAX_CHARS])
    return {code: float(totals[position]) for position, code in enumerate(_model().codes)}


def _classify(text: str) -> str | None:
    return _decision(_totals(text))


def _decision(totals: Any) -> str | None:
    """The language of a text from its probability per language, or None when it is not trusted or supported."""
    model = _model()
    best = int(totals.argmax())
    code = model.codes[best]
    if code not in SUPPORTED:
        return None
    confidence = float(totals[best]) + sum(float(totals[model.index[other]]) for other in _RELATIVES.get(code, ()))
    return code if confidence >= _MIN_CONFIDENCE else None


def _thai_only(text: str) -> bool:
    """Whether the text has Thai letters and no letters of another script (Thai is the only language using it)."""
    seen = False
    for char in text:
        if char.isalpha():
            if "\u0e00" <= char <= "\u0e7f":
                seen = True
            else:
                return False
    return seen


def _enough_letters(text: str) -> bool:
    letters = 0
    for char in text:
        if char.isalpha():
            letters += 1
            if letters >= _MIN_LETTERS:
                return True
    return False


def _settled(text: str) -> tuple[bool, str | None]:
    """Whether the text's language is settled without the model, and then its code."""
    if not text.isascii() and _THAI.search(text) and _thai_only(text):
        # One Thai word is two or three letters ("แย่", bad) and settles the language on its own.
        return True, "th"
    if not _enough_letters(text):
        return True, None
    return False, None


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when it is too short, ambiguous or not supported."""
    settled, code = _settled(text)
    return code if settled else _classify(text[:_MAX_CHARS])


def detect_languages(texts: Sequence[str]) -> list[str | None]:
    """``detect_language`` of every text, the model run once for the whole batch (much cheaper per text)."""
    codes: list[str | None] = []
    asked: list[int] = []
    for position, text in enumerate(texts):
        settled, code = _settled(text)
        codes.append(code)
        if not settled:
            asked.append(position)
    if not asked:
        return codes
    model = _model()
    scores = model.identifier.decide_many([texts[position][:_MAX_CHARS] for position in asked])
    # Summed per language column by column, in the model's order: the same float64 sums ``np.bincount`` makes.
    totals = np.zeros((len(asked), len(model.codes)), dtype=np.float64)
    for column, group in enumerate(model.groups):
        totals[:, group] += scores[:, column]
    for row, position in enumerate(asked):
        codes[position] = _decision(totals[row])
    return codes
