"""What the JSON API accepts: request bodies and the text they may hold."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from responders.checker.check import MAX_DRAFT_CHARS

__all__ = [
    "AssignBody",
    "CheckBody",
    "CloseBody",
    "LogBody",
    "Name",
    "ReplyBody",
    "SafeText",
    "ShortText",
    "SnoozeBody",
]


def _storable(value: str) -> str:
    """Text the database can store: no NUL (PostgreSQL refuses it) and no lone surrogate halves (not UTF-8)."""
    if "\x00" in value:
        raise ValueError("text must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode") from None
    return value


SafeText = Annotated[str, AfterValidator(_storable)]
ShortText = Annotated[str, Field(max_length=200), AfterValidator(_storable)]
Name = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_storable)]
Outcome = Literal["resolved", "no_response", "not_actionable"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AssignBody(_Body):
    """Hand a task to someone."""

    assignee: Name = Field(description="The user name of the person who takes the task over.")


class SnoozeBody(_Body):
    """Move a task's next due time."""

    until: ShortText = Field(description="ISO date or date-time; in the company's time zone when no offset is given.")
    note: Annotated[str, Field(max_length=2000), AfterValidator(_storable)] = ""


class LogBody(_Body):
    """A note, a contact made, waiting for the customer, or a follow-up promised."""

    note: Annotated[str, Field(max_length=5000), AfterValidator(_storable)] = ""
    contacted: bool = False
    waiting: bool = False
    follow_up_due: ShortText | None = Field(
        default=None, description="ISO 8601, or 'today HH:MM' / 'tomorrow HH:MM' in the company's time zone."
    )


class CloseBody(_Body):
    """Close a task you hold with its outcome."""

    outcome: Outcome
    note: Annotated[str, Field(max_length=5000), AfterValidator(_storable)] = ""


class CheckBody(_Body):
    """A reply draft to check; with `task_id` the task supplies name, language, review and known templates."""

    text: Annotated[str, Field(min_length=1, max_length=MAX_DRAFT_CHARS), AfterValidator(_storable)]
    task_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    name: ShortText | None = None
    language: Annotated[str, Field(max_length=10), AfterValidator(_storable)] = "auto"
    review_text: Annotated[str, Field(max_length=MAX_DRAFT_CHARS), AfterValidator(_storable)] | None = None


class ReplyBody(_Body):
    """A public reply to post on the task's review, checked first."""

    text: Annotated[str, Field(min_length=1, max_length=MAX_DRAFT_CHARS), AfterValidator(_storable)]
    dry_run: bool = Field(default=False, description="Check and show the exact request; send nothing.")
    reason: Annotated[str, Field(max_length=500), AfterValidator(_storable)] | None = Field(
        default=None, description="Post despite a copied template or a request to change the review, and why."
    )
    replace: bool = Field(default=False, description="Overwrite the reply already on the site or posted before.")
