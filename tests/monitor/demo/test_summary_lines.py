"""The demo's template lines stay readable in a narrow terminal: a long skeleton wraps under itself."""

from __future__ import annotations

import io

from rich.console import Console

from monitor.demo.summary import template_lines
from monitor.store.template_models import ReplyTemplate

SKELETON = (
    "Good day {name} [bold]Thank you[/bold] for {…} us. We acknowledge your feedback and apologise for the "
    "negative experience. We will endeavour to direct it appropriately"
)


def _render(width: int) -> list[str]:
    template = ReplyTemplate(id="t1", company_id=1, size=15, unhappy_recipients=12, skeleton=SKELETON)
    console = Console(file=io.StringIO(), width=width, color_system=None, highlight=False)
    console.print(template_lines([template]))
    return console.file.getvalue().splitlines()  # type: ignore[attr-defined]


def test_a_long_skeleton_wraps_under_itself_not_under_the_counts() -> None:
    lines = _render(60)
    prefix = "    15 reviewers (12 unhappy): "
    assert lines[0].startswith(prefix)
    assert len(lines) > 2
    for line in lines[1:]:
        assert line.startswith(" " * len(prefix)) and line.strip(), line
    text = " ".join(line[len(prefix) :].strip() for line in lines)
    # Review-site text is shown as written: markup in it is printed, not applied.
    assert text.startswith("Good day {name} [bold]Thank you[/bold] for {…} us.")
    # Cut to one readable length, and said so.
    assert text.endswith("…") and len(text) == 150


def test_a_wide_terminal_shows_each_template_on_one_line() -> None:
    assert len(_render(300)) == 1
