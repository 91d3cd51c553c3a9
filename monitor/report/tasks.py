"""The outreach queue in a report: tasks opened, first contacted, breached and closed per period, and per agent.

A task counts in the period in which the step happened (opened, first contact, deadline, close). A deadline is
breached when the task's first-contact deadline passed before anyone logged a contact: contacted late, or not
contacted by the time the report is built. Agents are the names given with `--as` in `monitor tasks`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlmodel import col

from monitor.report.medians import medians
from monitor.report.model import OUTCOMES, AgentFigures, Found, figures_at
from monitor.report.scope import Scope, Span
from monitor.store.task_models import OPEN_STATUSES, OutreachTask, TaskEvent

__all__ = ["CONTACT_KINDS", "add_task_counts", "agent_figures"]

# Task events that record a contact with the reviewer (waiting means the agent spoke to them and awaits an answer).
CONTACT_KINDS = ("contacted", "waiting_for_customer")


def _company() -> Any:
    return col(OutreachTask.company_id)


def _owned(span: Span) -> Any:
    return _company() == span.company_id


def _count_by_period(scope: Scope, column: Any, *conditions: Any, outcome: bool = False) -> list[Any]:
    rows = (
        select(
            _company().label("company"),
            scope.bucket(column, _company()).label("period"),
            col(OutreachTask.outcome).label("outcome"),
        )
        .where(_company().in_(scope.company_ids), scope.within(column, _owned), *conditions)
        .subquery()
    )
    keys = [rows.c.company, rows.c.period, *([rows.c.outcome] if outcome else [])]
    return list(scope.connection.execute(select(*keys, func.count()).group_by(*keys)).all())


def add_task_counts(scope: Scope, found: Found) -> None:
    """Tasks opened, first contacted, breached and closed (by outcome) in each period."""
    for company, period, count in _count_by_period(scope, col(OutreachTask.created_at)):
        figures_at(found, company, period).tasks_opened = int(count)
    for company, period, count in _count_by_period(scope, col(OutreachTask.first_contacted_at)):
        figures_at(found, company, period).tasks_first_contacts = int(count)
    due = col(OutreachTask.first_contact_due)
    contacted = col(OutreachTask.first_contacted_at)
    missed = and_(due < scope.now, or_(contacted.is_(None), contacted > due))
    for company, period, count in _count_by_period(scope, due, missed):
        figures_at(found, company, period).tasks_breached = int(count)
    for company, period, name, count in _count_by_period(scope, col(OutreachTask.closed_at), outcome=True):
        figures = figures_at(found, company, period)
        figures.tasks_closed += int(count)
        if name in OUTCOMES:
            figures.outcomes[name] += int(count)


def agent_figures(scope: Scope) -> dict[int, list[AgentFigures]]:
    """Per company, what each agent did on its queue in the report's range (the period before is left out)."""
    agents: dict[tuple[int, str], AgentFigures] = {}

    def agent(company: int, name: str) -> AgentFigures:
        return agents.setdefault((company, name), AgentFigures(agent=name))

    in_range = and_(
        _company().in_(scope.company_ids),
        scope.within(col(TaskEvent.at), _owned, report_only=True),
        col(TaskEvent.actor) != "system",
    )
    # Distinct tasks: a task claimed twice, or logged as waiting and then as contacted, counts once.
    events = (
        select(
            _company().label("company"),
            col(TaskEvent.actor).label("actor"),
            case((col(TaskEvent.kind) == "claimed", "claimed"), else_="contacted").label("what"),
            col(TaskEvent.task_id).label("task"),
        )
        .join(OutreachTask, col(OutreachTask.id) == col(TaskEvent.task_id))
        .where(in_range, col(TaskEvent.kind).in_(("claimed", *CONTACT_KINDS)))
        .subquery()
    )
    keys = [events.c.company, events.c.actor, events.c.what]
    for row in scope.connection.execute(select(*keys, func.count(func.distinct(events.c.task))).group_by(*keys)):
        company, actor, what, tasks = tuple(row)
        if what == "claimed":
            agent(company, actor).claimed = int(tasks)
        else:
            agent(company, actor).contacted = int(tasks)
    closes = (
        select(
            _company().label("company"),
            col(TaskEvent.actor).label("actor"),
            TaskEvent.__table__.c.data["outcome"].as_string().label("outcome"),  # type: ignore[attr-defined]
        )
        .join(OutreachTask, col(OutreachTask.id) == col(TaskEvent.task_id))
        .where(in_range, col(TaskEvent.kind) == "closed")
        .subquery()
    )
    keys = [closes.c.company, closes.c.actor, closes.c.outcome]
    for row in scope.connection.execute(select(*keys, func.count()).group_by(*keys)):
        company, actor, name, count = tuple(row)
        if name in OUTCOMES:
            agent(company, actor).closed[name] += int(count)
    _add_first_contacts(scope, agent)
    held = (
        select(_company(), col(OutreachTask.owner), func.count())
        .where(
            _company().in_(scope.company_ids),
            col(OutreachTask.status).in_(OPEN_STATUSES),
            col(OutreachTask.owner).is_not(None),
            col(OutreachTask.first_contacted_at).is_(None),
            col(OutreachTask.first_contact_due) < scope.now,
        )
        .group_by(_company(), col(OutreachTask.owner))
    )
    for company, owner, count in scope.connection.execute(held).all():
        agent(company, str(owner)).overdue_now = int(count)
    found: dict[int, list[AgentFigures]] = defaultdict(list)
    for (company, _), figures in sorted(agents.items(), key=lambda item: (item[0][0], item[0][1].casefold())):
        found[company].append(figures)
    return found


def _add_first_contacts(scope: Scope, agent: Any) -> None:
    """First contacts per agent: how many, how late against the deadline, median hours from task to contact."""
    first = col(OutreachTask.first_contacted_at)
    # The event that recorded the first contact carries the same instant as the task's first_contacted_at.
    rows = (
        select(
            _company().label("company"),
            col(TaskEvent.actor).label("actor"),
            scope.hours_between(first, col(OutreachTask.created_at)).label("hours"),
            case((first > col(OutreachTask.first_contact_due), 1), else_=0).label("late"),
        )
        .select_from(OutreachTask)
        .join(
            TaskEvent,
            and_(
                col(TaskEvent.task_id) == col(OutreachTask.id),
                col(TaskEvent.at) == first,
                col(TaskEvent.kind).in_(CONTACT_KINDS),
            ),
        )
        .where(_company().in_(scope.company_ids), scope.within(first, _owned, report_only=True))
        .subquery()
    )
    keys = [rows.c.company, rows.c.actor]
    for row in scope.connection.execute(select(*keys, func.count(), func.sum(rows.c.late)).group_by(*keys)):
        company, actor, count, late = tuple(row)
        agent(company, actor).first_contacts = int(count)
        agent(company, actor).late_first_contacts = int(late or 0)
    for (company, actor), (middle, _) in medians(scope, rows, ["company", "actor"], "hours").items():
        agent(company, actor).median_hours_to_first_contact = max(0.0, middle)
