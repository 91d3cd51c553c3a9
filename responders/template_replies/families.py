"""Group a company's templates into families: one canned message in its reworded variants.

A template holds near-identical replies. A company often sends one canned answer in several wordings, with a
sentence reworded ("Our team will be in touch" / "Our team will make contact with you"), added, dropped or
moved, and each wording is a template of its own; a family gathers them.

Two templates are compared by the words and word pairs of their canonical (normalised) texts, each weighted by
how rare it is among the group's templates, ln(1 + N / df) with N the number of templates (at least
`MIN_DOCUMENTS`) and df the number of templates that use it. The stock phrases a company puts in every message
("Thank you for contacting us", "Please reach out to us via the Help Centre") therefore weigh little and the
words that make a message distinctive weigh most. Their similarity is the weighted Dice coefficient,
2 × shared weight / (weight of one + weight of the other); a template is a variant of another when it reaches
`min_similarity`.

Families form around centres, heaviest template first (most replies; ties by id): a template joins the
heaviest centre it is a variant of, or becomes a centre itself. Every member is thus a variant of its
family's centre, and a chain of pairwise variants never joins messages that share little. A template is only
compared with the centres found by a prefix filter (a pair that reaches the threshold shares one of the
rarest features of each), so thousands of templates are not compared pair by pair.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

from responders.template_replies.minhash import I64, ranges
from responders.template_replies.normalise import normalise_reply
from responders.template_replies.skeleton import VARIABLE, shared_skeleton

__all__ = ["MIN_DOCUMENTS", "Family", "FamilyMember", "family_id", "find_families"]

# Below this many templates, rarity is measured as if there were this many: in a company with few templates
# no phrase is common enough to count as a stock phrase.
MIN_DOCUMENTS = 20
# A family skeleton compares its centre with the variants of its own template and the canonical texts of at most
# this many other members.
SKELETON_MEMBERS = 40
NAME_CHARS = 80
NAME_MIN_WORDS = 4
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class FamilyMember:
    """What grouping needs to know about one template."""

    id: str
    key: str  # normalised text of the template's most frequent member
    replies: int
    recipients: int
    text: str  # the raw reply its skeleton was built from
    skeleton: str
    variants: Sequence[tuple[str, int]] = ()  # its most frequent member texts (normalised) and their counts


@dataclass(slots=True)
class Family:
    """Templates of one group that are variants of one canned message, heaviest (the centre) first."""

    id: str
    group: str
    name: str  # the family's most distinctive shared sentence, shortened
    skeleton: str  # the centre's text with the parts its variants do not share as `{…}`
    size: int  # replies in the family's templates
    recipients: int  # distinct recipients summed over its templates
    templates: list[str]
    share: float  # of the group's non-empty replies
    similarities: list[float] = field(default_factory=list)  # of each template to the centre


def family_id(group: str, key: str) -> str:
    """Stable id of a family from its group and its centre template's normalised text."""
    return "f" + hashlib.blake2b(f"{group}\x1f{key}".encode(), digest_size=5).hexdigest()


@dataclass(frozen=True, slots=True)
class _Features:
    """Word and word-pair features of every template: template i owns `values[offsets[i]:offsets[i + 1]]`,
    sorted rarest first; `weight[f]` is the weight of feature f."""

    values: I64
    offsets: I64
    weight: np.ndarray

    def totals(self) -> np.ndarray:
        """Summed feature weight of every template."""
        counts = np.diff(self.offsets)
        owner = np.repeat(np.arange(len(counts)), counts)
        return np.bincount(owner, weights=self.weight[self.values], minlength=len(counts))


def find_families(
    group: str, members: Sequence[FamilyMember], group_replies: int, min_similarity: float
) -> list[Family]:
    """The families of one group's templates; every template is in exactly one (often alone)."""
    if not members:
        return []
    ranked = sorted(members, key=lambda member: (-member.replies, member.id))  # position = heaviness rank
    features, vocabulary = _features([member.key for member in ranked])
    centre, closeness = _centres(features, min_similarity)
    # Members by family (a stable sort keeps each family heaviest first, its centre leading).
    by_family = np.argsort(centre, kind="stable")
    bounds = np.flatnonzero(np.r_[True, centre[by_family][1:] != centre[by_family][:-1], True])
    result = []
    for start, end in pairwise(bounds.tolist()):
        chosen = by_family[start:end].tolist()
        result.append(_describe(group, [ranked[i] for i in chosen], [closeness[i] for i in chosen], group_replies))
    weight = dict(zip(vocabulary, features.weight.tolist(), strict=True))
    for family in result:
        family.name = _name(family.skeleton, weight)
    result.sort(key=lambda family: (-family.size, family.id))
    return result


