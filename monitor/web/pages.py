"""Pages for people: sign-in, the task board, the task page and every step on a task, all as plain HTML forms."""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from starlette.responses import Response

from monitor.core.errors import MonitorError, WorkflowError
from monitor.store.db import session_scope, utcnow
from monitor.store.models import Company, Review, SourceRow
from monitor.store.task_models import OUTCOMES
from monitor.store.user_models import AppUser, Principal, authenticate, end_session, start_session
from monitor.web import service
from monitor.web.auth import (
    SESSION_COOKIE,
    SIGNIN_COOKIE,
    Manager,
    SignInLimiter,
    User,
    check_form_token,
    clear_session_cookie,
    optional_user,
    remember_signin_token,
    set_session_cookie,
    signin_token,
)
from monitor.web.board import FLAGS, PRIORITY_LABELS, BoardFilters, board_page
from monitor.web.render import page
from monitor.web.schemas import SafeText, ShortText

__all__ = ["next_query", "router", "safe_next", "task_response"]

router = APIRouter(include_in_schema=False)
TaskId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Text = Annotated[SafeText, Form(max_length=5000)]
_DONE = {
    "claimed": "The task is yours.",
    "logged": "Logged.",
    "closed": "The task is closed.",
    "assigned": "The task was assigned.",
    "snoozed": "The task was snoozed.",
    "dismissed": "The task was closed as not actionable.",
    "bulk": "Done.",
    "replied": "The reply was posted on the site and the task is logged as contacted.",
    "reply_recorded": "The site already showed this reply: it was recorded on the task, not sent again.",
    "replied_unlogged": "The reply was posted and recorded, but the task could not be logged as contacted: log it.",
}
_OPTIONS_SECONDS = 60.0


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def safe_next(target: str | None, default: str = "/board") -> str:
    """A redirect target on this site only: a path, never another host (`//evil`, `https://...`, `\\\\evil`)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target or len(target) > 2000:
        return default
    if any(ord(c) < 32 for c in target):
        return default
    return target


def next_query(target: str) -> str:
    """`next=...` for a sign-in link that returns to `target`."""
    return urlencode({"next": safe_next(target)})


def _redirect(target: str) -> RedirectResponse:
    return RedirectResponse(target, status_code=303)


def _client(request: Request) -> str:
    return request.client.host if request.client else "?"


@router.get("/")
def home() -> RedirectResponse:
    """The board is the start page."""
    return _redirect("/board")


@router.get("/signin")
def signin_form(request: Request, next: Annotated[str, Query(max_length=2000)] = "/board") -> Response:
    """The sign-in form."""
    if optional_user(request) is not None:
        return _redirect(safe_next(next))
    return _signin_page(request, safe_next(next), None)


def _signin_page(request: Request, target: str, error: str | None, status: int = 200) -> Response:
    token = signin_token(request)
    context = {"next": target, "error": error, "signin_csrf": token}
    response = page(request, "signin.html.j2", None, title="Sign in", status_code=status, **context)
    remember_signin_token(request, response, token)
    return response


@router.post("/signin")
async def signin(
    request: Request,
    username: Annotated[ShortText, Form()] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/board",
) -> Response:
    """Check the name and password, start a session and go where the person was headed."""
    target = safe_next(next)
    form = await request.form()
    check_form_token(request.cookies.get(SIGNIN_COOKIE), form)
    limiter: SignInLimiter = request.app.state.limiter
    address = _client(request)
    wait = limiter.retry_after(username, address)
    if wait:
        response = _signin_page(request, target, f"Too many failed sign-ins; try again in {wait} seconds.", 429)
        response.headers["Retry-After"] = str(wait)
        return response
    with session_scope(_engine(request)) as session:
        user = authenticate(session, username, password)
        token = start_session(session, user, utcnow()) if user is not None else None
    if token is None:
        limiter.failed(username, address)
        time.sleep(0.2)  # a little friction for guessing, on top of the limit
        return _signin_page(request, target, "Wrong user name or password.", 401)
    limiter.succeeded(username, address)
    response = _redirect(target)
    set_session_cookie(request, response, token)
    response.delete_cookie(SIGNIN_COOKIE, path="/")
    return response


@router.post("/signout")
def signout(request: Request, me: User) -> Response:
    """End the session."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with session_scope(_engine(request)) as session:
            end_session(session, token)
    response = _redirect("/signin")
    clear_session_cookie(request, response)
    return response


