"""`monitor check-reply`: check a reply draft before it is posted or sent."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from monitor.runtime.console import err, out
from responders.checker.check import CheckResult, check_reply

__all__ = ["run_check_reply"]


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
    review_text: str | None = None,
    known_templates: Sequence[str] = (),
    recent_replies: Sequence[str] = (),
) -> int:
    """Check the draft in `file` ("-" = stdin), print the result and return the exit code."""
    try:
        text = _read(file)
        review = _read(review_file) if review_file else review_text
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
        _print_readable(text, result, out)
    return 0
