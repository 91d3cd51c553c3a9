"""Building a report: one `CompanyReport` per company, its figures counted by the database per period."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, datetime

from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from monitor.core.errors import MonitorError
from monitor.report.model import CompanyReport, Figures, Found, Report
from monitor.report.periods import PREVIOUS_KEY, By, Period, periods, previous_period, utc_bounds
from monitor.report.reviews import add_families, add_reply_times, add_review_figures, undated_reviews
from monitor.report.rows import review_rows
from monitor.report.scope import Scope, Span
from monitor.report.tasks import add_task_counts, agent_figures
from monitor.report.themes import THEMES_READ, ThemeWords, finish_themes, start_themes
from monitor.store.db import utcnow
from monitor.store.models import Company, SourceRow

__all__ = ["MAX_DAYS", "build_report"]

MAX_DAYS = 3660  # ten years: a wider range is a typing mistake, and by day it would be thousands of periods
_OVERALL = "overall"  # where figures of all periods together are collected (no period key looks like it)


def build_report(
    *,
    session: Session,
    first_day: date,
    last_day: date,
    by: By | None = None,
    companies: Sequence[str] | None = None,
    now: datetime | None = None,
    themes_read: int = THEMES_READ,
    theme_words: ThemeWords | None = None,
) -> Report:
    """The report of local days `first_day`..`last_day` for the named companies (default: every company).

    `theme_words` are the word lists that keep function words out of the complaint themes (see
    `monitor.report.themes`); without them the report has no themes. `themes_read` caps the complaints read for
    themes per company.
    """
    if last_day < first_day:
        raise MonitorError(f"--to {last_day} is before --from {first_day}")
    if (last_day - first_day).days >= MAX_DAYS:
        raise MonitorError(f"--from {first_day} --to {last_day}: a report covers at most {MAX_DAYS} days")
    now = now or utcnow()
    rows = list(session.exec(select(Company).order_by(Company.name)).all())
    if companies:
        known = {c.name: c for c in rows}
        missing = [n for n in companies if n not in known]
        if missing:
            listed = ", ".join(known) or "none stored yet; run `monitor init` or `monitor import`"
            raise MonitorError(f"no company named {missing[0]!r} in the database (known: {listed})")
        rows = [known[n] for n in dict.fromkeys(companies)]
    report = Report(first_day=first_day, last_day=last_day, by=by, generated_at=now)
    if not rows:
        return report
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # Many short queries over about a tenth of a big table each: PostgreSQL's estimate calls for JIT compiling,
        # which then costs a third of a second per query and saves nothing. Only for this transaction.
        connection.exec_driver_sql("SET LOCAL jit = off")
        # The sample of complaints for themes ranks half a million rows, the medians sort their hours: at the
        # default 4 MB both spill to disk. Only for this transaction, for the few sorts of one report.
        connection.exec_driver_sql("SET LOCAL work_mem = '64MB'")
    plan = periods(first_day, last_day, by)
    previous = previous_period(plan[0], by)
    names: dict[int, list[str]] = defaultdict(list)
    for owner, name in connection.execute(
        select(SourceRow.company_id, SourceRow.name).where(col(SourceRow.company_id).in_([c.id for c in rows]))
    ).all():
        names[owner].append(name)
    scope = _scope(connection, rows, plan, previous, by, now)
    found: Found = {}
    overall = None if by is None else (_OVERALL, previous.key)
    # One thread reads complaint texts for themes while this one has the database count everything else.
    with review_rows(scope) as table, ThreadPoolExecutor(max_workers=1) as executor:
        add_review_figures(scope, table, found)
        reading = start_themes(
            scope,
            table,
            [previous.key, *(p.key for p in plan)],
            words=theme_words,
            own_names={c.id or 0: [c.name, *names[c.id or 0]] for c in rows},
            budget=themes_read,
            overall=None if overall is None else _OVERALL,
            executor=executor,
            complaints={key: figures.unhappy_reviews for key, figures in found.items()},
        )
        add_reply_times(scope, table, found)
        add_families(scope, table, found, overall=overall)
        if overall is not None:
            add_reply_times(scope, table, found, overall=overall)
        add_task_counts(scope, found)
        undated = undated_reviews(scope)
        agents = agent_figures(scope)
        finish_themes(reading, found)
    span = previous_period(periods(first_day, last_day, None)[0], None)
    if by is not None:
        # The range as a whole is compared with the span before it, not with the calendar period before the first.
        _count_span(connection, rows, span, now, found)
    for company in rows:
        company_id = company.id or 0
        per_period = [(p, found.get((company_id, p.key)) or Figures()) for p in plan]
        total = per_period[0][1] if by is None else _total(per_period, found.get((company_id, _OVERALL)))
        report.companies.append(
            CompanyReport(
                company=company.name,
                timezone=company.timezone or "UTC",
                total=total,
                previous=found.get((company_id, PREVIOUS_KEY)) or Figures(),
                previous_period=span,
                periods=per_period,
                undated_reviews=undated.get(company_id, (0, 0))[0],
                undated_unhappy=undated.get(company_id, (0, 0))[1],
                agents=agents.get(company_id, []),
            )
        )
    return report


def _scope(
    connection: Connection, companies: list[Company], plan: list[Period], previous: Period, by: By | None, now: datetime
) -> Scope:
    sources: dict[int, list[int]] = defaultdict(list)
    for source_id, company_id in connection.execute(
        select(SourceRow.id, SourceRow.company_id).where(col(SourceRow.company_id).in_([c.id for c in companies]))
    ).all():
        if source_id is not None:
            sources[company_id].append(source_id)
    spans = []
    for company in companies:
        zone = company.timezone or "UTC"
        start, previous_end = utc_bounds(previous.first_day, previous.last_day, zone)
        split, end = utc_bounds(plan[0].first_day, plan[-1].last_day, zone)
        starts = tuple((utc_bounds(p.first_day, p.first_day, zone)[0], p.key) for p in [previous, *plan])
        spans.append(
            Span(
                company_id=company.id or 0,
                source_ids=tuple(sources[company.id or 0]),
                timezone=zone,
                start=start,
                previous_end=previous_end,
                split=split,
                end=end,
                starts=starts if by is not None else (),
            )
        )
    return Scope(connection=connection, by=by, now=now, spans=tuple(spans))


def _count_span(connection: Connection, companies: list[Company], span: Period, now: datetime, found: Found) -> None:
    """The review and task figures of `span` (the span before the range) as one period, filed as "previous"."""
    scope = _scope(connection, companies, [span], span, None, now)
    # Everything in the scope is before its split: every row is filed under "previous".
    scope = replace(scope, spans=tuple(replace(s, split=s.end, previous_end=s.end) for s in scope.spans))
    with review_rows(scope) as table:
        add_review_figures(scope, table, found)
        add_reply_times(scope, table, found)
    add_task_counts(scope, found)


def _total(per_period: list[tuple[Period, Figures]], whole: Figures | None) -> Figures:
    """The counts of the periods added up; medians, families and themes as computed for the whole range."""
    total = Figures()
    for _, part in per_period:
        total.reviews += part.reviews
        total.unhappy_reviews += part.unhappy_reviews
        total.replied += part.replied
        total.replied_personally += part.replied_personally
        total.replied_with_template += part.replied_with_template
        total.replied_privately += part.replied_privately
        total.rating_sum += part.rating_sum
        total.rating_count += part.rating_count
        for star, count in part.rating_distribution.items():
            total.rating_distribution[star] = total.rating_distribution.get(star, 0) + count
        total.tasks_opened += part.tasks_opened
        total.tasks_first_contacts += part.tasks_first_contacts
        total.tasks_breached += part.tasks_breached
        total.tasks_closed += part.tasks_closed
        for outcome, count in part.outcomes.items():
            total.outcomes[outcome] = total.outcomes.get(outcome, 0) + count
        for group, loop in part.loop.items():
            total.loop[group].add(loop)
    if whole is not None:
        total.median_hours_to_reply = whole.median_hours_to_reply
        total.timed_replies = whole.timed_replies
        total.families = whole.families
        total.themes, total.themes_read = whole.themes, whole.themes_read
    return total
