"""Cleaned text and skeletons carry no export debris, and a reply with debris reads exactly like the clean reply.

Every real reply of the fixtures is rewritten with one kind of debris at a time (escapes of JSON or a Python repr,
a text escaped twice, a dict-string cell, HTML, invisible spacing, mojibake); its cleaned text and normalised key
must equal the original's, and the templates found in the rewritten replies must be the same, with the same
skeletons. Text that only looks like an escape (a Windows path, a backslash between words) must come out as it was.
"""

from __future__ import annotations

import csv
import gzip
import html
import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from responders.template_replies.clusters import TemplateReport, find_templates
from responders.template_replies.normalise import clean_reply_text, normalise_key, normalise_reply
from responders.template_replies.skeleton import build_skeleton
from sources.exports.layouts import parse_developer_response
from tests.fixture_path import fixture

FILES = ("app_store_grabfood_sample.jsonl", "hellopeter_cellc_sample.jsonl", "google_play_dunzo_replies.jsonl")
# What an export leaves behind: escapes, doubled backslashes, a backslash or brace next to a slot, HTML tags and
# entities, invisible or non-breaking spacing, mojibake (UTF-8 read as Windows-1252), dict-string keys.
DEBRIS = re.compile(
    r"\\[nrtux\\'\"/{}]|\\\{|\}\\|&(?:amp|nbsp|lt|gt|quot|#\d+|#x[0-9a-f]+);|<\s*/?\s*(?:br|div|p)\b"
    r"|[\u00a0\u00ad\u200b\u2060\ufeff\r\t]|â€|Ã[\u0080-\u00bf]|ðŸ|'body':|\"body\":|'modified':",
    re.I,
)


def _rows() -> list[tuple[str, str]]:
    """(group, reply) of the fixture replies, and the business messages of the raw HelloPeter records."""
    rows: list[tuple[str, str]] = []
    for name in FILES:
        with fixture("replies", name).open(encoding="utf-8") as handle:
            rows.extend((name, json.loads(line)["reply"]) for line in handle if line.strip())
    for message in _hellopeter_messages():
        if message.get("owner") == 2 and message.get("body"):
            rows.append(("hellopeter_records", message["body"]))
    return rows


