"""The task page without script: claim, check a draft, log a contact with a follow-up, close; and what it shows."""

from __future__ import annotations

import httpx
from sqlmodel import Session, select

from monitor.store.db import utcnow
from monitor.store.models import CompanyReply, Review
from monitor.store.task_models import TaskReview
from monitor.store.template_models import ReplyTemplate
from tests.db_fixtures import edit_review
from tests.web.support import HEBREW, WebDb, csrf_of, enter_as


def test_work_a_task_from_claim_to_close(client: httpx.Client, web_db: WebDb) -> None:
    task = web_db.task_ids[0]
    page = enter_as(client, web_db, "ann").get(f"/tasks/{task}").text
    assert "Claim the task to log contact" in page and "business hours 09:00-17:00" in page
    token = csrf_of(page)
    assert client.post(f"/tasks/{task}/claim", data={"csrf_token": token}).headers["location"].endswith("done=claimed")
    page = client.get(f"/tasks/{task}?done=claimed").text
    assert "The task is yours." in page and 'id="log-form"' in page

    checked = client.post(
        f"/tasks/{task}/check", data={"csrf_token": token, "draft": "We apologize for any inconvenience."}
    )
    assert checked.status_code == 200
    assert '<mark class="finding"' in checked.text and "reflex_apology" in checked.text
    assert "We apologize for any inconvenience." in checked.text  # the draft is kept in the box

    logged = client.post(
        f"/tasks/{task}/log",
        data={
            "csrf_token": token,
            "note": "Called Customer 1",
            "contact": "contacted",
            "follow_up_due": "2999-01-01T09:00",
        },
    )
    assert logged.status_code == 303
    page = client.get(f"/tasks/{task}").text
    assert "Called Customer 1" in page and "contacted" in page and "Tue 01 Jan 2999 09:00 Europe/Berlin" in page
    bad = client.post(f"/tasks/{task}/log", data={"csrf_token": token, "follow_up_due": "someday"})
    assert bad.status_code == 409 and "is not a time" in bad.text
    closed = client.post(f"/tasks/{task}/close", data={"csrf_token": token, "outcome": "resolved", "note": "sorted"})
    assert closed.status_code == 303
    page = client.get(f"/tasks/{task}").text
    assert "resolved" in page and "sorted" in page and 'id="close-form"' not in page


def test_the_page_shows_revisions_the_template_reply_and_rtl_text(client: httpx.Client, web_db: WebDb) -> None:
    task = web_db.task_ids[0]
    with Session(web_db.engine) as session:
        review_id = session.exec(select(TaskReview.review_id).where(TaskReview.task_id == task)).one()
        review = session.get(Review, review_id)
        assert review is not None
        edit_review(session, review, observed=utcnow(), rating=1.0, body="Still nothing. Worst shop ever.")
        session.add(
            ReplyTemplate(
                id="t-sorry",
                company_id=1,
                size=41,
                skeleton="Hi {name}, sorry for the trouble ...",
                examples=["Hi Ann, sorry for the trouble"],
            )
        )
        session.add(CompanyReply(review_id=review_id, text="Hi there, sorry for the trouble", template_id="t-sorry"))
        session.commit()
    enter_as(client, web_db, "ann")
    page = client.get(f"/tasks/{task}").text
    assert "2 revisions seen" in page and "Still nothing. Worst shop ever." in page
    assert "Sent to 41 reviewers" in page and "Hi {name}, sorry for the trouble ..." in page
    hebrew = client.get(f"/tasks/{web_db.hebrew_task}").text
    assert f'<p class="body" dir="rtl" lang="he">{HEBREW}</p>' in hebrew
    assert "Asia/Jerusalem" in hebrew
    assert client.get("/tasks/424242").status_code == 404
