"""Two processes classifying one company's replies at once on PostgreSQL (two workers storing two of its sources'
crawls): the second waits for the first and then builds on what it saved, instead of inserting the same rows."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from monitor.runtime.context import open_database
from monitor.store.template_models import ReplyTemplate, TemplateIndexState
from responders.template_replies.store import classify_company_replies
from tests.db_fixtures import add_company, add_reply, add_review, add_source, at

pytestmark = pytest.mark.postgres

NOW = at("2024-03-11 10:00")
TEMPLATE = "Hi {name}, we are sorry about your order. Please write to help@shop.example and we will sort it out."


def test_a_second_first_classification_waits_and_stores_nothing_twice(pg_url: str) -> None:
    engine = open_database(pg_url)
    with Session(engine) as session:
        company = add_company(session)
        source = add_source(session, company)
        for i in range(12):
            review = add_review(session, source, published=at("2024-03-01 09:00"), handle=f"u{i}", name=f"u{i}")
            add_reply(session, review, published=at("2024-03-01 10:00"), text=TEMPLATE.format(name=f"Customer{i}"))
        session.commit()
        company_id = company.id or 0
    outcome: list[object] = []

    def second() -> None:
        try:
            with Session(engine) as other:
                outcome.append(classify_company_replies(session=other, company_id=company_id, now=NOW))
                other.commit()
        except Exception as exc:  # the failure is what this test looks for
            outcome.append(exc)

    first = Session(engine)
    try:
        assert classify_company_replies(session=first, company_id=company_id, now=NOW).templated == 12
        worker = threading.Thread(target=second)
        worker.start()
        worker.join(1.0)
        assert worker.is_alive(), "the second classification did not wait for the first to commit"
        first.commit()
    finally:
        first.close()
    worker.join(30)
    assert not worker.is_alive()
    assert len(outcome) == 1 and not isinstance(outcome[0], Exception), outcome
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(TemplateIndexState)).one() == 1
        (template,) = session.exec(select(ReplyTemplate)).all()
        assert (template.size, template.reply_count) == (12, 12)
    engine.dispose()
