"""`monitor import`: an export file stored in committed batches, every row accounted for, then analysed once.

The file is read as a stream and stored `batch_rows` rows at a time, each batch in its own short transaction
(SQLite's write lock is free between batches, so `monitor tasks claim` and crawls keep working). A killed import
loses at most the batch it was storing; its run is marked interrupted by the next one, and importing the file
again stores the rest without duplicates (reviews are keyed by their ids). New and changed reviews stay
*pending* until the analysis at the end (negativity, templates, queue) has looked at them, so a rerun also
finishes an analysis a kill cut short.

Verdicts: `ok`; `partial` when more than `PARTIAL_SKIP_SHARE` of the rows were skipped, the file breaks off, or a
database error stopped the import after batches were committed (the summary says how many reviews are stored);
`failed` when the file cannot be used at all (nothing is stored then). Imports are runs of a source that is
not in the configuration (`SourceRow.managed` is False): never scheduled, crawled or reported as broken.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError
from sqlmodel import Session, col, func, select

from monitor.core.errors import BadExport
from monitor.core.records import ReviewRecord
from monitor.core.settings import Settings, SourceConfig
from monitor.crawl.locks import source_lock
from monitor.crawl.pipeline import analyse_pending, classify_pending, judge_ahead, mark_pending
from monitor.crawl.verdicts import PARALLEL_FROM, VerdictPrefetch, has_spare_cores, verdict_pool, verdict_workers
from monitor.runtime.console import one_line
from monitor.store.db import session_scope, utcnow
from monitor.store.health import Health
from monitor.store.models import CompanyReply, CrawlRun, Review, SourceRow
from monitor.store.repository import ensure_source, remember_options, upsert_reviews
from monitor.store.task_models import TaskReview
from monitor.store.template_models import ReplyTemplate
from responders.outreach.follow_ups import apply_fixed_themes
from responders.outreach.queue import QueueUpdate, refresh_priorities
from responders.template_replies.store import recount_company_templates
from sources.file import ExportFile, FileSource, RowProblem

__all__ = [
    "BATCH_ROWS",
    "PARTIAL_SKIP_SHARE",
    "PRINTED_PROBLEMS",
    "ImportSummary",
    "accounting_line",
    "is_import",
    "problems_path_for",
    "run_import",
]

BATCH_ROWS = 2_000  # rows per committed batch: short write transactions, bounded memory
PARTIAL_SKIP_SHARE = 0.02  # more skipped rows than this share makes the import partial
PRINTED_PROBLEMS = 20  # up to this many problems are printed; more go to a file
_KEPT_IN_RUN = 50  # problem lines kept on the run row (`monitor runs --json`)

ProgressCallback = Callable[[int, int], None]  # (rows read, reviews kept) so far


def is_import(source: SourceRow) -> bool:
    """A source created by `monitor import` (not in the configuration file): never scheduled or crawled."""
    return not source.managed


@dataclass
class ImportSummary:
    """Everything `monitor import` reports: the verdict, every row accounted for, and what it means."""

    source: str
    company: str
    file: str
    verdict: Health
    message: str = ""
    run_id: int | None = None
    layout: str = ""
    encoding: str = ""
    date_order: str = ""
    rows: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    duplicates: int = 0
    renamed: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)
    problems: int = 0
    problems_file: Path | None = None
    problem_lines: list[str] = field(default_factory=list)  # all of them when there are few and no file
    batches: int = 0
    seconds: float = 0.0
    unhappy: int = 0
    in_queue: int = 0
    tasks: int = 0
    queue: QueueUpdate = field(default_factory=QueueUpdate)
    too_old: int = 0
    window_days: int = 30
    template_replies: int = 0
    templates: int = 0
    analysed: bool = False  # the stored reviews were judged and queued: the figures above are final

    @property
    def skipped_rows(self) -> int:
        """Rows that gave no review (duplicates not counted)."""
        return sum(self.skipped.values())

    @property
    def exit_code(self) -> int:
        """0 ok, 1 partial (or another import of the source was running), 2 failed."""
        return {Health.OK: 0, Health.FAILED: 2}.get(self.verdict, 1)


def problems_path_for(database_url: str, run_id: int) -> Path:
    """Where an import's problems go by default: beside an SQLite database, else in the working folder."""
    folder = Path.cwd()
    stem = "monitor"
    if database_url.startswith("sqlite:///") and ":memory:" not in database_url:
        database = Path(database_url.removeprefix("sqlite:///")).expanduser()
        folder, stem = database.parent, database.name
    return folder / f"{stem}.import-{run_id}.problems.txt"


