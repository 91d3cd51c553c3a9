"""Skeletons and examples stay clean: escapes left by an export, double-escaped HTML and slot runs never show."""

from __future__ import annotations

import re

import pytest

from responders.template_replies.clusters import find_templates
from responders.template_replies.normalise import clean_reply_text, normalise_key, normalise_reply
from responders.template_replies.skeleton import build_skeleton, shared_skeleton

# Real App Store developer replies as the export's `developerResponse` cell holds them: line breaks written as
# the two characters backslash and "r" or "n".
APP_STORE = [
    "This doesn't seem right. We want to take a closer look at this for you. Please reach out to us via the Help "
    "Centre or the social media platforms so we can connect.\\r\\n",
    "We’re sorry that you’ve had to wait longer than expected for your food. Our drivers do their best to deliver "
    "your food in the shortest time possible, but there may be unexpected issues during the delivery process.\\r "
    "Contact your driver via GrabChat or voice call, if your order hasn’t reached you within a reasonable period "
    "past the stated time of arrival. Thank you! \\n\\r\\n",
    "Thank you for your feedback and for letting us know about your user experience. We will feedback this to the "
    "relevant team for future improvements! \\r\\n",
]
# A real HelloPeter reply (agent initials written "^^NZ"), and the same reply escaped once more by an export.
HELLOPETER = (
    "<div>Good morning {name}<br><br>Thank you for reaching out to us.<br><br>We have received your review regarding "
    "the cancellation and billing of your account.<br><br>We will investigate and contact you to assist.<br><br>"
    "^^NZ</div>"
)
DEBRIS = re.compile(r"\\|\r|&(?:amp|nbsp|lt|gt);|\bnbsp\b|<|\w\{…\}|\{…\}\w|\{…\} [.,!?]|\{…\}\s*\{…\}")


def words(key: str) -> list[str]:
    return key.split(" ")


def assert_clean(text: str) -> None:
    assert not DEBRIS.search(text), text


@pytest.mark.parametrize("body", APP_STORE)
def test_escaped_line_breaks_are_line_breaks(body: str) -> None:
    plain = body.replace("\\r\\n", "\n").replace("\\n", "\n").replace("\\r", "\n")
    assert normalise_key(body) == normalise_key(plain)
    assert_clean(clean_reply_text(body))


def test_templates_of_escaped_exports_have_clean_skeletons_and_examples() -> None:
    names = ["Anna", "Thabo", "Mei", "Olga", "Yusuf"]
    texts = [f"Hi {name}, {body}" for body in APP_STORE for name in names]
    texts += [HELLOPETER.format(name=name) for name in names]
    texts += [HELLOPETER.format(name=name).replace("&", "&amp;").replace("<", "&lt;") for name in names[:2]]
    texts += [HELLOPETER.format(name=name).replace("<br>", "<br>&amp;nbsp;") for name in names[2:]]
    report = find_templates(texts)
    assert len(report.templates) == 4 and all(tid is not None for tid in report.template_ids)
    for template in report.templates:
        assert_clean(template.skeleton)
        for example in template.examples:
            assert_clean(example)
    for family in report.families:
        assert_clean(family.skeleton)
        assert_clean(family.name)
    (hellopeter,) = (t for t in report.templates if "review regarding" in t.skeleton)
    assert hellopeter.skeleton.endswith("We will investigate and contact you to assist.\n{agent}")


def test_backslashes_that_are_not_escapes_stay() -> None:
    text = "Hi Sam\nPlease request the recording\\verbal agreement and the extension\\renewal dated 08\\01\\2021."
    assert "recording\\verbal" in clean_reply_text(text) and "extension\\renewal" in clean_reply_text(text)


def test_unicode_escapes_and_escaped_quotes_are_decoded() -> None:
    escaped = 'We\\u2019re sorry \\ud83d\\ude4f \\"really\\" \\/ Grab'
    assert clean_reply_text(escaped) == 'We’re sorry 🙏 "really" / Grab'


def test_variable_runs_collapse_and_never_touch_words_or_marks() -> None:
    representative = "Hi Sam, do reach out via our online/in-app Help centre so that we can look into the feedback ."
    members = [
        (words("do reach out via our in app or web help centre so that we can sort out your feedback"), 3),
        (words("do reach out via our website help centre so that we can look into it feedback"), 3),
    ]
    skeleton = build_skeleton(representative, members)
    assert_clean(skeleton)
    assert "{…} Help centre" in skeleton


def test_a_backslash_before_a_variable_word_is_dropped() -> None:
    reply = normalise_reply("Please send the form\\renewal today", spans=True)
    skeleton = shared_skeleton(reply, [(words("please send the form today"), 1)])
    assert_clean(skeleton)
    assert skeleton == "Please send the form {…} today"
