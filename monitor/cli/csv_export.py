"""Files for people who work in spreadsheets and BI tools: formula-safe CSV, whole files or none, `-` for stdout."""

from __future__ import annotations

import csv
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TextIO

from monitor.core.errors import MonitorError
from monitor.core.spreadsheet import safe_row
from monitor.core.text_safety import printable

__all__ = ["STDOUT", "csv_cell", "save_file", "write_csv_rows"]

STDOUT = "-"


def csv_cell(value: object) -> object:
    """One value as a CSV cell: text without control characters, times in ISO 8601, nothing as an empty cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        return printable(value)
    return value


def save_file(target: str | Path, option: str, write: Callable[[TextIO], object], *, bom: bool = False) -> None:
    """Write a file whole or not at all: into a temporary file beside it, renamed over the target when complete.

    A failed or interrupted export never leaves half a file where the last good one was. `bom` starts the file
    with a UTF-8 byte order mark: Excel reads a CSV without one in the machine's legacy code page, so every
    accented or non-Latin review would open as mojibake; LibreOffice, pandas (`utf-8-sig`) and BI tools accept it.
    """
    if str(target) == STDOUT:
        write(sys.stdout)  # a pipe: no mark, the reader is a program
        sys.stdout.flush()
        return
    path = Path(target)
    temp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        # newline="": the csv module writes its own line ends; other files hold only "\n".
        with os.fdopen(handle, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as stream:
            write(stream)
        os.replace(temp, path)
        temp = None
    except OSError as exc:
        raise MonitorError(f"{option} {path}: cannot write the file: {exc.strerror or exc}") from None
    finally:
        if temp is not None:
            Path(temp).unlink(missing_ok=True)


def write_csv_rows(stream: TextIO, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write the header and every row with formula-safe cells; the number of rows written."""
    writer = csv.writer(stream)
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(safe_row(csv_cell(value) for value in row))
        count += 1
    return count
