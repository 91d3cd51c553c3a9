"""The polite HTTP fetcher: per-host politeness, robots.txt, retries, conditional requests, body limits."""