class _ProblemLog:
    """Problems streamed to a file as they come (never held in memory), the first few also kept for printing."""

    def __init__(self, path: Path, label: str, keep_file: bool) -> None:
        self.path = path
        self.label = label
        self.keep_file = keep_file  # asked for with --problems: written even when short
        self.count = 0
        self.first: list[str] = []
        self._handle: IO[str] | None = None

    def add(self, problems: Iterable[RowProblem]) -> None:
        for problem in problems:
            line = problem.text(self.label)
            self.count += 1
            if len(self.first) < _KEPT_IN_RUN:
                self.first.append(line)
            if self._handle is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._handle = self.path.open("w", encoding="utf-8")
            self._handle.write(line.replace("\n", " ") + "\n")

    def add_line(self, line: str) -> None:
        self.add([RowProblem(0, "skipped", "file breaks off", line)])

    def finish(self) -> tuple[Path | None, list[str]]:
        """The problems file (kept when asked for or long) and the lines to print when there is no file."""
        if self._handle is not None:
            self._handle.close()
        if self.keep_file or self.count > PRINTED_PROBLEMS:
            if self._handle is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.path.write_text("", encoding="utf-8")
            return self.path, []
        if self._handle is not None:
            self.path.unlink(missing_ok=True)
        return None, self.first[:PRINTED_PROBLEMS]


def run_import(
    *,
    engine: Engine,
    settings: Settings,
    src: SourceConfig,
    problems_path: Path | None = None,
    on_progress: ProgressCallback | None = None,
    batch_rows: int = BATCH_ROWS,
) -> ImportSummary:
    """Import the export file `src.locator` into the import source `src`; the summary says what happened."""
    summary = ImportSummary(
        source=src.name,
        company=src.company,
        file=src.locator,
        verdict=Health.FAILED,
        window_days=settings.backfill_window_days,
    )
    with source_lock(engine, src.name) as mine:
        if not mine:
            summary.verdict = Health.SKIPPED
            summary.message = "another import of this source is still running; this one was skipped"
            return summary
        started = utcnow()
        clock = time.monotonic()
        source_id, run_id, company_id = _start(engine, settings, src, started)
        summary.run_id = run_id
        log = _ProblemLog(
            problems_path or problems_path_for(settings.database_url, run_id), "line", problems_path is not None
        )
        stored_all = False
        try:
            with ExitStack() as workers:
                ahead = _JudgeAhead(engine, settings, source_id, workers)
                _store(engine, src, summary, log, source_id, run_id, started, on_progress, batch_rows, ahead)
                stored_all = True
                if summary.verdict != Health.FAILED:
                    _analyse(engine, settings, summary, company_id, started, ahead.prefetch)
                    _describe(engine, summary, source_id, company_id)
                    summary.analysed = True
        except BaseException as exc:
            # Storing stopped (a bug, the database, Ctrl-C): what was committed stays, and the run says so.
            summary.verdict = Health.INTERRUPTED if isinstance(exc, KeyboardInterrupt) else Health.FAILED
            summary.message = f"stopped after {summary.rows} rows: {exc.__class__.__name__}: {one_line(exc, 200)}"
            kept = summary.new + summary.changed + summary.unchanged
            if isinstance(exc, SQLAlchemyError) and kept:
                # Committed batches stay stored: the import is partial, not failed, and says how to complete it.
                summary.verdict = Health.PARTIAL
                summary.message = _stopped_message(summary, exc, stored_all=stored_all)
                summary.seconds = time.monotonic() - clock
                _finish_after_error(engine, summary, log, started)
                return summary
            _finish_after_error(engine, summary, log, started)
            raise
        summary.seconds = time.monotonic() - clock
        _finish(engine, summary, log, started)
    return summary


