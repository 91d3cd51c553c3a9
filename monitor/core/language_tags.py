"""Language tags as sites, devices and people write them, reduced to the bare codes the product stores."""

from __future__ import annotations

__all__ = ["language_code"]

# Old codes that systems still write: Java and Android locales say "in" (Indonesian) and "iw" (Hebrew); "fil" is
# the three-letter code of Filipino, which the lexicons and rules know as Tagalog ("tl").
_ALIASES = {"iw": "he", "in": "id", "ji": "yi", "fil": "tl"}


def language_code(tag: str | None) -> str | None:
    """The bare lower-case language of a tag such as "pt-BR", "en_GB", "in_ID" or "iw" ("pt", "en", "id", "he");
    None for a blank one. The code need not be one the product supports (`monitor.text.languages.SUPPORTED`)."""
    if tag is None or not tag.strip():
        return None
    short = tag.strip().replace("_", "-").split("-")[0].lower()
    return _ALIASES.get(short, short) or None
