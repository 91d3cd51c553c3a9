"""Playbook guidance: variants, their combination, languages and the facts shown to the agent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from responders.checker.check import check_reply
from responders.guidance.playbook import CaseFacts, guidance_for
from responders.guidance.texts import SUPPORTED, texts_for

DUE = datetime(2024, 5, 1, 9, 30, tzinfo=timezone(timedelta(hours=2)))
REVIEW_EN = "Ordered on Monday, the parcel never came and nobody answers the phone. Awful."


def _facts(**changes: object) -> CaseFacts:
    base: dict[str, object] = {
        "reviewer_name": "Maria",
        "review_text": REVIEW_EN,
        "rating": 1,
        "rating_scale": 5,
        "language": "en",
        "source_name": "Trustpilot",
        "review_url": "https://example.com/r/1",
        "first_contact_due": DUE,
    }
    base.update(changes)
    return CaseFacts(**base)  # type: ignore[arg-type]


def test_standard_case_names_the_person_the_site_and_the_due_time() -> None:
    guidance = guidance_for(_facts())
    assert guidance.variant == "standard" and guidance.language == "en"
    text = " ".join(guidance.steps)
    assert "Maria" in text and "Trustpilot" in text and "2024-05-01 07:30 UTC" in text
    assert ("Rating", "1/5") in guidance.facts
    assert ("First contact due", "2024-05-01 07:30 UTC") in guidance.facts


@pytest.mark.parametrize(
    ("changes", "variant", "expected_phrase"),
    [
        ({"flags": frozenset({"abuse"})}, "abusive", "formal written channel"),
        ({"flags": frozenset({"legal"})}, "legal", "do not post a public reply"),
        ({"flags": frozenset({"regulator"})}, "regulator", "to a regulator or ombudsman"),
        ({"flags": frozenset({"fraud"})}, "fraud", "fraud or security team"),
        ({"other_reviews_count": 3}, "repeat_complainer", "3 other reviews"),
        (
            {"company_reply": "We are sorry.", "reply_is_template": True, "template_size": 88},
            "template_reply",
            "posted 88 times",
        ),
        ({"theme_fixed": "late deliveries"}, "theme_fixed", "late deliveries"),
    ],
)
def test_each_variant_changes_the_steps(changes: dict[str, object], variant: str, expected_phrase: str) -> None:
    guidance = guidance_for(_facts(**changes))
    assert guidance.variant == variant
    assert expected_phrase in " ".join(guidance.steps)
    assert guidance.steps != guidance_for(_facts()).steps


def test_legal_dominates_and_defers_the_other_variants() -> None:
    facts = _facts(flags=frozenset({"legal", "abuse"}), company_reply="Sorry.", reply_is_template=True)
    guidance = guidance_for(facts)
    assert guidance.variants == ("legal", "abusive", "template_reply")
    assert guidance.steps[0].startswith("Hold")
    assert "Contact Maria personally" not in " ".join(guidance.steps)
    assert "the abusive review" in guidance.steps[-1] and "the earlier template reply" in guidance.steps[-1]
    assert any("legal clearance" in item for item in guidance.avoid)


def test_a_regulator_complaint_is_a_hold_with_its_case_file() -> None:
    guidance = guidance_for(_facts(flags=frozenset({"regulator"}), other_reviews_count=2))
    assert guidance.variants == ("regulator", "repeat_complainer")
    text = " ".join(guidance.steps)
    assert guidance.steps[0].startswith("Hold") and "case history" in text and "Contact Maria personally" not in text
    assert "the repeat reviewer" in guidance.steps[-1]
    assert any("withdraw a complaint to a regulator" in item for item in guidance.avoid)


def test_legal_and_regulator_holds_merge_into_one_escalation() -> None:
    guidance = guidance_for(_facts(flags=frozenset({"legal", "regulator"})))
    assert guidance.variant == "legal+regulator"
    text = " ".join(guidance.steps)
    assert guidance.steps[0].startswith("Hold") and "legal contact" in text and "case history" in text
    assert sum(step.startswith("Hold") for step in guidance.steps) == 1
    assert sum("Wait for written clearance" in step for step in guidance.steps) == 1
    assert any("legal clearance" in item for item in guidance.avoid)
    assert any("regulator or ombudsman" in item for item in guidance.avoid)


def test_a_fraud_report_is_urgent_but_not_a_hold() -> None:
    guidance = guidance_for(_facts(flags=frozenset({"fraud"})))
    assert guidance.variant == "fraud"
    assert guidance.steps[0].startswith("Treat this as urgent")
    text = " ".join(guidance.steps)
    assert "Contact Maria personally" in text and "Hold" not in text
    assert any("one-time codes" in item for item in guidance.avoid)


def test_under_a_hold_a_defrauded_account_is_still_secured_without_contact() -> None:
    guidance = guidance_for(_facts(flags=frozenset({"legal", "fraud", "abuse"})))
    assert guidance.variants == ("legal", "fraud", "abusive")
    assert any(step.startswith("Meanwhile, without contacting Maria") for step in guidance.steps)
    assert "the fraud report" in guidance.steps[-1] and "the abusive review" in guidance.steps[-1]
    assert "Contact Maria personally" not in " ".join(guidance.steps)


def test_variants_combine_without_legal() -> None:
    guidance = guidance_for(_facts(flags=frozenset({"abuse"}), other_reviews_count=2))
    assert guidance.variant == "abusive+repeat_complainer"
    text = " ".join(guidance.steps)
    assert "ground rules" in text and "other reviews" in text and "Contact Maria personally" in text


def test_a_reply_that_was_not_a_template_is_not_the_template_variant() -> None:
    guidance = guidance_for(_facts(company_reply="Hi Maria, I have called the courier.", reply_is_template=False))
    assert guidance.variant == "standard"
    assert ("Was it a template?", "no") in guidance.facts


@pytest.mark.parametrize(
    ("review", "language"),
    [
        ("Balík neprišiel ani po dvoch týždňoch a na zákaznícku linku sa nedá dovolať.", "sk"),
        ("Coletul nu a ajuns nici după două săptămâni și nu răspunde nimeni la telefon.", "ro"),
        ("Paketti ei ole saapunut kahteen viikkoon eikä asiakaspalveluun saa yhteyttä.", "fi"),
        ("Paketim iki haftadır gelmedi ve müşteri hizmetlerine ulaşamıyorum.", "tr"),
        ("החבילה לא הגיעה כבר שבועיים ואף אחד לא עונה בטלפון.", "he"),
    ],
)
def test_language_follows_the_review(review: str, language: str) -> None:
    guidance = guidance_for(_facts(review_text=review, language=None))
    assert guidance.language == language
    english = guidance_for(_facts())
    assert guidance.steps != english.steps and len(guidance.steps) == len(english.steps)
    assert "Maria" in " ".join(guidance.steps)


def test_review_language_field_wins_and_regional_codes_are_accepted() -> None:
    assert guidance_for(_facts(language="tr-TR")).language == "tr"
    assert guidance_for(_facts(language="iw")).language == "he"


def test_explicit_language_overrides_the_review() -> None:
    assert guidance_for(_facts(language="sk"), language="fi").language == "fi"


def test_unsupported_language_falls_back_to_english_with_a_note() -> None:
    guidance = guidance_for(_facts(language="ja"))
    assert guidance.language == "en"
    assert guidance.notes and "'ja'" in guidance.notes[0]
    assert "(No guidance texts" in guidance.as_text()


def test_no_review_language_means_english() -> None:
    assert guidance_for(CaseFacts()).language == "en"


@pytest.mark.parametrize("code", SUPPORTED)
def test_every_language_has_every_text(code: str) -> None:
    english, texts = texts_for("en"), texts_for(code)
    assert texts.keys() == english.keys()
    for key, value in english.items():
        if isinstance(value, list):
            assert len(texts[key]) == len(value), key  # type: ignore[arg-type]
        if isinstance(value, dict):
            assert texts[key].keys() == value.keys(), key  # type: ignore[union-attr]


@pytest.mark.parametrize("code", SUPPORTED)
@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"flags": frozenset({"abuse"})},
        {"flags": frozenset({"legal"})},
        {"flags": frozenset({"regulator"})},
        {"flags": frozenset({"fraud"})},
        {"flags": frozenset({"legal", "regulator", "fraud", "abuse"}), "other_reviews_count": 2},
        {"theme_fixed": "slow refunds"},
        {"company_reply": "Sorry.", "reply_is_template": True, "template_size": 5},
        {"other_reviews_count": 4},
    ],
)
def test_guidance_never_suggests_asking_for_a_review_change(code: str, changes: dict[str, object]) -> None:
    guidance = guidance_for(_facts(**changes), language=code)
    for step in guidance.steps:
        assert "asks_review_change" not in check_reply(step, language=code).rules, step
        assert "{" not in step and "}" not in step, step


def test_as_text_and_as_dict() -> None:
    guidance = guidance_for(_facts(flags=frozenset({"abuse"})))
    text = guidance.as_text()
    assert text.startswith("Reviewer: Maria")
    assert "1. " in text and f"{len(guidance.steps)}. " in text and "- Arguing back" in text
    data = guidance.as_dict()
    assert data["variant"] == "abusive" and data["language"] == "en"
    assert {"label": "Reviewer", "value": "Maria"} in data["facts"]
    assert data["steps"] == guidance.steps


def test_missing_facts_use_neutral_wording() -> None:
    guidance = guidance_for(CaseFacts(review_text="Terrible service."))
    text = " ".join(guidance.steps)
    assert "the reviewer" in text and "the review site" in text and "the due time" in text
    assert ("Reply already posted", "none") in guidance.facts


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"flags": frozenset({"spam"})}, "unknown flag"),
        ({"first_contact_due": datetime(2024, 5, 1, 9, 0)}, "timezone-aware"),
        ({"other_reviews_count": -1}, "negative"),
    ],
)
def test_bad_facts_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _facts(**changes)


def test_due_time_is_shown_in_utc() -> None:
    guidance = guidance_for(_facts(first_contact_due=datetime(2024, 1, 1, 23, 0, tzinfo=UTC)))
    assert ("First contact due", "2024-01-01 23:00 UTC") in guidance.facts
