"""A template's rote scores recomputed from its members equal the batch's, and its core cannot move before as many
replies as its core margin have joined."""

from __future__ import annotations

import json
import random
from pathlib import Path

from responders.template_replies.clusters import ClusterSettings, find_templates
from responders.template_replies.growth import core_margins, rescore
from responders.template_replies.normalise import normalise_key

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "replies"
HASHER = ClusterSettings().hasher()


def texts(name: str) -> list[str]:
    return [json.loads(line)["reply"] for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines()]


def test_scores_recomputed_from_a_templates_members_equal_the_batch_scores() -> None:
    replies = texts("app_store_grabfood_sample.jsonl") + texts("hellopeter_cellc_sample.jsonl")
    report = find_templates(replies)
    templates = [(template.member_keys, template.size) for template in report.templates]
    by_id = {template.id: number for number, template in enumerate(report.templates)}
    rescored = rescore(templates, HASHER)
    for row, (template_id, score) in enumerate(zip(report.template_ids, report.scores, strict=True)):
        if template_id is not None:
            found = rescored[by_id[template_id]]
            assert found.scores[normalise_key(replies[row])] == score
    assert all(found.core == template.core for found, template in zip(rescored, report.templates, strict=True))


def _core(members: dict[str, int]) -> frozenset[int]:
    return rescore([(members, 3)], HASHER)[0].core


def test_the_core_holds_until_as_many_replies_as_its_margin_join() -> None:
    rng = random.Random(4)
    words = [
        "sorry",
        "parcel",
        "late",
        "courier",
        "refund",
        "please",
        "contact",
        "us",
        "via",
        "help",
        "centre",
        "today",
        "thanks",
    ]
    moved_at_margin = 0
    for _ in range(60):
        variants = [" ".join(rng.sample(words, 8)) for _ in range(rng.randint(1, 4))]
        members = {variant: rng.randint(1, 5) for variant in variants}
        (margin,) = core_margins([members], HASHER)
        core = _core(members)
        pool = [*variants, " ".join(rng.sample(words, 8))]
        for _ in range(20):
            grown = dict(members)
            for _ in range(margin - 1):  # one reply short of the margin: whatever joins, the core stays
                key = rng.choice(pool)
                grown[key] = grown.get(key, 0) + 1
            assert _core(grown) == core
        # The margin is reached by the replies that move the core soonest: for a shingle in the core, replies
        # without it; else replies with it (or with an unseen one).
        moved_at_margin += any(_core({**members, key: members.get(key, 0) + margin}) != core for key in pool)
    assert moved_at_margin > 30
