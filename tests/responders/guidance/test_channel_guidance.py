"""Guidance follows the reply channel of the task's site: a public reply on app stores, private messages where the
site has them, nothing invented where the company cannot answer, and never a call to someone whose number nobody has.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session

from monitor.core.channels import (
    CHANNELS,
    NO_REPLY_CHANNEL,
    PUBLIC_REPLY_AND_PRIVATE_MESSAGE,
    PUBLIC_REPLY_ONLY,
    UNKNOWN_CHANNEL,
)
from monitor.core.settings import Settings
from responders.checker.check import check_reply
from responders.guidance.channels import CHANNEL_TEXTS
from responders.guidance.playbook import CaseFacts, guidance_for
from responders.guidance.task_guidance import task_guidance
from responders.guidance.texts import SUPPORTED, texts_for
from responders.outreach.queue import update_queue
from responders.outreach.views import task_detail
from sources.base import channel_of, registry
from tests.db_fixtures import add_company, add_review, add_source, at, sqlite_session

DUE = datetime(2025, 3, 6, 9, 0, tzinfo=UTC)


def _facts(**changes: object) -> CaseFacts:
    base: dict[str, object] = {
        "reviewer_name": "Maria",
        "review_text": "The app crashes every time I open my orders.",
        "rating": 1,
        "language": "en",
        "source_name": "Google Play",
        "first_contact_due": DUE,
    }
    base.update(changes)
    return CaseFacts(**base)  # type: ignore[arg-type]


def test_every_source_kind_declares_a_known_channel() -> None:
    assert all(cls.channel in CHANNELS for cls in registry().values())
    assert {channel_of(k) for k in ("google_play", "app_store", "google_play_api", "app_store_connect")} == {
        PUBLIC_REPLY_ONLY
    }
    assert channel_of("google_business") == PUBLIC_REPLY_ONLY
    assert channel_of("hellopeter") == channel_of("trustpilot") == PUBLIC_REPLY_AND_PRIVATE_MESSAGE
    assert channel_of("jsonld") == channel_of("no-such-kind") == UNKNOWN_CHANNEL


def test_on_an_app_store_the_steps_are_one_public_reply_and_a_follow_up() -> None:
    guidance = guidance_for(_facts(channel=PUBLIC_REPLY_ONLY))
    text = " ".join(guidance.steps)
    assert "one public reply on Google Play before 2025-03-06 09:00 UTC" in text
    assert "nobody has their e-mail address or phone number" in text
    assert "When the release that fixes it is out" in text
    assert "call" not in text.lower()
    assert any("Promising a call" in item for item in guidance.avoid)
    assert ("How to reach them", "a public reply only (nobody has their e-mail address or phone number)") in (
        guidance.facts
    )


def test_where_the_site_carries_private_messages_the_steps_lead_there() -> None:
    text = " ".join(guidance_for(_facts(channel=PUBLIC_REPLY_AND_PRIVATE_MESSAGE)).steps)
    assert "private messages of Google Play before" in text
    assert "call only if Maria gives you a number" in text and "call you back" not in text


def test_where_the_company_cannot_answer_nothing_is_invented() -> None:
    guidance = guidance_for(_facts(channel=NO_REPLY_CHANNEL))
    assert "takes no reply from the company" in " ".join(guidance.steps)
    assert "never guess other ways to reach them" in " ".join(guidance.steps)


def test_without_a_channel_the_standard_steps_stay() -> None:
    assert guidance_for(_facts()).steps == guidance_for(_facts(channel=None)).steps
    assert guidance_for(_facts(channel=UNKNOWN_CHANNEL)).steps == guidance_for(_facts()).steps
    assert not any(label == "How to reach them" for label, _ in guidance_for(_facts()).facts)


def test_a_variant_that_needs_privacy_says_how_on_a_public_only_site() -> None:
    steps = guidance_for(_facts(channel=PUBLIC_REPLY_ONLY, flags=frozenset({"fraud"}))).steps
    assert any("carries public replies only" in step for step in steps)
    held = guidance_for(_facts(channel=PUBLIC_REPLY_ONLY, flags=frozenset({"legal"}))).steps
    assert not any("public reply on Google Play" in step for step in held)  # a hold still stops all contact
    thanks = guidance_for(_facts(channel=PUBLIC_REPLY_ONLY, theme_fixed="crashes")).steps
    assert any("one public reply" in step for step in thanks)


def test_an_unknown_channel_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown channel"):
        _facts(channel="carrier pigeon")


@pytest.mark.parametrize("code", SUPPORTED)
def test_every_language_has_every_channel_text(code: str) -> None:
    english, texts = CHANNEL_TEXTS["en"], CHANNEL_TEXTS[code]
    assert texts.keys() == english.keys()
    for key, value in english.items():
        if isinstance(value, list):
            assert len(texts[key]) == len(value), key  # type: ignore[arg-type]
        if isinstance(value, dict):
            assert texts[key].keys() == value.keys(), key  # type: ignore[union-attr]


@pytest.mark.parametrize("code", SUPPORTED)
@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(
    "changes",
    [{}, {"flags": frozenset({"fraud", "abuse"})}, {"theme_fixed": "slow refunds"}, {"other_reviews_count": 3}],
)
def test_channel_steps_are_filled_and_never_ask_for_a_review_change(
    code: str, channel: str, changes: dict[str, object]
) -> None:
    guidance = guidance_for(_facts(channel=channel, **changes), language=code)
    standard_call = texts_for(code)["standard"][5]  # type: ignore[index]
    for step in guidance.steps:
        assert "{" not in step and "}" not in step, step
        assert "asks_review_change" not in check_reply(step, language=code).rules, step
        if channel != UNKNOWN_CHANNEL:
            assert step != standard_call.format(name="Maria", due="2025-03-06 09:00 UTC"), step


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    yield from sqlite_session(tmp_path)


def test_the_caller_gives_the_task_its_sites_channel(session: Session) -> None:
    now = at("2025-03-05 12:00")
    source = add_source(session, add_company(session), "play-api", "google_play_api")
    review = add_review(session, source, published=at("2025-03-05 10:00"))
    update_queue(session=session, settings=Settings(), review_ids=[review.id or 0], now=now)
    detail = task_detail(session=session, task_id=1, now=now)
    public = task_guidance(session, detail, channel=channel_of(source.kind))
    assert any("one public reply" in step for step in public.steps)
    assert task_guidance(session, detail).steps != public.steps
