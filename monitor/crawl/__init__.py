"""The crawl stage: runs a source through the fetcher, stores what it found, analyses it, records the run."""
