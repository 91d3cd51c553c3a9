"""`monitor check-reply`: check a reply draft before it is posted or sent."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from responders.reply_checker import CheckResult, check_reply

__all__ = ["check_app", "check_reply_command", "run_check_reply"]

check_app = typer.Typer(help="Check staff reply drafts.", no_args_is_help=True)

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
        excerpt = " ".join(text[finding.start : finding.end].split())
        if len(excerpt) > 80:
            excerpt = excerpt[:77] + "..."
        console.print(
            f'- [bold]{escape(finding.rule)}[/bold] at {finding.start}-{finding.end}: "{escape(excerpt)}"\n'
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
    known_templates: Sequence[str] = (),
    recent_replies: Sequence[str] = (),
) -> int:
    """Check the draft in `file` ("-" = stdin), print the result and return the exit code."""
    err = Console(stderr=True)
    try:
        text = _read(file)
        review = _read(review_file) if review_file else None
        result = check_reply(
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
        _print_readable(text, result, Console(highlight=False))
    return 0


@check_app.command("check-reply")
def check_reply_command(
    file: Annotated[str, typer.Argument(help="File holding the draft; '-' reads standard input.")],
    name: Annotated[str | None, typer.Option("--name", help="The customer's name, to check it is used.")] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language code of the draft, or 'auto'.")] = "auto",
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of a list.")] = False,
    review: Annotated[
        str | None, typer.Option("--review", help="File holding the review, to check the draft addresses it.")
    ] = None,
) -> None:
    """Check a reply draft for template text, reflex apologies, blame, missing next steps and more."""
    code = run_check_reply(file, name=name, lang=lang, json_out=json_out, review_file=review)
    raise typer.Exit(code)