def _hellopeter_messages() -> list[dict[str, Any]]:
    path = fixture("hellopeter", "cell-c_2021_reviews_first300.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [message for line in handle for message in json.loads(line)["messages"]]


ROWS = _rows()
TEXTS = [text for _, text in ROWS]
GROUPS = [group for group, _ in ROWS]
# Reviewers' messages too (HTML from a rich editor, with byte order marks and figures): cleaning must hold there.
ALL_TEXTS = TEXTS + [m["body"] for m in _hellopeter_messages() if m.get("owner") != 2 and m.get("body")]


def _cp1252(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


def mojibake(text: str) -> str:
    """The text as a program that read its UTF-8 bytes as Windows-1252 shows it ("We’re" -> "Weâ€™re")."""
    return "".join(_cp1252(byte) for byte in text.encode("utf-8"))


def as_html(text: str) -> str:
    """Plain text as an HTML editor writes it; HTML (HelloPeter's replies) escaped once more, as a feed does."""
    if "<div>" in text:
        return html.escape(text)
    lines = html.escape(text, quote=True).replace(". ", ".&nbsp;").splitlines()
    return "<div>" + "".join(line + ("<br>", "<br/>", "<BR />")[i % 3] for i, line in enumerate(lines)) + "</div>"


def invisible_spacing(text: str) -> str:
    """Non-breaking, zero-width and byte-order-mark spacing and soft hyphens where editors put them."""
    text = text.replace(". ", ".\u00a0").replace("! ", "!\u200b ").replace("\n", "\u2060\n")
    return "\ufeff" + re.sub(r"\b([a-z]{6})([a-z]{6,})\b", "\\1\u00ad\\2", text)


def dict_cell(text: str) -> str:
    """The App Store export's `developerResponse` cell: a Python dict's repr around the reply."""
    return repr({"id": 19973149, "body": text, "modified": "2020-12-24T07:21:09Z"})


REWRITES: dict[str, Callable[[str], str]] = {
    "json": lambda text: json.dumps(text)[1:-1],
    "json_unicode": lambda text: json.dumps(text, ensure_ascii=False)[1:-1],
    "json_twice": lambda text: json.dumps(json.dumps(text)[1:-1])[1:-1],
    "python_repr": lambda text: repr(text)[1:-1],
    "windows_lines": lambda text: text.replace("\r\n", "\n").replace("\n", "\\r\\n"),
    "dict_cell": dict_cell,
    "dict_cell_escaped_twice": lambda text: dict_cell(text).replace("\\", "\\\\"),
    "json_record": lambda text: json.dumps({"id": 1, "body": text, "createdAt": "2021-01-01"}),
    "html": as_html,
    "html_twice": lambda text: html.escape(as_html(text)),
    "invisible_spacing": invisible_spacing,
    "mojibake": mojibake,
}


@pytest.mark.parametrize("kind", sorted(REWRITES))
def test_every_real_reply_with_debris_cleans_to_the_clean_replys_text(kind: str) -> None:
    rewrite = REWRITES[kind]
    for text in ALL_TEXTS:
        dirty = rewrite(text)
        cleaned = clean_reply_text(dirty)
        assert not DEBRIS.search(cleaned), (kind, dirty, cleaned)
        assert cleaned == clean_reply_text(text), (kind, dirty)
        assert normalise_key(dirty) == normalise_key(text), (kind, dirty)


def test_the_clean_text_of_every_real_reply_is_free_of_debris_and_cleans_to_itself() -> None:
    for text in ALL_TEXTS:
        cleaned = clean_reply_text(text)
        assert not DEBRIS.search(cleaned), cleaned
        assert clean_reply_text(cleaned) == cleaned


def _summary(report: TemplateReport) -> list[Any]:
    templates = [(t.id, t.members, t.skeleton, t.examples, t.family_id) for t in report.templates]
    return [report.template_ids, templates, [(f.id, f.skeleton, f.name) for f in report.families]]


CLEAN_REPORT = find_templates(TEXTS, groups=GROUPS)


@pytest.mark.parametrize("kind", sorted(REWRITES))
def test_rewritten_replies_give_the_same_templates_and_skeletons(kind: str) -> None:
    report = find_templates([REWRITES[kind](text) for text in TEXTS], groups=GROUPS)
    assert len(CLEAN_REPORT.templates) > 10
    assert _summary(report) == _summary(CLEAN_REPORT)
    for template in report.templates:
        assert not DEBRIS.search(template.skeleton), template.skeleton
        assert not any(DEBRIS.search(example) for example in template.examples)
    for family in report.families:
        assert not DEBRIS.search(family.skeleton) and not DEBRIS.search(family.name), family.skeleton


def test_the_app_store_exports_dict_cells_read_as_their_reply() -> None:
    # The real `developerResponse` cells, as `monitor templates audit --text-column developerResponse` reads them.
    with fixture("app_store_export", "sg_food_delivery_app_store_400.csv").open(encoding="utf-8", newline="") as f:
        cells = [row["developerResponse"] for row in csv.DictReader(f) if row["developerResponse"].strip()]
    bodies = [str(parse_developer_response(cell)["body"]) for cell in cells]  # type: ignore[index]
    assert len(cells) > 200
    for cell, body in zip(cells, bodies, strict=True):
        assert clean_reply_text(cell) == clean_reply_text(body)
        assert not DEBRIS.search(clean_reply_text(cell)), cell
    report, clean = find_templates(cells), find_templates(bodies)
    assert len(clean.templates) > 5
    assert _summary(report) == _summary(clean)


# Real App Store replies whose greeting ends with a comma before a lower-case word ("Hi DGuna, you’ll ...").
GREETED = [text for text in TEXTS if re.match(r"(?:Hi|Hey|Hello)(?: [^,\n]{1,30})?, [a-z]", text)]


def test_a_line_break_before_a_lower_case_word_is_a_line_break_after_punctuation() -> None:
    assert len(GREETED) > 20
    for text in GREETED:
        broken = text.replace(", ", ",\n", 1)
        dirty = text.replace(", ", ",\\n", 1)  # "Hi John,\nplease ..." written with a backslash and an "n"
        assert clean_reply_text(dirty) == clean_reply_text(broken), dirty
        assert normalise_key(dirty) == normalise_key(text)


def test_a_line_break_between_words_is_a_line_break_only_in_an_escaped_text() -> None:
    # Between two words a backslash and an "n" may be a word pair ("extension\renewal"): alone it stays. The
    # text's other escapes (here an escaped line break before a capital) show that an escaper wrote it.
    for text in GREETED:
        between = re.sub(r"(\w) ([a-z])", "\\1\\\\n\\2", text, count=1)
        broken = re.sub(r"(\w) ([a-z])", "\\1\n\\2", text, count=1)
        assert clean_reply_text(between + "\\r\\nThanks") == clean_reply_text(broken + "\nThanks")
        assert "\\n" in clean_reply_text(between)


def test_an_escape_after_a_url_ends_the_url() -> None:
    with_url = [text for text in TEXTS if "m.me/Grab " in text]
    assert with_url
    for text in with_url:
        for escape in ("\\n", "\\r\\n", "\\\\n"):
            dirty = text.replace("m.me/Grab ", "m.me/Grab" + escape)
            reply = normalise_reply(dirty)
            assert [s.text for s in reply.slots if s.kind == "url"] == ["m.me/Grab"]
            assert reply.key == normalise_key(text)
    reply = normalise_reply("Please see https://help.example.com/x\\nThanks, and https://help.example.com/y\\nthanks")
    assert [s.text for s in reply.slots if s.kind == "url"] == [
        "https://help.example.com/x",
        "https://help.example.com/y",
    ]
    assert reply.text == "Please see https://help.example.com/x\nThanks, and https://help.example.com/y\nthanks"


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("Thanks\\\\n\\\\nRegards", "Thanks\nRegards"),  # escaped twice, as dict-string exports hold it
        ("Thanks!\\\\r\\\\nRegards", "Thanks!\nRegards"),
        ("We\\\\u2019re sorry\\\\r\\\\n", "We’re sorry"),
        ('He said \\\\"hi\\\\"\\\\n', 'He said "hi"'),
        ("Hi John,\\\\nplease call", "Hi John,\nplease call"),
        ("Hi\\\\\\\\r\\\\\\\\nthere", "Hi\nthere"),  # escaped three times
        ("We\\u00e9 \\U0001f64f \\ud83d\\ude4f \\xa0ok", "Weé 🙏 🙏 ok"),
        ("We\\xe2\\x80\\x99re sorry", "We’re sorry"),  # a repr of mojibake
        ("Weâ€™re sorry, itâ€™s â€œgoodâ€\x9d", "We’re sorry, it’s “good”"),
        ("Ã¢â‚¬â„¢ twice", "’ twice"),
        ("Hi&amp;nbsp;there &amp;amp;#39;s &lt;br/&gt;ok", "Hi there 's\nok"),
        ("One<br>two<br/>three<BR />four&nbsp;five", "One\ntwo\nthree\nfour five"),
        ("\ufeffsor\u00adry\u200b for\u2060 the wait\u00a0!", "sorry for the wait !"),
        (
            "{'id': 1, 'body': 'Hi,\\nwe\\'re here', 'modified': datetime.datetime(2020, 1, 2, 3, 4, 5)}",
            "Hi,\nwe're here",
        ),
        ('{"review": "bad", "reply": "Sorry\\u2019s\\nplease call"}', "Sorry’s\nplease call"),
    ],
)
def test_escapes_entities_spacing_and_mojibake_are_repaired(dirty: str, clean: str) -> None:
    assert clean_reply_text(dirty) == clean


