"""Rendering: untrusted review text stays text in HTML, e-mail and terminal; charts need no images or scripts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from rich.console import Console
from sqlmodel import Session

from monitor.digest.build import build_digest
from monitor.digest.charts import html_column_chart, sparkline, text_bars
from monitor.digest.mailer import build_email
from monitor.digest.model import Digest
from monitor.digest.render import render_html, render_terminal, render_text, subject
from tests.db_fixtures import add_company, add_review, add_source, at, sqlite_session

DAY = date(2024, 3, 11)
HOSTILE = '<script>alert(1)</script> <img src=x onerror="alert(2)"> [bold red]fake[/] ]]> &amp; \x1b]0;pwned\x07\x1b[2J'


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    yield from sqlite_session(tmp_path)


@pytest.fixture
def hostile_digest(session: Session) -> Digest:
    company = add_company(session, name="Acme <b>Corp</b>")
    src = add_source(session, company)
    add_review(
        session,
        src,
        published=at("2024-03-11 08:00"),
        body=HOSTILE,
        title='"><svg onload=alert(3)>',
        url="javascript:alert(4)",
        flags="legal",
    )
    add_review(session, src, published=at("2024-03-11 09:00"), handle="u2", url="https://example.com/r/2")
    return build_digest(session=session, day=DAY, now=at("2024-03-12 07:00"))


def test_html_shows_hostile_text_as_text(hostile_digest: Digest) -> None:
    page = render_html(hostile_digest)
    for raw in ("<script", "<img", "<svg", "<b>Corp"):
        assert raw not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in page
    assert "&amp;amp;" in page  # an entity in a review is shown as typed, not decoded
    assert "javascript:" not in page  # a non-http link is dropped, not linked
    assert 'href="https://example.com/r/2"' in page
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(?!https?://example\.com)[a-z]+:""", page)
    assert "max-width:640px" in page


def test_email_parts_keep_hostile_text_inert(hostile_digest: Digest) -> None:
    msg = build_email(
        subject=subject(hostile_digest),
        text=render_text(hostile_digest),
        html=render_html(hostile_digest),
        sender="digest@example.com",
        recipients=["a@example.com"],
    )
    assert msg.get_content_type() == "multipart/alternative"
    plain, html_part = msg.iter_parts()
    assert plain.get_content_type() == "text/plain" and html_part.get_content_type() == "text/html"
    assert "<script>alert(1)</script>" in plain.get_content()  # plain text is never interpreted
    html_text = html_part.get_content()
    assert "<script" not in html_text and 'src="http' not in html_text and "<img" not in html_text


def test_terminal_prints_markup_and_tags_literally(hostile_digest: Digest) -> None:
    console = Console(record=True, width=200, color_system=None)
    console.print(render_terminal(hostile_digest))
    shown = console.export_text()
    assert "<script>alert(1)</script>" in shown
    assert "[bold red]fake[/]" in shown
    assert "Acme <b>Corp</b>" in shown
    assert "[LEGAL]" in shown


def test_terminal_control_sequences_never_reach_any_output(hostile_digest: Digest) -> None:
    from monitor.runtime.console import safe

    for rendered in (render_text(hostile_digest), render_terminal(hostile_digest), render_html(hostile_digest)):
        assert "\x1b" not in rendered and "\x07" not in rendered
    assert "\x1b" not in safe(HOSTILE) and "pwned" in safe(HOSTILE)


def test_subject_names_the_day_and_counts(hostile_digest: Digest) -> None:
    text = subject(hostile_digest)
    assert "Mon 11 Mar 2024" in text and "2 new unhappy reviews" in text and "1 urgent" in text


def test_charts() -> None:
    assert sparkline([0, 1, 8, None]) == "▁▂█·"
    assert text_bars([("a", 10), ("bb", 1), ("c", 0)], width=10) == ["a  ########## 10", "bb # 1", "c   0"]
    chart = html_column_chart([("1 Mar", 2.0), ("2 Mar", 4.0), ("3 Mar", None)], height=40)
    assert "height:20px" in chart and "height:40px" in chart and 'title="3 Mar: no data"' in chart
    assert "<img" not in chart and "<script" not in chart


def test_every_html_section_keeps_hostile_text_inert() -> None:
    from datetime import timedelta

    from monitor.digest.model import (
        CompanyDigest,
        DayPoint,
        FollowUpLine,
        LoopItem,
        QueueHealth,
        Quote,
        ReviewItem,
        SourceProblem,
        SourceReviews,
        TaskLine,
        TemplateShare,
        TemplateUse,
        Theme,
    )

    seen = at("2024-03-11 08:00")
    item = ReviewItem(
        1, "s", "javascript:alert(4)", HOSTILE, 1.0, 5, HOSTILE, HOSTILE, None, seen, ("legal",), 3, None, 7
    )
    company = CompanyDigest(
        company=HOSTILE,
        company_id=1,
        timezone="Europe/Berlin",
        day=DAY,
        window_start=seen,
        window_end=seen,
        generated_at=seen,
        sources=[SourceReviews(HOSTILE, "file", 9, [item])],
        templates=[TemplateUse(HOSTILE, "one_liner", HOSTILE, 2, 1, 40)],
        template_share_day=TemplateShare(2, 1),
        queue=QueueHealth(
            open=3,
            overdue=2,
            overdue_oldest=[TaskLine(5, HOSTILE, HOSTILE, "new", "high", seen)],
            median_first_contact=timedelta(hours=3),
            follow_ups=[FollowUpLine(6, HOSTILE, None, seen, HOSTILE, True)],
            age_buckets=[("< 1 day", 3)],
        ),
        loop=[LoopItem(7, HOSTILE, HOSTILE, 1.0, 4.0, True, seen, "https://example.com/r/7")],
        themes=[Theme(HOSTILE, 3, 1, 2.0, (Quote(HOSTILE, None),))],
        themes_basis="weeks",
        fixed_themes=[Theme("refund", 1, 0, None, (), fixed=True)],
        problems=[SourceProblem(HOSTILE, "layout_changed", seen, 2, HOSTILE, HOSTILE)],
        daily=[DayPoint(DAY - timedelta(days=1), 2, 2, 1), DayPoint(DAY, 1, 0, 0)],
    )
    page = render_html(Digest(day=DAY, generated_at=seen, companies=[company]))
    for heading in ("Sources not working", "Outreach queue", "MISSED", "Closing the loop", "Complaint themes", "fixed"):
        assert heading in page
    for raw in ("<script", "<img", "javascript:", "\x1b", "\x07"):
        assert raw not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 15
    assert 'href="https://example.com/r/7"' in page and "and 1 more" in page and "and 8 more" in page