def _start(engine: Engine, settings: Settings, src: SourceConfig, started: datetime) -> tuple[int, int, int]:
    with session_scope(engine) as session:
        row = ensure_source(session=session, settings=settings, src=src)
        for stale in session.exec(
            select(CrawlRun).where(CrawlRun.source_id == row.id, CrawlRun.health == Health.RUNNING.value)
        ).all():
            stale.health = Health.INTERRUPTED.value
            stale.finished_at = stale.finished_at or started
            stale.message = (
                "the import was stopped before it finished; the batches stored until then are kept, "
                "and importing the file again completes it"
            )
        run = CrawlRun(source_id=row.id or 0, backfill=True, started_at=started, message="importing")
        session.add(run)
        session.flush()
        return row.id or 0, run.id or 0, row.company_id


def _store(
    engine: Engine,
    src: SourceConfig,
    summary: ImportSummary,
    log: _ProblemLog,
    source_id: int,
    run_id: int,
    started: datetime,
    on_progress: ProgressCallback | None,
    batch_rows: int,
    ahead: _JudgeAhead,
) -> None:
    try:
        export = FileSource(src.locator, src.options).open(now=started)
    except BadExport as exc:
        summary.message = str(exc)
        return
    _remember_layout(engine, source_id, export.layout.name)
    with export:
        log.label = export.row_label
        summary.layout, summary.encoding, summary.date_order = export.layout.name, export.encoding, export.date_order
        broken = ""
        try:
            for batch in export.read(batch_rows):
                if batch.records:
                    stored = _store_batch(engine, summary, source_id, run_id, batch.records, batch.aliases, started)
                    ahead.stored(stored)
                # The batch's problems count once it is stored: a rerun reads a batch the database refused again.
                log.add(batch.problems)
                summary.batches += 1
                _account(summary, export)
                if on_progress is not None:
                    on_progress(summary.rows, export.stats.kept)
        except BadExport as exc:
            broken = str(exc)
            log.add_line(broken)
        _account(summary, export)
    summary.problems = log.count
    kept = export.stats.kept
    if not kept:
        summary.verdict = Health.FAILED
        summary.message = broken or (
            f"{export.name}: none of the {summary.rows} rows could be used; nothing was stored"
            if summary.rows
            else f"{export.name}: the file has no rows (only a header); nothing was stored"
        )
        return
    skipped = summary.skipped_rows
    if broken:
        summary.verdict = Health.PARTIAL
        summary.message = f"the file breaks off after row {summary.rows}; what came before is stored ({broken})"
    elif skipped > PARTIAL_SKIP_SHARE * summary.rows:
        summary.verdict = Health.PARTIAL
        summary.message = f"{skipped} of {summary.rows} rows ({skipped / summary.rows:.1%}) were skipped"
    else:
        summary.verdict = Health.OK


def _remember_layout(engine: Engine, source_id: int, layout: str) -> None:
    """Record on the import's source the layout its file was read as (`format` may say only "auto"): the queue
    reads from it which store the reviews come from, to link them with the same reviews read through the API."""
    with session_scope(engine) as session:
        row = session.get(SourceRow, source_id)
        if row is not None:
            remember_options(source=row, options={"layout": layout})


def _stopped_message(summary: ImportSummary, exc: SQLAlchemyError, *, stored_all: bool) -> str:
    """Why a database error stopped the import after some batches were committed, and how to complete it."""
    stored = summary.new + summary.changed + summary.unchanged
    what = f"{summary.new} new, {summary.changed} changed, {summary.unchanged} unchanged"
    if stored_all:
        done = f"all {summary.rows} rows were read and {stored} reviews stored ({what}), but judging them"
    else:
        done = f"{stored} reviews from the first {summary.rows} rows were stored ({what}), then storing"
    reason = f"{exc.__class__.__name__}: {one_line(exc, 200)}"
    if isinstance(exc, DataError | IntegrityError):
        # The database refused a value of the file: a rerun of the same file would stop at the same row.
        return (
            f"{done} stopped: the database refused a value of the file ({reason}); correct it and import the "
            "file again: what is stored is not duplicated"
        )
    return f"{done} stopped on a database error ({reason}); importing the file again completes it without duplicates"


def _finish_after_error(engine: Engine, summary: ImportSummary, log: _ProblemLog, started: datetime) -> None:
    """Record the stopped run; a database that refuses that too leaves the run to the next import to close."""
    with suppress(SQLAlchemyError):  # the next import marks a run left running as interrupted
        _finish(engine, summary, log, started)


