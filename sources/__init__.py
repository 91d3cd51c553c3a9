"""Source adapters: each turns one site's pages (or an export file) into plain review records."""

from sources.base import Option, Page, PageResult, Source, get_source_class, registry
from sources.records import ReplyRecord, ReviewRecord

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
