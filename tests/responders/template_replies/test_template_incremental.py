"""Crawls assign new replies with the saved index and keep the templates' figures as a full classification counts
them; pending or old indexes, and edited replies, re-cluster fully."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text, update
from sqlmodel import Session, col, select

from monitor.store.models import Company, CompanyReply, Review, SourceRow
from monitor.store.template_models import ReplyTemplate, TemplateFamily, TemplateIndexState
from responders.template_replies import store as template_store
from responders.template_replies.store import classify_company_replies, stale_indexes
from tests.db_fixtures import add_company, add_reply, add_review, add_source, at, sqlite_session

NOW = at("2024-03-11 10:00")
REPLIES = 1_100  # half of them copies of one template, half personal
TEMPLATE = "Hi {name}, we are sorry about your order. Please write to help@shop.example and we will sort it out."
WORDS = [
    "parcel",
    "courier",
    "refund",
    "rider",
    "app",
    "login",
    "cold",
    "pizza",
    "late",
    "driver",
    "voucher",
    "support",
    "call",
    "agent",
    "menu",
]


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    yield from sqlite_session(tmp_path)


def personal(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(18)) + "."


def reply_to(session: Session, source: SourceRow, handle: str, text: str) -> int:
    review = add_review(session, source, published=at("2024-03-01 09:00"), handle=handle, name=handle)
    add_reply(session, review, published=at("2024-03-01 10:00"), text=text)
    return review.id or 0


def big_company(session: Session) -> tuple[Company, SourceRow]:
    rng = random.Random(7)
    company = add_company(session)
    source = add_source(session, company)
    for i in range(REPLIES):
        text = TEMPLATE.format(name=f"Customer{i}") if i % 2 else personal(rng)
        reply_to(session, source, f"u{i}", text)
    first = classify_company_replies(session=session, company_id=company.id or 0, now=NOW)
    assert first.mode == "full" and first.templated == REPLIES // 2
    return company, source


def test_new_replies_are_assigned_with_the_saved_index(session: Session) -> None:
    company, source = big_company(session)
    (template,) = session.exec(select(ReplyTemplate).where(ReplyTemplate.kind == "template")).all()
    size_before = template.size
    copy = reply_to(session, source, "newcomer", TEMPLATE.format(name="Zanele"))
    unique = reply_to(session, source, "other", "The rider called me twice and was very kind, thank you Sipho!")
    result = classify_company_replies(session=session, company_id=company.id or 0, review_ids=[copy, unique], now=NOW)
    assert (result.mode, result.reason) == ("incremental", "")
    assert result.reclassified_review_ids == [copy]
    session.refresh(template)
    assert template.size == size_before + 1
    state = session.get(TemplateIndexState, company.id)
    assert state is not None and state.pending == 0  # a personal reply forms no template


def test_pending_or_old_indexes_fall_back_to_full_clustering(session: Session) -> None:
    company, source = big_company(session)
    state = session.get(TemplateIndexState, company.id)
    assert state is not None
    state.pending = 1  # a re-clustering found needed was not saved (or an earlier version counted replies here)
    session.add(state)
    assert stale_indexes(session, NOW) == [company.id]
    fresh = reply_to(session, source, "late", TEMPLATE.format(name="Ann"))
    result = classify_company_replies(session=session, company_id=company.id or 0, review_ids=[fresh], now=NOW)
    assert (result.mode, result.reason) == ("full", "replies are pending")
    session.refresh(state)
    assert state.pending == 0 and stale_indexes(session, NOW) == []
    later = reply_to(session, source, "later", TEMPLATE.format(name="Bo"))
    result = classify_company_replies(
        session=session, company_id=company.id or 0, review_ids=[later], now=NOW + timedelta(hours=7)
    )
    assert (result.mode, result.reason) == ("full", "the saved index is old")


def _figures(session: Session) -> dict[str, tuple[object, ...]]:
    return {
        t.id: (t.size, t.reply_count, t.unhappy_recipients, t.sources, t.first_seen, t.last_seen, t.active)
        for t in session.exec(select(ReplyTemplate).where(ReplyTemplate.kind == "template")).all()
    }


def test_a_recounted_template_says_what_a_full_classification_says(session: Session) -> None:
    company, source = big_company(session)
    other = add_source(session, company, "second-store")
    added = []
    # A reviewer already counted, a new one twice, a happy one, one on another source and one whose reply has no
    # time of its own (its review's counts), published before and after everything stored.
    for handle, where, unhappy, replied, published in [
        ("u1", source, True, at("2024-03-02 10:00"), at("2024-03-02 09:00")),
        ("fresh", source, True, at("2024-03-03 10:00"), at("2024-03-03 09:00")),
        ("fresh", source, True, at("2024-03-04 10:00"), at("2024-03-04 09:00")),
        ("glad", source, False, at("2024-03-05 10:00"), at("2024-03-05 09:00")),
        ("far", other, True, at("2024-03-06 10:00"), at("2024-03-06 09:00")),
        ("early", source, True, None, at("2023-01-01 08:00")),
    ]:
        review = add_review(session, where, published=published, handle=handle, name=handle, unhappy=unhappy)
        add_reply(session, review, published=replied, text=TEMPLATE.format(name=handle.title()))
        added.append(review.id or 0)
    result = classify_company_replies(session=session, company_id=company.id or 0, review_ids=added, now=NOW)
    assert result.mode == "incremental" and result.templates == 1
    recounted = _figures(session)
    classify_company_replies(session=session, company_id=company.id or 0, now=NOW, force_full=True)
    assert _figures(session) == recounted
    (figures,) = recounted.values()
    assert figures[3] == sorted([source.name, other.name])
    assert figures[4] == at("2023-01-01 08:00")


def _families(session: Session) -> dict[str, tuple[object, ...]]:
    return {f.id: (f.size, f.recipients, f.share, f.active) for f in session.exec(select(TemplateFamily)).all()}


def _incremental_equals_full(session: Session, company_id: int, review_ids: list[int]) -> None:
    # Templates and families a long-lived session holds from before must show the new figures after.
    held = [*session.exec(select(ReplyTemplate)).all(), *session.exec(select(TemplateFamily)).all()]
    assert held
    result = classify_company_replies(session=session, company_id=company_id, review_ids=review_ids, now=NOW)
    assert result.mode == "incremental"
    state = session.get(TemplateIndexState, company_id)
    assert state is not None
    counted, seen = state.replies, (_figures(session), _families(session))
    classify_company_replies(session=session, company_id=company_id, now=NOW, force_full=True)
    session.refresh(state)
    assert (state.replies, _figures(session), _families(session)) == (counted, *seen)


def _answer(session: Session, source: SourceRow, handle: str | None, name: str | None, unhappy: bool, text: str) -> int:
    review = add_review(session, source, published=at("2024-03-05 09:00"), handle=handle, name=name, unhappy=unhappy)
    add_reply(session, review, published=at("2024-03-05 10:00"), text=text)
    return review.id or 0


def test_a_happy_reviewer_answered_again_unhappily_counts_once_and_as_unhappy(session: Session) -> None:
    company, source = big_company(session)
    (earlier,) = session.exec(select(Review).where(Review.author_handle == "u3")).all()
    earlier.unhappy = False
    session.add(earlier)
    classify_company_replies(session=session, company_id=company.id or 0, now=NOW, force_full=True)
    (template,) = session.exec(select(ReplyTemplate).where(ReplyTemplate.kind == "template")).all()
    size, unhappy = template.size, template.unhappy_recipients
    added = [
        _answer(session, source, "u3", "u3", True, TEMPLATE.format(name="Sam")),
        _answer(session, source, None, None, True, TEMPLATE.format(name="Nobody")),  # an anonymous reviewer
        _answer(session, source, "u9000", "u9000", True, "   "),  # a blank reply: no template, not counted
    ]
    _incremental_equals_full(session, company.id or 0, added)
    session.refresh(template)
    assert (template.size, template.unhappy_recipients) == (size + 1, unhappy + 2)


def test_people_known_by_name_are_recounted_and_edited_replies_re_clustered_as_a_full_classification_counts(
    session: Session,
) -> None:
    company, source = big_company(session)
    # "Jane Roe" is known only by name, and writes it differently the second time.
    _answer(session, source, None, "Jane Roe", True, TEMPLATE.format(name="Jane"))
    classify_company_replies(session=session, company_id=company.id or 0, now=NOW, force_full=True)
    again = _answer(session, source, None, "  JANE ROE ", False, TEMPLATE.format(name="Jane"))
    _incremental_equals_full(session, company.id or 0, [again])
    # A stored template reply edited into a personal one leaves the template.
    (edited,) = session.exec(
        select(CompanyReply)
        .join(Review)
        .where(Review.author_handle == "u5", col(CompanyReply.template_id).is_not(None))
    ).all()
    # The store clears the classification of a reply whose text it changes.
    edited.text = "Thank you for the detailed note about the rider, Sipho has passed it on to the depot manager."
    edited.template_id, edited.rote_score = None, None
    session.add(edited)
    result = classify_company_replies(
        session=session, company_id=company.id or 0, review_ids=[edited.review_id], now=NOW
    )
    assert (result.mode, result.reason) == ("full", "a reply was edited")
    counted = _figures(session), _families(session)
    classify_company_replies(session=session, company_id=company.id or 0, now=NOW, force_full=True)
    assert (_figures(session), _families(session)) == counted


def test_a_full_classification_with_a_checkpoint_commits_its_writes_in_chunks_and_classifies_the_same(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    company, _ = big_company(session)
    company_id = company.id or 0
    expected = _figures(session), _families(session)
    monkeypatch.setattr(template_store, "_WRITE_CHUNK", 200)
    session.execute(update(CompanyReply).values(template_id=None, rote_score=None))
    session.commit()
    engine = session.get_bind()
    seen: list[int] = []

    def checkpoint() -> None:
        session.commit()
        # Another connection sees each chunk as soon as it is committed: the write lock was let go.
        with engine.connect() as other:
            seen.append(other.execute(text("SELECT count(*) FROM company_reply WHERE rote_score IS NOT NULL")).one()[0])

    classify_company_replies(session=session, company_id=company_id, now=NOW, force_full=True, checkpoint=checkpoint)
    session.commit()
    assert seen == [200 * n for n in range(1, REPLIES // 200 + 1)]
    assert (_figures(session), _families(session)) == expected


def test_two_crawls_adding_to_one_template_at_once_lose_neither_reply(session: Session) -> None:
    company, source = big_company(session)
    session.commit()
    (template,) = session.exec(select(ReplyTemplate).where(ReplyTemplate.kind == "template")).all()
    replies_before = template.reply_count
    with Session(session.get_bind(), expire_on_commit=False) as other:
        # Another source's crawl of the same company has already read the template when this one commits (and
        # holds it: the session's identity map forgets an object nobody refers to).
        read_before = other.get(ReplyTemplate, template.id), other.get(TemplateIndexState, company.id)
        assert read_before[0] is not None and read_before[0].reply_count == replies_before
        first = reply_to(session, source, "one", TEMPLATE.format(name="One"))
        classify_company_replies(session=session, company_id=company.id or 0, review_ids=[first], now=NOW)
        session.commit()
        theirs = other.get(SourceRow, source.id)
        assert theirs is not None
        second = reply_to(other, theirs, "two", TEMPLATE.format(name="Two"))
        classify_company_replies(session=other, company_id=company.id or 0, review_ids=[second], now=NOW)
        other.commit()
    session.expire_all()
    counted = _figures(session)
    assert counted[template.id][1] == replies_before + 2
    state = session.get(TemplateIndexState, company.id)
    assert state is not None
    replies = state.replies
    classify_company_replies(session=session, company_id=company.id or 0, now=NOW, force_full=True)
    session.refresh(state)
    assert (_figures(session), state.replies) == (counted, replies)
