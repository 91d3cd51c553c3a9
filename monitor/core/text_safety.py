"""Making stranger-written text safe to store and to print: no control characters, no runaway bidi overrides.

One rule for every place text goes: the store cleans what a site sent once, before it is written (PostgreSQL refuses
a NUL byte in text, SQLite would keep it), and every output applies the same rule again, so text from an older
database, an error message or a URL is just as safe in a terminal, a JSON line or an e-mail.
"""

from __future__ import annotations

import re

__all__ = ["clean_text", "printable"]

# C0 controls except tab and newline, DEL, and C1 controls: NUL breaks PostgreSQL text, ESC sequences can retitle,
# clear or recolour a terminal, and some e-mail clients show the rest as garbage.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# Explicit bidi formatting: embeddings and overrides (LRE, RLE, LRO, RLO) end with PDF, isolates (LRI, RLI, FSI)
# with PDI. Left open, an override reverses whatever is printed after the text (a name, a rating, a link).
# The implicit marks (LRM, RLM, ALM) act on neighbouring letters only and stay.
_EMBEDDINGS = "\u202a\u202b\u202d\u202e"
_PDF = "\u202c"
_ISOLATES = "\u2066\u2067\u2068"
_PDI = "\u2069"
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def _balance_bidi(text: str) -> str:
    """`text` with every bidi embedding, override and isolate closed, and closers without an opener dropped."""
    if not _BIDI.search(text):
        return text
    parts: list[str] = []
    stack: list[str] = []  # the closer each open control needs, innermost last
    for char in text:
        if char in _EMBEDDINGS:
            stack.append(_PDF)
        elif char in _ISOLATES:
            stack.append(_PDI)
        elif char == _PDF:
            # A PDF only closes an embedding opened inside the current isolate; otherwise it is ignored by
            # renderers anyway, and dropping it keeps the text balanced.
            if not stack or stack[-1] != _PDF:
                continue
            stack.pop()
        elif char == _PDI:
            if _PDI not in stack:
                continue
            # A PDI also ends the embeddings opened inside its isolate: close them explicitly first.
            while stack[-1] != _PDI:
                parts.append(stack.pop())
            stack.pop()
        parts.append(char)
    parts.extend(reversed(stack))
    return "".join(parts)


def clean_text(text: str) -> str:
    """`text` without control characters (tab and newline are kept) and with its bidi controls balanced."""
    return _balance_bidi(_CONTROLS.sub("", text))


def printable(text: str) -> str:
    """`text` made safe for a terminal, a JSON line or an e-mail: the same rule as `clean_text`."""
    return clean_text(text)
