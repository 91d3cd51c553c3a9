"""A report of hostile reviews: its HTML page, its SVG charts and its text stay inert and readable."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from monitor.cli.main import app
from monitor.core.text_safety import printable
from monitor.report.svg import Series, bar_chart, line_chart
from tests.hostile_text import (
    ANSI,
    BIDI,
    CLOSERS,
    CONTROLS,
    IMG,
    JSON_BREAKERS,
    READABLE,
    SCRIPT,
    XML,
    assert_inert_html,
    build_hostile_store,
)

SVG = "{http://www.w3.org/2000/svg}"
LABELS = [SCRIPT, IMG, CLOSERS, XML, ANSI, BIDI, CONTROLS, JSON_BREAKERS, READABLE, "not XML \ufffe\uffff here"]


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_hostile_store(tmp_path_factory.mktemp("hostile"))


@pytest.mark.parametrize("by", ["day", "week"])
def test_the_html_report_shows_stranger_text_as_text(config: Path, tmp_path: Path, by: str) -> None:
    page = tmp_path / "report.html"
    command = ["-c", str(config), "report", "--from", "2024-06-01", "--to", "2024-06-30", "--by", by]
    result = CliRunner().invoke(app, [*command, "--out", str(page)])
    assert result.exit_code == 0, result.output
    seen = assert_inert_html(page.read_text(encoding="utf-8"), f"report by {by}")
    assert '=HYPERLINK("http://evil.example","Evil") <script>window.__xss=9</script>' in seen
    assert "{{{number}*{number}}} {% raw %}" in seen  # a template family's skeleton, as typed
    charts = re.findall(r"<svg.*?</svg>", page.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert len(charts) == 6  # three per company
    for chart in charts:
        ET.fromstring(chart)  # each one well-formed: a chart saved on its own opens anywhere


@pytest.mark.parametrize("chart", ["bars", "lines"])
def test_svg_charts_are_well_formed_xml_with_every_label_as_text(chart: str) -> None:
    values = [float(n) for n in range(1, len(LABELS) + 1)]
    if chart == "bars":
        svg = bar_chart(CLOSERS, LABELS, [Series(IMG, '"><script>', values)])
    else:
        svg = line_chart(XML, LABELS, [Series(SCRIPT, "red", [v / 10 for v in values])], fmt="pct", top=1.0)
    root = ET.fromstring(str(svg))  # a standalone chart: any XML reader can open it
    assert root.tag == f"{SVG}svg"
    assert {element.tag for element in root.iter()} <= {
        f"{SVG}{t}" for t in ("svg", "title", "desc", "rect", "text", "line", "circle", "polyline")
    }
    texts = [element.text or "" for element in root.iter(f"{SVG}text")]
    for label in LABELS[:5]:
        assert printable(label) in texts  # shown as typed, control characters aside
    assert not any(name.startswith("on") for element in root.iter() for name in element.attrib)
