"""A crawl re-clusters a company only when a new template is forming (or a reply was edited or removed): personal
replies never make it, and a template appears in the call that brings its third recipient."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from monitor.store.models import Company, CompanyReply, ReviewRevision, SourceRow
from monitor.store.template_models import ReplyTemplate, TemplateIndexState
from responders.template_replies import store
from responders.template_replies.clusters import find_templates
from responders.template_replies.index import TemplateIndex
from responders.template_replies.store import ClassifyResult, classify_company_replies
from tests.db_fixtures import add_company, add_reply, add_review, add_source, at, sqlite_session

NOW = at("2024-03-11 10:00")
FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "replies" / "google_play_dunzo_replies.jsonl"
APOLOGY = (
    "Hi {name}, so sorry that your parcel went to the {branch} branch. We have asked the courier to collect it "
    "and bring it to your door by Friday, and refunded the delivery fee."
)
PERSONAL = [
    "Thanks Maria, the manager at the Rosebank store has read your note and will call you about the fridge.",
    "Sipho, we checked the meter readings you sent and the March bill was wrong; a corrected one is on its way.",
    "Dear Mr Pillay, your son's school shoes are back in stock in size 6 and we have put a pair aside for you.",
    "Good news Lerato: the airline found the second suitcase in Durban and it lands in Cape Town tonight.",
    "Hello Johan, the technician replaced the router's power supply; please let us know if the lights blink again.",
    "Naledi, our chef says the curry recipe changed in May and has asked the kitchen to bring back the old one.",
]


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    yield from sqlite_session(tmp_path)


def real_company(session: Session) -> tuple[Company, SourceRow]:
    """The 38 real Dunzo replies (two templates and some personal replies), classified once (fully)."""
    company = add_company(session)
    source = add_source(session, company)
    for number, line in enumerate(FIXTURE.read_text(encoding="utf-8").splitlines()):
        row = json.loads(line)
        review = add_review(session, source, published=at("2024-03-01 09:00"), handle=f"r{number}")
        add_reply(session, review, published=at("2024-03-01 10:00"), text=row["reply"])
    result = classify_company_replies(session=session, company_id=company.id or 0, now=NOW)
    assert (result.mode, result.reason, result.templates) == ("full", "all replies asked for", 2)
    return company, source


def crawl(session: Session, source: SourceRow, replies: list[tuple[str, str]], minute: int) -> ClassifyResult:
    """Store replies (reviewer handle, text) as a crawl does and classify them."""
    review_ids = []
    for handle, text in replies:
        review = add_review(session, source, published=at("2024-03-11 08:00"), handle=handle, name=handle)
        add_reply(session, review, published=at("2024-03-11 09:00"), text=text)
        review_ids.append(review.id or 0)
    return classify_company_replies(
        session=session, company_id=source.company_id, review_ids=review_ids, now=NOW + timedelta(minutes=minute)
    )


def test_personal_replies_never_re_cluster(session: Session) -> None:
    _, source = real_company(session)
    for minute, text in enumerate(PERSONAL):
        result = crawl(session, source, [(f"p{minute}", text)], minute)
        assert (result.mode, result.reason, result.templated) == ("incremental", "", 0)
    state = session.get(TemplateIndexState, source.company_id)
    assert state is not None and state.pending == 0


@pytest.mark.parametrize("restart", [False, True], ids=["one process", "a process per crawl"])
def test_three_near_identical_replies_to_three_people_make_a_template_in_the_call_of_the_third(
    session: Session, restart: bool
) -> None:
    _, source = real_company(session)
    people = [("ann", "Ann", "Sandton"), ("ben", "Ben", "Rosebank"), ("cara", "Cara", "Fourways")]
    for number, (handle, name, branch) in enumerate(people):
        if restart:
            store._loaded.clear()  # a new process: the loose replies stored since the build come from the database
        result = crawl(session, source, [(handle, APOLOGY.format(name=name, branch=branch))], number)
        if number < 2:
            assert (result.mode, result.reason, result.templated) == ("incremental", "", 0)
    assert (result.mode, result.reason) == ("full", "a new template is forming")
    assert result.templates == 3 and result.templated >= 3
    (template,) = session.exec(select(ReplyTemplate).where(col(ReplyTemplate.skeleton).contains("courier"))).all()
    assert (template.size, template.reply_count, template.active) == (3, 3, True)
    members = session.exec(select(CompanyReply).where(CompanyReply.template_id == template.id)).all()
    assert len(members) == 3 and all((reply.rote_score or 0) > 0 for reply in members)


def test_replies_to_one_person_make_no_template(session: Session) -> None:
    _, source = real_company(session)
    for number, branch in enumerate(["Sandton", "Rosebank", "Fourways", "Midrand"]):
        result = crawl(session, source, [("ann", APOLOGY.format(name="Ann", branch=branch))], number)
        assert (result.mode, result.reason, result.templated) == ("incremental", "", 0)


def test_three_people_in_one_crawl_make_a_template_in_that_call(session: Session) -> None:
    _, source = real_company(session)
    replies = [(handle, APOLOGY.format(name=handle.title(), branch="Sandton")) for handle in ("ann", "ben", "cara")]
    result = crawl(session, source, replies, 0)
    assert (result.mode, result.reason) == ("full", "a new template is forming")
    assert session.exec(select(ReplyTemplate).where(col(ReplyTemplate.skeleton).contains("courier"))).one().size == 3


def test_a_template_that_gains_a_recipient_has_every_member_rescored_as_a_full_run_scores_it(session: Session) -> None:
    _, source = real_company(session)
    crawl(session, source, [(h, APOLOGY.format(name=h.title(), branch=b)) for h, b in [("a", "X"), ("b", "Y")]], 0)
    assert crawl(session, source, [("c", APOLOGY.format(name="C", branch="Z"))], 1).mode == "full"
    result = crawl(session, source, [("d", APOLOGY.format(name="D", branch="Sandton"))], 2)
    assert (result.mode, result.templates) == ("incremental", 1)
    scores = {reply.id: reply.rote_score for reply in session.exec(select(CompanyReply)).all()}
    classify_company_replies(session=session, company_id=source.company_id, now=NOW, force_full=True)
    session.expire_all()
    assert {reply.id: reply.rote_score for reply in session.exec(select(CompanyReply)).all()} == scores


def test_an_edited_or_removed_reply_re_clusters(session: Session) -> None:
    _, source = real_company(session)
    crawl(session, source, [(h, APOLOGY.format(name=h.title(), branch="Sandton")) for h in ("a", "b", "c")], 0)
    joined = crawl(session, source, [("d", APOLOGY.format(name="Dee", branch="Sandton"))], 1)
    assert joined.mode == "incremental"
    (reply,) = session.exec(select(CompanyReply).order_by(col(CompanyReply.id).desc()).limit(1)).all()
    # Edited as the store edits it: text replaced, classification cleared, a revision saying the reply changed.
    reply.text, reply.template_id, reply.rote_score = "Dee, the courier will call you today.", None, None
    session.add(reply)
    edit = ReviewRevision(review_id=reply.review_id, observed_at=NOW + timedelta(minutes=2), changes="reply")
    session.add(edit)
    session.flush()
    result = classify_company_replies(
        session=session, company_id=source.company_id, review_ids=[reply.review_id], now=NOW + timedelta(minutes=3)
    )
    assert (result.mode, result.reason) == ("full", "a reply was edited")
    # Removed: the reply row goes, a revision says so.
    (member,) = session.exec(select(CompanyReply).where(col(CompanyReply.text).startswith("Hi C,"))).all()
    session.delete(member)
    session.add(
        ReviewRevision(review_id=member.review_id, observed_at=NOW + timedelta(minutes=4), changes="reply_removed")
    )
    session.flush()
    result = classify_company_replies(
        session=session, company_id=source.company_id, review_ids=[member.review_id], now=NOW + timedelta(minutes=5)
    )
    assert (result.mode, result.reason) == ("full", "a reply was removed")
    assert not session.exec(select(ReplyTemplate).where(col(ReplyTemplate.skeleton).contains("courier"))).one().active


def test_an_index_of_an_older_format_still_loads_and_is_rebuilt_at_the_next_call(session: Session) -> None:
    texts = [json.loads(line)["reply"] for line in FIXTURE.read_text(encoding="utf-8").splitlines()]
    report = find_templates(texts)
    old = TemplateIndex.from_report(report).to_dict()
    old["format"] = 2
    for item in old["templates"]:
        del item["replies"], item["margin"]
    del old["loose"]
    loaded = TemplateIndex.from_dict(old)
    assert not loaded.knows_loose and len(loaded) == 2
    assert loaded.assign(texts[0]).template_id == report.template_ids[0]
    assert loaded.assign(PERSONAL[0]).forming is False
    # The store saved the index bare before it kept its own fields with it.
    company, source = real_company(session)
    state = session.get(TemplateIndexState, company.id)
    assert state is not None
    state.data = gzip.compress(json.dumps(old).encode())
    session.add(state)
    store._loaded.clear()
    result = crawl(session, source, [("p", PERSONAL[0])], 0)
    assert (result.mode, result.reason) == ("full", "the saved index is of an older format")
    assert crawl(session, source, [("q", PERSONAL[1])], 1).mode == "incremental"


def test_loose_replies_survive_saving_and_loading(session: Session) -> None:
    texts = [json.loads(line)["reply"] for line in FIXTURE.read_text(encoding="utf-8").splitlines()]
    texts += [APOLOGY.format(name="Ann", branch="Sandton"), APOLOGY.format(name="Ben", branch="Rosebank")]
    people = [f"person {number}" for number in range(len(texts))]
    index = TemplateIndex.from_report(find_templates(texts, recipients=people), texts, recipients=people)
    restored = TemplateIndex.from_dict(json.loads(json.dumps(index.to_dict())))
    assert restored.knows_loose and restored.loose_count == index.loose_count > 2
    for copy in (index.fork(), restored.fork()):
        assert copy.assign(APOLOGY.format(name="Ann", branch="Fourways"), recipient="person 38").forming is False
        assert copy.assign(APOLOGY.format(name="Cara", branch="Fourways"), recipient="someone else").forming is True
    # A fork keeps what it was given to itself.
    assert index.assign(APOLOGY.format(name="Cara", branch="Fourways"), recipient="someone else").forming is True
