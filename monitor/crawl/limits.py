"""What one run may take from a site: each review once, no page read round in a loop, and a bounded number of reviews.

A site's next-page link is site data. One that leads back to a page already read (under another URL, so the
fetcher's own "URL seen" check does not catch it) would give the same reviews again and again until the page
limit; one that never ends would hold a run, and all it read, in memory for as long as pages keep coming. The
crawl runner feeds every parsed page through `RunLimits`, which keeps the first copy of each review, stops at a
page that only repeats reviews of the listing already read, and stops at `MAX_REVIEWS_PER_RUN` reviews.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from monitor.core.records import ReviewRecord
from monitor.crawl.record_checks import checked
from sources.base import PageResult

__all__ = ["MAX_REVIEWS_PER_RUN", "PageTake", "RunLimits"]

# A run holds its reviews in memory until the source is done (see `monitor.crawl.runner`); this bounds that memory
# whatever the site serves. It is far above any site's real listing read in one run (50 pages by default).
MAX_REVIEWS_PER_RUN = 100_000


@dataclass(frozen=True, slots=True)
class PageTake:
    """What to keep of one page, and why the run must stop after it (None: go on)."""

    records: list[ReviewRecord]
    # Fields left out of the kept reviews (see `monitor.crawl.record_checks`).
    problems: list[str] = field(default_factory=list)
    stop: str | None = None
    # Stopping at the run cap leaves reviews unread: the run is partial, not ok.
    capped: bool = False


@dataclass
class RunLimits:
    """Tracks one run's reviews across pages (see the module docstring)."""

    max_reviews: int = MAX_REVIEWS_PER_RUN
    taken: int = 0
    _ids: set[str] = field(default_factory=set)
    _listing_ids: set[str] = field(default_factory=set)

    def take(self, page: PageResult, url: str) -> PageTake:
        """The page's reviews not read before in this run, cut at the cap, with the reason to stop if any."""
        # Only pages of the listing count towards a loop: a landing page's sample repeats reviews the listing holds.
        if page.in_listing_order and page.records and all(r.site_review_id in self._listing_ids for r in page.records):
            return PageTake(
                [],
                stop=f"next-page link goes round in a loop: {url} holds only reviews already read in this run; "
                "stopped there",
            )
        if page.in_listing_order:
            self._listing_ids.update(r.site_review_id for r in page.records)
        fresh: list[ReviewRecord] = []
        notes: list[str] = []
        for record in page.records:
            if record.site_review_id not in self._ids:
                self._ids.add(record.site_review_id)
                kept, problems = checked(record)
                fresh.append(kept)
                notes.extend(problems)
        room = self.max_reviews - self.taken
        if len(fresh) >= room and (len(fresh) > room or page.next_url):
            self.taken = self.max_reviews
            return PageTake(
                fresh[:room],
                notes,
                f"stopped at {self.max_reviews} reviews, the most one run reads (is the site's listing endless?); "
                f"the listing from {url} on was not read",
                capped=True,
            )
        self.taken += len(fresh)
        return PageTake(fresh, notes)
