"""Text a stranger can write, stored through the real paths, and checks that an output shows it only as text.

Every field a stranger controls carries some of it: review body, title, author name and handle, review URL, the
company's reply (three reviewers got the same hostile reply, so it becomes a template whose skeleton is hostile
too), a later edit of a review, a follow-up in the site's thread, and a company name given to `monitor import`.
Every script payload sets `window.__xss`, so a browser can tell that none of them ran.
"""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from monitor.core.records import ReplyRecord, ReviewRecord
from monitor.core.settings import Settings

# --- payloads ---------------------------------------------------------------------------------------------------

SCRIPT = "<script>window.__xss=1;alert(1)</script>"
IMG = '"><img src=x onerror="window.__xss=2;alert(1)">'
SVG = "'><svg onload=window.__xss=3>"
JS_URL = "javascript:window.__xss=4;alert(1)"
CLOSERS = "</style></textarea></title></noscript></script><script>window.__xss=5</script>"
TEMPLATE = "{{7*7}} {% raw %} {{ config }} ${7*7} #{7*7}"
RICH = "[link=http://evil.example]link[/link] [bold red]fake[/] back\\"
ANSI = "\x1b[2J\x1b]8;;http://evil.example/\x07spoofed link\x1b]8;;\x07 \x1b]0;owned title\x07 \x1b[31mred\x1b[0m"
BIDI = "price \u202e1$ gnikcis\u202c ok \u202egel\u2067 open isolate \u2069\u2069\u202c stray closers \u202b"
ZERO_WIDTH = "zero\u200bwidth\u200cjoin\u200dfeff\ufeffword\u2060"
CONTROLS = "nul\x00 bell\x07 back\x08 vt\x0b ff\x0c cr\r del\x7f c1\x85\x9b\x9d end"
FORMULAS = (
    '=HYPERLINK("http://evil.example","x")',
    "+cmd|' /C calc'!A0",
    "-1+1",
    "@SUM(1)",
    "\t=1+1",
    "\r=2+2",
)
CHAT = "<!channel> <!here> <@U123> <http://evil.example|click here> *bold* [x](http://evil.example) @everyone"
HEADER = "Bob\r\nBcc: x@evil.example\r\nSubject: spoofed"
XML = "]]> & <![CDATA[x]]> <?xml?>"
JSON_BREAKERS = 'say "hi" \\"} ], {"x": 1} \u2028\u2029 lone \ud800 and \udfff halves'
READABLE = 'الخدمة سيئة · השירות נורא · 日本語 · 中文 · 😡👎🏽 · café — "quotes" & ampersands'
LONG_BODY = ("Terrible delivery, never again. " * 3200)[:100_000]
LONG_WORD = "A" * 5000
NEWLINE_NAME = "Eve\nNewline\r\nName"
# A company name given to `monitor import --company`: it reaches the e-mail subject and every page heading. Line
# breaks, control characters and bidi overrides are refused in names (tests/monitor/cli/test_import_exit_status.py);
# everything a name may hold is here.
EVIL_COMPANY = '=HYPERLINK("http://evil.example","Evil") <script>window.__xss=9</script> {{7*7}} <!channel> & Co'


# What a page, a terminal or a chat tool must show as typed.
SHOWN_LITERALLY = ("<script>window.__xss=1;alert(1)</script>", "{{7*7}}", "{% raw %}", "[bold red]fake[/]")

# --- the review set ---------------------------------------------------------------------------------------------

BASE = datetime(2024, 6, 3, 9, 0, tzinfo=UTC)  # a Monday, fixed: no check depends on today's date
DAY = BASE.date()
SOURCE_NAME = "hostile-reviews"
COMPANY = "Acme"
# The same hostile reply to three reviewers: it becomes a template, and its skeleton carries the payloads.
CANNED_REPLY = f"Dear customer, we are sorry {SCRIPT} {IMG} {CHAT} {TEMPLATE}. Write to care@acme.example. {BIDI}"


def _review(n: int, body: str, **values: object) -> ReviewRecord:
    given: dict[str, object] = {
        "site_review_id": f"h{n}",
        "body": body,
        "rating": 1.0,
        "rating_scale": 5,
        "published_at": BASE + timedelta(minutes=5 * n),
        "author_handle": f"handle-{n}",
        "author_name": f"Reviewer {n}",
        "url": f"https://reviews.example/r/h{n}",
        "language": "en",
        **values,
    }
    return ReviewRecord(**given)  # type: ignore[arg-type]


