"""Thank-you follow-ups when a complaint theme is fixed: once per reviewer and theme, closed tasks reopened."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from monitor.core.settings import Settings
from monitor.store.task_models import OutreachTask, TaskEvent, TaskFollowUp
from responders.guidance.task_guidance import task_guidance
from responders.outreach.follow_ups import apply_fixed_themes, reviews_mentioning
from responders.outreach.queue import update_queue
from responders.outreach.views import task_detail
from tests.db_fixtures import add_company, add_review, add_source, at, settings_with, sqlite_session

NOW = at("2024-03-11 10:00")


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    yield from sqlite_session(tmp_path)


def fixed(tmp_path: Path, *themes: str) -> Settings:
    listed = ", ".join(f'"{t}"' for t in themes)
    return settings_with(tmp_path, f"fixed_themes = [{listed}]\n")


def queue(session: Session, tmp_path: Path) -> list[OutreachTask]:
    company = add_company(session)
    src = add_source(session, company)
    ids = [
        add_review(session, src, published=at("2024-03-01 09:00"), handle="a", body="Late  Delivery again!").id,
        add_review(session, src, published=at("2024-03-02 09:00"), handle="b", body="The app crashes at login.").id,
        add_review(session, src, published=at("2024-03-03 09:00"), handle="c", body="Delivery was late, cold food.").id,
    ]
    update_queue(
        session=session, settings=fixed(tmp_path), review_ids=[i or 0 for i in ids], now=at("2024-03-04 09:00")
    )
    return list(session.exec(select(OutreachTask).order_by(OutreachTask.id)).all())


def test_reviewers_who_raised_a_fixed_theme_get_one_thank_you(session: Session, tmp_path: Path) -> None:
    tasks = queue(session, tmp_path)
    tasks[0].status, tasks[0].outcome, tasks[0].owner = "resolved", "resolved", "ann"
    session.add(tasks[0])
    settings = fixed(tmp_path, "late delivery")
    result = apply_fixed_themes(session=session, settings=settings, now=NOW)
    assert (result.follow_ups, result.reopened) == (1, 1)  # "delivery was late" is not the phrase
    task = session.get(OutreachTask, tasks[0].id)
    assert task is not None and task.status == "claimed" and task.needs_attention and task.outcome is None
    (follow_up,) = session.exec(select(TaskFollowUp)).all()
    assert "late delivery" in follow_up.note and follow_up.due_at >= NOW
    assert apply_fixed_themes(session=session, settings=settings, now=NOW).follow_ups == 0  # once per theme
    guidance = task_guidance(session, task_detail(session=session, task_id=task.id or 0, now=NOW))
    assert "theme_fixed" in guidance.variants


def test_complaints_after_the_fix_get_no_thank_you(session: Session, tmp_path: Path) -> None:
    queue(session, tmp_path)
    apply_fixed_themes(session=session, settings=fixed(tmp_path, "login"), now=at("2024-03-01 00:00"))
    assert session.exec(select(TaskEvent).where(TaskEvent.kind == "theme_fixed")).all() == []


def test_theme_matching_is_whole_words_any_case_any_inflection(session: Session, tmp_path: Path) -> None:
    tasks = queue(session, tmp_path)
    company_id = tasks[0].company_id
    since = at("2024-01-01 00:00")
    for theme in ("LATE delivery", "late deliveries", "Late-Delivery"):
        assert len(reviews_mentioning(session=session, company_id=company_id, theme=theme, since=since)) == 1
    assert len(reviews_mentioning(session=session, company_id=company_id, theme="deliveries", since=since)) == 2
    assert reviews_mentioning(session=session, company_id=company_id, theme="log", since=since) == []


def test_reviewers_who_wrote_another_form_of_the_theme_are_thanked_too(session: Session, tmp_path: Path) -> None:
    company = add_company(session)
    src = add_source(session, company)
    bodies = ["Late deliveries every single week.", "Die Rückerstattungen kommen nie an.", "The delivery came late."]
    ids = [
        add_review(session, src, published=at("2024-03-01 09:00"), handle=f"h{i}", body=body, language=language).id
        for i, (body, language) in enumerate(zip(bodies, ("en", "de", "en"), strict=True))
    ]
    update_queue(
        session=session, settings=fixed(tmp_path), review_ids=[i or 0 for i in ids], now=at("2024-03-04 09:00")
    )
    result = apply_fixed_themes(session=session, settings=fixed(tmp_path, "late delivery", "Rückerstattung"), now=NOW)
    assert result.follow_ups == 2  # "late deliveries" and "Rückerstattungen"; "delivery came late" is not the phrase
