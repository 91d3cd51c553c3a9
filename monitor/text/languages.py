"""The registry of language codes the product knows: nothing outside it is detected, stored as detected or served."""

from __future__ import annotations

__all__ = ["SUPPORTED"]

# ISO 639-1 codes. The complaint lexicons, the reply checker's phrase rules and the outreach guidance texts
# each cover a subset of these; a language with none of them would be detected only to be ignored.
SUPPORTED: frozenset[str] = frozenset(
    {"en", "sk", "ro", "fi", "tr", "he", "ru", "de", "pt", "es", "ar", "fr", "id", "ms", "tl", "vi", "th", "hi"}
)