def _reply(n: int) -> ReplyRecord:
    return ReplyRecord(text=CANNED_REPLY, published_at=BASE + timedelta(hours=2, minutes=n), author=HEADER)


def hostile_records() -> list[ReviewRecord]:
    """The hostile review set: every payload in at least one field of an unhappy review (rating 1 of 5)."""
    return [
        _review(
            1,
            f"The app lost my order. {SCRIPT} {IMG} {SVG} {CLOSERS}",
            title=f"Awful {SCRIPT}",
            author_name=f"{IMG} {SCRIPT}",
            author_handle=SVG,
            url=JS_URL,
            reply=_reply(1),
            helpful_votes=57,
        ),
        _review(
            2,
            f"I will sue you over the refund. {TEMPLATE} {ANSI} {BIDI} {ZERO_WIDTH} {CONTROLS}",
            title=f"{TEMPLATE} {BIDI}",
            author_name=NEWLINE_NAME,
            url='https://reviews.example/r?a="><script>window.__xss=6</script>',
            reply=_reply(2),
        ),
        _review(
            3,
            f"Never delivered, fraud. {CHAT} {XML} {JSON_BREAKERS} {RICH}",
            title=CHAT,
            author_name=f"{HEADER} {CHAT}",
            url=" JaVaScRiPt:window.__xss=7",
            reply=_reply(3),
        ),
        *(
            _review(4 + i, f"{formula} worst service, a fraud", author_name=formula, title=formula)
            for i, formula in enumerate(FORMULAS)
        ),
        _review(10, LONG_BODY, title=LONG_WORD, author_name=LONG_WORD, url="data:text/html,<script>x</script>"),
        _review(11, f"{ZERO_WIDTH} {LONG_WORD} the refund never came {ANSI}", author_name=ANSI, title=RICH),
        _review(12, f"{READABLE} terrible", author_name="دانة", title="השירות היה נורא", language="ar"),
    ]


def edited_records() -> list[ReviewRecord]:
    """A later crawl: the first review edited (a new revision) and the second with a follow-up in the thread."""
    first, second, *_ = hostile_records()
    return [
        ReviewRecord(**{**_values(first), "body": f"Edited: still bad {SCRIPT} {ANSI} {BIDI}"}),
        ReviewRecord(**{**_values(second), "reviewer_followup_at": BASE + timedelta(hours=5)}),
    ]


def _values(rec: ReviewRecord) -> dict[str, object]:
    return {f.name: getattr(rec, f.name) for f in fields(rec)}


def hostile_config(folder: Path) -> Path:
    """A configuration file with one company and the hostile source, on a SQLite file in `folder`."""
    path = folder / "monitor.toml"
    path.write_text(
        f'database_url = "sqlite:///{folder / "monitor.store.db"}"\nbackfill_window_days = 3650\n'
        f'[[company]]\nname = "{COMPANY}"\n'
        f'[[company.source]]\nname = "{SOURCE_NAME}"\nkind = "hellopeter"\nlocator = "acme"\n',
        encoding="utf-8",
    )
    return path


def store_hostile(engine: Engine, settings: Settings) -> None:
    """Store the hostile set and its later edit the way a crawl does, analysing each store (templates, queue)."""
    from monitor.crawl.pipeline import analyse_new_data
    from monitor.store.db import session_scope
    from monitor.store.repository import sync_config, upsert_reviews

    for batch, seen in ((hostile_records(), BASE + timedelta(hours=3)), (edited_records(), BASE + timedelta(hours=6))):
        with session_scope(engine) as session:
            source = sync_config(session=session, settings=settings)[SOURCE_NAME]
            result = upsert_reviews(session=session, source=source, records=batch, now=seen)
            analyse_new_data(session=session, settings=settings, source=source, result=result)


def import_hostile_company(config: Path) -> None:
    """`monitor import` of an export file whose cells are hostile, for a company whose name is hostile too."""
    from monitor.cli.main import app

    export = config.parent / "hostile export.csv"
    rows = [
        "ref,comment,stars,when,who,answer,headline",
        f'x1,"Refund never came {SCRIPT} {ANSI}",1,2024-06-03 10:00,"{FORMULAS[0].replace(chr(34), chr(34) * 2)}",'
        f'"Sorry {IMG}","{FORMULAS[3]}"',
        f'x2,"Still waiting {CLOSERS}",1,2024-06-03 11:00,"{FORMULAS[2]}",,"{TEMPLATE}"',
    ]
    export.write_text("\n".join(rows) + "\n", encoding="utf-8")
    columns = {"id": "ref", "text": "comment", "rating": "stars", "date": "when", "author": "who"}
    columns |= {"reply": "answer", "title": "headline"}
    options = [part for key, name in columns.items() for part in ("-o", f"{key}_column={name}")]
    command = ["-c", str(config), "import", str(export), "--company", EVIL_COMPANY, "--format", "generic", *options]
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 0, result.output