def _account(summary: ImportSummary, export: ExportFile) -> None:
    stats = export.stats
    summary.rows, summary.duplicates = stats.rows, stats.duplicates
    summary.skipped, summary.dropped = Counter(stats.skipped), Counter(stats.dropped)


def _store_batch(
    engine: Engine,
    summary: ImportSummary,
    source_id: int,
    run_id: int,
    records: list[ReviewRecord],
    aliases: dict[str, str],
    now: datetime,
) -> list[int]:
    """Store one batch in its own transaction; the ids of the reviews it added or changed (now pending)."""
    with session_scope(engine) as session:
        source = session.get(SourceRow, source_id)
        assert source is not None
        renamed = _adopt_aliases(session, source_id, aliases)
        result = upsert_reviews(
            session=session, source=source, records=records, crawl_run_id=run_id, backfill=True, now=now
        )
        # Changed reviews are judged again at the end, with new ones; until then they are pending.
        mark_pending(session=session, review_ids=result.changed_ids)
        if result.refreshed_ids:
            refresh_priorities(session=session, review_ids=result.refreshed_ids, now=now)
        unchanged = result.seen - result.new - result.changed
        run = session.get(CrawlRun, run_id)
        assert run is not None
        run.pages = summary.batches + 1
        run.reviews_new, run.reviews_changed = summary.new + result.new, summary.changed + result.changed
        run.reviews_seen = run.reviews_new + run.reviews_changed + summary.unchanged + unchanged
    # Counted once committed: a batch the database refused is not reported as stored.
    summary.renamed += renamed
    summary.new += result.new
    summary.changed += result.changed
    summary.unchanged += unchanged
    return result.new_ids + result.changed_ids


class _JudgeAhead:
    """Worker processes that judge stored reviews while the import goes on storing, once it is big enough.

    Below `START_AT` stored reviews no workers start (the analysis judges a small import faster in process).
    """

    START_AT = PARALLEL_FROM // 2

    def __init__(self, engine: Engine, settings: Settings, source_id: int, workers: ExitStack) -> None:
        self.engine = engine
        self.settings = settings
        self.source_id = source_id
        self.workers = workers
        self.prefetch: VerdictPrefetch | None = None
        self._early: list[int] = []  # ids stored before the workers started (at most START_AT of them)

    def stored(self, review_ids: list[int]) -> None:
        """Reviews one batch added or changed: hand them to the workers (starting them when the time has come)."""
        if self.prefetch is None:
            self._early.extend(review_ids)
            if len(self._early) < self.START_AT or not has_spare_cores():
                return
            self.prefetch = VerdictPrefetch(self.workers.enter_context(verdict_workers()))
            review_ids, self._early = self._early, []
        with Session(self.engine) as session:
            source = session.get(SourceRow, self.source_id)
            assert source is not None
            judge_ahead(
                session=session, settings=self.settings, source=source, review_ids=review_ids, prefetch=self.prefetch
            )


def _adopt_aliases(session: Session, source_id: int, aliases: dict[str, str]) -> int:
    """Give reviews stored under a row's other-date-order id the id it has now; how many were renamed."""
    if not aliases:
        return 0
    wanted = sorted({*aliases, *aliases.values()})
    stored: set[str] = set()
    for start in range(0, len(wanted), 500):
        stored.update(
            session.exec(
                select(Review.site_review_id).where(
                    Review.source_id == source_id, col(Review.site_review_id).in_(wanted[start : start + 500])
                )
            ).all()
        )
    renamed = 0
    for new_id, old_id in aliases.items():
        if new_id in stored or old_id not in stored:
            continue
        session.execute(
            update(Review)
            .where(col(Review.source_id) == source_id, col(Review.site_review_id) == old_id)
            .values(site_review_id=new_id)
        )
        stored.discard(old_id)
        stored.add(new_id)
        renamed += 1
    return renamed


