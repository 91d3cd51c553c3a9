"""The crawl runner: runs one source through the shared fetcher, stores what it found, records the run.

A run keeps everything in memory until the source is done and then writes in one transaction, so a
killed process leaves no half-written crawl behind (its run row is marked interrupted by the next run).

Every fetch of a run goes through the source's request policy (its own hosts and `allowed_hosts`, see
`monitor.http.policy`); a refused hop ends the run like any fetch error, recorded in its errors and message.
What a site wrote reaches run messages and logs only through `printable`.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from monitor.core.errors import Blocked, FetchError, LayoutChanged, MonitorError, Unreachable
from monitor.core.records import ReviewRecord
from monitor.core.settings import Settings, SourceConfig
from monitor.core.text_safety import printable
from monitor.crawl.limits import MAX_REVIEWS_PER_RUN, RunLimits
from monitor.crawl.locks import source_lock
from monitor.crawl.pipeline import analyse_new_data
from monitor.digest.alerts import review_alert, send_alerts
from monitor.digest.sections import new_unhappy_items
from monitor.http.fetcher import Fetcher, FetchStats, HostPolicy
from monitor.http.policy import RequestPolicy
from monitor.http.shared_gate import SharedHostSlots
from monitor.http.walls import wall_in
from monitor.store.advisory import hold_company_writes
from monitor.store.db import session_scope, utcnow
from monitor.store.health import Health, advice
from monitor.store.models import CrawlRun, SourceRow
from monitor.store.repository import (
    ensure_source,
    fingerprint,
    known_fingerprints,
    remember_options,
    sync_config,
    upsert_reviews,
)
from monitor.store.validators import StagedValidators
from sources.base import Fetch, Page, Source, get_source_class

__all__ = ["CrawlOutcome", "collect", "crawl_sources", "destinations_for", "policy_for", "run_source"]

log = logging.getLogger(__name__)

BACKFILL_MAX_PAGES = 10_000
MAX_ERRORS_KEPT = 50

PageCallback = Callable[[str, int, int], None]  # (source name, pages so far, records so far)


@dataclass
class CrawlOutcome:
    """The result of one run, for printing."""

    source: str
    health: Health
    pages: int = 0
    seen: int = 0
    new: int = 0
    changed: int = 0
    message: str = ""
    errors: list[str] = field(default_factory=list)
    run_id: int | None = None


def policy_for(src: SourceConfig) -> HostPolicy:
    """The politeness settings of one source, with where its requests may go.

    robots.txt is addressed to crawlers of public pages, so a source reading the company's own API skips it.
    """
    try:
        official_api = get_source_class(src.kind).official_api
    except MonitorError:
        official_api = False  # an unknown kind is reported by `collect`
    return HostPolicy(
        concurrency=src.concurrency,
        min_delay=src.min_delay,
        respect_robots=src.respect_robots and not official_api,
        timeout=src.timeout,
        destinations=destinations_for(src),
    )


def destinations_for(src: SourceConfig) -> RequestPolicy | None:
    """The request policy of one source: the hosts of its start URLs (and of any endpoint it needs besides, such
    as an API's token endpoint) plus its `allowed_hosts` option.

    None when the source names no URL (an export file): the fetcher then trusts only the URL of each fetch.
    """
    try:
        adapter = get_source_class(src.kind)(src.locator, src.options)
        policy = RequestPolicy(adapter.trusted_urls(), adapter.opts.get("allowed_hosts") or ())
    except Exception:  # a broken configuration or adapter is reported by `collect`, which builds the adapter again
        return None
    return policy if policy.home else None


async def run_source(
    *,
    engine: Engine,
    settings: Settings,
    src: SourceConfig,
    fetcher: Fetcher,
    backfill: bool = False,
    on_page: PageCallback | None = None,
    store_lock: asyncio.Lock | None = None,
    synced: bool = False,
) -> CrawlOutcome:
    """Crawl one configured source end to end and record the run.

    Database work runs in a worker thread, so other sources keep fetching meanwhile; `store_lock`
    lets one store-and-analyse step run at a time (SQLite has one writer; the queue is per company).
    `synced` says the caller already loaded the configuration into the database.
    """
    with source_lock(engine, src.name) as mine:
        if not mine:
            message = "another crawl of this source is still running; this one was skipped"
            return CrawlOutcome(source=src.name, health=Health.SKIPPED, message=message)
        return await _run_locked(
            engine, settings, src, fetcher, backfill, on_page, store_lock or asyncio.Lock(), synced
        )


async def _run_locked(
    engine: Engine,
    settings: Settings,
    src: SourceConfig,
    fetcher: Fetcher,
    backfill: bool,
    on_page: PageCallback | None,
    lock: asyncio.Lock,
    synced: bool,
) -> CrawlOutcome:
    async with lock:
        start = await asyncio.to_thread(_start_run, engine, settings, src, backfill, synced)
    stats = FetchStats()
    got = await collect(
        src=src,
        fetch=fetcher.bind(policy_for(src), stats, validators=start.validators),
        max_pages=BACKFILL_MAX_PAGES if backfill else src.max_pages,
        is_known=None if backfill else (lambda page: _all_known(engine, start.source_id, page)),
        on_page=on_page,
        previous_good=start.previous_good or 0,
    )
    outcome = CrawlOutcome(
        source=src.name,
        health=got.health,
        pages=got.pages,
        seen=len(got.records),
        message=got.message,
        errors=got.problems[:MAX_ERRORS_KEPT],
        run_id=start.run_id,
    )
    # A source's first good run reads its history: those reviews count as backfill, not as fresh complaints.
    as_backfill = backfill or start.previous_good is None
    async with lock:
        try:
            new_ids = await asyncio.to_thread(_finish_run, engine, settings, start, got, stats, outcome, as_backfill)
        except Exception as exc:
            # Storing failed (a bug or a database problem): nothing of this run was kept, and the run says so.
            _log_failure(f"crawl {src.name}: storing the run failed", exc)
            outcome.health, outcome.new, outcome.changed = Health.FAILED, 0, 0
            outcome.message = printable(f"storing failed, nothing was kept: {exc.__class__.__name__}: {str(exc)[:200]}")
            await asyncio.to_thread(_record_failure, engine, start.run_id, outcome.message)
            return outcome
    if new_ids and not as_backfill:  # history found by a first crawl or a backfill is not news for a chat channel
        await _instant_alerts(engine, settings, src, new_ids, outcome)
    return outcome


def _log_failure(what: str, exc: BaseException) -> None:
    """Log a failure with its traceback, made printable: an exception's message may quote what a site sent."""
    log.error("%s\n%s", printable(what), printable("".join(traceback.format_exception(exc))).rstrip())


def _record_failure(engine: Engine, run_id: int, message: str) -> None:
    with session_scope(engine) as session:
        run = session.get(CrawlRun, run_id)
        if run is not None:
            run.health, run.message, run.finished_at = Health.FAILED.value, message, utcnow()


@dataclass
class _Started:
    source_id: int
    run_id: int
    previous_good: int | None
    validators: StagedValidators


def _start_run(engine: Engine, settings: Settings, src: SourceConfig, backfill: bool, synced: bool) -> _Started:
    with session_scope(engine) as session:
        row = ensure_source(session=session, settings=settings, src=src, synced=synced)
        _mark_interrupted(session, row)
        run = CrawlRun(source_id=row.id or 0, backfill=backfill)
        session.add(run)
        session.flush()
        source_id = row.id or 0
        # A backfill wants every page in full, so it sends no conditional headers.
        validators = StagedValidators({}) if backfill else StagedValidators.load(session=session, source_id=source_id)
        return _Started(source_id, run.id or 0, _last_good_seen(session, row), validators)


def _finish_run(
    engine: Engine,
    settings: Settings,
    start: _Started,
    got: Collected,
    stats: FetchStats,
    outcome: CrawlOutcome,
    as_backfill: bool,
) -> list[int]:
    """Store what the run found, analyse it and record the run, in one transaction; return new review ids."""
    new_ids: list[int] = []
    with session_scope(engine) as session:
        run = session.get(CrawlRun, start.run_id)
        assert run is not None
        if got.health == Health.OK:
            start.validators.save(session=session, source_id=start.source_id)
        if got.health in (Health.OK, Health.PARTIAL) and got.records:
            source_row = session.get(SourceRow, start.source_id)
            assert source_row is not None
            # Before any row is written: the analysis takes this lock too, and a row held by another store of the
            # same company while that one waits for the lock would be a deadlock.
            hold_company_writes(session, source_row.company_id)
            remember_options(source=source_row, options=got.learned)  # before the analysis, which reads them
            result = upsert_reviews(
                session=session, source=source_row, records=got.records, crawl_run_id=start.run_id, backfill=as_backfill
            )
            outcome.new, outcome.changed = result.new, result.changed
            analyse_new_data(session=session, settings=settings, source=source_row, result=result)
            new_ids = result.new_ids
        run.finished_at = utcnow()
        run.pages, run.bytes, run.retries = got.pages, stats.bytes, stats.retries
        run.status_codes = {str(code): n for code, n in stats.status_codes.items()}
        run.reviews_seen, run.reviews_new, run.reviews_changed = outcome.seen, outcome.new, outcome.changed
        run.errors = outcome.errors
        run.health = got.health.value
        run.message = got.message
    return new_ids


async def _instant_alerts(
    engine: Engine, settings: Settings, src: SourceConfig, review_ids: list[int], outcome: CrawlOutcome
) -> None:
    """Post urgent new reviews to the company's chat tools; a failure is reported, never fatal to the crawl."""
    urls = next((c.alert_urls for c in settings.companies if c.name == src.company), ())
    if not urls:
        return
    with Session(engine) as session:
        items = new_unhappy_items(session, review_ids)
    alerts = [a for item in items if (a := review_alert(src.company, item)) is not None]
    if not alerts:
        return
    try:
        sent = await asyncio.to_thread(send_alerts, alerts, urls)
    except MonitorError as exc:
        outcome.errors.append(printable(f"instant alerts not sent: {exc}"))
        outcome.message += printable(f"; instant alerts NOT sent: {exc}")
        return
    outcome.message += f"; {sent} urgent review alert(s) sent"


@dataclass
class Collected:
    """What reading a source produced, before anything is stored."""

    records: list[ReviewRecord]
    problems: list[str]
    health: Health
    message: str
    pages: int = 0
    learned: dict[str, str] = field(default_factory=dict)  # `Source.learned_options`, for the source's row


async def collect(
    *,
    src: SourceConfig,
    fetch: Fetch,
    max_pages: int,
    is_known: Callable[[Sequence[ReviewRecord]], bool] | None = None,
    on_page: PageCallback | None = None,
    previous_good: int = 0,
    max_reviews: int = MAX_REVIEWS_PER_RUN,
) -> Collected:
    """Read a source's pages and judge the run's health; stores nothing.

    `is_known` tells whether every record of a page is already stored unchanged: after
    `src.incremental_depth` such pages in a row the run stops (incremental crawling). Each review is kept once,
    a page that repeats the listing ends the run, and `max_reviews` bounds it (see `monitor.crawl.limits`).
    """
    limits = RunLimits(max_reviews)
    capped = False
    records: list[ReviewRecord] = []
    problems: list[str] = []
    pages = 0
    known_run = 0
    not_modified = 0
    fetched: list[Page] = []  # the latest page fetched (one only: bodies are large), to judge the page parsed

    async def counting(
        url: str, *, form: Mapping[str, str] | None = None, headers: Mapping[str, str] | None = None
    ) -> Page:
        nonlocal not_modified
        # A GET-only fetch callable (e.g. a plugin's test double) keeps working: `form` and `headers` go only
        # to the requests that have them.
        if headers is not None:
            page = await fetch(url, form=form, headers=headers)
        else:
            page = await fetch(url) if form is None else await fetch(url, form=form)
        not_modified += page.status == 304
        fetched[:] = [page]
        return page

    adapter: Source | None = None

    def wall_error() -> Blocked | None:
        # A page that gave no reviews may be a bot check or consent wall served as 200: the site is refusing us.
        last = fetched[-1] if fetched else None
        kind = wall_in(last) if last is not None and last.status != 304 else None
        if last is None or kind is None:
            return None
        return Blocked(
            f"{last.url} answered {last.status} with {kind} instead of reviews; the monitor does not answer "
            "CAPTCHAs or bot checks: slow the source down (min_delay), or use the site's export or API",
            url=last.url,
            status=last.status,
        )

    def failed(health: Health, error: str, *, keep: bool = False) -> Collected:
        # Errors quote URLs, status lines and page text: what a site wrote is made printable before it is kept.
        error = printable(error)
        learned = adapter.learned_options() if keep and adapter is not None else {}
        return Collected(
            records if keep else [], [*problems, error], health, f"{error}; {advice(health)}", pages, learned
        )

    quiet_is_normal = False
    try:
        adapter = get_source_class(src.kind)(src.locator, src.options)
        quiet_is_normal = adapter.may_list_nothing
        notice = adapter.schedule_notice(src.schedule)
        if notice:
            problems.append(printable(notice))
        async for page in adapter.pages(counting, max_pages=max_pages):
            wall = None if page.records else wall_error()
            if wall is not None:
                raise wall
            # Only before any review was read: a later page found empty is a listing that shrank meanwhile.
            if not page.records and not records and (page.listed_count or 0) > 0:
                url = fetched[-1].url if fetched else src.locator
                raise LayoutChanged(f"{url} says its listing holds {page.listed_count} reviews, but none could be read")
            pages += 1
            take = limits.take(page, fetched[-1].url if fetched else src.locator)
            records.extend(take.records)
            problems.extend(printable(problem) for problem in [*page.problems, *take.problems])
            if on_page:
                on_page(src.name, pages, len(records))
            if take.stop is not None:
                problems.append(printable(take.stop))
                capped = take.capped
                break
            if is_known is not None and adapter.newest_first and page.in_listing_order and page.records:
                # A database look-up: run it off the event loop so other sources keep fetching meanwhile.
                known = await asyncio.to_thread(is_known, page.records)
                known_run = known_run + 1 if known else 0
                if known_run >= max(1, src.incremental_depth):
                    break
    except LayoutChanged as exc:
        wall = wall_error()
        if wall is not None:
            return failed(Health.PARTIAL if records else Health.BLOCKED, str(wall), keep=bool(records))
        return failed(Health.LAYOUT_CHANGED, str(exc))
    except FetchError as exc:
        if pages and records:
            return failed(Health.PARTIAL, str(exc), keep=True)
        if isinstance(exc, Blocked):
            return failed(Health.BLOCKED, str(exc))
        return failed(Health.UNREACHABLE if isinstance(exc, Unreachable) else Health.FAILED, str(exc))
    except MonitorError as exc:
        return failed(Health.FAILED, str(exc))
    except Exception as exc:  # an adapter bug on an unexpected page must not take the other sources down
        _log_failure(f"crawl {src.name}: the {src.kind} adapter failed", exc)
        return failed(Health.FAILED, f"the {src.kind} adapter failed: {exc.__class__.__name__}: {str(exc)[:200]}")
    if not records and not pages and not_modified:
        return Collected([], problems, Health.OK, "not modified since the last crawl (HTTP 304)", 0)
    if not records and pages and previous_good > 0 and not quiet_is_normal:
        return failed(
            Health.LAYOUT_CHANGED,
            f"pages were fetched but no reviews were found where the last good run found {previous_good}",
        )
    if capped:
        return failed(Health.PARTIAL, problems.pop(), keep=True)
    message = f"{len(records)} reviews from {pages} page(s)"
    if problems:
        message += f"; {len(problems)} problem(s) noted, e.g. {problems[0][:120]}"
    return Collected(records, problems, Health.OK, message, pages, adapter.learned_options())


def _all_known(engine: Engine, source_id: int, page: Sequence[ReviewRecord]) -> bool:
    with Session(engine) as session:
        stored = known_fingerprints(session=session, source_id=source_id, site_ids=[r.site_review_id for r in page])
    return all(stored.get(r.site_review_id) == fingerprint(r) for r in page)


def _sync(engine: Engine, settings: Settings) -> None:
    with session_scope(engine) as session:
        sync_config(session=session, settings=settings)


def _mark_interrupted(session: Session, row: SourceRow) -> None:
    stale = session.exec(select(CrawlRun).where(CrawlRun.source_id == row.id, CrawlRun.health == "running")).all()
    for run in stale:
        run.health = Health.INTERRUPTED.value
        run.finished_at = run.finished_at or utcnow()
        run.message = advice(Health.INTERRUPTED)


def _last_good_seen(session: Session, row: SourceRow) -> int | None:
    last = session.exec(
        select(CrawlRun)
        # A run that read nothing new (e.g. "not modified") is no baseline for "the layout lost its reviews".
        .where(CrawlRun.source_id == row.id, CrawlRun.health == Health.OK.value, col(CrawlRun.reviews_seen) > 0)
        .order_by(CrawlRun.id.desc())  # type: ignore[union-attr]
    ).first()
    return last.reviews_seen if last else None


async def crawl_sources(
    *,
    engine: Engine,
    settings: Settings,
    sources: Sequence[SourceConfig],
    backfill: bool = False,
    on_page: PageCallback | None = None,
    fetcher: Fetcher | None = None,
) -> list[CrawlOutcome]:
    """Crawl several sources concurrently through one shared fetcher (politeness is per host)."""
    if fetcher is not None:
        return await _crawl_all(engine, settings, sources, backfill, on_page, fetcher)
    # With a task engine, workers on several machines crawl one host: its request starts are agreed on in the database.
    shared = SharedHostSlots(engine).wait if settings.engine_url else None
    async with Fetcher(user_agent=settings.user_agent, proxy=settings.proxy, shared_wait=shared) as owned:
        return await _crawl_all(engine, settings, sources, backfill, on_page, owned)


async def _crawl_all(
    engine: Engine,
    settings: Settings,
    sources: Sequence[SourceConfig],
    backfill: bool,
    on_page: PageCallback | None,
    fetcher: Fetcher,
) -> list[CrawlOutcome]:
    lock = asyncio.Lock()
    await asyncio.to_thread(_sync, engine, settings)
    tasks = [
        run_source(
            engine=engine,
            settings=settings,
            src=src,
            fetcher=fetcher,
            backfill=backfill,
            on_page=on_page,
            store_lock=lock,
            synced=True,
        )
        for src in sources
    ]
    return list(await asyncio.gather(*tasks))