def build_hostile_store(folder: Path) -> Path:
    """A migrated SQLite file in `folder` holding the hostile set and the hostile import; its configuration file."""
    from monitor.runtime.config_file import load_settings
    from monitor.runtime.context import open_database

    config = hostile_config(folder)
    settings = load_settings(config, env={})
    engine = open_database(settings.database_url)
    try:
        store_hostile(engine, settings)
    finally:
        engine.dispose()
    import_hostile_company(config)
    return config


# --- checks -----------------------------------------------------------------------------------------------------

# Every character no output may carry: C0 controls but tab and newline, DEL, C1 controls, lone surrogate halves,
# and the line separators that split a line for some readers.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]")
_OPENERS = "\u202a\u202b\u202d\u202e\u2066\u2067\u2068"
_CLOSER_OF = dict.fromkeys("\u202a\u202b\u202d\u202e", "\u202c") | dict.fromkeys("\u2066\u2067\u2068", "\u2069")
# What a chat tool reads as a mention or a link.
CHAT_MARKUP = re.compile(r"<[!@#]|<https?:|\]\(|(?<![\w.+-])@(everyone|here|channel|all)\b", re.IGNORECASE)


def assert_printable(text: str, where: str = "") -> None:
    """No control character, escape sequence, line separator or lone surrogate half in `text`."""
    match = FORBIDDEN.search(text)
    assert match is None, f"{where}: {match.group()!r} in {text[max(0, match.start() - 60) : match.end() + 20]!r}"


def assert_bidi_balanced(text: str, where: str = "") -> None:
    """Every line of `text` closes each bidi embedding, override and isolate it opens."""
    for number, line in enumerate(text.split("\n"), 1):
        stack: list[str] = []
        for char in line:
            if char in _OPENERS:
                stack.append(_CLOSER_OF[char])
            elif char in ("\u202c", "\u2069"):
                assert char in stack, f"{where} line {number}: a closer without its opener: {line[:300]!r}"
                while stack.pop() != char:
                    pass
        assert not stack, f"{where} line {number}: a bidi control left open: {line[:300]!r}"


def assert_terminal_text(text: str, where: str = "") -> None:
    """Text for a terminal or a plain-text e-mail: printable, and balanced on every line as it is printed."""
    assert_printable(text, where)
    assert_bidi_balanced(text, where)


class _Page(HTMLParser):
    """The start tags with their attributes and the text of a page, as a browser tokenises them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parsed(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    parser.close()
    return parser


_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "background", "poster", "data", "srcdoc"}
_NEVER = {"iframe", "frame", "object", "embed", "base", "style", "img", "applet", "noscript"}


def html_problems(page: str, *, scripts: tuple[str, ...] = ()) -> list[str]:
    """What in `page` could run or load: foreign scripts, event handlers, script or data URLs, frames, images."""
    problems = []
    for tag, attrs in _parsed(page).tags:
        values = dict(attrs)
        if tag == "script" and values.get("src") not in scripts:
            problems.append(f"<script {values}>")
        if tag in _NEVER or (tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh"):
            problems.append(f"<{tag} {values}>")
        for name, value in attrs:
            if name.startswith("on"):
                problems.append(f"<{tag} {name}=…>")
            scheme = "".join((value or "").split()).lower().partition(":")[0]
            if name in _URL_ATTRIBUTES and ":" in (value or "") and scheme not in ("http", "https", "mailto"):
                problems.append(f"<{tag} {name}={value!r}>")
    return problems


def assert_inert_html(page: str, where: str = "", *, scripts: tuple[str, ...] = ()) -> str:
    """Nothing in `page` runs or loads, and no control character is in it; the text a reader sees."""
    assert html_problems(page, scripts=scripts) == [], where
    assert_printable(page, where)
    return visible_text(page)


def visible_text(page: str) -> str:
    """The text of an HTML page as a reader sees it (entities decoded, tags gone), white space as single spaces."""
    return " ".join("".join(_parsed(page).text).split())
