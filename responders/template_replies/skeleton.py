"""Render a template's skeleton: its fixed text with the variable parts as named slots.

The representative reply is aligned word by word with other members of its template; words that a
good share of members do not have become `{…}`, as do places where many members add words. Slots the
normaliser found (name, reference, date, ...) are shown by kind, e.g. `Hi {name}, your ticket {reference}`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher
from itertools import pairwise

from responders.template_replies.normalise import NormalisedReply, normalise_reply

__all__ = ["VARIABLE", "build_skeleton", "shared_skeleton"]

VARIABLE = "{…}"
# A word is variable when members that lack it carry at least this share of the template's weight.
VARIABLE_SHARE = 0.25
_SHOWN_SLOTS = {"name": "{name}", "agent": "{agent}"}
# Variable parts separated only by spaces or these marks are one variable part ("in-app/online" -> "{…}").
_VARIABLE_RUN = re.compile(r"\{…\}(?:[ ,.;:/\-–—&+]*\{…\})+")
_WORD_BEFORE = re.compile(r"(?<=\w)\{…\}")
_WORD_AFTER = re.compile(r"\{…\}(?=\w)")
_SPACE_BEFORE_MARK = re.compile(r"\{…\} +(?=[.,!?;:])")
# A backslash next to a slot is what is left of a word pair or a path ("recording\verbal", "08\01\2021"); it
# shows as a space, so that no "\{…}" or "{number}\" reads as an escaped brace.
_SLOT = r"\{(?:…|[a-z_]+)\}"
_BACKSLASH_BEFORE = re.compile(rf"\\+(?={_SLOT})")
_BACKSLASH_AFTER = re.compile(rf"({_SLOT})\\+")
_SPACES = re.compile(r" {2,}")
_SPACE_AT_LINE_END = re.compile(r" +(?=\n)|(?<=\n) +")


def build_skeleton(representative: str | NormalisedReply, members: Sequence[tuple[Sequence[str], int]]) -> str:
    """Skeleton of a template from its representative (raw text, or normalised with spans) and (tokens, weight)
    of other members: a word is variable when members carrying `VARIABLE_SHARE` of the weight miss it (aligned
    word by word), and so is a place where that many members insert words."""
    reply = _with_spans(representative)
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
    return _render(reply, [count >= limit for count in missing], [count >= limit for count in inserted])


def shared_skeleton(representative: str | NormalisedReply, members: Sequence[tuple[Sequence[str], int]]) -> str:
    """Skeleton of what several texts share: the representative's words with a word variable when members
    carrying `VARIABLE_SHARE` of the weight lack it next to the same neighbour, or at the same end of the
    text (no alignment, so cheap enough for many texts)."""
    reply = _with_spans(representative)
    padded = ("", *reply.tokens, "")  # "" is never a token: it marks where a text starts and ends
    present = [0] * len(reply.tokens)
    total = 0
    for member_tokens, weight in members:
        total += weight
        pairs = set(pairwise(("", *member_tokens, "")))
        for index in range(len(present)):
            before, token, after = padded[index : index + 3]
            if (before, token) in pairs or (token, after) in pairs:
                present[index] += weight
    limit = (1 - VARIABLE_SHARE) * total if total else 0.0
    return _render(reply, [count < limit for count in present], [False] * (len(present) + 1))


def _with_spans(representative: str | NormalisedReply) -> NormalisedReply:
    if isinstance(representative, str):
        return normalise_reply(representative, spans=True)
    if representative.tokens and not representative.token_spans:
        return normalise_reply(representative.text, spans=True)
    return representative


def _render(reply: NormalisedReply, variable: Sequence[bool], gap_before: Sequence[bool]) -> str:
    """The reply's cleaned text with variable words as `{…}` and name-like slots by kind."""
    tokens = reply.tokens
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
        out.append(text[cursor:start])
        out.append(replacement or text[start:end])
        cursor = end
    out.append(text[cursor:])
    return _tidy("".join(out))


def _tidy(skeleton: str) -> str:
    """One `{…}` per run of variable parts, a space between it and a word, none before punctuation."""
    skeleton = _BACKSLASH_AFTER.sub(r"\1 ", _BACKSLASH_BEFORE.sub(" ", skeleton))
    skeleton = _VARIABLE_RUN.sub(VARIABLE, skeleton)
    skeleton = _WORD_AFTER.sub(VARIABLE + " ", _WORD_BEFORE.sub(" " + VARIABLE, skeleton))
    skeleton = _SPACE_BEFORE_MARK.sub(VARIABLE, skeleton)
    return _SPACE_AT_LINE_END.sub("", _SPACES.sub(" ", skeleton)).strip()
