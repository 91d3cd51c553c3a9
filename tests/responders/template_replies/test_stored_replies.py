"""A company's stored replies read as columns: shared texts, recipients, verdicts not yet made, unknown times."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlmodel import Session

from responders.template_replies.stored_replies import read_replies
from tests.db_fixtures import add_company, add_reply, add_review, add_source, at, sqlite_session

DAY = at("2024-05-02 10:00")


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    yield from sqlite_session(tmp_path)


def test_columns_keep_every_reply_and_share_repeated_texts(session: Session) -> None:
    company = add_company(session, "Cols")
    web, app = add_source(session, company, name="web"), add_source(session, company, name="app")
    texts = ["Sorry, please DM us.", "Sorry, please DM us.", "We called you today about the refund."]
    sad = add_review(session, web, published=DAY, handle="ann", unhappy=True)
    again = add_review(session, web, published=DAY + timedelta(days=1), handle="ann", unhappy=True)
    unjudged = add_review(session, app, published=DAY + timedelta(days=2), handle="bob", unhappy=None)
    for review, text, day in zip((sad, again, unjudged), texts, (0, 1, 2), strict=True):
        add_reply(session, review, published=DAY + timedelta(days=day, hours=3), text=text)
    undated = add_review(session, app, published=DAY, handle=None, name=None, unhappy=False)
    undated.published_at = None
    add_reply(session, undated, published=DAY, text="Thanks!").published_at = None
    session.flush()

    rows = read_replies(session, company.id or 0)
    assert len(rows) == 4 and rows.texts[:3] == texts
    assert rows.texts[0] is rows.texts[1]  # one string for a text repeated
    assert rows.unhappy == [True, True, None, False]
    everyone = np.arange(4)
    # "ann" twice on one source is one recipient; the reply without handle or name is its review's own.
    assert rows.recipients_of(everyone) == 3
    assert rows.recipients_of(everyone, unhappy_only=True) == 1  # not judged yet is not unhappy
    first, last = rows.first_and_last(everyone)
    assert (first, last) == (DAY + timedelta(hours=3), DAY + timedelta(days=2, hours=3))
    assert rows.first_and_last(np.array([3])) == (None, None)
    assert rows.score(0) is None
    assert sorted(set(rows.sources)) == ["app", "web"]
    only = read_replies(session, company.id or 0, review_ids=[unjudged.id or 0])
    assert only.texts == [texts[2]] and only.review_ids.tolist() == [unjudged.id]