def _features(keys: Sequence[str]) -> tuple[_Features, list[str]]:
    """Words and word pairs of each key, numbered, weighted by rarity and sorted rarest first per template."""
    number: dict[str, int] = {}
    per_key: list[list[int]] = []
    for key in keys:
        words = key.split(" ")
        grams = {*words, *(f"{a} {b}" for a, b in pairwise(words))}
        per_key.append([number.setdefault(gram, len(number)) for gram in sorted(grams)])
    counts = np.array([len(ids) for ids in per_key], dtype=np.int64)
    values = np.fromiter((f for ids in per_key for f in ids), dtype=np.int64, count=int(counts.sum()))
    df = np.bincount(values, minlength=len(number))
    documents = max(len(keys), MIN_DOCUMENTS)
    weight = np.log1p(documents / np.maximum(df, 1))
    # A global order, rarest first (ties by number): the prefix filter needs every template sorted by it.
    rank = np.empty(len(number), dtype=np.int64)
    rank[np.lexsort((np.arange(len(number)), df))] = np.arange(len(number))
    owner = np.repeat(np.arange(len(keys)), counts)
    values = values[np.lexsort((rank[values], owner))]
    offsets = np.zeros(len(keys) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(counts)
    return _Features(values, offsets, weight), list(number)


def _centres(features: _Features, min_similarity: float) -> tuple[I64, list[float]]:
    """Centre of each template (templates in heaviness order) and its similarity to that centre.

    Templates are taken heaviest first; each is compared with the centres so far that share a feature of
    both prefixes, and joins the heaviest one it reaches `min_similarity` with, else becomes a centre. Dice
    >= s implies that the shared weight is at least s / (2 - s) of each template's weight, so some shared
    feature lies in each one's shortest prefix (rarest first) that leaves less than that outside.
    """
    values, offsets, weight = features.values, features.offsets, features.weight
    n = len(offsets) - 1
    totals = features.totals()
    needed = min_similarity / (2 - min_similarity)
    counts = np.diff(offsets)
    owner = np.repeat(np.arange(n), counts)
    running = np.concatenate([[0.0], np.cumsum(weight[values])])
    rest = totals[owner] - (running[:-1] - running[offsets[owner]])  # weight from this feature on
    in_prefix = rest >= needed * totals[owner] - 1e-9
    prefix_of = np.split(values[in_prefix], np.cumsum(np.bincount(owner[in_prefix], minlength=n))[:-1])
    centre = np.arange(n, dtype=np.int64)
    closeness = [1.0] * n
    postings: dict[int, list[int]] = {}  # feature -> centres with it in their prefix
    marked = np.zeros(len(weight), dtype=np.float64)  # weight of the current template's features, else 0
    for template in range(n):
        found: set[int] = set()
        prefix = prefix_of[template].tolist()
        for feature in prefix:
            found.update(postings.get(feature, ()))
        if found:
            heads = np.fromiter(sorted(found), dtype=np.int64, count=len(found))
            own = values[offsets[template] : offsets[template + 1]]
            marked[own] = weight[own]
            sizes = counts[heads]
            inter = np.bincount(
                np.repeat(np.arange(len(heads)), sizes),
                weights=marked[values[ranges(offsets[heads], sizes)]],
                minlength=len(heads),
            )
            marked[own] = 0.0
            similarity = 2 * inter / (totals[heads] + totals[template])
            reached = np.nonzero(similarity >= min_similarity)[0]
            if len(reached):  # heads are sorted, so the first is the heaviest
                centre[template] = heads[reached[0]]
                closeness[template] = round(float(similarity[reached[0]]), 4)
                continue
        for feature in prefix:
            postings.setdefault(feature, []).append(template)
    return centre, closeness


def _describe(group: str, members: list[FamilyMember], closeness: list[float], group_replies: int) -> Family:
    head = members[0]
    replies = sum(member.replies for member in members)
    skeleton = head.skeleton
    if len(members) > 1:
        own = list(head.variants) or [(head.key, head.replies)]
        sample = [(key.split(" "), count) for key, count in own]
        sample += [(member.key.split(" "), member.replies) for member in members[1 : SKELETON_MEMBERS + 1]]
        skeleton = shared_skeleton(normalise_reply(head.text, spans=True), sample)
    return Family(
        id=family_id(group, head.key),
        group=group,
        name="",
        skeleton=skeleton,
        size=replies,
        recipients=sum(member.recipients for member in members),
        templates=[member.id for member in members],
        share=round(replies / group_replies, 4) if group_replies else 0.0,
        similarities=closeness,
    )


def _name(skeleton: str, weight: dict[str, float]) -> str:
    """The skeleton's most distinctive sentence (of at least `NAME_MIN_WORDS` fixed words, when it has one): the
    highest mean rarity of its fixed words among the group's templates, shortened."""
    best, best_weight = "", -1.0
    for sentence in _SENTENCE_END.split(skeleton):
        fixed = sentence.replace(VARIABLE, " ")
        words = [word.casefold() for word in _WORD.findall(fixed) if not _is_slot(fixed, word)]
        if not words:
            continue
        mean = sum(weight.get(word, 0.0) for word in words) / len(words)
        score = mean + (1_000.0 if len(words) >= NAME_MIN_WORDS else 0.0)  # a real sentence beats "Thanks!"
        if score > best_weight:
            best, best_weight = sentence.strip(), score
    name = " ".join(best.split()) or " ".join(skeleton.split())
    if len(name) <= NAME_CHARS:
        return name
    cut = name[: NAME_CHARS - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:") + "…"


def _is_slot(sentence: str, word: str) -> bool:
    return f"{{{word}}}" in sentence
