"""Guidance for one outreach task: what to do, what to avoid, and the facts the agent needs at hand.

The advice follows the product's source guidance on unhappy customers: personal contact, a checked
understanding of the problem, only deliverable offers, one next step with a time that is kept, no blame,
no template text, and never a request to change a review. Special cases (legal threats, complaints to a regulator,
fraud reports, abusive reviews, repeat complainers, reviewers who already got a template, fixed complaint themes)
change the steps.
Values in `Guidance.facts` come from the internet and are plain text: escape them wherever they are shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from monitor.core.channels import CHANNELS
from monitor.core.language_tags import language_code
from monitor.text.negativity import FLAGS, HOLD_FLAGS
from monitor.text.specifics import find_specifics
from responders.guidance.channels import channel_avoid, channel_extra_steps, channel_fact, channel_steps
from responders.guidance.texts import SUPPORTED, texts_for

__all__ = ["FLAGS", "REPEAT_THRESHOLD", "VARIANTS", "CaseFacts", "Guidance", "guidance_for"]

# Reviewers with at least this many other reviews of the company are treated as one ongoing relationship.
REPEAT_THRESHOLD = 2
VARIANTS: tuple[str, ...] = (
    *("standard", "legal", "regulator", "fraud", "abusive"),
    *("repeat_complainer", "template_reply", "theme_fixed"),
)


@dataclass(frozen=True)
class CaseFacts:
    """What is known about one unhappy reviewer's case."""

    reviewer_name: str | None = None
    review_text: str = ""
    review_title: str | None = None
    rating: float | None = None
    rating_scale: int | None = 5
    language: str | None = None
    source_name: str | None = None
    review_url: str | None = None
    company_reply: str | None = None
    reply_is_template: bool = False
    template_size: int | None = None  # how many times the same reply text was posted
    other_reviews_count: int = 0
    flags: frozenset[str] = frozenset()
    theme_fixed: str | None = None
    first_contact_due: datetime | None = None
    # How the site lets the company reach the reviewer (`monitor.core.channels`), given by the caller that knows
    # the source kind; None when not known, which keeps the standard steps.
    channel: str | None = None

    def __post_init__(self) -> None:
        unknown = set(self.flags) - FLAGS
        if unknown:
            raise ValueError(f"unknown flag(s) {sorted(unknown)}; known flags: {sorted(FLAGS)}")
        if self.first_contact_due is not None and self.first_contact_due.utcoffset() is None:
            raise ValueError("first_contact_due must be a timezone-aware datetime")
        if self.other_reviews_count < 0:
            raise ValueError("other_reviews_count cannot be negative")
        if self.channel is not None and self.channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.channel!r}; known channels: {', '.join(CHANNELS)}")
        object.__setattr__(self, "flags", frozenset(self.flags))


@dataclass(frozen=True)
class Guidance:
    """Steps, things to avoid and case facts for the agent, in one language."""

    variant: str  # the variants that apply, joined by "+", e.g. "legal+abusive"; "standard" when none
    language: str
    steps: list[str]
    avoid: list[str]
    facts: list[tuple[str, str]]
    notes: list[str] = field(default_factory=list)

    @property
    def variants(self) -> tuple[str, ...]:
        """The individual variant names."""
        return tuple(self.variant.split("+"))

    def as_text(self) -> str:
        """Plain text: facts, numbered steps, then things to avoid."""
        lines = [f"{label}: {value}" for label, value in self.facts]
        if lines:
            lines.append("")
        lines += [f"{i}. {step}" for i, step in enumerate(self.steps, 1)]
        if self.avoid:
            lines.append("")
            lines += [f"- {item}" for item in self.avoid]
        if self.notes:
            lines.append("")
            lines += [f"({note})" for note in self.notes]
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return {
            "variant": self.variant,
            "variants": list(self.variants),
            "language": self.language,
            "steps": list(self.steps),
            "avoid": list(self.avoid),
            "facts": [{"label": label, "value": value} for label, value in self.facts],
            "notes": list(self.notes),
        }


def _variants(facts: CaseFacts) -> list[str]:
    found: list[str] = [flag for flag in ("legal", "regulator", "fraud") if flag in facts.flags]
    if "abuse" in facts.flags:
        found.append("abusive")
    if facts.other_reviews_count >= REPEAT_THRESHOLD:
        found.append("repeat_complainer")
    if facts.company_reply and facts.reply_is_template:
        found.append("template_reply")
    if facts.theme_fixed and facts.theme_fixed.strip():
        found.append("theme_fixed")
    return found or ["standard"]


def _choose_language(facts: CaseFacts, requested: str | None) -> tuple[str, list[str]]:
    wanted = requested or facts.language
    origin = "requested" if requested else "review"
    if not wanted and facts.review_text.strip():
        from responders.checker.check import detect_draft_language

        wanted = detect_draft_language(facts.review_text)
        origin = "detected"
    if not wanted:
        return "en", []
    code = language_code(wanted) or "en"
    if code in SUPPORTED:
        return code, []
    note = f"No guidance texts in '{code}' ({origin} language); shown in English. Available: {', '.join(SUPPORTED)}."
    return "en", [note]


