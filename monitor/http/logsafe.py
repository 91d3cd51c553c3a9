"""What the HTTP libraries log about an answer, made printable: a reason phrase is site text like any other.

httpx logs every answer's status line at INFO (`HTTP Request: GET ... "HTTP/1.1 418 <reason>"`), and the reason
phrase is whatever the server wrote, escape sequences included. A filter on the libraries' loggers passes each
record's arguments through `printable` before any handler formats it.
"""

from __future__ import annotations

import logging

from monitor.core.text_safety import printable

__all__ = ["LIBRARY_LOGGERS", "PrintableArguments", "install"]

LIBRARY_LOGGERS = ("httpx", "httpcore")


class PrintableArguments(logging.Filter):
    """Makes a record's message and text arguments printable; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place and keep it."""
        if isinstance(record.msg, str):
            record.msg = printable(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(printable(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: printable(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


_FILTER = PrintableArguments()


def install() -> None:
    """Put the filter on the HTTP libraries' loggers (once; calling again changes nothing)."""
    for name in LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
