"""Every error the product raises on purpose.

MonitorError                  base; the CLI prints its message and exits non-zero
├── ConfigError               the TOML file is missing, malformed or has a bad value (names file and key)
├── UnknownSourceKind         a source kind that is not registered (lists the known kinds)
├── SourceError               a source could not produce records
│   ├── FetchError            the site could not be fetched
│   │   ├── Unreachable       DNS, connection refused/reset, timeouts after retries
│   │   ├── Blocked           403/429 after retries, or robots.txt forbids the URL
│   │   └── BodyTooLarge      the response is bigger than the configured limit
│   ├── LayoutChanged         the page fetched fine but is not the layout the adapter knows
│   └── BadExport             an export file is missing columns or is not CSV/JSON
├── NotFound                  a company, source, task or review that does not exist
└── WorkflowError             a task transition that is not allowed (e.g. claiming a held task)
"""

from __future__ import annotations

__all__ = [
    "BadExport",
    "Blocked",
    "BodyTooLarge",
    "ConfigError",
    "FetchError",
    "LayoutChanged",
    "MonitorError",
    "NotFound",
    "SourceError",
    "UnknownSourceKind",
    "Unreachable",
    "WorkflowError",
]


class MonitorError(Exception):
    """Base class: a problem the user can understand and act on."""


class ConfigError(MonitorError):
    """The configuration file is missing, malformed, or holds an invalid value."""


class UnknownSourceKind(MonitorError):
    """A source kind that no adapter is registered for."""


class SourceError(MonitorError):
    """A source could not produce records."""


class FetchError(SourceError):
    """The site could not be fetched."""

    def __init__(self, message: str, *, url: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


class Unreachable(FetchError):
    """The host could not be reached (DNS, refused, reset, timeout) even after retries."""


class Blocked(FetchError):
    """The site refused us (403/429 after retries) or robots.txt disallows the URL."""


class BodyTooLarge(FetchError):
    """The response body exceeded the configured maximum size."""


class LayoutChanged(SourceError):
    """The page was fetched but does not look like what the adapter knows how to read."""


class BadExport(SourceError):
    """An export file cannot be read: wrong format or a required column is missing."""


class NotFound(MonitorError):
    """A company, source, task or review that does not exist."""


class WorkflowError(MonitorError):
    """A task transition that the workflow does not allow."""
