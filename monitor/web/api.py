"""The JSON API under /api/v1: tasks, the reply checker, templates and reviews, for scripts and other tools.

Every call needs `Authorization: Bearer TOKEN` (a token from `monitor users token NAME`); errors are JSON objects
with a `message`. 401: no valid token; 403: the role may not; 404: no such thing; 409: the task is not in a state
that allows the step (someone else won the claim, it is closed, it is not yours).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from monitor.store.db import utcnow
from monitor.store.models import Company, CompanyReply, Review, SourceRow
from monitor.store.task_models import OutreachTask
from monitor.store.template_models import ReplyTemplate
from monitor.web import service
from monitor.web.auth import ApiManager, ApiUser
from monitor.web.board import BoardFilters, board_page
from monitor.web.schemas import AssignBody, CheckBody, CloseBody, LogBody, ShortText, SnoozeBody

__all__ = ["ERRORS", "TaskId", "engine_of", "router", "task_row"]

router = APIRouter(prefix="/api/v1", tags=["api"])
TaskId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The task id.")]
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No valid API token."},
    403: {"description": "The role may not do this."},
    404: {"description": "No such task."},
    409: {"description": "The task's state does not allow this step (e.g. someone else holds it)."},
}


def engine_of(request: Request) -> Engine:
    """The app's database engine."""
    engine: Engine = request.app.state.engine
    return engine


def task_row(task: OutreachTask) -> dict[str, Any]:
    """A task's state as the API answers it after a step."""
    return {
        "id": task.id,
        "status": task.status,
        "owner": task.owner,
        "due_at": task.due_at.isoformat() if task.due_at else None,
        "outcome": task.outcome,
        "priority": task.priority,
        "priority_label": task.priority_label,
    }


