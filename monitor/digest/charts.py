"""Charts that survive e-mail clients: HTML tables and coloured cells (no images, no scripts), and text bars."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

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


def html_column_chart(
    points: Sequence[tuple[str, float | None]],
    *,
    colour: str = "#c0392b",
    height: int = 64,
    caption: str = "",
    value_format: str = "{:g}",
) -> str:
    """Vertical bars as table cells; each cell carries its label and value in a title for hovering readers."""
    values = [v for _, v in points if v is not None]
    top = max(values, default=0.0)
    cells = []
    for label, value in points:
        shown = "no data" if value is None else value_format.format(value)
        bar = 0 if value is None or top <= 0 else max(1, round(value / top * height)) if value > 0 else 0
        title = escape(f"{label}: {shown}", quote=True)
        fill = f'<div style="height:{bar}px;background:{colour};font-size:0;line-height:0">&nbsp;</div>' if bar else ""
        cells.append(
            f'<td title="{title}" style="vertical-align:bottom;padding:0 1px;height:{height}px">{fill}'
            f'<div style="height:1px;background:#cccccc;font-size:0;line-height:0">&nbsp;</div></td>'
        )
    first = escape(points[0][0]) if points else ""
    last = escape(points[-1][0]) if points else ""
    peak = value_format.format(top) if values else "-"
    return (
        '<table role="presentation" cellpadding="0" cellspacing="0" width="100%" '
        'style="border-collapse:collapse;table-layout:fixed">'
        f"<tr>{''.join(cells)}</tr></table>"
        '<table role="presentation" cellpadding="0" cellspacing="0" width="100%" '
        'style="font-size:11px;color:#777777"><tr>'
        f'<td style="text-align:left">{first}</td>'
        f'<td style="text-align:center">{escape(caption)} (peak {escape(peak)})</td>'
        f'<td style="text-align:right">{last}</td></tr></table>'
    )


def html_row_chart(rows: Sequence[tuple[str, int]], *, colour: str = "#2c7fb8") -> str:
    """Horizontal bars with their label and count, one table row each."""
    top = max((v for _, v in rows), default=0)
    body = []
    for label, value in rows:
        share = round(value / top * 100) if top else 0
        bar = (
            f'<div style="width:{max(share, 1)}%;height:12px;background:{colour};font-size:0;line-height:0">'
            "&nbsp;</div>"
            if value
            else ""
        )
        body.append(
            f'<tr><td style="padding:2px 8px 2px 0;white-space:nowrap;font-size:13px">{escape(label)}</td>'
            f'<td style="width:70%;padding:2px 0">{bar}</td>'
            f'<td style="padding:2px 0 2px 8px;text-align:right;font-size:13px">{value}</td></tr>'
        )
    return (
        '<table role="presentation" cellpadding="0" cellspacing="0" width="100%" style="border-collapse:collapse">'
        + "".join(body)
        + "</table>"
    )
