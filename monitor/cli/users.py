"""`monitor users`: accounts for the web app and the API: add, list, disable, and API tokens."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from monitor.cli.common import app_context, shown
from monitor.core.errors import MonitorError
from monitor.runtime.console import fail_cleanly, fmt_time, out
from monitor.store.states import ROLES

__all__ = ["users_app"]

# The database stack is imported inside the commands: `monitor` starts in a fraction of the time.

users_app = typer.Typer(
    help="People who use the web app and the API: add them, list them, disable them, give them API tokens.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _read_password() -> str:
    """The password: asked twice on a terminal, else the first line of standard input."""
    if sys.stdin.isatty():
        value: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        return value
    return sys.stdin.readline().rstrip("\r\n")


@users_app.command("add")
@fail_cleanly
def add_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The user name used to sign in.")],
    role: Annotated[str, typer.Option(help=f"What the person may do: {', '.join(ROLES)}.")] = "agent",
) -> None:
    """Add a person; the password is read from standard input (asked for on a terminal)."""
    from monitor.store.db import session_scope
    from monitor.store.user_models import create_user

    if role not in ROLES:
        raise MonitorError(f"unknown role {role!r}; use one of: {', '.join(ROLES)}")
    password = _read_password()
    with session_scope(app_context(ctx).engine) as session:
        user = create_user(session, name, role, password)
    out.print(f"added {shown(user.name)} ({user.role})")


@users_app.command("list")
@fail_cleanly
def list_cmd(ctx: typer.Context) -> None:
    """List every account with its role, state and API tokens."""
    from sqlalchemy import func
    from sqlmodel import col, select

    from monitor.store.db import session_scope
    from monitor.store.user_models import ApiToken, AppUser

    with session_scope(app_context(ctx).engine) as session:
        users = session.exec(select(AppUser).order_by(AppUser.name)).all()
        tokens: dict[int, int] = {}
        used: dict[int, datetime | None] = {}
        for user_id, count, last in session.exec(
            select(ApiToken.user_id, func.count(), func.max(ApiToken.last_used_at)).group_by(col(ApiToken.user_id))
        ).all():
            tokens[user_id], used[user_id] = count, last
    table = Table("name", "role", "state", "created", "API tokens", "token last used")
    for user in users:
        table.add_row(
            shown(user.name),
            user.role,
            "[red]disabled[/]" if user.disabled else "active",
            fmt_time(user.created_at),
            str(tokens.get(user.id or 0, 0)),
            fmt_time(used.get(user.id or 0)),
        )
    out.print(table if users else "no users yet: add one with `monitor users add NAME --role manager`")


@users_app.command("disable")
@fail_cleanly
def disable_cmd(ctx: typer.Context, name: Annotated[str, typer.Argument(help="The user name.")]) -> None:
    """Disable an account: it can no longer sign in, and its sessions and API tokens stop working."""
    from monitor.store.db import session_scope
    from monitor.store.user_models import disable_user

    with session_scope(app_context(ctx).engine) as session:
        user = disable_user(session, name)
    out.print(f"disabled {shown(user.name)}")


@users_app.command("token")
@fail_cleanly
def token_cmd(ctx: typer.Context, name: Annotated[str, typer.Argument(help="The user name.")]) -> None:
    """Create an API token for a person and print it (only its hash is kept: copy it now)."""
    from monitor.store.db import session_scope
    from monitor.store.user_models import issue_api_token

    with session_scope(app_context(ctx).engine) as session:
        token = issue_api_token(session, name)
    sys.stdout.write(token + "\n")
