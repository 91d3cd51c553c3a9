"""`monitor demo`: the whole product on bundled real pages, served from 127.0.0.1, into a SQLite file.

The pages are real captures (see data/PROVENANCE.txt). They are served by a local site on
127.0.0.1 (`LocalSite`, which the test suite extends with faults), so the demo crawls through the
real HTTP path: fetcher, politeness, robots.txt, adapters, store and analysis. Running it again
adds nothing: reviews are keyed by the site's own ids.
"""

from __future__ import annotations

import gzip
import json
from importlib.resources import files
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from monitor.core.errors import MonitorError
from monitor.core.settings import Settings
from monitor.crawl.progress import print_outcomes, run_crawl
from monitor.demo.site import LocalSite
from monitor.demo.summary import print_queue, print_summary, print_templates, print_web_app
from monitor.digest.build import build_digest, latest_activity_day
from monitor.digest.render import render_html
from monitor.runtime.console import out, safe
from monitor.runtime.context import AppContext, connect
from monitor.store.migrate import upgrade

__all__ = ["demo_config", "run_demo", "serve_demo_pages"]

HELLOPETER_PAGE_SIZE = 10


def _data(name: str) -> bytes:
    raw = files("monitor.demo").joinpath("data", name).read_bytes()
    return gzip.decompress(raw) if name.endswith(".gz") else raw


def demo_data_path(name: str) -> Path:
    """Filesystem path of a bundled demo file."""
    return Path(str(files("monitor.demo").joinpath("data", name)))


def serve_demo_pages(site: LocalSite) -> None:
    """Put the bundled real pages on the local site, at the paths the real sites use."""
    site.set_robots("User-agent: *\nAllow: /\n")
    site.add_page(
        "/review/eventnet.de?sort=recency",
        _data("trustpilot_eventnet.de_2024-07-02.html.gz"),
        "text/html; charset=utf-8",
    )
    site.add_page(
        "/store/apps/details?id=runner.dunzo.com.dunzo_runner&hl=en&gl=us",
        _data("google_play_dunzo_2021.html.gz"),
        "text/html; charset=utf-8",
    )
    records = [json.loads(line) for line in _data("hellopeter_cell-c_400.jsonl.gz").decode().splitlines() if line]
    last = (len(records) + HELLOPETER_PAGE_SIZE - 1) // HELLOPETER_PAGE_SIZE
    base = "/consumer/business/cell-c/reviews"
    for number in range(1, last + 1):
        chunk = records[(number - 1) * HELLOPETER_PAGE_SIZE : number * HELLOPETER_PAGE_SIZE]
        envelope = {
            "data": chunk,
            "current_page": number,
            "last_page": last,
            "per_page": HELLOPETER_PAGE_SIZE,
            "total": len(records),
            "next_page_url": f"{site.base_url}{base}?page={number + 1}" if number < last else None,
        }
        site.add_page(f"{base}?page={number}", json.dumps(envelope).encode(), "application/json")


def demo_config(base_url: str, data_dir: Path) -> str:
    """The demo's configuration file: four companies, one source each, pointed at the local site."""
    export = demo_data_path("app_store_sg_food_delivery.csv.gz")
    db = (data_dir / "demo.db").resolve()
    return f"""# Written by `monitor demo`: the bundled real pages, served from {base_url}
database_url = "sqlite:///{db}"
# The bundled pages were captured in 2021-2024; a wide window lets their complaints into the queue.
backfill_window_days = 3650

[[company]]
name = "Eventnet"
timezone = "Europe/Berlin"

[[company.source]]
name = "eventnet-trustpilot"
kind = "trustpilot"
locator = "{base_url}/review/eventnet.de"
min_delay = 0.0

[[company]]
name = "Cell C"
timezone = "Africa/Johannesburg"
business_hours = "08:00-17:00"

[[company.source]]
name = "cellc-hellopeter"
kind = "hellopeter"
locator = "cell-c"
options = {{ api_base = "{base_url}" }}
min_delay = 0.0
concurrency = 4

[[company]]
name = "Dunzo"
timezone = "Asia/Kolkata"

[[company.source]]
name = "dunzo-google-play"
kind = "google_play"
locator = "runner.dunzo.com.dunzo_runner"
options = {{ base_url = "{base_url}", reviews_endpoint = false }}  # only the saved page is bundled
min_delay = 0.0

[[company]]
name = "Grab"
timezone = "Asia/Singapore"

[[company.source]]
name = "grab-app-store-export"
kind = "file"
locator = "{export}"
options = {{ format = "app_store" }}
schedule = "manual"
"""


def run_demo(data_dir: Path) -> None:
    """Serve the pages, crawl them, analyse, and print what a new user should see."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with LocalSite() as site:
        serve_demo_pages(site)
        config_path = data_dir / "monitor.toml"
        config_path.write_text(demo_config(site.base_url, data_dir), encoding="utf-8")
        ctx = AppContext(str(config_path), use_environment=False)
        # The demo owns its database: bring one left by an older version up to date instead of refusing.
        engine, _ = connect(ctx.settings.database_url)
        upgrade(engine)
        engine.dispose()
        out.print(f"[bold]Review-response monitor demo[/]: real pages served from {safe(site.base_url)}")
        outcomes = run_crawl(ctx, ctx.settings.all_sources(), backfill=False)
        print_outcomes(outcomes)
    print_summary(ctx, data_dir)
    print_templates(ctx)
    print_queue(ctx)
    path = write_demo_digest(ctx.engine, ctx.settings, data_dir)
    out.print(f"\n[bold]Daily digest[/] for managers: {safe(path.resolve())} (open it in a browser)")
    out.print(f"  or in the terminal: monitor -c {safe(config_path)} digest --text")
    print_web_app(ctx, config_path)


def write_demo_digest(engine: Engine, settings: Settings, data_dir: Path) -> Path:
    """Write the digest of the newest day with data to `data_dir/digest-YYYY-MM-DD.html`; return its path."""
    with Session(engine) as session:
        day = latest_activity_day(session)
        if day is None:
            raise MonitorError("no reviews stored yet: nothing to put in a digest")
        names = [c.name for c in settings.companies] or None
        digest = build_digest(session=session, day=day, companies=names)
    path = data_dir / f"digest-{day.isoformat()}.html"
    path.write_text(render_html(digest), encoding="utf-8")
    return path
