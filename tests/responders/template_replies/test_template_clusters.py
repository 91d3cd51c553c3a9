from __future__ import annotations

import json
import multiprocessing
import threading
from typing import Any

import pytest

from responders.template_replies import clusters
from responders.template_replies.clusters import ClusterSettings, find_templates, jaccard, recipient_factor, template_id
from responders.template_replies.index import TemplateIndex
from responders.template_replies.normalise import normalise_key
from responders.template_replies.site_notices import SITE_NOTICES, match_site_notice, register_site_notice
from tests.fixture_path import fixture


def load(name: str) -> list[dict[str, Any]]:
    with fixture("replies", name).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def test_dunzo_identical_replies_and_named_variants_form_one_template() -> None:
    rows = load("google_play_dunzo_replies.jsonl")
    report = find_templates([r["reply"] for r in rows], ratings=[r["rating"] for r in rows])
    regret = [i for i, r in enumerate(rows) if "regret the inconvenience" in r["reply"]]
    assert len(regret) == 33  # 29 identical, plus the Rajan, Mohammed Rafi, Abdul and rainbow videos variants
    ids = {report.template_ids[i] for i in regret}
    assert len(ids) == 1 and None not in ids
    template = report.by_id()[ids.pop()]
    assert template.kind == "template"
    assert template.size == 33
    assert "{email}" in template.skeleton
    named = next(i for i, r in enumerate(rows) if r["reply"].startswith("\nHi Rajan"))
    assert report.template_ids[named] == template.id


def test_short_thank_you_on_happy_reviews_is_a_one_liner() -> None:
    rows = load("google_play_dunzo_replies.jsonl")
    report = find_templates([r["reply"] for r in rows], ratings=[r["rating"] for r in rows])
    thanks = next(i for i, r in enumerate(rows) if "valuable feedback" in r["reply"])
    template = report.by_id()[report.template_ids[thanks]]  # type: ignore[index]
    assert template.kind == "one_liner"
    assert template.unhappy_share == 0.0


def test_hellopeter_contacting_cell_c_variants_cluster_and_placeholders_never_do() -> None:
    rows = load("hellopeter_cellc_sample.jsonl")
    texts = [r["reply"] for r in rows]
    report = find_templates(texts, recipients=[r["review_id"] for r in rows], ratings=[r["rating"] for r in rows])
    # The plain message; replies that add a personal sentence in the middle are judged on their own.
    variants = [i for i, t in enumerate(texts) if "Cell C.&nbsp;<br><br>Our team will be in touch to provide" in t]
    assert len(variants) >= 4
    assert len({report.template_ids[i] for i in variants}) == 1
    assert report.template_ids[variants[0]] is not None
    placeholders = [i for i, t in enumerate(texts) if "has replied privately" in t]
    assert len(placeholders) > 50
    assert all(report.template_ids[i] is None for i in placeholders)
    assert all(report.site_notices[i] == "hellopeter_private_reply" for i in placeholders)
    assert not any("privately" in t.skeleton for t in report.templates)


def test_unique_personal_replies_get_no_template_and_score_zero() -> None:
    rows = load("app_store_grabfood_sample.jsonl")
    texts = [r["reply"] for r in rows]
    report = find_templates(texts)
    personal = next(i for i, t in enumerate(texts) if "opt in to receive GrabPay Wallet statements" in t)
    assert report.template_ids[personal] is None
    assert report.scores[personal] == 0.0
    templated = [i for i, tid in enumerate(report.template_ids) if tid is not None]
    assert templated and all(0 < report.scores[i] <= 1 for i in templated)  # type: ignore[operator]


def test_empty_texts_have_no_score() -> None:
    report = find_templates(["", None, "   ", "Thanks!", "Thanks!", "Thanks!"])
    assert report.scores[:3] == [None, None, None]
    assert report.template_ids[3] is not None
    assert report.template_share() == 1.0


def test_each_kind_of_row_gets_its_score_and_notice() -> None:
    notice = "The business has replied privately, and only Ann can view this message"
    report = find_templates(
        [None, "  ", "🙂 !!", notice, "We will be in touch.", "We will be in touch!", "Hi Bo, we will be in touch."]
    )
    assert report.scores[:4] == [None, None, 0.0, 0.0]
    assert report.template_ids[:4] == [None] * 4
    assert report.site_notices == [None, None, None, "hellopeter_private_reply", None, None, None]
    assert len(set(report.template_ids[4:])) == 1 and report.template_ids[4] is not None


