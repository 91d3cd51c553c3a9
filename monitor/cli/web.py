"""`monitor web`: the web app for support staff and managers, and the JSON API, served by uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from monitor.cli.common import app_context, shown
from monitor.runtime.console import fail_cleanly, out

__all__ = ["web"]


@fail_cleanly
def web(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on; keep 127.0.0.1 behind a reverse proxy.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port to listen on.")] = 8000,
    forwarded_allow_ips: Annotated[
        str,
        typer.Option(
            help="Proxies whose X-Forwarded-For/-Proto headers are trusted (comma-separated addresses, or '*')."
        ),
    ] = "127.0.0.1",
) -> None:
    """Serve the web app (task board, task pages, manager pages) and the JSON API under /api/v1."""
    import uvicorn  # loaded on use: `monitor` starts fast

    from monitor.web.app import create_app

    app_ctx = app_context(ctx)
    settings = app_ctx.settings
    application = create_app(app_ctx.engine, claim_expiry_minutes=settings.claim_expiry_minutes, settings=settings)
    out.print(
        f"Web app on http://{shown(host)}:{port}/ (API described at /openapi.json); sign in with an account from "
        "`monitor users add`. Ctrl-C stops it."
    )
    uvicorn.run(
        application,
        host=host,
        port=port,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        server_header=False,
        log_level="info",
    )