def _rating(facts: CaseFacts) -> str | None:
    if facts.rating is None:
        return None
    value = f"{facts.rating:g}"
    return f"{value}/{facts.rating_scale}" if facts.rating_scale else value


def _due(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _specifics(text: str) -> str | None:
    """Amounts, dates, references and asks the reviewer named, for a reply that answers them one by one."""
    found = find_specifics(text)
    if not found:
        return None
    parts = [
        ("amounts", found.amounts),
        ("dates", found.dates),
        ("references", found.references),
        ("asks for", found.asks),
    ]
    return "; ".join(f"{name}: {', '.join(values)}" for name, values in parts if values)


def _facts(facts: CaseFacts, t: dict[str, Any]) -> list[tuple[str, str]]:
    labels = t["labels"]
    rows: list[tuple[str, str | None]] = [
        (labels["reviewer"], facts.reviewer_name),
        (labels["rating"], _rating(facts)),
        (labels["source"], facts.source_name),
        (labels["link"], facts.review_url),
        (labels["title"], facts.review_title),
        (labels["review"], facts.review_text.strip() or None),
        (labels["specifics"], _specifics(f"{facts.review_title or ''}\n{facts.review_text}")),
        (labels["reply"], facts.company_reply.strip() if facts.company_reply else t["none"]),
    ]
    if facts.company_reply:
        if facts.reply_is_template:
            size = facts.template_size
            template = t["template_yes"].format(n=size) if size else t["template_yes_unknown"]
        else:
            template = t["no"]
        rows.append((labels["template"], template))
    rows.append((labels["other_reviews"], str(facts.other_reviews_count)))
    rows.append((labels["due"], _due(facts.first_contact_due)))
    rows.append((labels["theme"], facts.theme_fixed))
    return [(label, value) for label, value in rows if value]


def _fill(lines: Iterable[str], values: dict[str, str]) -> list[str]:
    return [line.format(**values) for line in lines]


def _hold_steps(t: dict[str, Any], holds: list[str], values: dict[str, str]) -> list[str]:
    """The steps of one hold, or of both: the legal escalation, the regulator's case file, one wait for clearance."""
    if holds == ["legal"]:
        return _fill(t["legal"], values)
    if holds == ["regulator"]:
        return _fill(t["regulator"], values)
    return _fill(t["legal"][:-1], values) + _fill(t["regulator"][1:], values)


def guidance_for(facts: CaseFacts, *, language: str | None = None) -> Guidance:
    """Guidance for one case; `language` overrides the review's language (unsupported ones fall back to English)."""
    code, notes = _choose_language(facts, language)
    t = cast(dict[str, Any], texts_for(code))
    variants = _variants(facts)
    values = {
        "name": (facts.reviewer_name or "").strip() or t["the_reviewer"],
        "source": (facts.source_name or "").strip() or t["the_site"],
        "due": _due(facts.first_contact_due) or t["soon"],
        "n": str(facts.template_size) if facts.template_size else "?",
        "count": str(facts.other_reviews_count),
        "theme": (facts.theme_fixed or "").strip(),
    }
    holds = [v for v in variants if v in HOLD_FLAGS]
    others = [v for v in variants if v not in HOLD_FLAGS and v != "standard"]
    steps: list[str] = []
    if holds:
        # A threat to sue or to go to a regulator stops all contact until cleared, so the other variants' steps
        # wait behind it; only securing a defrauded account cannot wait, and it needs no contact.
        steps += _hold_steps(t, holds, values)
        if "fraud" in variants:
            steps.append(t["fraud_in_hold"].format(**values))
        later = [t["variant_names"][v] for v in others]
        if later:
            steps.append(t["legal_then"].format(variants=", ".join(later)))
    else:
        if "fraud" in variants:
            steps += _fill(t["fraud"], values)
        if "abusive" in variants:
            steps += _fill(t["abusive"], values)
        # On a site with public replies only, say how a conversation that must be private can happen at all.
        steps += _fill(channel_extra_steps(code, facts.channel, variants), values)
        for variant in ("repeat_complainer", "template_reply", "theme_fixed"):
            if variant in variants:
                steps += _fill(t[variant], values)
        # The standard steps, in the way the site lets the company reach the reviewer.
        standard = _fill(channel_steps(code, facts.channel, t["standard"]), values)
        if "theme_fixed" not in variants or len(others) > 1:
            steps += standard
        else:
            # A thank-you follow-up still needs personal contact by the due time and a recorded outcome.
            steps += [standard[1], standard[-1]]
    avoid = list(t["avoid"]) + channel_avoid(code, facts.channel)
    if "fraud" in variants:
        avoid += t["avoid_fraud"]
    if "abusive" in variants:
        avoid += t["avoid_abusive"]
    if "regulator" in variants:
        avoid += t["avoid_regulator"]
    if "legal" in variants:
        avoid += t["avoid_legal"]
    return Guidance(
        variant="+".join(variants),
        language=code,
        steps=steps,
        avoid=avoid,
        facts=_facts(facts, t) + [row for row in [channel_fact(code, facts.channel)] if row is not None],
        notes=notes,
    )