@pytest.mark.parametrize(
    "text",
    [
        "Save it in C:\\new folder\\test.txt",  # a Windows path
        "It is 2 \\times 3",  # LaTeX-ish
        "Please send the recording\\verbal agreement and the extension\\renewal form",  # word pairs
        "Open \\\\server\\share\\new",  # a network path
        "Dated 08\\01\\2021 and \\x41 is not an escape",
        "Use {first_name} in the greeting",  # a brace that is text, not a slot
        "Family 👨\u200d👩\u200d👧 and Persian می\u200cخواهم",  # joiners shape emoji and words
        "Café ﬁne ＡＢＣ “quoted” Grüße, voilà\u00a0!",  # ligatures, full width, quotes, accents: as written
    ],
)
def test_text_that_only_looks_like_debris_is_kept(text: str) -> None:
    expected = text.replace("\u00a0", " ")
    assert clean_reply_text(text) == expected


def test_escaped_text_keeps_its_windows_paths() -> None:
    text = "Hi,\\r\\nsave it in C:\\new folder or %APPDATA%\\temp\\r\\nThanks"
    assert clean_reply_text(text) == "Hi,\nsave it in C:\\new folder or %APPDATA%\\temp\nThanks"


def test_a_backslash_next_to_any_slot_never_shows_in_a_skeleton() -> None:
    reply = normalise_reply("Hi Sam, your numbers are 08\\01\\2021 and recording\\verbal", spans=True)
    skeleton = build_skeleton(reply, [(["your", "numbers", "are", "{number}", "{number}", "{number}", "and"], 3)])
    assert skeleton == "Hi {name}, your numbers are {number} {number} {number} and {…}"
    assert not DEBRIS.search(skeleton)
