"""Charts that survive e-mail clients: HTML tables and coloured cells (no images, no scripts), and text bars."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

from monitor.core.text_safety import printable

__all__ = ["html_column_chart", "html_row_chart", "sparkline", "text_bars"]

_BLOCKS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float | None]) -> str:
    """One character per value, taller for larger values; a gap (·) where there is no value."""
    present = [v for v in values if v is not None]
    top = max(present, default=0.0)
    chars = []
    for value in values:
        if value is None:
            chars.append("·")
        elif top <= 0 or value <= 0:
            chars.append(_BLOCKS[0])
        else:
            # Any non-zero value is at least the second block, so it never looks like an empty day.
            chars.append(_BLOCKS[max(1, min(len(_BLOCKS) - 1, round(value / top * (len(_BLOCKS) - 1))))])
    return "".join(chars)


def text_bars(rows: Sequence[tuple[str, int]], width: int = 30) -> list[str]:
    """Labelled horizontal bars of `#` for plain text, scaled to the largest value."""
    top = max((v for _, v in rows), default=0)
    label_width = max((len(label) for label, _ in rows), default=0)
    lines = []
    for label, value in rows:
        length = round(value / top * width) if top else 0
        bar = "#" * length if value else ""
        if value and not bar:
            bar = "#"  # a non-zero value is never drawn as nothing
        lines.append(f"{label:<{label_width}} {bar} {value}")
    return lines


def _text(value: object) -> str:
    """Caller text for HTML: control characters dropped, every HTML special character escaped."""
    return escape(printable(str(value)), quote=True)


def html_column_chart(
    points: Sequence[tuple[str, float | None]],
    *,
    colour: str = "#c0392b",
    height: int = 64,
    caption: str = "",
    value_format: str = "{:g}",
) -> Markup:
    """Vertical bars as table cells; each cell carries its label and value in a title for hovering readers."""
    values = [v for _, v in points if v is not None]
    top = max(values, default=0.0)
    fill_colour = _text(colour)
    cells = []
    for label, value in points:
        shown = "no data" if value is None else value_format.format(value)
        bar = 0 if value is None or top <= 0 else max(1, round(value / top * height)) if value > 0 else 0
        title = _text(f"{label}: {shown}")
        fill = (
            f'<div style="height:{bar}px;background:{fill_colour};font-size:0;line-height:0">&nbsp;</div>'
            if bar
            else ""
        )
        cells.append(
            f'<td title="{title}" style="vertical-align:bottom;padding:0 1px;height:{height}px">{fill}'
            f'<div style="height:1px;background:#cccccc;font-size:0;line-height:0">&nbsp;</div></td>'
        )
    first = _text(points[0][0]) if points else ""
    last = _text(points[-1][0]) if points else ""
    peak = value_format.format(top) if values else "-"
    # Every piece of caller text above went through _text(); the rest is this module's own tags and numbers.
    # Only that makes it right to mark the table as Markup, so autoescaping templates embed it as HTML.
    return Markup(
        '<table role="presentation" cellpadding="0" cellspacing="0" width="100%" '
        'style="border-collapse:collapse;table-layout:fixed">'
        f"<tr>{''.join(cells)}</tr></table>"
        '<table role="presentation" cellpadding="0" cellspacing="0" width="100%" '
        'style="font-size:11px;color:#777777"><tr>'
        f'<td style="text-align:left">{first}</td>'
        f'<td style="text-align:center">{_text(caption)} (peak {_text(peak)})</td>'
        f'<td style="text-align:right">{last}</td></tr></table>'
    )


def html_row_chart(rows: Sequence[tuple[str, int]], *, colour: str = "#2c7fb8") -> Markup:
    """Horizontal bars with their label and count, one table row each."""
    top = max((v for _, v in rows), default=0)
    fill_colour = _text(colour)
    body = []
    for label, value in rows:
        share = round(value / top * 100) if top else 0
        bar = (
            f'<div style="width:{max(share, 1)}%;height:12px;background:{fill_colour};font-size:0;line-height:0">'
            "&nbsp;</div>"
            if value
            else ""
        )
        body.append(
            f'<tr><td style="padding:2px 8px 2px 0;white-space:nowrap;font-size:13px">{_text(label)}</td>'
            f'<td style="width:70%;padding:2px 0">{bar}</td>'
            f'<td style="padding:2px 0 2px 8px;text-align:right;font-size:13px">{value}</td></tr>'
        )
    # The labels went through _text() and the counts are integers: the table is safe to mark as Markup.
    return Markup(
        '<table role="presentation" cellpadding="0" cellspacing="0" width="100%" style="border-collapse:collapse">'
        + "".join(body)
        + "</table>"
    )
