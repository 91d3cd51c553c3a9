"""The web app: task board, task pages and manager pages for people, the JSON API for programs.

`create_app` builds it on an engine; `monitor web` serves it with uvicorn. Pages are rendered on the server and
work without JavaScript; a small script only makes them faster (keyboard shortcuts, claiming in place, the draft
checker as you type).
"""

from __future__ import annotations

import time
from importlib.resources import files
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from monitor.core.errors import MonitorError, NotFound, WorkflowError
from monitor.core.settings import Settings
from monitor.core.text_safety import printable
from monitor.web import api, manage, pages, reply
from monitor.web.auth import SignInLimiter, SignInRequired, optional_user
from monitor.web.render import page

__all__ = ["create_app"]

# Scripts only from this site, so text that slipped through escaping still could not run; inline styles are
# allowed because the shared layout and the digest use them.
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_HEADERS = [
    (b"content-security-policy", _CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]


class _SecurityHeaders:
    """Adds the security headers to every response, and the time the app took in a Server-Timing header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started = time.perf_counter()

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                took = f"app;dur={(time.perf_counter() - started) * 1000:.1f}".encode()
                message["headers"] = [*message.get("headers", []), *_HEADERS, (b"server-timing", took)]
            await send(message)

        await self.app(scope, receive, with_headers)


class _App(FastAPI):
    """FastAPI with the security headers as the outermost layer."""

    def build_middleware_stack(self) -> ASGIApp:
        """Starlette's stack wrapped in `_SecurityHeaders`, so the 500 page of an unexpected error carries them too."""
        # Added with add_middleware, the headers sit inside Starlette's server-error layer, whose 500 response
        # is sent past them: without nosniff and the policy.
        return _SecurityHeaders(super().build_middleware_stack())


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    message = printable(message)
    if _is_api(request):
        return JSONResponse({"message": message}, status_code=status, headers=headers)
    who = optional_user(request) if status != 401 else None
    return page(request, "error.html.j2", who, status_code=status, title=f"Error {status}", message=message)


def _validation_message(exc: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    errors = [{"loc": [str(part) for part in e.get("loc", ())], "message": str(e.get("msg", ""))} for e in exc.errors()]
    if not errors:
        return "invalid request", errors
    where = ".".join(p for p in errors[0]["loc"] if p not in ("body", "query", "path", "form"))
    message = str(errors[0]["message"])
    return (f"{where}: {message}" if where else message), errors


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/signin?{pages.next_query(target)}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        return _error(request, exc.status_code, str(exc.detail), dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        message, errors = _validation_message(exc)
        if _is_api(request):
            return JSONResponse({"message": printable(message), "errors": errors}, status_code=422)
        return _error(request, 400, message)

    @app.exception_handler(MonitorError)
    async def _monitor(request: Request, exc: MonitorError) -> Response:
        status = 404 if isinstance(exc, NotFound) else 409 if isinstance(exc, WorkflowError) else 400
        return _error(request, status, str(exc))


def create_app(
    engine: Engine,
    *,
    claim_expiry_minutes: int = 120,
    limiter: SignInLimiter | None = None,
    settings: Settings | None = None,
) -> FastAPI:
    """The web app on `engine`'s database; with `settings`, replies can be posted through the store APIs."""
    app = _App(
        title="Review-response monitor",
        version="1",
        description=(
            "The outreach queue for programs: list and work tasks, check reply drafts, read templates and reviews. "
            "Authenticate with `Authorization: Bearer TOKEN` (create one with `monitor users token NAME`)."
        ),
        docs_url=None,
        redoc_url=None,
    )
    app.state.engine = engine
    app.state.claim_expiry_minutes = claim_expiry_minutes
    app.state.settings = settings
    app.state.limiter = limiter or SignInLimiter()
    _install_handlers(app)
    app.include_router(api.router)
    app.include_router(reply.api_router)
    app.include_router(pages.router)
    app.include_router(reply.page_router)
    app.include_router(manage.router)
    app.mount("/static", StaticFiles(directory=str(files("monitor.web").joinpath("static"))), name="static")

    @app.get("/healthz", include_in_schema=False)
    def _health() -> dict[str, str]:
        return {"status": "ok"}

    return app