def _options(request: Request) -> dict[str, list[str]]:
    """Companies, sources and languages for the filter menus, kept for a minute (they change rarely)."""
    cached: tuple[float, dict[str, list[str]]] | None = getattr(request.app.state, "board_options", None)
    if cached is not None and time.monotonic() - cached[0] < _OPTIONS_SECONDS:
        return cached[1]
    with Session(_engine(request)) as session:
        options = {
            "companies": list(session.exec(select(Company.name).order_by(Company.name)).all()),
            "sources": list(session.exec(select(SourceRow.name).order_by(SourceRow.name)).all()),
            "languages": [
                lang
                for lang in session.exec(
                    select(Review.language).where(col(Review.language).is_not(None)).distinct().limit(100)
                ).all()
                if lang
            ],
        }
    options["languages"].sort()
    request.app.state.board_options = (time.monotonic(), options)
    return options


@router.get("/board")
def board(
    request: Request,
    me: User,
    view: Literal["all", "mine", "unclaimed", "due_today", "overdue", "breached"] = "all",
    status: Literal["open", "closed", "all"] = "open",
    company: ShortText = "",
    source: ShortText = "",
    priority: Literal["", "urgent", "high", "normal", "low"] = "",
    language: Annotated[ShortText, Query(max_length=10)] = "",
    flag: Literal["", "legal", "regulator", "fraud", "abuse"] = "",
    template: Literal["", "yes", "no"] = "",
    rating: Literal["", "1", "2", "3", "4"] = "",
    q: ShortText = "",
    sort: Literal["deadline", "priority"] = "deadline",
    cursor: ShortText = "",
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """The task board: a view, filters, sort, and one page of tasks."""
    filters = BoardFilters(
        view=view,
        status=status,
        company=company or None,
        source=source or None,
        priority=priority or None,
        language=language or None,
        flag=flag or None,
        template={"yes": True, "no": False}.get(template),
        rating=int(rating) if rating else None,
        q=q or None,
        sort=sort,
    )
    params: dict[str, Any] = {
        "view": view,
        "status": status,
        "company": company,
        "source": source,
        "priority": priority,
        "language": language,
        "flag": flag,
        "template": template,
        "rating": rating,
        "q": q,
        "sort": sort,
    }
    with Session(_engine(request)) as session:
        try:
            result = board_page(session=session, filters=filters, me=me.name, now=utcnow(), cursor=cursor or None)
        except ValueError as exc:
            raise MonitorError(str(exc)) from None
        users = _users(session) if me.is_manager else []
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return page(
        request,
        "board.html.j2",
        me,
        title="Task board",
        rows=result.rows,
        next_cursor=result.next_cursor,
        params=params,
        options=_options(request),
        priorities=PRIORITY_LABELS,
        flags=FLAGS,
        users=users,
        here=here,
        message=_DONE.get(done),
        first_page=not cursor,
    )


def _users(session: Session) -> list[str]:
    return list(session.exec(select(AppUser.name).where(col(AppUser.disabled).is_(False)).order_by(AppUser.name)).all())


def task_response(
    request: Request,
    me: Principal,
    task_id: int,
    *,
    message: str | None = None,
    draft: str = "",
    check: Any = None,
    status: int = 200,
    reply_preview: str | None = None,
) -> Response:
    """The task page, with a message, the draft and its check, and the request a reply would send."""
    view = service.task_page(_engine(request), task_id)
    users: list[str] = []
    if me.is_manager:
        with Session(_engine(request)) as session:
            users = _users(session)
    return page(
        request,
        "task.html.j2",
        me,
        status_code=status,
        title=f"Task {task_id}",
        view=view,
        detail=view.detail,
        task=view.detail.listing.task,
        tz=view.timezone,
        guidance=view.guidance,
        clock=service.business_clock(view, utcnow()),
        outcomes=OUTCOMES,
        message=message,
        draft=draft,
        check=check,
        users=users,
        reply_preview=reply_preview,
    )


@router.get("/tasks/{task_id}")
def task(request: Request, me: User, task_id: TaskId, done: Annotated[str, Query(max_length=20)] = "") -> Response:
    """Everything about one task, with the forms to work it."""
    return task_response(request, me, task_id, message=_DONE.get(done))


@router.post("/tasks/{task_id}/claim")
def claim(request: Request, me: User, task_id: TaskId, next: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """Claim the task, then go back to where the button was."""
    service.claim(_engine(request), task_id, me, request.app.state.claim_expiry_minutes)
    return _redirect(_with_done(safe_next(next, f"/tasks/{task_id}"), "claimed"))


def _with_done(target: str, done: str) -> str:
    base = target.split("#", 1)[0]
    return f"{base}{'&' if '?' in base else '?'}done={done}"


@router.post("/tasks/{task_id}/log")
def log(
    request: Request,
    me: User,
    task_id: TaskId,
    note: Text = "",
    contact: Annotated[Literal["", "contacted", "waiting"], Form()] = "",
    follow_up_due: Annotated[ShortText, Form()] = "",
) -> Response:
    """Log a note, a contact or waiting, and a promised follow-up."""
    service.log(
        _engine(request),
        task_id,
        me,
        note=note,
        contacted=contact == "contacted",
        waiting=contact == "waiting",
        follow_up_due=follow_up_due or None,
    )
    return _redirect(f"/tasks/{task_id}?done=logged")


@router.post("/tasks/{task_id}/close")
def close(
    request: Request,
    me: User,
    task_id: TaskId,
    outcome: Annotated[Literal["resolved", "no_response", "not_actionable"], Form()],
    note: Text = "",
) -> Response:
    """Close the task with its outcome."""
    service.close(_engine(request), task_id, me, outcome, note)
    return _redirect(f"/tasks/{task_id}?done=closed")


@router.post("/tasks/{task_id}/check")
def check(
    request: Request,
    me: User,
    task_id: TaskId,
    draft: Annotated[SafeText, Form(max_length=20_000)] = "",
) -> Response:
    """Check the draft (the page without JavaScript): the findings are shown beside the draft."""
    try:
        result = service.check_draft(_engine(request), draft, task_id=task_id) if draft.strip() else None
    except ValueError as exc:
        return task_response(request, me, task_id, message=str(exc), draft=draft, status=422)
    return task_response(request, me, task_id, draft=draft, check=result)


@router.post("/tasks/{task_id}/assign")
def assign(
    request: Request, me: Manager, task_id: TaskId, assignee: Annotated[ShortText, Form(min_length=1)]
) -> Response:
    """Hand the task to someone (managers)."""
    service.assign(_engine(request), task_id, me, assignee)
    return _redirect(f"/tasks/{task_id}?done=assigned")


@router.post("/tasks/{task_id}/snooze")
def snooze(request: Request, me: Manager, task_id: TaskId, until: Annotated[ShortText, Form(min_length=1)]) -> Response:
    """Move the task's next due time (managers)."""
    service.snooze(_engine(request), task_id, me, until)
    return _redirect(f"/tasks/{task_id}?done=snoozed")


@router.post("/tasks/{task_id}/dismiss")
def dismiss(request: Request, me: Manager, task_id: TaskId, reason: Text = "") -> Response:
    """Close the task as not actionable with a reason (managers)."""
    service.dismiss(_engine(request), task_id, me, reason)
    return _redirect(f"/tasks/{task_id}?done=dismissed")


@router.post("/board/bulk")
def bulk(
    request: Request,
    me: Manager,
    action: Annotated[Literal["assign", "snooze", "close"], Form()],
    task_ids: Annotated[list[Annotated[int, Path(ge=1, le=2**31 - 1)]], Form(alias="task_id")] = [],  # noqa: B006
    assignee: Annotated[ShortText, Form()] = "",
    until: Annotated[ShortText, Form()] = "",
    reason: Text = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """One step on every chosen task (managers); a task that refuses is reported, the others go ahead."""
    if not task_ids:
        raise MonitorError("choose at least one task")
    if len(task_ids) > 500:
        raise MonitorError("at most 500 tasks at once")
    engine = _engine(request)
    failed: list[str] = []
    for task_id in task_ids:
        try:
            if action == "assign":
                service.assign(engine, task_id, me, assignee)
            elif action == "snooze":
                service.snooze(engine, task_id, me, until)
            else:
                service.dismiss(engine, task_id, me, reason)
        except MonitorError as exc:
            failed.append(f"task {task_id}: {exc}")
    if failed:
        done = len(task_ids) - len(failed)
        raise WorkflowError(f"{done} of {len(task_ids)} done; not done: " + "; ".join(failed[:20]))
    return _redirect(_with_done(safe_next(next), "bulk"))
