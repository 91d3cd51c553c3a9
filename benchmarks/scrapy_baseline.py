"""The Scrapy side of the crawl benchmark: the same crawl, as a Scrapy user would write it.

Reads a crawl spec (start URLs, pages per host, min_delay, concurrency, User-Agent) as JSON on stdin,
crawls with a `CrawlerProcess`, and prints one JSON line with pages, records, wall and CPU seconds.
`benchmarks/bench_crawl.py` starts it; run alone it needs a running benchmark site:

    echo '{"start_urls": ["http://127.0.0.2:PORT/consumer/business/cell-c/reviews?page=1"], "pages": 20,
           "min_delay": 0.1, "concurrency": 2}' | .venv/bin/python benchmarks/scrapy_baseline.py

Politeness matches the product's `HostPolicy`: `DOWNLOAD_DELAY` = min_delay between request starts
per host without randomisation, `CONCURRENT_REQUESTS_PER_DOMAIN` = concurrency, robots.txt obeyed,
AutoThrottle off, 4 retries, a 30 s timeout and a 20 MB size limit. Scrapy keys its download slots by
host name, which is why every benchmark host has its own loopback address rather than its own port.
Each page is parsed by the same source adapter the product uses (the HelloPeter adapter, or the
benchmark's json-only one), so both crawlers do the same parsing work and differ only in how they fetch
and schedule; the records are yielded as Scrapy items.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response
from scrapy.settings import default_settings

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_crawl import CrawlSpec, Stopwatch, records_digest, report

from monitor.core.records import ReviewRecord
from sources.base import Page, Source, get_source_class


class HelloPeterSpider(scrapy.Spider):
    """Follows each host's pages and yields their reviews, parsed by the same source adapter as the product's."""

    name = "hellopeter_bench"

    def __init__(self, start_urls: list[str], source_kind: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_urls = start_urls
        # The adapter's parse only reads the page it is given; one instance serves every host.
        self.adapter: Source = get_source_class(source_kind)(start_urls[0])
        self.pages = 0
        self.pairs: list[tuple[str, str]] = []

    def parse(self, response: Response, **kwargs: Any) -> Iterator[ReviewRecord | scrapy.Request]:
        """Parse one API page: yield its reviews, then the request for the next page."""
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        page = Page(
            url=response.url, status=response.status, body=response.body, headers={"content-type": content_type}
        )
        result = self.adapter.parse(page)
        self.pages += 1
        source = f"host-{urlsplit(response.url).hostname}"
        for record in result.records:
            self.pairs.append((source, record.site_review_id))
            yield record
        if result.next_url:
            yield scrapy.Request(result.next_url, callback=self.parse)


def scrapy_settings(spec: CrawlSpec) -> dict[str, Any]:
    """Scrapy settings equal to the product's politeness for `spec`."""
    return {
        "USER_AGENT": spec.user_agent,
        "ROBOTSTXT_OBEY": True,
        "DOWNLOAD_DELAY": spec.min_delay,
        **_no_delay_jitter(),
        "CONCURRENT_REQUESTS_PER_DOMAIN": spec.concurrency,
        # The global cap must not be what limits a many-host crawl.
        "CONCURRENT_REQUESTS": max(16, len(spec.start_urls) * spec.concurrency),
        "AUTOTHROTTLE_ENABLED": False,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": 4,
        "DOWNLOAD_TIMEOUT": 30,
        "DOWNLOAD_MAXSIZE": 20_000_000,
        "LOG_LEVEL": "WARNING",
        "TELNETCONSOLE_ENABLED": False,
    }


def _no_delay_jitter() -> dict[str, Any]:
    """Exact download delays: newer Scrapy spells it DOWNLOAD_DELAY_JITTER = 0, older RANDOMIZE_DOWNLOAD_DELAY."""
    if hasattr(default_settings, "DOWNLOAD_DELAY_JITTER"):
        return {"DOWNLOAD_DELAY_JITTER": 0}
    return {"RANDOMIZE_DOWNLOAD_DELAY": False}


def main() -> None:
    """Run the spider over the spec read from stdin and print its figures."""
    spec = CrawlSpec.from_json(sys.stdin.read())
    process = CrawlerProcess(scrapy_settings(spec))
    crawler = process.create_crawler(HelloPeterSpider)
    watch = Stopwatch()
    # Timed from engine start to engine stop, as the product's crawl is timed without its imports.
    crawler.signals.connect(watch.start, signal=signals.engine_started)
    crawler.signals.connect(watch.stop, signal=signals.engine_stopped)
    process.crawl(crawler, start_urls=spec.start_urls, source_kind=spec.source_kind)
    process.start()
    spider = crawler.spider
    assert isinstance(spider, HelloPeterSpider)
    stats = crawler.stats.get_stats() if crawler.stats else {}
    report(
        pages=spider.pages,
        records=len(spider.pairs),
        digest=records_digest(spider.pairs),
        watch=watch,
        failures=int(stats.get("log_count/ERROR", 0)),
    )


if __name__ == "__main__":
    main()
