"""What every command module shares: the application context that the root command puts on the Typer context."""

from __future__ import annotations

import typer

from monitor.runtime.context import AppContext

__all__ = ["app_context"]


def app_context(ctx: typer.Context) -> AppContext:
    """The context of this invocation (settings, database), made by the root command's callback."""
    obj = ctx.find_root().obj
    if not isinstance(obj, AppContext):
        obj = AppContext(None)
        ctx.find_root().obj = obj
    return obj