def test_normalising_in_worker_processes_gives_the_same_report(monkeypatch: pytest.MonkeyPatch) -> None:
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("worker processes are forked")
    monkeypatch.setattr(clusters, "PARALLEL_MIN_TEXTS", 10)
    texts = [r["reply"] for r in load("app_store_grabfood_sample.jsonl")] + [None, "", "🙂"]
    texts.append("The business has replied privately, and only Ann can view this message")
    serial = find_templates(texts, settings=ClusterSettings(workers=1))
    forked = find_templates(texts, settings=ClusterSettings(workers=2))
    assert serial.templates and forked.templates == serial.templates
    assert (forked.template_ids, forked.scores, forked.site_notices) == (
        serial.template_ids,
        serial.scores,
        serial.site_notices,
    )


def test_min_size_counts_distinct_recipients() -> None:
    texts = ["We will be in touch."] * 3
    assert find_templates(texts).templates
    assert not find_templates(texts, recipients=["ann", "ann", "bob"]).templates
    assert find_templates(texts, recipients=["ann", "ann", "bob"], settings=ClusterSettings(min_size=2)).templates


def test_templates_are_per_group() -> None:
    texts = ["Sorry to hear that, please contact us."] * 4
    report = find_templates(texts, groups=["a", "a", "b", "b"])
    assert report.template_ids == [None] * 4
    report = find_templates(texts * 2, groups=["a"] * 4 + ["b"] * 4)
    assert len(report.templates) == 2
    assert report.templates[0].id != report.templates[1].id


def test_near_identical_edits_join_but_different_messages_do_not() -> None:
    base = (
        "We are sorry to hear about your experience. "
        "Please reach out to us via the Help Centre so that we can take a closer look."
    )
    texts = [
        base,
        base.replace("sorry", "very sorry"),
        base + " Thank you for your patience.",
        base.replace("take a closer look", "look into it"),
        "Thank you for the rating! We appreciate it.",
        "Your refund was processed yesterday; the driver has been warned about the late delivery.",
    ]
    report = find_templates(texts)
    assert len({report.template_ids[i] for i in range(4)}) == 1
    assert report.template_ids[0] is not None
    assert report.template_ids[4] is None and report.template_ids[5] is None
    assert report.scores[0] > report.scores[2]  # type: ignore[operator]


def test_rote_score_grows_with_recipients() -> None:
    small = find_templates(["Sorry, please email us at help@x.com."] * 3).scores[0]
    big = find_templates(["Sorry, please email us at help@x.com."] * 30).scores[0]
    assert small is not None and big is not None
    assert 0 < small < big == 1.0
    assert recipient_factor(1) == 0.0 and recipient_factor(10) == 1.0


def test_template_id_is_stable_and_skeleton_marks_differing_words() -> None:
    texts = [
        "Hi Anna, your order 123456 is delayed because of heavy rain. We are sorry and will refund the fee.",
        "Hi Bob, your order 654321 is delayed because of heavy traffic. We are sorry and will refund the fee.",
        "Hi Carla, your order 111222 is delayed because of roadworks. We are sorry and will refund the fee.",
    ]
    first, second = find_templates(texts), find_templates(list(reversed(texts)))
    assert first.templates[0].id == second.templates[0].id
    assert first.templates[0].id == template_id("", first.templates[0].representative)
    skeleton = first.templates[0].skeleton
    assert skeleton.startswith("Hi {name}, your order {reference} is delayed because of")
    assert "{…}" in skeleton


def test_incremental_assignment_agrees_with_batch() -> None:
    rows = load("app_store_grabfood_sample.jsonl") + load("google_play_dunzo_replies.jsonl")
    texts = [r["reply"] for r in rows]
    report = find_templates(texts)
    index = TemplateIndex.from_report(report)
    for i, text in enumerate(texts):
        assignment = index.assign(text)
        assert assignment.template_id == report.template_ids[i]
        assert assignment.score == pytest.approx(report.scores[i], abs=1e-3)


def test_incremental_assignment_of_unseen_replies() -> None:
    rows = load("app_store_grabfood_sample.jsonl")
    texts = [r["reply"] for r in rows]
    report = find_templates(texts[:150])
    index = TemplateIndex.from_report(report)
    full = find_templates(texts)
    agree = 0
    for i in range(150, 200):
        incremental = index.assign(texts[i]).template_id
        batch = full.template_ids[i]
        # A reply joins a template it was not part of only if batch on all data also templates it.
        agree += (incremental is None) == (batch is None)
    assert agree >= 45
    known = next(
        t for t in texts if t.startswith("We are sorry to hear about your experience. Please reach out to us via")
    )
    unseen = "Hi Tan, " + known.replace("take a closer look at this", "look into this") + " ^AB"
    assert index.assign(unseen).template_id == report.template_ids[texts.index(known)] is not None


def test_index_round_trips_through_plain_json() -> None:
    rows = load("google_play_dunzo_replies.jsonl")
    texts = [r["reply"] for r in rows]
    index = TemplateIndex.from_report(find_templates(texts))
    restored = TemplateIndex.from_dict(json.loads(json.dumps(index.to_dict())))
    assert len(restored) == len(index) == 2
    probe = (
        "Hi Priya, we regret the inconvenience caused. "
        "Please write to us at partner-review@dunzo.in and we would be happy to help."
    )
    assert restored.assign(probe) == index.assign(probe)
    assert restored.assign(probe).template_id is not None
    assert restored.assign("Your payout for 3 July was credited after the bank holiday, sorry.").template_id is None


