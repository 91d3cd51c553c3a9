"""Language tags as sites and devices write them, reduced to the codes the product stores."""

from __future__ import annotations

import pytest

from monitor.core.language_tags import language_code


@pytest.mark.parametrize(
    ("tag", "code"),
    [
        ("en", "en"),
        ("en_GB", "en"),
        ("pt-BR", "pt"),
        (" ES ", "es"),
        ("in_ID", "id"),  # Android and Java still write Indonesian as "in"
        ("iw", "he"),
        ("fil", "tl"),
        ("zh-Hant-TW", "zh"),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_a_tag_becomes_its_bare_language_code(tag: str | None, code: str | None) -> None:
    assert language_code(tag) == code
