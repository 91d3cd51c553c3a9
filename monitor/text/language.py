"""Offline language identification of review texts with py3langid, limited to the product's languages."""

from __future__ import annotations

from functools import cache
from typing import Any

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from monitor.text.languages import SUPPORTED

__all__ = ["SUPPORTED", "detect_language"]

# Model labels for regional or historical varieties whose texts the supported language's resources read well.
_VARIETIES: dict[str, str] = {"arz": "ar", "ary": "ar", "hbo": "he", "pcm": "en"}
# Below this many letters no language model can tell ("ok", "5*", an emoji with a word).
_MIN_LETTERS = 3
# Share of the model's probability that the best language (varieties included) needs before it is trusted;
# short texts spread their probability over related languages and fall below it.
_MIN_CONFIDENCE = 0.5
# The language is settled long before this; the model walks every byte in Python, so a 20,000-character
# draft would cost twenty times as much for the same answer.
_MAX_CHARS = 1_000


@cache
def _identifier() -> Any:
    # Probabilities, not raw log-likelihoods, so one confidence threshold works for every text length.
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when it is too short, ambiguous or not supported."""
    if sum(char.isalpha() for char in text) < _MIN_LETTERS:
        return None
    totals: dict[str, float] = {}
    for label, probability in _identifier().rank(text[:_MAX_CHARS]):
        code = _VARIETIES.get(label, label)
        totals[code] = totals.get(code, 0.0) + float(probability)
    best = max(totals, key=totals.__getitem__)
    if best not in SUPPORTED or totals[best] < _MIN_CONFIDENCE:
        return None
    return best
