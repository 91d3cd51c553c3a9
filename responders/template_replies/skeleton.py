"""Render a template's skeleton: its fixed text with the variable parts as named slots.

The representative reply is aligned word by word with other members of its template; words that a
good share of members do not have become `{…}`, as do places where many members add words. Slots the
normaliser found (name, reference, date, ...) are shown by kind, e.g. `Hi {name}, your ticket {reference}`.
"""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher

from responders.template_replies.normalise import normalise_reply

__all__ = ["VARIABLE", "build_skeleton"]

VARIABLE = "{…}"
# A word is variable when members that lack it carry at least this share of the template's weight.
VARIABLE_SHARE = 0.25
_SHOWN_SLOTS = {"name": "{name}", "agent": "{agent}"}


def build_skeleton(representative: str, members: Sequence[tuple[Sequence[str], int]]) -> str:
    """Skeleton of a template from its representative raw text and (tokens, weight) of other members."""
    reply = normalise_reply(representative, spans=True)
    tokens = reply.tokens
    missing = [0] * len(tokens)
    inserted = [0] * (len(tokens) + 1)
    total = 0
    for member_tokens, weight in members:
        total += weight
        if tuple(member_tokens) == tokens:
            continue
        matcher = SequenceMatcher(None, tokens, list(member_tokens), autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag in ("replace", "delete"):
                for i in range(i1, i2):
                    missing[i] += weight
            if tag == "insert" or (tag == "replace" and j2 - j1 > i2 - i1):
                inserted[i1] += weight
    limit = VARIABLE_SHARE * total if total else float("inf")
    variable = [count >= limit for count in missing]
    gap_before = [count >= limit for count in inserted]

    # Pieces of the cleaned text, each (start, end, replacement or None to keep the text as it is).
    pieces: list[tuple[int, int, str | None]] = []
    for slot in reply.slots:
        if slot.kind in _SHOWN_SLOTS:
            pieces.append((slot.start, slot.end, _SHOWN_SLOTS[slot.kind]))
    for index, (start, end) in enumerate(reply.token_spans):
        token = tokens[index]
        if variable[index]:
            pieces.append((start, end, VARIABLE))
        elif token.startswith("{") and token.endswith("}"):
            pieces.append((start, end, token))
        if gap_before[index]:
            pieces.append((start, start, VARIABLE + " "))
    if gap_before[len(tokens)] and reply.token_spans:
        end = reply.token_spans[-1][1]
        pieces.append((end, end, VARIABLE))
    pieces.sort(key=lambda piece: (piece[0], piece[1]))

    out: list[str] = []
    cursor = 0
    text = reply.text
    for start, end, replacement in pieces:
        if start < cursor:
            continue
        between = text[cursor:start]
        if (
            replacement
            and replacement.startswith(VARIABLE)
            and out
            and out[-1].startswith(VARIABLE)
            and not between.strip(" ,.;:")
        ):
            cursor = end  # runs of variable words collapse into one slot
            continue
        out.append(between)
        out.append(replacement or text[start:end])
        cursor = end
    out.append(text[cursor:])
    return "".join(out).strip()