@router.get("/tasks", responses=ERRORS, summary="List tasks with filters, one page at a time")
def list_tasks(
    request: Request,
    me: ApiUser,
    view: Literal["all", "mine", "unclaimed", "due_today", "overdue", "breached"] = "all",
    status: Literal["open", "closed", "all"] = "open",
    company: ShortText | None = None,
    source: ShortText | None = None,
    priority: Literal["urgent", "high", "normal", "low"] | None = None,
    language: Annotated[ShortText | None, Query(max_length=10)] = None,
    flag: Literal["legal", "regulator", "fraud", "abuse"] | None = None,
    template: Annotated[bool | None, Query(description="Only tasks whose reviewer got a template (or not).")] = None,
    rating: Annotated[int | None, Query(ge=0, le=100, description="Only tasks with a review rated at most.")] = None,
    q: Annotated[ShortText | None, Query(description="Words in the reviewer's name or a review.")] = None,
    sort: Literal["deadline", "priority"] = "deadline",
    cursor: Annotated[ShortText | None, Query(description="`next_cursor` of the previous page.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    """Tasks in deadline (or priority) order; pass `next_cursor` back as `cursor` for the next page."""
    filters = BoardFilters(
        view=view,
        status=status,
        company=company,
        source=source,
        priority=priority,
        language=language,
        flag=flag,
        template=template,
        rating=rating,
        q=q,
        sort=sort,
    )
    with Session(engine_of(request)) as session:
        try:
            page = board_page(session=session, filters=filters, me=me.name, now=utcnow(), cursor=cursor, limit=limit)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
    return {"items": [row.as_json() for row in page.rows], "next_cursor": page.next_cursor}


@router.get("/tasks/{task_id}", responses=ERRORS, summary="One task with its reviews, history and guidance")
def get_task(request: Request, me: ApiUser, task_id: TaskId) -> dict[str, Any]:
    """The task, its reviews and the company's replies, the reviewer's other reviews, events and guidance."""
    return service.task_json(service.task_page(engine_of(request), task_id))


@router.post("/tasks/{task_id}/claim", responses=ERRORS, summary="Claim a task")
def claim(request: Request, me: ApiUser, task_id: TaskId) -> dict[str, Any]:
    """Claim the task for yourself; 409 when someone else holds it."""
    expiry: int = request.app.state.claim_expiry_minutes
    return task_row(service.claim(engine_of(request), task_id, me, expiry))


@router.post("/tasks/{task_id}/assign", responses=ERRORS, summary="Assign a task (managers)")
def assign(request: Request, me: ApiManager, task_id: TaskId, body: AssignBody) -> dict[str, Any]:
    """Hand the task to a user; only managers and admins may."""
    return task_row(service.assign(engine_of(request), task_id, me, body.assignee))


@router.post("/tasks/{task_id}/snooze", responses=ERRORS, summary="Snooze a task (managers)")
def snooze(request: Request, me: ApiManager, task_id: TaskId, body: SnoozeBody) -> dict[str, Any]:
    """Move the task's next due time; only managers and admins may."""
    return task_row(service.snooze(engine_of(request), task_id, me, body.until, body.note))


@router.post("/tasks/{task_id}/log", responses=ERRORS, summary="Log a contact or note")
def log(request: Request, me: ApiUser, task_id: TaskId, body: LogBody) -> dict[str, Any]:
    """Log a note, a contact made, waiting for the customer, or a promised follow-up on a task you hold."""
    task = service.log(
        engine_of(request),
        task_id,
        me,
        note=body.note,
        contacted=body.contacted,
        waiting=body.waiting,
        follow_up_due=body.follow_up_due,
    )
    return task_row(task)


@router.post("/tasks/{task_id}/close", responses=ERRORS, summary="Close a task")
def close(request: Request, me: ApiUser, task_id: TaskId, body: CloseBody) -> dict[str, Any]:
    """Close a task you hold with its outcome (an unclaimed one may be closed as not_actionable)."""
    return task_row(service.close(engine_of(request), task_id, me, body.outcome, body.note))


@router.post("/check-reply", responses=ERRORS, summary="Check a reply draft")
def check_reply(request: Request, me: ApiUser, body: CheckBody) -> dict[str, Any]:
    """Findings with character offsets into the draft, so a client can highlight them."""
    try:
        result = service.check_draft(
            engine_of(request),
            body.text,
            task_id=body.task_id,
            name=body.name,
            language=body.language,
            review_text=body.review_text,
        )
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    return result.as_dict()


@router.get("/templates", responses=ERRORS, summary="Template replies per company")
def templates(
    request: Request,
    me: ApiUser,
    company: ShortText | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """The template replies each company posted, largest first."""
    query = select(ReplyTemplate, Company.name).join(Company, col(ReplyTemplate.company_id) == Company.id)
    query = query.where(col(ReplyTemplate.active).is_(True))
    if company:
        query = query.where(Company.name == company)
    with Session(engine_of(request)) as session:
        rows = session.exec(query.order_by(col(ReplyTemplate.size).desc(), col(ReplyTemplate.id)).limit(limit)).all()
    return {
        "items": [
            {
                "id": t.id,
                "company": name,
                "kind": t.kind,
                "size": t.size,
                "replies": t.reply_count,
                "unhappy_recipients": t.unhappy_recipients,
                "skeleton": t.skeleton,
                "examples": t.examples[:3],
                "sources": t.sources,
                "first_seen": _iso(t.first_seen),
                "last_seen": _iso(t.last_seen),
            }
            for t, name in rows
        ]
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@router.get("/reviews", responses=ERRORS, summary="Stored reviews, newest first")
def reviews(
    request: Request,
    me: ApiUser,
    company: ShortText | None = None,
    source: ShortText | None = None,
    unhappy: bool | None = None,
    before_id: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="The last page's `next_before_id`.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """Reviews by id, newest first, with their company reply; page with `before_id`."""
    query = (
        select(Review, SourceRow.name, Company.name, CompanyReply)
        .join(SourceRow, col(Review.source_id) == SourceRow.id)
        .join(Company, col(SourceRow.company_id) == Company.id)
        .outerjoin(CompanyReply, col(CompanyReply.review_id) == Review.id)
    )
    if company:
        query = query.where(Company.name == company)
    if source:
        query = query.where(SourceRow.name == source)
    if unhappy is not None:
        query = query.where(col(Review.unhappy).is_(unhappy))
    if before_id is not None:
        query = query.where(col(Review.id) < before_id)
    with Session(engine_of(request)) as session:
        rows = session.exec(query.order_by(col(Review.id).desc()).limit(limit + 1)).all()
    items = [
        {
            "id": r.id,
            "company": company_name,
            "source": source_name,
            "url": r.url,
            "author": r.author_name,
            "rating": r.rating,
            "rating_scale": r.rating_scale,
            "title": r.title,
            "body": r.body,
            "language": r.language,
            "published_at": _iso(r.published_at),
            "unhappy": r.unhappy,
            "flags": [f for f in r.flags.split(",") if f],
            "reply": None if reply is None else {"text": reply.text, "template_id": reply.template_id},
        }
        for r, source_name, company_name, reply in rows[:limit]
    ]
    more = len(rows) > limit
    return {"items": items, "next_before_id": items[-1]["id"] if more and items else None}
