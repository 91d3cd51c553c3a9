"""`monitor tasks reply`: post a checked public reply to a task's review through the store's official API."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from monitor.cli.common import app_context, shown
from monitor.core.errors import MonitorError
from monitor.core.text_safety import printable
from monitor.runtime.console import err, fail_cleanly, out

if TYPE_CHECKING:
    from responders.checker.check import Finding

__all__ = ["reply_cmd"]


def _read(file: str) -> str:
    if file == "-":
        return sys.stdin.read()
    try:
        return Path(file).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MonitorError(f"no such file: {file}") from None
    except UnicodeDecodeError:
        raise MonitorError(f"{file} is not UTF-8 text") from None
    except OSError as exc:
        raise MonitorError(f"cannot read {file}: {exc.strerror}") from None


def _print_findings(text: str, findings: Sequence[Finding]) -> None:
    from monitor.crawl.reply_posting import GATED_RULES

    for finding in findings:
        excerpt = shown(text[finding.start : finding.end], 80)
        mark = "[bold red]stops the reply[/]" if finding.rule in GATED_RULES else "[yellow]check[/]"
        err.print(f'- {mark} {escape(finding.rule)}: {escape(finding.message)} "{excerpt}"')
        err.print(f"  Suggestion: {escape(finding.suggestion)}")


@fail_cleanly
def reply_cmd(
    ctx: typer.Context,
    task_id: Annotated[int, typer.Argument(help="The task id.")],
    file: Annotated[str, typer.Argument(help="File holding the reply; '-' reads standard input.")],
    as_: Annotated[str | None, typer.Option("--as", help="Your name, as the task owner.")] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Post despite a copied template or a request to change the review (needs --reason).",
        ),
    ] = False,
    reason: Annotated[str | None, typer.Option("--reason", help="Why the checker's finding does not apply.")] = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Overwrite the reply the store shows, or the one posted for this task before (a follow-up).",
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check, then print the exact request without sending anything.")
    ] = False,
) -> None:
    """Post a checked public reply to the task's review through the store's API (App Store, Google Play, Business
    Profile); the task is then logged as contacted. It never posts twice: a reply already on the store or already
    posted for the task stops it unless --replace."""
    import asyncio

    from sqlmodel import Session

    from monitor.crawl.reply_posting import ReplyRefused, describe_request, plan_reply, post_reply  # loads on use

    app_ctx = app_context(ctx)
    text = _read(file)
    try:
        with Session(app_ctx.engine) as session:
            plan = plan_reply(
                session=session,
                settings=app_ctx.settings,
                task_id=task_id,
                text=text,
                actor=as_ or "",
                force=force,
                reason=reason,
                replace=replace,
            )
    except ReplyRefused as exc:
        _print_findings(text.strip(), exc.findings)
        raise
    _print_findings(plan.text, plan.check.findings)
    target = f"{plan.channel.site} review {plan.site_review_id} (source {plan.source.name})"
    if dry_run:
        out.print(f"Dry run: nothing was sent. The reply would go to {shown(target)}, after reading the review back.")
        # The request as it would be sent, byte for byte but the token: no markup, no re-wrapping.
        sys.stdout.write(printable(describe_request(plan, user_agent=app_ctx.settings.user_agent)) + "\n")
        return
    posted = asyncio.run(post_reply(engine=app_ctx.engine, settings=app_ctx.settings, plan=plan))
    if posted.recorded_only:
        out.print(f"{shown(plan.channel.site)} already showed this reply; it was recorded on task {task_id}, not sent.")
    else:
        out.print(f"Reply posted to {shown(target)} and recorded on task {task_id}.")
    if plan.channel.site == "App Store":
        out.print("Apple publishes responses after its own review: it may take a while to appear.")
    if posted.warning:
        err.print(f"[yellow]warning:[/] {escape(posted.warning)}")
        raise typer.Exit(1)
    out.print(f"Task {task_id} is logged as contacted.")
