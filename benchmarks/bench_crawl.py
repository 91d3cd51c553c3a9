"""Crawl throughput of the shared fetcher against local hosts, and proof that politeness holds meanwhile.

Starts `--hosts` local test sites, each serving `--pages` pages of `--page-kb` KiB with `--latency`
seconds of server delay, then fetches every page through one `Fetcher` at once. Prints pages per
second, bytes, retries and the smallest gap between two request starts to one host, measured where the
client hands the request to the network (it must not fall below `--min-delay`) and where the server
parses it (informational: new connections and the servers sharing this process add jitter there).

    python benchmarks/bench_crawl.py --hosts 20 --pages 10 --min-delay 0.05 --latency 0.02
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.fetcher import Fetcher, FetchStats, HostPolicy
from monitor.testsite import TestSite


def _page(n: int, size: int) -> bytes:
    row = f"<article class='review' data-n='{n}'><p>Delivery was late and support did not answer.</p></article>\n"
    return ("<html><body>" + row * max(1, size // len(row)) + "</body></html>").encode()


class _StartLog(httpx.AsyncHTTPTransport):
    """A transport that notes when each request is handed to the network, per host."""

    def __init__(self) -> None:
        super().__init__()
        self.starts: defaultdict[str, list[float]] = defaultdict(list)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.starts[request.url.netloc.decode()].append(time.monotonic())
        return await super().handle_async_request(request)


def _smallest_gap(series: list[list[float]]) -> float:
    return min((b - a for times in series for a, b in itertools.pairwise(sorted(times))), default=float("inf"))


async def _crawl(
    sites: list[TestSite], pages: int, policy: HostPolicy, transport: _StartLog
) -> tuple[FetchStats, float]:
    stats = FetchStats()
    urls = [site.url(f"/reviews?page={n}") for n in range(pages) for site in sites]
    began = time.perf_counter()
    async with Fetcher(transport=transport) as fetcher:
        await asyncio.gather(*(fetcher.fetch(url, policy=policy, stats=stats) for url in urls))
    return stats, time.perf_counter() - began


def main(argv: list[str] | None = None) -> dict[str, object]:
    """Run the benchmark and print its figures; returns them for `run_all`-style collectors."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--pages", type=int, default=10, help="pages per host")
    parser.add_argument("--page-kb", type=int, default=30)
    parser.add_argument("--latency", type=float, default=0.02, help="server delay per request, seconds")
    parser.add_argument("--min-delay", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    args = parser.parse_args(argv)

    policy = HostPolicy(concurrency=args.concurrency, min_delay=args.min_delay)
    sites = [TestSite().start() for _ in range(args.hosts)]
    try:
        for site in sites:
            site.latency(args.latency)
            for n in range(args.pages):
                site.add_page(f"/reviews?page={n}", _page(n, args.page_kb * 1024), "text/html", compress=True)
        transport = _StartLog()
        stats, elapsed = asyncio.run(_crawl(sites, args.pages, policy, transport))
        client_gap = _smallest_gap(list(transport.starts.values()))
        server_gap = _smallest_gap([[r.time for r in site.requests] for site in sites])
    finally:
        for site in sites:
            site.stop()

    # Each host needs (robots.txt + pages - 1) gaps of min_delay at least; hosts run side by side.
    floor = args.min_delay * args.pages
    figures: dict[str, object] = {
        "hosts": args.hosts,
        "pages": stats.pages,
        "seconds": round(elapsed, 3),
        "pages_per_second": round(stats.pages / elapsed, 1),
        "wire_bytes": stats.bytes,
        "retries": stats.retries,
        "politeness_floor_seconds": round(floor, 3),
        "smallest_gap_client_seconds": round(client_gap, 4),
        "smallest_gap_server_seconds": round(server_gap, 4),
        "min_delay_respected": client_gap >= args.min_delay,
    }
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>26}: {value}")
    return figures


if __name__ == "__main__":
    main()
