"""Cells for CSV files that people open in a spreadsheet: text that would run as a formula is made inert.

A review, an author name or a company name that starts with `=`, `+`, `-` or `@` is read by Excel, LibreOffice
and Google Sheets as a formula (`=HYPERLINK(...)`, `=cmd|...`); a leading tab or carriage return lets such text
slip past checks of the first character. A single quote in front makes the spreadsheet show the text as typed.
Numbers are left alone: a negative number is a number, not a formula.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["FORMULA_STARTS", "safe_cell", "safe_row"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """The value to write in a CSV cell: text starting like a formula gets a leading `'`; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[object]) -> list[object]:
    """A CSV row with every cell passed through `safe_cell`."""
    return [safe_cell(value) for value in values]
