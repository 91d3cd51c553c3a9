"""Console output shared by commands: one stdout console, one stderr console, untrusted text escaped."""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.exc import SQLAlchemyError

from monitor.core.errors import ConfigError, MonitorError
from monitor.core.text_safety import printable

__all__ = ["err", "fail_cleanly", "fmt_time", "out", "parse_options", "print_json", "safe"]


def _width() -> int | None:
    """Terminal width on a terminal; a roomy fixed width when piped, so tables do not squeeze to 80 columns."""
    if os.environ.get("COLUMNS") or sys.stdout.isatty():
        return None
    return 160


out = Console(highlight=False, width=_width())
# Errors are one line whatever the terminal width: a wrapped message splits paths and breaks scripts that grep it.
err = Console(stderr=True, highlight=False, width=_width(), soft_wrap=True)

P = ParamSpec("P")
R = TypeVar("R")


def safe(text: object, limit: int | None = None) -> str:
    """Text from a review site, made safe for Rich markup (and shortened when `limit` is given)."""
    value = printable("" if text is None else str(text))
    value = " ".join(value.split())
    if limit and len(value) > limit:
        value = value[: limit - 1] + "…"
    return escape(value)


def fmt_time(value: datetime | None) -> str:
    """A short UTC time for tables."""
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


def parse_options(pairs: list[str]) -> dict[str, str]:
    """`KEY=VALUE` command-line options as a dict, or a clear error for a malformed one."""
    options: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--option {pair!r}: expected KEY=VALUE")
        options[key.strip()] = value
    return options


def print_json(data: Any) -> None:
    """Machine-readable output on stdout, nothing else."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")


def fail_cleanly(func: Callable[P, R]) -> Callable[P, R]:
    """Turn product errors into one clear line on stderr and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except MonitorError as exc:
            err.print(f"[bold red]error:[/] {escape(str(exc))}")
            raise typer.Exit(1) from None
        except SQLAlchemyError as exc:
            # A database problem the product did not foresee: one line, never the statement and its parameters.
            reason = " ".join(str(getattr(exc, "orig", None) or exc).split())[:300]
            err.print(f"[bold red]database error:[/] {escape(exc.__class__.__name__)}: {escape(printable(reason))}")
            raise typer.Exit(1) from None

    return wrapper
