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
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np
from py3langid.langid import RAW_FLOOR, LanguageIdentifier

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

    def decide_many(self, texts: Sequence[str]) -> Any:
        """``_decide`` of every text, one row each: the byte walk and the scores done for all texts at once.

        A text's numbers are those of ``_decide`` to rounding (the per-text normalisation is done for the whole
        batch); most review texts are short, and a batch pays numpy's cost per call once instead of once a text.
        """
        classes = len(self.nb_classes)
        if not texts:
            return np.zeros((0, classes), dtype=np.float32)
        if self._rows.table is not self.nb_ptc:  # languages restricted since: py3langid's own path
            return np.array([self._decide(text) for text in texts], dtype=np.float32)
        encoded = [self._encode(text) for text in texts]
        raw, walked = self._batch_raw(encoded)
        for position in np.flatnonzero(~walked):
            raw[position] = super()._raw_score(encoded[position])
        if self._norm_probs:
            lengths = np.array([len(text) or 1 for text in encoded], dtype=np.float64)
            raw *= (1.0 / np.sqrt(lengths)).astype(np.float32)[:, None]
            np.exp(raw - raw.max(axis=1, keepdims=True), out=raw)
            raw /= raw.sum(axis=1, keepdims=True)
        for i, j in self._alias_pairs:
            if self._norm_probs:
                raw[:, i] += raw[:, j]
                raw[:, j] = 0.0
            else:
                np.maximum(raw[:, i], raw[:, j], out=raw[:, i])
                raw[:, j] = RAW_FLOOR
        return raw

    def _batch_raw(self, encoded: list[bytes]) -> tuple[Any, Any]:
        """Naive Bayes scores of every encoded text, and which texts the window walk read (the others: zeros)."""
        count = len(encoded)
        lengths = np.fromiter(map(len, encoded), dtype=np.intp, count=count)
        data = np.frombuffer(b"".join(encoded), dtype=np.uint8).astype(np.intp)
        owner = np.repeat(np.arange(count, dtype=np.intp), lengths)
        # Each byte's position inside its own text: the walk never reads across two texts.
        depth = np.arange(len(data), dtype=np.intp) - (np.cumsum(lengths) - lengths)[owner]
        states = np.zeros(len(data), dtype=np.intp)
        for back in range(_WINDOW - 1, -1, -1):
            at = np.flatnonzero(depth >= back)
            states[at] = self._moves[self._offsets[states[at]] + data[at - back]]
        previous = np.concatenate(([0], states[:-1]))
        previous[depth == 0] = 0
        wrong = self._moves[self._offsets[previous] + data] != states
        walked = np.ones(count, dtype=bool)
        walked[owner[wrong]] = False
        fill = 0.0 if self._norm_probs else RAW_FLOOR
        raw = np.full((count, len(self.nb_classes)), fill, dtype=np.float32)
        features = self._features[states]
        seen = np.flatnonzero((features >= 0) & walked[owner])
        if not len(seen):
            return raw, walked
        width = len(self.nb_ptc)
        keys = owner[seen] * width + features[seen]
        unique, first, counts = np.unique(keys, return_index=True, return_counts=True)
        # Texts in order, and in each text its features in order of first sighting, as py3langid sums them.
        order = np.argsort(first, kind="stable")
        unique, counts = unique[order], counts[order].astype(np.float32)
        text_of, feature = np.divmod(unique, width)
        distinct, inverse = np.unique(feature, return_inverse=True)
        # Each distinct feature's row once for the batch; a text gathers its own rows (a batch's worth at once would
        # be tens of megabytes).
        rows = self._rows.take(distinct)
        weights = np.log1p(counts)
        bounds = np.flatnonzero(np.concatenate(([True], text_of[1:] != text_of[:-1]), axis=None)).tolist()
        bounds.append(len(text_of))
        for start, end in pairwise(bounds):
            # py3langid's sparse score of one text, with the same float32 operands in the same order.
            raw[text_of[start]] = weights[start:end] @ rows[inverse[start:end]] + self.nb_pc
        return raw, walked


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
