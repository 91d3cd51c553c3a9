"""The life of an outreach task: claim, log contact, wait for the customer, close with an outcome.

new ─claim─▶ claimed ─log --contacted─▶ contacted ◀─log --contacted─┐
                 │                          │                       │
                 └──────log --waiting───────┴──▶ waiting_for_customer (nothing is due: the clock stops)
any open status ─close─▶ resolved / no_response (both need a contact first) / not_actionable

Every step writes a `TaskEvent`. Claiming is one conditional UPDATE (race-free on SQLite and PostgreSQL);
other steps check the task, then update it only if status and owner are still what was checked, so two people
acting at once never both succeed. A refused step raises WorkflowError and changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, update
from sqlalchemy.engine import CursorResult
from sqlmodel import Session, col, select

from monitor.core.errors import NotFound, WorkflowError
from monitor.store.models import Review
from monitor.store.task_models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    OUTCOMES,
    OutreachTask,
    TaskEvent,
    TaskFollowUp,
    TaskReview,
)

__all__ = [
    "assign_task",
    "claim_task",
    "close_task",
    "dismiss_task",
    "get_task",
    "log_contact",
    "release_expired_claims",
    "snooze_task",
]


def get_task(*, session: Session, task_id: int) -> OutreachTask:
    """The task, or NotFound."""
    task = session.get(OutreachTask, task_id)
    if task is None:
        raise NotFound(f"no task {task_id} (see `monitor tasks list`)")
    return task


def _actor(name: str | None) -> str:
    value = (name or "").strip()
    if not value:
        raise WorkflowError("say who you are with --as NAME")
    if len(value) > 100:
        raise WorkflowError("a name is at most 100 characters")
    return value


def _expiry_cutoff(now: datetime, expiry_minutes: int) -> datetime:
    return now - timedelta(minutes=expiry_minutes)


def claim_task(*, session: Session, task_id: int, actor: str, now: datetime, expiry_minutes: int) -> OutreachTask:
    """Take a new task (or one whose claim expired); exactly one of several simultaneous claimers wins."""
    actor = _actor(actor)
    cutoff = _expiry_cutoff(now, expiry_minutes)
    claimable = or_(
        col(OutreachTask.status) == "new",
        and_(col(OutreachTask.status) == "claimed", col(OutreachTask.last_activity_at) < cutoff),
    )
    outcome: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(OutreachTask)
        .where(col(OutreachTask.id) == task_id, claimable)
        .values(
            owner=actor,
            status="claimed",
            claimed_at=now,
            last_activity_at=now,
            needs_attention=False,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if outcome.rowcount == 1:
        data: dict[str, Any] = {}
        previous = _last_claimer(session, task_id)
        if previous and previous != actor:
            data["previous_owner"] = previous  # an expired claim taken over
        session.add(TaskEvent(task_id=task_id, at=now, actor=actor, kind="claimed", data=data))
        session.flush()
        task = get_task(session=session, task_id=task_id)
        session.refresh(task)
        return task
    task = get_task(session=session, task_id=task_id)
    session.refresh(task)
    if task.status in CLOSED_STATUSES:
        raise WorkflowError(f"task {task_id} is closed ({task.status}); nothing to claim")
    if task.owner == actor:
        return task  # already yours: claiming again is harmless
    raise WorkflowError(
        f"task {task_id} is held by {task.owner} ({task.status}); ask them to hand it over or pick another task"
    )


def _last_claimer(session: Session, task_id: int) -> str | None:
    """Who held the task before, read from its events after the claim (never used to decide the claim)."""
    last = session.exec(
        select(TaskEvent)
        .where(TaskEvent.task_id == task_id, col(TaskEvent.kind).in_(("claimed", "claim_expired", "closed")))
        .order_by(col(TaskEvent.id).desc())
        .limit(1)
    ).first()
    return last.actor if last is not None and last.kind == "claimed" else None


def release_expired_claims(*, session: Session, now: datetime, expiry_minutes: int) -> list[int]:
    """Put claimed tasks with no logged activity for `expiry_minutes` back to new; return their ids."""
    cutoff = _expiry_cutoff(now, expiry_minutes)
    stale = session.exec(
        select(OutreachTask.id, OutreachTask.owner).where(
            OutreachTask.status == "claimed", col(OutreachTask.last_activity_at) < cutoff
        )
    ).all()
    released: list[int] = []
    for task_id, owner in stale:
        # The same condition again, so a task claimed or logged meanwhile is left alone.
        outcome: CursorResult[Any] = session.execute(  # type: ignore[assignment]
            update(OutreachTask)
            .where(
                col(OutreachTask.id) == task_id,
                col(OutreachTask.status) == "claimed",
                col(OutreachTask.last_activity_at) < cutoff,
            )
            .values(status="new", owner=None, claimed_at=None, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if outcome.rowcount == 1 and task_id is not None:
            note = f"claim by {owner} expired after {expiry_minutes} minutes without activity"
            session.add(TaskEvent(task_id=task_id, at=now, kind="claim_expired", note=note, data={"owner": owner}))
            released.append(task_id)
    session.flush()
    return released


def _held_by(task: OutreachTask, actor: str, verb: str) -> None:
    if task.status in CLOSED_STATUSES:
        raise WorkflowError(f"task {task.id} is already closed ({task.status}); it cannot be {verb}")
    if task.status == "new" or task.owner is None:
        raise WorkflowError(f"task {task.id} is not claimed; claim it first: monitor tasks claim {task.id} --as NAME")
    if task.owner != actor:
        raise WorkflowError(f"task {task.id} is held by {task.owner}, not {actor}; only the owner can log on it")


def _guarded_update(session: Session, task: OutreachTask, values: dict[str, Any]) -> None:
    """Apply `values` only if the task's status and owner are still those checked; else nothing changes."""
    outcome: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(OutreachTask)
        .where(
            col(OutreachTask.id) == task.id,
            col(OutreachTask.status) == task.status,
            col(OutreachTask.owner) == task.owner if task.owner is not None else col(OutreachTask.owner).is_(None),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if outcome.rowcount != 1:
        raise WorkflowError(f"task {task.id} was changed by someone else meanwhile; look at it again and retry")


def _open_follow_ups(session: Session, task_id: int) -> list[TaskFollowUp]:
    return list(
        session.exec(
            select(TaskFollowUp)
            .where(TaskFollowUp.task_id == task_id, col(TaskFollowUp.done_at).is_(None))
            .order_by(col(TaskFollowUp.due_at))
        ).all()
    )


def _current_rating(session: Session, task_id: int) -> float | None:
    """The lowest current rating among the task's reviews: the baseline for closing the loop."""
    ratings = session.exec(
        select(Review.rating)
        .join(TaskReview, col(TaskReview.review_id) == Review.id)
        .where(TaskReview.task_id == task_id, col(Review.rating).is_not(None))
    ).all()
    return min((r for r in ratings if r is not None), default=None)


def log_contact(
    *,
    session: Session,
    task_id: int,
    actor: str,
    note: str,
    now: datetime,
    contacted: bool = False,
    waiting: bool = False,
    follow_up_due: datetime | None = None,
) -> OutreachTask:
    """Log a note on a task you hold; optionally a contact made, waiting for the customer, or a promised follow-up."""
    actor = _actor(actor)
    if contacted and waiting:
        raise WorkflowError("use --contacted or --waiting, not both: waiting means the customer has the next move")
    if not note.strip() and not (contacted or waiting or follow_up_due):
        raise WorkflowError("nothing to log: give --note TEXT (and --contacted, --waiting or --follow-up-due)")
    if follow_up_due is not None and follow_up_due <= now:
        raise WorkflowError("a follow-up must be due in the future")
    task = get_task(session=session, task_id=task_id)
    session.refresh(task)
    _held_by(task, actor, "logged on")
    values: dict[str, Any] = {"last_activity_at": now, "updated_at": now, "needs_attention": False}
    events: list[TaskEvent] = []
    open_follow_ups = _open_follow_ups(session, task_id)
    if contacted or waiting:
        values["status"] = "contacted" if contacted else "waiting_for_customer"
        if task.first_contacted_at is None:
            values["first_contacted_at"] = now
            values["rating_at_contact"] = _current_rating(session, task_id)
        # A contact keeps the promises made so far; waiting hands the next move to the customer.
        for follow_up in open_follow_ups:
            follow_up.done_at = now
            session.add(follow_up)
        open_follow_ups = []
        values["waiting_since"] = now if waiting else None
        events.append(TaskEvent(task_id=task_id, at=now, actor=actor, kind=values["status"], note=note.strip()))
    elif note.strip():
        events.append(TaskEvent(task_id=task_id, at=now, actor=actor, kind="note", note=note.strip()))
    if follow_up_due is not None:
        follow_up = TaskFollowUp(task_id=task_id, due_at=follow_up_due, created_at=now, created_by=actor)
        session.add(follow_up)
        open_follow_ups.append(follow_up)
        events.append(
            TaskEvent(
                task_id=task_id,
                at=now,
                actor=actor,
                kind="follow_up_set",
                note=f"follow-up due {follow_up_due.isoformat()}",
                data={"due_at": follow_up_due.isoformat()},
            )
        )
    status = values.get("status", task.status)
    values["due_at"] = _due(task, status, open_follow_ups, first_contact_made=bool(contacted or waiting))
    _guarded_update(session, task, values)
    session.add_all(events)
    session.flush()
    session.refresh(task)
    return task


def _due(
    task: OutreachTask, status: str, open_follow_ups: list[TaskFollowUp], *, first_contact_made: bool
) -> datetime | None:
    """The next thing owed: the earliest promised follow-up, else first contact while nobody has been contacted."""
    if open_follow_ups:
        return min(f.due_at for f in open_follow_ups)
    if status == "waiting_for_customer":
        return None
    if first_contact_made or status == "contacted":
        return None
    return task.first_contact_due if task.due_at is None else task.due_at


def close_task(
    *, session: Session, task_id: int, actor: str, outcome: str | None, note: str, now: datetime
) -> OutreachTask:
    """Close a task with an outcome; an unclaimed task may be closed as not_actionable by anyone."""
    actor = _actor(actor)
    if not outcome:
        raise WorkflowError(f"say how it ended: --outcome {'|'.join(OUTCOMES)}")
    if outcome not in OUTCOMES:
        raise WorkflowError(f"unknown outcome {outcome!r}; use one of: {', '.join(OUTCOMES)}")
    task = get_task(session=session, task_id=task_id)
    session.refresh(task)
    if task.status == "new" and outcome == "not_actionable":
        pass  # triage: a review that needs no outreach (spam, not a customer) can be closed without claiming
    else:
        _held_by(task, actor, "closed")
    if outcome in ("resolved", "no_response") and task.status not in ("contacted", "waiting_for_customer"):
        raise WorkflowError(
            f"task {task_id} has had no contact logged; log it first (tasks log {task_id} --contacted --note ...) "
            "or close it as not_actionable"
        )
    assert task.status in OPEN_STATUSES
    for follow_up in _open_follow_ups(session, task_id):
        follow_up.done_at = now
        session.add(follow_up)
    _guarded_update(
        session,
        task,
        {
            "status": outcome,
            "outcome": outcome,
            "closed_at": now,
            "due_at": None,
            "waiting_since": None,
            "needs_attention": False,
            "last_activity_at": now,
            "updated_at": now,
        },
    )
    session.add(
        TaskEvent(task_id=task_id, at=now, actor=actor, kind="closed", note=note.strip(), data={"outcome": outcome})
    )
    session.flush()
    session.refresh(task)
    return task


def assign_task(*, session: Session, task_id: int, actor: str, assignee: str, now: datetime) -> OutreachTask:
    """Hand an open task to `assignee` (a manager's step); like a claim, one of two simultaneous changes wins."""
    actor = _actor(actor)
    assignee = _actor(assignee)
    task = get_task(session=session, task_id=task_id)
    session.refresh(task)
    if task.status in CLOSED_STATUSES:
        raise WorkflowError(f"task {task_id} is closed ({task.status}); it cannot be assigned")
    if task.owner == assignee:
        return task  # already theirs: assigning again changes nothing
    previous = task.owner
    values: dict[str, Any] = {
        "owner": assignee,
        "claimed_at": now,
        "last_activity_at": now,  # the claim-expiry clock starts at the hand-over
        "needs_attention": False,
        "updated_at": now,
    }
    if task.status == "new":
        values["status"] = "claimed"
    _guarded_update(session, task, values)
    session.add(
        TaskEvent(
            task_id=task_id,
            at=now,
            actor=actor,
            kind="assigned",
            note=f"assigned to {assignee}",
            data={"from": previous, "to": assignee},
        )
    )
    session.flush()
    session.refresh(task)
    return task


def snooze_task(
    *, session: Session, task_id: int, actor: str, until: datetime, now: datetime, note: str = ""
) -> OutreachTask:
    """Move an open task's next due time to `until` (a manager's step); the first-contact deadline stays."""
    actor = _actor(actor)
    if until <= now:
        raise WorkflowError("a task can only be snoozed until a time in the future")
    task = get_task(session=session, task_id=task_id)
    session.refresh(task)
    if task.status in CLOSED_STATUSES:
        raise WorkflowError(f"task {task_id} is closed ({task.status}); it cannot be snoozed")
    previous = task.due_at
    _guarded_update(session, task, {"due_at": until, "updated_at": now})
    session.add(
        TaskEvent(
            task_id=task_id,
            at=now,
            actor=actor,
            kind="snoozed",
            note=note.strip() or f"snoozed until {until.isoformat()}",
            data={"until": until.isoformat(), "previous_due": previous.isoformat() if previous else None},
        )
    )
    session.flush()
    session.refresh(task)
    return task


def dismiss_task(*, session: Session, task_id: int, actor: str, reason: str, now: datetime) -> OutreachTask:
    """Close any open task as not_actionable with a reason (a manager's triage step, whoever holds the task)."""
    actor = _actor(actor)
    if not reason.strip():
        raise WorkflowError("say why the task needs no outreach: a reason is required")
    task = get_task(session=session, task_id=task_id)
    session.refresh(task)
    if task.status in CLOSED_STATUSES:
        raise WorkflowError(f"task {task_id} is already closed ({task.status})")
    for follow_up in _open_follow_ups(session, task_id):
        follow_up.done_at = now
        session.add(follow_up)
    _guarded_update(
        session,
        task,
        {
            "status": "not_actionable",
            "outcome": "not_actionable",
            "closed_at": now,
            "due_at": None,
            "waiting_since": None,
            "needs_attention": False,
            "last_activity_at": now,
            "updated_at": now,
        },
    )
    session.add(
        TaskEvent(
            task_id=task_id,
            at=now,
            actor=actor,
            kind="closed",
            note=reason.strip(),
            data={"outcome": "not_actionable", "owner": task.owner},
        )
    )
    session.flush()
    session.refresh(task)
    return task
