"""What every command module shares: the application context the root command puts on the Typer context, and the
one way stored or stranger text reaches the terminal."""

from __future__ import annotations

import typer

from monitor.core.text_safety import terminal_text
from monitor.runtime.console import safe
from monitor.runtime.context import AppContext

__all__ = ["app_context", "shown"]


def app_context(ctx: typer.Context) -> AppContext:
    """The context of this invocation (settings, database), made by the root command's callback."""
    obj = ctx.find_root().obj
    if not isinstance(obj, AppContext):
        obj = AppContext(None)
        ctx.find_root().obj = obj
    return obj


def shown(text: object, limit: int | None = None) -> str:
    """Text for a terminal line or table cell: printable, one line, Rich-escaped, without explicit bidi controls."""
    # `safe` keeps a balanced bidi override, which is right for a line printed whole; Rich wraps long lines and
    # table cells, and a terminal renders each line on its own, so here the controls go (see `terminal_text`).
    return safe(None if text is None else terminal_text(str(text)), limit)
