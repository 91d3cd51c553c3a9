"""Decoding JSON that a site sent, with nesting too deep for the decoder reported as bad JSON instead of a crash.

Python's decoder recurses once per nesting level, so `[[[[…` a hundred thousand deep (a few hundred kilobytes)
raises `RecursionError`, which no adapter expects: the run would end as an adapter bug with a traceback. Here it
becomes a `json.JSONDecodeError`, which every adapter already reports as a page it cannot read.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["loads", "raw_decode"]

_DECODER = json.JSONDecoder()


def loads(document: str | bytes) -> Any:
    """`json.loads`, with too deep a nesting raised as `json.JSONDecodeError`."""
    try:
        return json.loads(document)
    except RecursionError:
        raise _too_deep(document if isinstance(document, str) else "", 0) from None


def raw_decode(text: str, start: int) -> tuple[Any, int]:
    """`json.JSONDecoder().raw_decode` from `start`, with too deep a nesting raised as `json.JSONDecodeError`."""
    try:
        return _DECODER.raw_decode(text, start)
    except RecursionError:
        raise _too_deep(text, start) from None


def _too_deep(document: str, position: int) -> json.JSONDecodeError:
    return json.JSONDecodeError("the JSON nests deeper than the decoder can follow", document, position)
