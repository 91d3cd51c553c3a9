"""py3langid's language identifier with its byte walk done by numpy, for the same scores to the last bit.

py3langid finds a text's byte n-gram features by walking its automaton one byte at a time in Python, the
largest single cost of a review's analysis. The automaton is an Aho-Corasick one: its state after a byte is
the longest suffix of the text so far that is a node of its trie, so it depends only on the last few bytes,
and every position's state can be found at once by walking the ``_WINDOW`` bytes up to each position in
parallel, which repays numpy's cost per call from a few hundred bytes on. The states found are checked
against the automaton's transitions, so a model with a deeper trie is read byte by byte as before, never
misread.

The model's weights are float16, and numpy widens them to float32 one value at a time for every text; the
rows of the features reviews use most are kept widened (see ``_Rows``).
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
from py3langid.langid import LanguageIdentifier

__all__ = ["Identifier"]

# The depth of the trie of py3langid's shipped model (pinned below 0.5): n-grams of up to six bytes.
_WINDOW = 6
# Below this many bytes py3langid's own walk is cheaper: the fifty-odd numpy calls cost what 200 bytes do.
_SHORTEST = 256
# Widened weight rows kept, 9 MB of the model's 100,000 (57 MB widened): the first 16,384 features that
# reviews use serve about 99 % of a review's features once a few thousand reviews are read.
_WIDENED_ROWS = 16_384


class Identifier(LanguageIdentifier):  # type: ignore[misc]  # py3langid is untyped
    """A ``LanguageIdentifier`` whose raw scores are computed in numpy; ``_decide`` and the rest are py3langid's."""

    __slots__ = ("_features", "_moves", "_offsets", "_rows")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._moves = np.frombuffer(self.tk_nextmove, dtype=np.uint32)
        self._offsets = np.asarray(self.tk_row, dtype=np.intp) << 8
        self._features = np.asarray(self.tk_output, dtype=np.int32)
        self._rows = _Rows(self.nb_ptc)

    def _raw_score(self, text: bytes) -> Any:
        """Naive Bayes scores of the encoded text, equal to py3langid's own to the last bit."""
        found = self._visits(text) if len(text) >= _SHORTEST and self._rows.table is self.nb_ptc else None
        if found is None:
            # A short text, no feature, a text the window cannot read, or languages restricted since.
            return super()._raw_score(text)
        features, counts = found
        # py3langid's sparse score: the same float32 operands (widening is exact) in the same order.
        return np.log1p(counts) @ self._rows.take(features) + self.nb_pc

    def _visits(self, text: bytes) -> tuple[Any, Any] | None:
        """The features seen, in order of first sighting, and how often each; None when there are none."""
        data = np.frombuffer(text, dtype=np.uint8).astype(np.intp)
        if not len(data):
            return None
        states = np.zeros(len(data), dtype=np.intp)
        for back in range(min(_WINDOW, len(data)) - 1, -1, -1):
            # Every position takes the byte ``back`` places before it; positions that close to the start wait.
            states[back:] = self._moves[self._offsets[states[back:]] + data[: len(data) - back]]
        previous = np.concatenate(([0], states[:-1]))
        if not np.array_equal(self._moves[self._offsets[previous] + data], states):
            return None
        features = self._features[states]
        features = features[features >= 0]
        if not len(features):
            return None
        unique, first, counts = np.unique(features, return_index=True, return_counts=True)
        # py3langid counts features in a Counter, whose order (first sighting) is the order of the sum.
        order = np.argsort(first, kind="stable")
        return unique[order], counts[order].astype(np.float32)


class _Rows:
    """Weight rows widened to float32, the first ``_WIDENED_ROWS`` features asked for kept widened."""

    def __init__(self, table: Any) -> None:
        self.table = table
        self._slots = np.full(len(table), -1, dtype=np.int32)
        # Untouched pages of the array cost no memory: a process that reads few reviews stays small.
        self._kept = np.empty((_WIDENED_ROWS, table.shape[1]), dtype=np.float32)
        self._used = 0
        self._lock = threading.Lock()

    def take(self, features: Any) -> Any:
        """The float32 weight rows of distinct ``features``, in their order."""
        slots = self._slots[features]
        missing = slots < 0
        if missing.any() and self._used < len(self._kept):
            self._keep(features[missing])
            slots = self._slots[features]
            missing = slots < 0
        rows = self._kept[slots]
        if missing.any():
            rows[missing] = self.table[features[missing]]
        return rows

    def _keep(self, features: Any) -> None:
        with self._lock:
            # Another thread may have kept some since; a row is written before its slot says it is there.
            features = features[self._slots[features] < 0][: len(self._kept) - self._used]
            slots = np.arange(self._used, self._used + len(features), dtype=np.int32)
            self._kept[slots] = self.table[features]
            self._slots[features] = slots
            self._used += len(features)
