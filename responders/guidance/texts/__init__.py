"""Guidance texts per language: one module per language code, each defining `TEXTS` with the same keys."""

from __future__ import annotations

import importlib
from functools import cache

__all__ = ["SUPPORTED", "texts_for"]

SUPPORTED: tuple[str, ...] = ("en", "sk", "ro", "fi", "tr", "he")


@cache
def texts_for(code: str) -> dict[str, object]:
    """The text table of a supported language; raises KeyError for an unsupported one."""
    if code not in SUPPORTED:
        raise KeyError(code)
    texts: dict[str, object] = importlib.import_module(f"{__name__}.{code}").TEXTS
    return texts
