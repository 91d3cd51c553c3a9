"""Crawl benchmark: the product's crawl path against Scrapy, on many local hosts with realistic latency.

    .venv/bin/python benchmarks/bench_crawl.py [--scenario 20x20 --scenario 50x10] [--repeat 3] [--json]

Each scenario starts a separate server process with one `tests.site.TestSite` per host, each on its
own loopback address (127.0.0.2, 127.0.0.3, ...) so per-host politeness applies per site in both crawlers.
Every host is one HelloPeter source: real recorded API records (tests/fixtures/hellopeter) wrapped ten to
a page in the paged JSON envelope, gzip-encoded, page n pointing to page n + 1, plus a robots.txt. Each
URL answers after its own latency, drawn once from `latency ± jitter` with a fixed seed, so every run of
every crawler sees the same site.

Three crawlers run against the same server, interleaved, `--repeat` times each (figures are medians):

- `ours: collect`: the shared `Fetcher` and the HelloPeter adapter through `monitor.crawl.runner.collect`
  (fetch and parse, nothing stored), all sources at once as `crawl_sources` runs them;
- `ours: crawl+store`: `monitor.crawl.runner.crawl_sources` into a fresh, migrated SQLite file (the real path);
- `scrapy`: `benchmarks/scrapy_baseline.py`, a Scrapy spider with the same politeness settings that
  parses each page with the same adapter and yields the records as items.

Each crawler runs in its own process, measured from inside: wall time and CPU (user + system) around the
crawl (imports and database set-up excluded), RSS when the crawl starts and the process's peak RSS
(`VmHWM`). The server process reports how many requests each crawler made, when the first one arrived,
and the smallest and mean gap between two successive requests to one host.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import itertools
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Importable without installing the project, hence after the path set-up.
from monitor.core.records import ReviewRecord  # noqa: E402
from sources.base import Page, PageResult, Source  # noqa: E402

RECORDS = ROOT / "tests" / "fixtures" / "hellopeter" / "cell-c_2021_reviews_first300.jsonl.gz"
API_PATH = "/consumer/business/cell-c/reviews"
PAGE_SIZE = 10
ROBOTS_TXT = "User-agent: *\nDisallow: /private/\nAllow: /\n"
USER_AGENT = "review-response-monitor-bench/1.0"
CRAWLERS = ("ours: collect", "ours: crawl+store", "scrapy")
# How pages are parsed: the product's HelloPeter adapter, or only json.loads and a few fields.
PARSERS = {"adapter": "hellopeter", "json": "bench_hellopeter_json"}


class HelloPeterJsonOnly(Source):
    """HelloPeter API pages read with json.loads and a few fields, so fetching dominates the cost."""

    name = "bench_hellopeter_json"
    help = "benchmark only: HelloPeter API pages with minimal parsing"

    def parse(self, page: Page) -> PageResult:
        """Reviews (id, text, rating) of one API page and the link to the next."""
        envelope = json.loads(page.body)
        records = [
            ReviewRecord(site_review_id=str(raw["id"]), body=str(raw["review_content"]), rating=raw["review_rating"])
            for raw in envelope["data"]
        ]
        following = envelope.get("next_page_url")
        return PageResult(records=records, next_url=urljoin(page.url, following) if following else None)


# The site (runs in its own process).


def host_address(index: int) -> str:
    """The loopback address of host `index`: 127.0.0.2, 127.0.0.3, ... (Linux routes all of 127/8)."""
    number = index + 2
    return f"127.0.{number // 254}.{number % 254 + 1}" if number >= 254 else f"127.0.0.{number}"


def api_pages(pages: int, offset: int) -> list[bytes]:
    """`pages` JSON envelopes of real records, starting `offset` pages into the recording (wrapping round)."""
    lines = gzip.decompress(RECORDS.read_bytes()).decode().splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    chunks = len(records) // PAGE_SIZE
    bodies = []
    for number in range(1, pages + 1):
        cycle, chunk = divmod(offset + number - 1, chunks)
        data = records[chunk * PAGE_SIZE : (chunk + 1) * PAGE_SIZE]
        if cycle:
            # Past the end of the recording the records repeat; distinct ids keep a source's reviews distinct.
            data = [{**record, "id": f"{record['id']}-{cycle}"} for record in data]
        envelope = {
            "data": data,
            "current_page": number,
            "last_page": pages,
            "per_page": PAGE_SIZE,
            "total": pages * PAGE_SIZE,
            "next_page_url": f"{API_PATH}?page={number + 1}" if number < pages else None,
        }
        bodies.append(json.dumps(envelope).encode())
    return bodies


def serve(hosts: int, pages: int, latency: float, jitter: float, seed: int) -> None:
    """Serve the benchmark site until stdin closes; answer `stats` lines with per-host request figures."""
    from tests.site import Slow, TestSite

    rng = random.Random(seed)

    def delay() -> Slow:
        return Slow(max(0.0, rng.uniform(latency - jitter, latency + jitter)))

    sites = []
    for index in range(hosts):
        site = TestSite(host=host_address(index)).start()
        site.set_robots(ROBOTS_TXT)
        site.add_fault("/robots.txt", delay())
        for number, body in enumerate(api_pages(pages, offset=index), start=1):
            path = f"{API_PATH}?page={number}"
            # Stored gzip-encoded, as an API would send it, so the server spends no time compressing.
            headers = {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
            site.add_page(path, gzip.compress(body, 6), "application/json", headers=headers)
            site.add_fault(path, delay())
        sites.append(site)
    print(json.dumps({"start_urls": [site.url(f"{API_PATH}?page=1") for site in sites]}), flush=True)
    for command in sys.stdin:
        if command.strip() == "stats":
            print(json.dumps(_request_stats(sites)), flush=True)
    for site in sites:
        site.stop()


def _request_stats(sites: Sequence[Any]) -> dict[str, Any]:
    """Requests since the last call, and the smallest gap between two arrivals at one host; clears the logs."""
    series = [sorted(site.requests, key=lambda r: r.time) for site in sites]
    pairs = [(b.time - a.time, a.path, b.path) for log in series for a, b in itertools.pairwise(log)]
    smallest = min(pairs, default=None)
    for site in sites:
        site.requests.clear()
    return {
        "requests": sum(len(log) for log in series),
        "smallest_gap": smallest[0] if smallest else None,
        "smallest_gap_between": smallest[1:] if smallest else None,
        "mean_gap": statistics.fmean(gap for gap, _, _ in pairs) if pairs else None,
        "first_arrival": min((log[0].time for log in series if log), default=None),
    }


# What a crawler process reports.


def records_digest(pairs: Iterable[tuple[str, str]]) -> str:
    """A short digest of (host, review id) pairs, so crawlers can be shown to have extracted the same records."""
    joined = "\n".join(sorted(f"{host} {rid}" for host, rid in pairs))
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


def cpu_seconds() -> float:
    """User + system CPU seconds this process has used so far (all threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def memory_kib(field: str) -> int:
    """`VmRSS` (now) or `VmHWM` (peak) of this process in KiB, from /proc/self/status.

    Not `ru_maxrss`: Linux carries it over from the parent through fork and exec, so a child started by
    a bigger parent would report the parent's size.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class Stopwatch:
    """Wall and CPU time of the crawl itself; `time.monotonic` is the same clock the site logs requests on."""

    def __init__(self) -> None:
        self.started = self.wall = self.cpu = 0.0
        self.rss_at_start_kib = 0

    def start(self) -> None:
        """Note the crawl's start, and the memory the process already holds (imports, set-up)."""
        self.started, self.cpu = time.monotonic(), cpu_seconds()
        self.rss_at_start_kib = memory_kib("VmRSS")

    def stop(self) -> None:
        """Note the crawl's end."""
        self.wall, self.cpu = time.monotonic() - self.started, cpu_seconds() - self.cpu


def report(*, pages: int, records: int, digest: str, watch: Stopwatch, failures: int = 0) -> None:
    """Print a crawler process's one-line JSON result (the parent reads the last line of stdout)."""
    figures = {"pages": pages, "records": records, "digest": digest, "failures": failures}
    timing = {"started": watch.started, "wall": watch.wall, "cpu": watch.cpu}
    memory = {"rss_at_start_kib": watch.rss_at_start_kib, "peak_rss_kib": memory_kib("VmHWM")}
    print(json.dumps(figures | timing | memory), flush=True)


@dataclass(frozen=True)
class CrawlSpec:
    """What every crawler is told: where to start and how politely to fetch."""

    start_urls: list[str]
    pages: int
    min_delay: float
    concurrency: int
    parse: str = "adapter"
    user_agent: str = USER_AGENT

    @property
    def source_kind(self) -> str:
        """The registered source kind that parses this crawl's pages."""
        return PARSERS[self.parse]

    @classmethod
    def from_json(cls, text: str) -> CrawlSpec:
        """Read the spec a parent wrote to stdin."""
        return cls(**json.loads(text))


# Our crawler (runs in its own process).


def run_ours(spec: CrawlSpec, *, store: bool) -> None:
    """Crawl every start URL as one source with the product's code, then `report`."""
    import asyncio
    from urllib.parse import urlsplit

    from monitor.core.settings import CompanyConfig, Settings, SourceConfig
    from monitor.crawl.runner import collect, crawl_sources, policy_for
    from monitor.http.fetcher import Fetcher, FetchStats
    from monitor.runtime.context import open_database
    from monitor.store.health import Health

    sources = [
        SourceConfig(
            name=f"host-{urlsplit(url).hostname}",
            kind=spec.source_kind,
            locator=url,
            company="Bench",
            min_delay=spec.min_delay,
            concurrency=spec.concurrency,
            max_pages=spec.pages + 1,
        )
        for url in spec.start_urls
    ]

    async def collect_all() -> tuple[int, list[tuple[str, str]]]:
        async with Fetcher(user_agent=spec.user_agent) as fetcher:
            results = await asyncio.gather(
                *(
                    collect(src=s, fetch=fetcher.bind(policy_for(s), FetchStats()), max_pages=s.max_pages)
                    for s in sources
                )
            )
        for src, got in zip(sources, results, strict=True):
            if got.health != Health.OK:
                raise SystemExit(f"{src.name}: {got.health.value}: {got.message}")
        pairs = [(src.name, r.site_review_id) for src, got in zip(sources, results, strict=True) for r in got.records]
        return sum(got.pages for got in results), pairs

    watch = Stopwatch()
    if not store:
        watch.start()
        pages, pairs = asyncio.run(collect_all())
        watch.stop()
        report(pages=pages, records=len(pairs), digest=records_digest(pairs), watch=watch)
        return

    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as folder:
        url = f"sqlite:///{folder}/monitor.store.db"
        engine = open_database(url)
        settings = Settings(
            database_url=url, user_agent=spec.user_agent, companies=(CompanyConfig("Bench", sources=tuple(sources)),)
        )
        watch.start()
        outcomes = asyncio.run(crawl_sources(engine=engine, settings=settings, sources=sources))
        watch.stop()
        bad = [o for o in outcomes if o.health != Health.OK or o.new != o.seen]
        if bad:
            raise SystemExit(f"{bad[0].source}: {bad[0].health.value}: {bad[0].message}")
        # Digest from what was stored, so a lost write shows up as a mismatch.
        pairs = _stored_pairs(engine)
        report(pages=sum(o.pages for o in outcomes), records=len(pairs), digest=records_digest(pairs), watch=watch)


def _stored_pairs(engine: Any) -> list[tuple[str, str]]:
    from sqlmodel import Session, select

    from monitor.store.models import Review, SourceRow

    with Session(engine) as session:
        rows = session.exec(select(SourceRow.name, Review.site_review_id).join(Review)).all()
    return [(name, rid) for name, rid in rows]


# The parent: start the site, run every crawler, print the table.


@dataclass(frozen=True)
class Measurement:
    """One crawler run as measured."""

    pages: int
    records: int
    digest: str
    wall: float
    cpu: float
    peak_rss_mib: float
    start_rss_mib: float
    requests: int
    smallest_gap: float | None
    smallest_gap_between: list[str] | None
    mean_gap: float | None
    # From the crawl's start to the first request reaching the site: the crawler's start-up latency.
    first_request: float | None


def _child_command(crawler: str, profile: Path | None) -> list[str]:
    here = Path(__file__).resolve().parent
    script = [str(here / "scrapy_baseline.py")] if crawler == "scrapy" else [__file__, "ours"]
    if crawler == "ours: crawl+store":
        script.append("--store")
    if profile is None:
        return [sys.executable, *script]
    name = crawler.replace(": ", "-").replace("+", "-")
    return [sys.executable, "-m", "cProfile", "-o", str(profile / f"{name}.prof"), *script]


def run_crawler(crawler: str, spec: CrawlSpec, server: subprocess.Popen[str], profile: Path | None) -> Measurement:
    """Run one crawler process to completion and measure it."""
    child = subprocess.Popen(
        _child_command(crawler, profile), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write(json.dumps(spec.__dict__))
    child.stdin.close()
    output = child.stdout.read()
    if child.wait() != 0:
        raise SystemExit(f"{crawler} failed with exit code {child.returncode}; its output:\n{output}")
    result = json.loads(output.strip().splitlines()[-1])
    if result["failures"]:
        raise SystemExit(f"{crawler} logged {result['failures']} failed request(s); see its messages above")
    served = _ask(server, "stats")
    return Measurement(
        pages=result["pages"],
        records=result["records"],
        digest=result["digest"],
        wall=result["wall"],
        cpu=result["cpu"],
        peak_rss_mib=result["peak_rss_kib"] / 1024,
        start_rss_mib=result["rss_at_start_kib"] / 1024,
        requests=served["requests"],
        smallest_gap=served["smallest_gap"],
        smallest_gap_between=served["smallest_gap_between"],
        mean_gap=served["mean_gap"],
        first_request=served["first_arrival"] - result["started"] if served["first_arrival"] else None,
    )


def _ask(server: subprocess.Popen[str], command: str) -> dict[str, Any]:
    assert server.stdin is not None and server.stdout is not None
    server.stdin.write(command + "\n")
    server.stdin.flush()
    return json.loads(server.stdout.readline())


def run_scenario(args: argparse.Namespace, hosts: int, pages: int) -> dict[str, Any]:
    """Start the site for one scenario and run every crawler `args.repeat` times, interleaved."""
    server = subprocess.Popen(
        [sys.executable, __file__, "serve", *map(str, (hosts, pages, args.latency, args.jitter, args.seed))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert server.stdout is not None
        start_urls = json.loads(server.stdout.readline())["start_urls"]
        spec = CrawlSpec(start_urls, pages, args.min_delay, args.concurrency, args.parse)
        runs: dict[str, list[Measurement]] = {c: [] for c in args.crawlers}
        for round_number in range(args.repeat):
            for crawler in args.crawlers:
                print(f"  {hosts}x{pages} round {round_number + 1}: {crawler}", file=sys.stderr, flush=True)
                runs[crawler].append(run_crawler(crawler, spec, server, args.profile))
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=30)
    _check_same_work(hosts * pages, runs)
    medians = {c: _median(ms) for c, ms in runs.items()}
    return {"hosts": hosts, "pages_per_host": pages, "parse": args.parse, "crawlers": medians}


def _check_same_work(expected_pages: int, runs: dict[str, list[Measurement]]) -> None:
    every = [(crawler, m) for crawler, ms in runs.items() for m in ms]
    for crawler, m in every:
        if m.pages != expected_pages:
            raise SystemExit(f"{crawler} fetched {m.pages} pages, expected {expected_pages}")
    digests = {m.digest for _, m in every}
    if len(digests) != 1:
        raise SystemExit(f"crawlers extracted different records: {[(c, m.records, m.digest) for c, m in every]}")


def _median(ms: list[Measurement]) -> dict[str, Any]:
    def med(values: Iterable[float]) -> float:
        return statistics.median(values)

    pages = ms[0].pages
    wall = med(m.wall for m in ms)
    cpu = med(m.cpu for m in ms)
    gaps = [m for m in ms if m.smallest_gap is not None]
    tightest = min(gaps, key=lambda m: m.smallest_gap or 0.0) if gaps else None
    return {
        "runs": len(ms),
        "pages": pages,
        "records": ms[0].records,
        "requests": ms[0].requests,
        "wall_seconds": round(wall, 3),
        "pages_per_second": round(med(m.pages / m.wall for m in ms), 1),
        "cpu_seconds": round(cpu, 3),
        "cpu_ms_per_page": round(med(1000 * m.cpu / m.pages for m in ms), 3),
        "peak_rss_mib": round(med(m.peak_rss_mib for m in ms), 1),
        "rss_at_start_mib": round(med(m.start_rss_mib for m in ms), 1),
        "smallest_gap_ms": round(1000 * tightest.smallest_gap, 1) if tightest and tightest.smallest_gap else None,
        "smallest_gap_between": tightest.smallest_gap_between if tightest else None,
        "mean_gap_ms": round(1000 * med(m.mean_gap or 0.0 for m in ms), 1),
        "first_request_ms": round(1000 * med(m.first_request or 0.0 for m in ms), 1),
    }


def markdown(results: list[dict[str, Any]], args: argparse.Namespace) -> str:
    """The results as Markdown tables: one row per crawler, then the ours/Scrapy ratios."""
    lines = [
        f"latency {args.latency * 1000:g} ± {args.jitter * 1000:g} ms per request, min_delay {args.min_delay:g} s, "
        f"concurrency {args.concurrency} per host, robots.txt obeyed, pages parsed by {args.parse!r}, "
        f"median of {args.repeat} runs",
        "",
        "| hosts × pages | crawler | pages | requests | wall s | pages/s | CPU s | CPU ms/page | RSS MiB: start / peak "
        "| first request ms | gap ms: smallest / mean |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for result in results:
        for crawler, f in result["crawlers"].items():
            lines.append(
                f"| {result['hosts']} × {result['pages_per_host']} | {crawler} | {f['pages']} | {f['requests']} "
                f"| {f['wall_seconds']:.2f} | {f['pages_per_second']:.1f} | {f['cpu_seconds']:.2f} "
                f"| {f['cpu_ms_per_page']:.2f} | {f['rss_at_start_mib']:.0f} / {f['peak_rss_mib']:.0f} "
                f"| {f['first_request_ms']:.0f} "
                f"| {f['smallest_gap_ms']:.0f} / {f['mean_gap_ms']:.0f} |"
            )
    ratios = [r for r in results if "scrapy" in r["crawlers"]]
    ours = [c for c in CRAWLERS if c != "scrapy"]
    if ratios:
        lines += [
            "",
            "Ratios ours / Scrapy (pages/s: higher is better; CPU/page and memory: lower is better):",
            "",
            "| hosts × pages | crawler | pages/s | CPU/page | peak RSS |",
            "| --- | --- | ---: | ---: | ---: |",
        ]
        for result in ratios:
            theirs = result["crawlers"]["scrapy"]
            for crawler in (c for c in ours if c in result["crawlers"]):
                mine = result["crawlers"][crawler]
                lines.append(
                    f"| {result['hosts']} × {result['pages_per_host']} | {crawler} "
                    f"| {mine['pages_per_second'] / theirs['pages_per_second']:.2f} "
                    f"| {mine['cpu_ms_per_page'] / theirs['cpu_ms_per_page']:.2f} "
                    f"| {mine['peak_rss_mib'] / theirs['peak_rss_mib']:.2f} |"
                )
    return "\n".join(lines)


def _scenario(text: str) -> tuple[int, int]:
    try:
        hosts, pages = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"a scenario is HOSTSxPAGES, e.g. 20x20; got {text!r}") from None
    if not (1 <= hosts <= 5000 and pages >= 1):
        raise argparse.ArgumentTypeError(f"{text!r}: need 1-5000 hosts and at least one page")
    return hosts, pages


def main(argv: list[str] | None = None) -> None:
    """Parse the command line: run the benchmark, or act as its server or crawler process."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["serve"]:
        hosts, pages, latency, jitter, seed = argv[1:6]
        serve(int(hosts), int(pages), float(latency), float(jitter), int(seed))
        return
    if argv[:1] == ["ours"]:
        run_ours(CrawlSpec.from_json(sys.stdin.read()), store="--store" in argv)
        return
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scenario", type=_scenario, action="append", help="HOSTSxPAGES (repeatable)")
    parser.add_argument("--latency", type=float, default=0.05, help="server latency per request, seconds")
    parser.add_argument("--jitter", type=float, default=0.02, help="latency varies uniformly by ± this")
    parser.add_argument("--min-delay", type=float, default=0.1, help="seconds between request starts per host")
    parser.add_argument("--concurrency", type=int, default=2, help="requests in flight per host")
    parser.add_argument("--repeat", type=int, default=3, help="runs per crawler; figures are medians")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--parse", choices=PARSERS, default="adapter", help="adapter: the HelloPeter adapter; json: json.loads only"
    )
    parser.add_argument("--crawlers", nargs="+", choices=CRAWLERS, default=list(CRAWLERS), metavar="CRAWLER")
    parser.add_argument("--profile", type=Path, help="write a cProfile file per crawler (last run) into this folder")
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    args = parser.parse_args(argv)
    args.scenario = args.scenario or [(20, 20), (50, 10)]
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    results = [run_scenario(args, hosts, pages) for hosts, pages in args.scenario]
    if args.json:
        print(json.dumps({"settings": _settings(args), "results": results}, indent=2))
    else:
        print(markdown(results, args))


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    keys = ("latency", "jitter", "min_delay", "concurrency", "repeat", "seed", "parse")
    return {key: getattr(args, key) for key in keys} | {"cpus": os.cpu_count(), "python": sys.version.split()[0]}


if __name__ == "__main__":
    main()
