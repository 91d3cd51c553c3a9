"""Charts of a report as inline SVG: stacked bars for volume, lines for shares and ratings. No scripts, no fonts
loaded, every label escaped; each chart has a title and a text description for screen readers."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from monitor.core.text_safety import printable

__all__ = ["HEIGHT", "WIDTH", "Series", "bar_chart", "line_chart"]

WIDTH = 600
HEIGHT = 190
_LEFT, _RIGHT, _TOP, _BOTTOM = 44, 12, 22, 34
_MAX_LABELS = 12
_NOT_XML = str.maketrans("", "", "\ufffe\uffff")
_FONT = 'font-family="Helvetica,Arial,sans-serif" font-size="10" fill="#555555"'


@dataclass(frozen=True)
class Series:
    """One named series of a chart: its colour and one value per period (None: nothing to show)."""

    name: str
    colour: str
    values: Sequence[float | None]


def _esc(text: object) -> str:
    # SVG is XML: besides the controls printable() drops, XML 1.0 has no place for U+FFFE and U+FFFF, and one
    # of them makes a standalone chart unreadable to every XML parser.
    return html.escape(printable(str(text)).translate(_NOT_XML), quote=True)


def _plot() -> tuple[float, float]:
    return WIDTH - _LEFT - _RIGHT, HEIGHT - _TOP - _BOTTOM


def _frame(title: str, description: str, body: list[str]) -> Markup:
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" style="max-width:100%;height:auto">',
        f"<title>{_esc(title)}</title><desc>{_esc(description)}</desc>",
        *body,
        "</svg>",
    ]
    # Everything inside was escaped above or is a number: the markup is safe to print as it is.
    return Markup("".join(parts))


def _x_labels(labels: Sequence[str], centre: list[float]) -> list[str]:
    step = max(1, -(-len(labels) // _MAX_LABELS))
    y = HEIGHT - _BOTTOM + 14
    return [
        f'<text x="{centre[i]:.1f}" y="{y}" text-anchor="middle" {_FONT}>{_esc(labels[i])}</text>'
        for i in range(0, len(labels), step)
    ]


def _y_axis(top: float, fmt: str) -> list[str]:
    width, height = _plot()
    parts = []
    for fraction in (0.0, 0.5, 1.0):
        y = _TOP + height * (1 - fraction)
        value = top * fraction
        label = f"{value:.0%}" if fmt == "pct" else (f"{value:.1f}" if fmt == "rating" else f"{value:,.0f}")
        parts.append(
            f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{_LEFT + width}" y2="{y:.1f}" stroke="#e5e5e5" stroke-width="1"/>'
        )
        parts.append(f'<text x="{_LEFT - 4}" y="{y + 3:.1f}" text-anchor="end" {_FONT}>{_esc(label)}</text>')
    return parts


def _legend(series: Sequence[Series]) -> list[str]:
    parts = []
    x = float(_LEFT)
    for s in series:
        parts.append(f'<rect x="{x:.1f}" y="6" width="10" height="10" fill="{_esc(s.colour)}"/>')
        parts.append(f'<text x="{x + 14:.1f}" y="15" {_FONT}>{_esc(s.name)}</text>')
        x += 24 + 6 * len(s.name)
    return parts


def bar_chart(title: str, labels: Sequence[str], stacked: Sequence[Series]) -> Markup:
    """Stacked bars, one per label; `stacked` from the bottom up, values are counts."""
    width, height = _plot()
    totals = [sum(s.values[i] or 0.0 for s in stacked) for i in range(len(labels))]
    top = max(totals, default=0.0) or 1.0
    slot = width / max(1, len(labels))
    bar = max(1.0, slot * 0.8)
    body = [*_legend(stacked), *_y_axis(top, "count")]
    for i, label in enumerate(labels):
        x = _LEFT + slot * i + (slot - bar) / 2
        base = 0.0
        for s in stacked:
            value = s.values[i] or 0.0
            if value <= 0:
                continue
            h = height * value / top
            y = _TOP + height * (1 - (base + value) / top)
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{_esc(s.colour)}">'
                f"<title>{_esc(label)}: {_esc(s.name)} {value:,.0f}</title></rect>"
            )
            base += value
    centres = [_LEFT + slot * (i + 0.5) for i in range(len(labels))]
    body += _x_labels(labels, centres)
    description = "; ".join(
        f"{label}: " + ", ".join(f"{s.name} {s.values[i] or 0:,.0f}" for s in stacked) for i, label in enumerate(labels)
    )
    return _frame(title, description, body)


def line_chart(title: str, labels: Sequence[str], series: Sequence[Series], *, fmt: str, top: float) -> Markup:
    """Lines over the labels; `fmt` is `pct` (values 0..1) or `rating` (values up to `top`). Gaps stay gaps."""
    width, height = _plot()
    slot = width / max(1, len(labels))
    centres = [_LEFT + slot * (i + 0.5) for i in range(len(labels))]
    body = [*_legend(series), *_y_axis(top, fmt)]
    for s in series:
        run: list[str] = []
        for i, value in enumerate([*s.values, None]):
            if value is not None:
                y = _TOP + height * (1 - min(max(value, 0.0), top) / top)
                run.append(f"{centres[i]:.1f},{y:.1f}")
                shown = f"{value:.0%}" if fmt == "pct" else f"{value:.2f}"
                body.append(
                    f'<circle cx="{centres[i]:.1f}" cy="{y:.1f}" r="2.5" fill="{_esc(s.colour)}">'
                    f"<title>{_esc(labels[i])}: {_esc(s.name)} {_esc(shown)}</title></circle>"
                )
                continue
            if len(run) > 1:
                body.append(
                    f'<polyline points="{" ".join(run)}" fill="none" stroke="{_esc(s.colour)}" stroke-width="2"/>'
                )
            run = []
    body += _x_labels(labels, centres)

    def show(value: float | None) -> str:
        if value is None:
            return "none"
        return f"{value:.0%}" if fmt == "pct" else f"{value:.2f}"

    description = "; ".join(
        f"{label}: " + ", ".join(f"{s.name} {show(s.values[i])}" for s in series) for i, label in enumerate(labels)
    )
    return _frame(title, description, body)
