"""Making stranger-written text safe to print: no terminal control sequences, whatever the output."""

from __future__ import annotations

import re

__all__ = ["printable"]

# C0 controls except tab and newline, DEL, and C1 controls: ESC sequences can retitle, clear or recolour a
# terminal, and some e-mail clients show them as garbage. Right-to-left marks are letters' business and stay.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` without control characters (tab and newline are kept)."""
    return _CONTROLS.sub("", text)
