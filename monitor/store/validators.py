"""Conditional-request validators kept per source in the database, saved only with what they stand for.

A crawl reads the stored ETags and Last-Modified dates of its source, and collects the new ones in
memory. They are written in the same transaction as the reviews: a run that fails or is killed must
not leave an ETag behind whose page content was never stored, or the next run would get a 304 for a
page it never read.
"""

from __future__ import annotations

from sqlmodel import Session, select

from monitor.store.db import utcnow
from monitor.store.models import HttpValidator

__all__ = ["StagedValidators"]

Validators = tuple[str | None, str | None]


class StagedValidators:
    """A `ValidatorCache` for one crawl run: stored validators in, new ones held until `save`."""

    def __init__(self, stored: dict[str, Validators]) -> None:
        self._stored = stored
        self.staged: dict[str, Validators] = {}

    @classmethod
    def load(cls, *, session: Session, source_id: int) -> StagedValidators:
        """The validators stored for one source."""
        rows = session.exec(select(HttpValidator).where(HttpValidator.source_id == source_id)).all()
        return cls({row.url: (row.etag, row.last_modified) for row in rows})

    def get(self, url: str) -> Validators | None:
        """The (etag, last_modified) for `url`: this run's, else the stored ones."""
        return self.staged.get(url) or self._stored.get(url)

    def put(self, url: str, etag: str | None, last_modified: str | None) -> None:
        """Hold the validators a response carried until the run's data is stored."""
        self.staged[url] = (etag, last_modified)

    def save(self, *, session: Session, source_id: int) -> None:
        """Write the held validators (call inside the transaction that stores the run's reviews)."""
        if not self.staged:
            return
        existing = {
            row.url: row
            for row in session.exec(select(HttpValidator).where(HttpValidator.source_id == source_id)).all()
        }
        now = utcnow()
        for url, (etag, last_modified) in self.staged.items():
            row = existing.get(url) or HttpValidator(source_id=source_id, url=url)
            row.etag, row.last_modified, row.updated_at = etag, last_modified, now
            session.add(row)
        self._stored.update(self.staged)
        self.staged.clear()
