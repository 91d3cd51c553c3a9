"""`monitor probe`: try a source before adding it — fetch and parse, store nothing, print what was found."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from monitor.cli.common import shown
from monitor.core.records import ReviewRecord
from monitor.core.settings import SourceConfig
from monitor.runtime.console import err, fail_cleanly, fmt_time, out, parse_options, print_json
from monitor.runtime.context import AppContext
from monitor.store.health import Health

if TYPE_CHECKING:
    from monitor.crawl.runner import Collected

__all__ = ["probe"]


def _record_json(rec: ReviewRecord) -> dict[str, Any]:
    return {
        "site_id": rec.site_review_id,
        "author": rec.author_name,
        "rating": rec.rating,
        "title": rec.title,
        "text": rec.body,
        "published": rec.published_at.isoformat() if rec.published_at else None,
        "reply_text": rec.reply.text if rec.reply else None,
        "reply_time": rec.reply.published_at.isoformat() if rec.reply and rec.reply.published_at else None,
    }


@fail_cleanly
def probe(
    ctx: typer.Context,
    kind: Annotated[
        str, typer.Argument(help="Source kind, e.g. trustpilot, hellopeter, jsonld (see `monitor sources --kinds`).")
    ],
    locator: Annotated[str, typer.Argument(help="What the kind needs: a URL, an app id, a slug or a file path.")],
    option: Annotated[
        list[str] | None, typer.Option("--option", "-o", help="Source option KEY=VALUE (repeatable).")
    ] = None,
    pages: Annotated[int, typer.Option(help="Read at most this many pages.")] = 3,
    min_delay: Annotated[float, typer.Option(help="Seconds between requests to the host.")] = 1.0,
    ignore_robots: Annotated[
        bool, typer.Option("--ignore-robots", help="Do not consult robots.txt (only for sites you own).")
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object per review, then a health line.")] = False,
) -> None:
    """Fetch and parse a source without storing anything; exit status 0 only when the verdict is ok."""
    import asyncio

    from monitor.crawl.runner import collect, policy_for  # the crawl stack loads on use: a fast start
    from monitor.http.fetcher import Fetcher, FetchStats
    from sources.base import get_source_class

    options = parse_options(option or [])
    get_source_class(kind)(locator, options)  # validates kind, locator and options before any request
    src = SourceConfig(
        name="probe",
        kind=kind,
        locator=locator,
        company="probe",
        options=options,
        min_delay=min_delay,
        respect_robots=not ignore_robots,
        max_pages=pages,
    )
    obj = ctx.obj
    settings = obj.settings if isinstance(obj, AppContext) else None
    user_agent = settings.user_agent if settings else "review-response-monitor/0.1"
    stats = FetchStats()

    async def run() -> Collected:
        async with Fetcher(user_agent=user_agent, proxy=settings.proxy if settings else None) as fetcher:
            return await collect(src=src, fetch=fetcher.bind(policy_for(src), stats), max_pages=pages)

    got = asyncio.run(run())
    records, problems, health, message = got.records, got.problems, got.health, got.message
    if json_out:
        for rec in records:
            print_json(_record_json(rec))
        print_json({"health": health.value, "pages": got.pages, "message": message})
    else:
        table = Table("site id", "published", "rating", "author", "review", "reply")
        for rec in records[:50]:
            table.add_row(
                shown(rec.site_review_id, 16),
                fmt_time(rec.published_at),
                "-" if rec.rating is None else f"{rec.rating:g}",
                shown(rec.author_name, 20),
                shown(f"{rec.title or ''} {rec.body}".strip(), 60),
                shown(rec.reply.text if rec.reply else "", 40),
            )
        out.print(table)
        if len(records) > 50:
            out.print(f"… and {len(records) - 50} more")
        colour = "green" if health == Health.OK else "red"
        out.print(f"[{colour}]{health.value}[/]: {got.pages} page(s), {len(records)} review(s). {shown(message)}")
        for line in problems[:10]:
            err.print(f"  {shown(line)}")
    if health != Health.OK:
        raise typer.Exit(1)
