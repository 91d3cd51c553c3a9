"""Posting the personal public reply from the web app: the task page's form and `POST /api/v1/tasks/{id}/reply`.

Both go through `monitor.crawl.reply_posting`, exactly as `monitor tasks reply` does: the reply checker gates it,
only the task's holder posts, the review is read back first, a reply is never sent twice (a lock per task holds
across people and processes), and a dry run shows the exact request without sending anything.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse
from sqlmodel import Session
from starlette.responses import Response

from monitor.core.settings import Settings
from monitor.crawl.reply_posting import PostedReply, ReplyPlan, ReplyRefused, describe_request, plan_reply, post_reply
from monitor.store.user_models import Principal
from monitor.web import service
from monitor.web.api import ERRORS, TaskId, engine_of, task_row
from monitor.web.auth import ApiUser, User
from monitor.web.pages import task_response
from monitor.web.schemas import ReplyBody, SafeText, ShortText
from responders.checker.check import CheckResult, Finding

__all__ = ["api_router", "page_router"]

api_router = APIRouter(prefix="/api/v1", tags=["api"])
page_router = APIRouter(include_in_schema=False)
_NO_CONFIG = (
    "posting replies needs the configuration file that names the store APIs and their credentials: start the web "
    "app with `monitor -c monitor.toml web`"
)


def _settings(request: Request) -> Settings:
    settings: Settings | None = getattr(request.app.state, "settings", None)
    if settings is None:
        raise HTTPException(503, _NO_CONFIG)
    return settings


def _plan(request: Request, me: Principal, task_id: int, text: str, *, reason: str | None, replace: bool) -> ReplyPlan:
    """The checked plan; a reason given means the agent posts despite a stopping finding, as `--force` does."""
    with Session(engine_of(request)) as session:
        return plan_reply(
            session=session,
            settings=_settings(request),
            task_id=task_id,
            text=text,
            actor=me.name,
            force=bool(reason and reason.strip()),
            reason=reason,
            replace=replace,
        )


def _post(request: Request, plan: ReplyPlan) -> PostedReply:
    # Route functions run in a worker thread, which has no event loop of its own: the posting gets a fresh one.
    return asyncio.run(post_reply(engine=engine_of(request), settings=_settings(request), plan=plan))


def _findings(findings: list[Finding]) -> list[dict[str, object]]:
    return [finding.as_dict() for finding in findings]


@api_router.post(
    "/tasks/{task_id}/reply",
    responses={**ERRORS, 503: {"description": "The web app runs without the configuration file."}},
    summary="Post the checked public reply to the task's review through the store's API",
)
def post_reply_api(request: Request, me: ApiUser, task_id: TaskId, body: ReplyBody) -> Response:
    """Check the reply, then post it once (or, with `dry_run`, show the exact request); 409 says what stopped it."""
    try:
        plan = _plan(request, me, task_id, body.text, reason=body.reason, replace=body.replace)
        if body.dry_run:
            return JSONResponse(
                {
                    "dry_run": True,
                    "site": plan.channel.site,
                    "source": plan.source.name,
                    "site_review_id": plan.site_review_id,
                    "request": describe_request(plan, user_agent=_settings(request).user_agent),
                    "findings": _findings(plan.check.findings),
                }
            )
        posted = _post(request, plan)
    except ReplyRefused as exc:
        return JSONResponse({"message": str(exc), "findings": _findings(exc.findings)}, status_code=409)
    task = service.task_page(engine_of(request), task_id).detail.listing.task
    return JSONResponse(
        {
            "posted": not posted.recorded_only,
            "recorded_only": posted.recorded_only,
            "site": posted.site,
            "text": posted.text,
            "published_at": posted.published_at.isoformat() if posted.published_at else None,
            "warning": posted.warning,
            "findings": _findings(plan.check.findings),
            "task": task_row(task),
        }
    )


@page_router.post("/tasks/{task_id}/reply")
def post_reply_form(
    request: Request,
    me: User,
    task_id: TaskId,
    text: Annotated[SafeText, Form(max_length=20_000)] = "",
    reason: Annotated[ShortText, Form()] = "",
    replace: Annotated[str, Form(max_length=5)] = "",
    action: Annotated[str, Form(max_length=10)] = "preview",
) -> Response:
    """Preview (the checker's findings and the exact request) or post the reply; the page says what happened."""
    try:
        plan = _plan(request, me, task_id, text, reason=reason or None, replace=bool(replace))
        if action != "post":
            preview = describe_request(plan, user_agent=_settings(request).user_agent)
            return task_response(request, me, task_id, draft=text, check=plan.check, reply_preview=preview)
        posted = _post(request, plan)
    except ReplyRefused as exc:
        check = CheckResult(language=None, findings=list(exc.findings)) if exc.findings else None
        return task_response(request, me, task_id, message=str(exc), draft=text, check=check, status=409)
    done = "replied_unlogged" if posted.warning else "reply_recorded" if posted.recorded_only else "replied"
    return RedirectResponse(f"/tasks/{task_id}?done={done}", status_code=303)