def test_site_notices_are_extensible() -> None:
    text = "This response was hidden by the site moderators."
    assert match_site_notice(text) is None
    notice = register_site_notice("example_hidden", r"response was hidden by the site", "an example site notice")
    try:
        assert match_site_notice(text) is notice
        report = find_templates([text] * 5)
        assert report.templates == [] and report.site_notices == ["example_hidden"] * 5
    finally:
        SITE_NOTICES.remove(notice)


# A chain of near-identical pairs: A~B, B~C and C~D, but A and D open differently and share little.
CHAIN = [
    "That doesn't sound right! Please reach out to us via the Help Centre or our social media platforms "
    "so that we can investigate.",
    "That doesn't sound right! Please reach out to us via the Help Centre or our social media platforms "
    "with a screenshot so that we can investigate.",
    "We'd love to help you! Please reach out to us via the Help Centre or our social media platforms "
    "with a screenshot so that we can investigate.",
    "We'd love to help you! Please reach out to us via the Help Centre or our social media platforms "
    "with a screenshot of the issue so we can look into it.",
]


def _similarity(a: str, b: str) -> float:
    sets = ClusterSettings().hasher().shingles([normalise_key(a), normalise_key(b)])
    return jaccard(frozenset(sets.of(0).tolist()), frozenset(sets.of(1).tolist()))


def test_chained_messages_split_around_their_centres() -> None:
    a, b, c, d = CHAIN
    threshold = ClusterSettings().min_similarity
    assert _similarity(a, b) >= threshold and _similarity(b, c) >= threshold and _similarity(c, d) >= threshold
    assert _similarity(a, c) < threshold and _similarity(b, d) < threshold
    texts = [a] * 5 + [b] + [c] + [d] * 5
    report = find_templates(texts)
    ids = report.template_ids
    assert None not in ids  # splitting keeps every linked variant in a template
    assert ids[0] == ids[5] != ids[6] == ids[7]  # A with B, D with C: each member is near its centre's text
    assert len(report.templates) == 2
    single_link = find_templates(texts, settings=ClusterSettings(split_chains=False))
    assert len(set(single_link.template_ids)) == 1


def test_a_piece_too_small_to_be_a_template_stays_with_the_text_it_was_linked_to() -> None:
    a, b, c, _ = CHAIN
    # C is near-identical only to B; on its own (one reply) it could never be a template.
    report = find_templates([a] * 5 + [b] + [c])
    assert len(report.templates) == 1
    assert report.template_ids[6] == report.template_ids[0] is not None
    assert 0 < report.scores[6] < report.scores[0]  # type: ignore[operator]


def test_site_notice_required_words_are_a_pre_check_for_ascii_text() -> None:
    notice = register_site_notice("example_removed", r"reply was removed", "an example", required=("REMOVED",))
    try:
        assert match_site_notice("This reply was REMOVED by the site.") is notice
        assert match_site_notice("This reply was deleted by the site.") is None
        # The words are only checked in ASCII text; elsewhere the pattern alone decides.
        notice_words = register_site_notice("example_words", r"answer hidden", "an example", required=("moderator",))
        try:
            assert match_site_notice("The answer hidden here.") is None
            assert match_site_notice("The answer hidden – merci.") is notice_words
        finally:
            SITE_NOTICES.remove(notice_words)
    finally:
        SITE_NOTICES.remove(notice)
    builtin = match_site_notice("The business has replied privately, and only Thabo M can view this message.")
    assert builtin is not None and builtin.name == "hellopeter_private_reply"


def test_clustering_from_several_threads_at_once_gives_each_its_own_report(monkeypatch: pytest.MonkeyPatch) -> None:
    # Worker and scheduler threads may cluster two companies at the same moment: neither may see the other's texts.
    monkeypatch.setattr(clusters, "PARALLEL_MIN_TEXTS", 10)
    grab = [r["reply"] for r in load("app_store_grabfood_sample.jsonl")]
    cellc = [r["reply"] for r in load("hellopeter_cellc_sample.jsonl")]
    expected = [find_templates(texts, settings=ClusterSettings(workers=1)) for texts in (grab, cellc)]
    found: dict[int, object] = {}

    def run(index: int, texts: list[str]) -> None:
        found[index] = find_templates(texts, settings=ClusterSettings(workers=2))

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate((grab, cellc) * 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for index, report in found.items():
        want = expected[index % 2]
        assert report.templates == want.templates and report.template_ids == want.template_ids  # type: ignore[attr-defined]
    assert len(found) == 4
