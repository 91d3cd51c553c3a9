"""Real companies' replies stored in many small crawls, classified after each with the saved index, against a full
classification (`find_templates` on every stored reply) of the same data after every crawl.

What must be equal, and what may differ by design (docs/templates.md, "Incremental classification"):
- every template whose replies a full run puts together as well has the same size, reply count, unhappy
  recipients and first and last time, and each of its replies the same rote score;
- a template that gained replies since the last full re-clustering keeps its id and family until the next one,
  where a full run names it after its now most frequent text and may group its family differently;
- linking and chain splitting: a reply stored since the last full re-clustering, or a reply of a template that
  gained replies since, may be in another template (or none) in a full run;
and nothing else differs. At the end, and whenever the call re-clustered fully, everything is equal.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from monitor.core.records import ReviewRecord
from monitor.store.models import CompanyReply, Review
from monitor.store.repository import upsert_reviews
from monitor.store.template_models import ReplyTemplate
from responders.template_replies.clusters import find_templates
from responders.template_replies.store import ClassifyResult, classify_company_replies
from responders.template_replies.stored_replies import read_replies
from sources.hellopeter import record_to_review
from tests.db_fixtures import add_company, add_reply, add_review, add_source, at, sqlite_session

NOW = at("2024-03-11 10:00")
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    yield from sqlite_session(tmp_path)


@dataclass
class Since:
    """What changed since the last full re-clustering: reply ids above `through` are new; template reply counts."""

    through: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    moved: list[int] = field(default_factory=list)  # per crawl: replies a full run puts in another template


def check(session: Session, company_id: int, result: ClassifyResult, since: Since) -> None:
    """Compare the stored classification with a full run on the same replies, within the documented bounds."""
    session.expire_all()
    rows = read_replies(session, company_id)
    stored = {t.id: t for t in session.exec(select(ReplyTemplate).where(col(ReplyTemplate.active))).all()}
    if result.mode == "full":
        since.through = int(rows.ids.max()) if len(rows) else 0
        since.counts = {template_id: template.reply_count for template_id, template in stored.items()}
    report = find_templates(
        rows.texts, groups=[company_id] * len(rows), recipients=rows.recipients, unhappy=rows.unhappy
    )
    batch = report.by_id()
    grown = {t for t, template in stored.items() if template.reply_count != since.counts.get(t)}
    new = set(np.nonzero(rows.ids > since.through)[0].tolist())
    members: dict[str | None, set[int]] = {}
    batch_members: dict[str | None, set[int]] = {}
    for row in range(len(rows)):
        members.setdefault(rows.template_ids[row], set()).add(row)
        batch_members.setdefault(report.template_ids[row], set()).add(row)
    same = {frozenset(held): template_id for template_id, held in batch_members.items() if template_id}
    counterpart = {t: same.get(frozenset(held)) for t, held in members.items() if t is not None}
    # Where a template's replies went in the full run: the template that holds most of them.
    mostly = {
        t: max(
            sorted({report.template_ids[row] or "" for row in held}),
            key=lambda b: len(batch_members.get(b or None, set()) & held),
        )
        for t, held in members.items()
        if t is not None
    }
    family_grown = {stored[t].family_id for t in grown if t in stored}
    moved = 0
    for row in range(len(rows)):
        mine, theirs = rows.template_ids[row], report.template_ids[row]
        if mine == theirs is None or (mine is not None and theirs is not None and counterpart.get(mine) == theirs):
            assert rows.score(row) == report.scores[row]
            assert mine == theirs or mine in grown  # a renaming: the template gained replies since
            continue
        # Linking and chain splitting: a new reply, a reply of a grown template, or of a full run's template that
        # holds a new reply.
        assert row in new or mine in grown or bool(batch_members.get(theirs, set()) & new)
        moved += mine is None or (mostly[mine] or None) != theirs
    for template_id, template in stored.items():
        other = counterpart.get(template_id)
        if other is None:
            assert template_id in grown
            continue
        chosen = np.array(sorted(batch_members[other]), dtype=np.int64)
        first, last = rows.first_and_last(chosen)
        expected = (batch[other].size, batch[other].reply_count, rows.recipients_of(chosen, unhappy_only=True))
        assert (template.size, template.reply_count, template.unhappy_recipients) == expected
        assert (template.first_seen, template.last_seen) == (first, last)
        if template.family_id != batch[other].family_id:
            assert template_id in grown or template.family_id in family_grown
    if result.mode == "full":
        assert moved == 0 and not grown
    since.moved.append(moved)


def reply_rows(name: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in (FIXTURES / "replies" / name).read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize(
    ("name", "per_crawl"),
    [
        ("hellopeter_cellc_sample.jsonl", 3),
        ("app_store_grabfood_sample.jsonl", 3),
        ("app_store_grabfood_sample.jsonl", 7),
        ("google_play_dunzo_replies.jsonl", 2),
    ],
)
def test_replies_stored_in_small_crawls_are_classified_as_a_full_run_classifies_them(
    session: Session, name: str, per_crawl: int
) -> None:
    company = add_company(session)
    source = add_source(session, company)
    company_id = company.id or 0
    rows = reply_rows(name)
    since = Since()
    reasons: set[str] = set()
    for start in range(0, len(rows), per_crawl):
        review_ids = []
        for number, row in enumerate(rows[start : start + per_crawl], start):
            who = str(row.get("author") or f"reviewer {number}")  # some HelloPeter reviewers got several replies
            rating = row.get("rating")
            published = at("2023-01-01 09:00") + timedelta(hours=number)
            unhappy = None if rating is None else float(str(rating)) <= 2
            review = add_review(session, source, published=published, handle=who, name=who, unhappy=unhappy)
            add_reply(session, review, published=published + timedelta(minutes=30), text=str(row["reply"]))
            review_ids.append(review.id or 0)
        result = classify_company_replies(
            session=session, company_id=company_id, review_ids=review_ids, now=NOW + timedelta(minutes=start)
        )
        reasons.add(result.reason)
        check(session, company_id, result, since)
    # Only a forming template re-clusters (the first call builds the index); most calls are incremental.
    assert reasons <= {"", "no saved index", "a new template is forming"}
    assert since.moved.count(0) >= 0.9 * len(since.moved)
    assert max(since.moved) <= 0.02 * len(rows)
    final = classify_company_replies(session=session, company_id=company_id, now=NOW, force_full=True)
    check(session, company_id, final, since)


def hellopeter_records() -> list[ReviewRecord]:
    raw = gzip.decompress((FIXTURES / "hellopeter" / "cell-c_2021_reviews_first300.jsonl.gz").read_bytes())
    return [record_to_review(json.loads(line)) for line in raw.splitlines()]


def test_a_crawled_hellopeter_company_stays_classified_as_a_full_run_classifies_it(session: Session) -> None:
    company = add_company(session, name="Cell C")
    source = add_source(session, company, "cell-c", kind="hellopeter")
    company_id = company.id or 0
    records = hellopeter_records()
    since = Since()
    minute = 0

    def store(page: list[ReviewRecord]) -> ClassifyResult:
        nonlocal minute
        minute += 5
        now = NOW + timedelta(minutes=minute)
        stored = upsert_reviews(session=session, source=source, records=page, now=now)
        touched = stored.new_ids + stored.changed_ids
        # The verdict the analysis would give first: a low rating is an unhappy reviewer.
        for rating, unhappy in ((2.0, True), (5.0, False)):
            limit = col(Review.rating) <= rating if unhappy else col(Review.rating) > 2.0
            session.execute(update(Review).where(col(Review.id).in_(touched), limit).values(unhappy=unhappy))
        result = classify_company_replies(session=session, company_id=company_id, review_ids=touched, now=now)
        check(session, company_id, result, since)
        return result

    for start in range(0, len(records), 10):
        store(records[start : start + 10])
    # A page seen again with one reply edited and one removed: both re-cluster.
    page = [record for record in records[20:30] if record.reply is not None]
    reply = page[0].reply
    assert reply is not None
    edited = replace(page[0], reply=replace(reply, text="We are sorry, Cell C has refunded the charge."))
    assert store([edited, *page[1:]]).reason == "a reply was edited"
    assert store([replace(page[1], reply=None)]).reason == "a reply was removed"
    assert len(since.moved) == 32 and max(since.moved) <= 2  # of 210 replies
    texts = session.exec(select(CompanyReply.text)).all()
    assert "We are sorry, Cell C has refunded the charge." in texts
