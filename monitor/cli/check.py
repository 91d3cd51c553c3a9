"""`monitor check-reply`: check a reply draft before it is posted or sent."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from monitor.cli.common import app_context, shown
from monitor.runtime.console import err, fail_cleanly, out

if TYPE_CHECKING:
    from responders.checker.check import CheckResult

__all__ = ["check_reply_cmd", "run_check_reply"]


EXIT_BAD_INPUT = 2


def _read(file: str) -> str:
    if file == "-":
        return sys.stdin.read()
    path = Path(file)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"no such file: {file}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{file} is not UTF-8 text") from None
    except OSError as exc:
        raise ValueError(f"cannot read {file}: {exc.strerror}") from None


def _print_readable(text: str, result: CheckResult, console: Console) -> None:
    language = result.language or "unknown"
    if not result.findings:
        console.print(f"No problems found (language: {escape(language)}).")
    else:
        console.print(f"{len(result.findings)} problem(s) found (language: {escape(language)}):")
    for finding in result.findings:
        # A draft often quotes the review: its words are printed like any stranger text.
        excerpt = shown(text[finding.start : finding.end], 80)
        console.print(
            f'- [bold]{escape(finding.rule)}[/bold] at {finding.start}-{finding.end}: "{excerpt}"\n'
            f"  {escape(finding.message)}\n  Suggestion: {escape(finding.suggestion)}"
        )
    for note in result.notes:
        console.print(f"Note: {escape(note)}")


def run_check_reply(
    file: str,
    *,
    name: str | None = None,
    lang: str = "auto",
    json_out: bool = False,
    review_file: str | None = None,
    review_text: str | None = None,
    known_templates: Sequence[str] = (),
    recent_replies: Sequence[str] = (),
) -> int:
    """Check the draft in `file` ("-" = stdin), print the result and return the exit code."""
    from responders.checker import check as checker  # its language model loads on use: `monitor` starts fast

    try:
        text = _read(file)
        review = _read(review_file) if review_file else review_text
        result = checker.check_reply(
            text,
            name=name,
            language=lang,
            review_text=review,
            known_templates=known_templates,
            recent_replies=recent_replies,
        )
    except ValueError as exc:
        err.print(f"error: {escape(str(exc))}")
        return EXIT_BAD_INPUT
    if json_out:
        payload = result.as_dict()
        sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
    else:
        _print_readable(text, result, out)
    return 0


@fail_cleanly
def check_reply_cmd(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="File holding the draft reply; '-' reads standard input.")],
    task: Annotated[
        int | None,
        typer.Option("--task", help="The outreach task the draft answers (gives name, language, templates)."),
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="The customer's name, to check it is used.")] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language code of the draft, or 'auto'.")] = "auto",
    review: Annotated[
        str | None, typer.Option("--review", help="File holding the review, to check the draft addresses it.")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object: language and findings.")] = False,
) -> None:
    """Check a draft reply for template copy, reflex apology, blame shifting, a missing next step and more."""
    known: list[str] = []
    recent: list[str] = []
    review_text: str | None = None
    if task is not None:
        from sqlmodel import Session

        from responders.outreach.draft_context import draft_context

        with Session(app_context(ctx).engine) as session:
            context = draft_context(session=session, task_id=task)
        name = name or context.reviewer_name
        lang = context.language if lang == "auto" and context.language else lang
        known, recent, review_text = context.templates, context.recent_replies, context.review_text
    code = run_check_reply(
        file,
        name=name,
        lang=lang,
        json_out=json_out,
        review_file=review,
        review_text=review_text,
        known_templates=known,
        recent_replies=recent,
    )
    raise typer.Exit(code)
