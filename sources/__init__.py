"""Source adapters: each turns one site's pages (or an export file) into plain review records."""

from monitor.core.records import ReplyRecord, ReviewRecord
from sources.base import Option, Page, PageResult, Source, get_source_class, registry

__all__ = [
    "Option",
    "Page",
    "PageResult",
    "ReplyRecord",
    "ReviewRecord",
    "Source",
    "get_source_class",
    "registry",
]
