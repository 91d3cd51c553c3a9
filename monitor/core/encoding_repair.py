"""Undoing encoding damage only: UTF-8 read as Windows-1252 or Latin-1 ("Weâ€™re"), nothing else rewritten."""

from __future__ import annotations

import ftfy

__all__ = ["repair_encoding"]

# Quotes, ligatures, full-width characters, HTML entities and line breaks stay exactly as the writer typed them:
# a repaired text must read like the same text that was never damaged.
_ENCODING_ONLY = ftfy.TextFixerConfig(
    unescape_html=False,
    uncurl_quotes=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    fix_line_breaks=False,
    explain=False,
)


def repair_encoding(text: str) -> str:
    """``text`` with mojibake undone by ftfy and everything else left as written."""
    return ftfy.fix_text(text, _ENCODING_ONLY)
