"""Review-response monitor: collect public reviews, find unhappy reviewers and template replies, queue outreach."""

__version__ = "0.1.0"
