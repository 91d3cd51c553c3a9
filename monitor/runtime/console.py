"""Console output shared by commands: one stdout console, one stderr console, untrusted text escaped."""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from monitor.core.errors import ConfigError, MonitorError
from monitor.core.redaction import redact_urls
from monitor.core.text_safety import printable, single_line, terminal_text

__all__ = [
    "EARLIEST_DAY",
    "LATEST_DAY",
    "err",
    "fail_cleanly",
    "fmt_time",
    "one_line",
    "out",
    "parse_day",
    "parse_options",
    "print_json",
    "safe",
    "safe_json",
]

# Days a command accepts: wide enough for any review, far enough from the calendar's ends (years 1 and 9999) that
# the windows commands compute around a day (the day after, the weeks before) never overflow.
EARLIEST_DAY = date(1970, 1, 1)
LATEST_DAY = date(2999, 12, 31)


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
    """Text from a review site, made safe for Rich markup (and shortened when `limit` is given).

    Without bidi controls (`terminal_text`): a terminal wraps lines where it likes, so an override closed further on
    would still be open at the end of a printed line and reverse what follows it.
    """
    return escape(single_line(terminal_text("" if text is None else str(text)), limit or None))


def _database_error(value: object) -> bool:
    """Whether `value` is a SQLAlchemy error.

    Looked up among the loaded modules rather than imported: only a command that loaded SQLAlchemy (to use the
    database) can raise its errors, and the others start without it.
    """
    errors = sys.modules.get("sqlalchemy.exc")
    return errors is not None and isinstance(value, errors.SQLAlchemyError)


def one_line(text: object, limit: int = 300) -> str:
    """An error or log message on one line: controls removed, URLs without their credentials, at most `limit`.

    A database error is reduced to the driver's reason: never the statement and its parameters.
    """
    if _database_error(text):
        text = getattr(text, "orig", None) or text
    value = redact_urls(" ".join(printable(str(text)).split()))
    return printable(value[:limit])


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


def safe_json(data: Any) -> Any:
    """`data` with every string in it (keys too) made printable, ready for `json.dumps`."""
    if isinstance(data, str):
        return printable(data)
    if isinstance(data, dict):
        return {safe_json(str(k)): safe_json(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [safe_json(v) for v in data]
    if data is None or isinstance(data, bool | int | float):
        return data
    return printable(str(data))


def parse_day(text: str, option: str = "--date") -> date:
    """A YYYY-MM-DD command-line day between EARLIEST_DAY and LATEST_DAY, or an error naming `option`."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(f"{option} {text!r}: use YYYY-MM-DD") from None
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ConfigError(f"{option} {text!r}: must be between {EARLIEST_DAY} and {LATEST_DAY}")
    return day


def print_json(data: Any) -> None:
    """Machine-readable output on stdout, nothing else; text from review sites made printable like every output."""
    sys.stdout.write(json.dumps(safe_json(data), ensure_ascii=False) + "\n")


def fail_cleanly(func: Callable[P, R]) -> Callable[P, R]:
    """Turn product errors into one clear line on stderr and exit status 1."""
    return failing_with(1)(func)


def failing_with(status: int) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """`fail_cleanly` with exit status `status`, for a command whose statuses mean more (`import`: 2 is failed)."""

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return func(*args, **kwargs)
            except MonitorError as exc:
                err.print(f"[bold red]error:[/] {escape(one_line(exc, 2000))}")
                raise typer.Exit(status) from None
            except Exception as exc:
                if not _database_error(exc):
                    raise
                # A database problem the product did not foresee: one line, never the statement and its parameters.
                reason = one_line(exc)
                err.print(f"[bold red]database error:[/] {escape(exc.__class__.__name__)}: {escape(reason)}")
                raise typer.Exit(status) from None

        return wrapper

    return decorate
