"""Decoding JSON that a site sent, with what the decoder cannot follow reported as bad JSON instead of a crash.

Python's decoder recurses once per nesting level, so `[[[[…` a hundred thousand deep (a few hundred kilobytes)
raises `RecursionError`; an integer of more than 4,300 digits raises a plain `ValueError` (Python's guard against
slow conversions). No adapter expects either: the run would end as an adapter bug with a traceback. Here both
become a `json.JSONDecodeError`, which every adapter already reports as a page (or block) it cannot read.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["TooDeep", "loads", "raw_decode"]

_DECODER = json.JSONDecoder()


class TooDeep(json.JSONDecodeError):
    """The JSON nests deeper than the decoder can follow."""


def loads(document: str | bytes) -> Any:
    """`json.loads`, with too deep a nesting or too long a number raised as `json.JSONDecodeError`."""
    try:
        return json.loads(document)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise _too_deep(document if isinstance(document, str) else "", 0) from None
    except ValueError as exc:  # an integer too long to convert
        raise json.JSONDecodeError(f"a number too long to read ({str(exc)[:80]})", "", 0) from None


def raw_decode(text: str, start: int) -> tuple[Any, int]:
    """`json.JSONDecoder().raw_decode` from `start`, with what `loads` refuses raised as `json.JSONDecodeError`."""
    try:
        return _DECODER.raw_decode(text, start)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise _too_deep(text, start) from None
    except ValueError as exc:  # an integer too long to convert
        raise json.JSONDecodeError(f"a number too long to read ({str(exc)[:80]})", text, start) from None


def _too_deep(document: str, position: int) -> TooDeep:
    return TooDeep("the JSON nests deeper than the decoder can follow", document, position)