def _analyse(
    engine: Engine,
    settings: Settings,
    summary: ImportSummary,
    company_id: int,
    now: datetime,
    prefetch: VerdictPrefetch | None,
) -> None:
    """Templates once for the company, then negativity and the queue chunk by chunk, each chunk committed.

    Verdicts judged ahead during storing are taken from `prefetch`, whose workers then judge the rest.
    """
    with session_scope(engine) as session:
        # Committed chunk by chunk: a full re-classification writes every reply of the company.
        classify_pending(session=session, company_id=company_id, now=now, checkpoint=session.commit)
        pending = session.exec(
            select(func.count())
            .select_from(Review)
            .join(SourceRow, col(Review.source_id) == SourceRow.id)
            .where(SourceRow.company_id == company_id, col(Review.unhappy).is_(None))
        ).one()
    with ExitStack() as stack:
        pool = prefetch.pool if prefetch is not None else stack.enter_context(verdict_pool(pending))
        after: int | None = 0
        while after is not None:
            with session_scope(engine) as session:
                update_, after = analyse_pending(
                    session=session,
                    settings=settings,
                    company_id=company_id,
                    now=now,
                    after_id=after,
                    pool=pool,
                    prefetch=prefetch,
                )
            summary.queue.add(update_)
    with session_scope(engine) as session:
        # The replies were classified before their reviews were judged: the figures that read verdicts are recounted.
        # Committed alone, so that the themes below do not run while this transaction holds the write lock.
        recount_company_templates(session=session, company_id=company_id, now=now)
    with session_scope(engine) as session:
        apply_fixed_themes(session=session, settings=settings, now=now)


def _describe(engine: Engine, summary: ImportSummary, source_id: int, company_id: int) -> None:
    """What the stored reviews of this import mean for the queue, read back from the database."""
    window = timedelta(days=summary.window_days)
    with Session(engine) as session:
        linked = select(TaskReview.review_id)
        unhappy = (
            select(Review.published_at, Review.first_seen, Review.seen_in_backfill, col(Review.id).in_(linked))
            .where(Review.source_id == source_id, col(Review.unhappy).is_(True))
            .execution_options(yield_per=5_000)
        )
        for published, first_seen, backfill, queued in session.exec(unhappy):
            summary.unhappy += 1
            if queued:
                summary.in_queue += 1
            elif backfill and (published is None or published < first_seen - window):
                summary.too_old += 1
        summary.tasks = session.exec(
            select(func.count(func.distinct(TaskReview.task_id)))
            .join(Review, col(TaskReview.review_id) == Review.id)
            .where(Review.source_id == source_id)
        ).one()
        summary.template_replies = session.exec(
            select(func.count())
            .select_from(CompanyReply)
            .join(Review, col(CompanyReply.review_id) == Review.id)
            .where(Review.source_id == source_id, col(CompanyReply.template_id).is_not(None))
        ).one()
        summary.templates = session.exec(
            select(func.count())
            .select_from(ReplyTemplate)
            .where(
                ReplyTemplate.company_id == company_id,
                col(ReplyTemplate.active).is_(True),
                ReplyTemplate.kind == "template",
            )
        ).one()


def _finish(engine: Engine, summary: ImportSummary, log: _ProblemLog, started: datetime) -> None:
    summary.problems = log.count
    summary.problems_file, summary.problem_lines = log.finish()
    if summary.run_id is None:
        return
    with session_scope(engine) as session:
        run = session.get(CrawlRun, summary.run_id)
        if run is None:
            return
        run.finished_at = utcnow()
        run.pages = summary.batches
        path = Path(summary.file)
        run.bytes = path.stat().st_size if path.is_file() else 0
        run.reviews_seen = summary.new + summary.changed + summary.unchanged
        run.reviews_new, run.reviews_changed = summary.new, summary.changed
        run.errors = log.first[:_KEPT_IN_RUN]
        run.health = summary.verdict.value
        parts = [summary.message] if summary.message else []
        run.message = "; ".join([*parts, accounting_line(summary)] if summary.rows else parts)


def accounting_line(summary: ImportSummary) -> str:
    """Every row read, accounted for, on one line."""
    skipped = summary.skipped_rows
    reasons = ", ".join(f"{reason} {n}" for reason, n in summary.skipped.most_common())
    line = (
        f"rows read {summary.rows}: {summary.new} new, {summary.changed} changed, {summary.unchanged} unchanged, "
        f"{skipped} skipped{f' ({reasons})' if reasons else ''}, {summary.duplicates} duplicate(s)"
    )
    dropped = sum(summary.dropped.values())
    if dropped:
        cells = ", ".join(f"{reason} {n}" for reason, n in summary.dropped.most_common())
        line += f"; {dropped} cell(s) left out of kept reviews ({cells})"
    return line
