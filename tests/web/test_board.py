"""The task board: keyset pages that never skip or repeat a task, views and filters, and the page itself."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from monitor.store.db import utcnow
from monitor.store.task_models import OutreachTask
from monitor.web.board import BoardFilters, board_page, decode_cursor
from tests.db_fixtures import add_company, add_source, migrated_sqlite
from tests.web.support import HEBREW, WebDb, bearer, csrf_of, enter_as

NOW = datetime(2025, 3, 5, 10, 0, tzinfo=UTC)


def _many_tasks(folder: Path, count: int = 157) -> Session:
    engine = migrated_sqlite(folder)
    session = Session(engine, expire_on_commit=False)
    source = add_source(session, add_company(session))
    rng = random.Random(7)
    for n in range(count):
        due = None if n % 9 == 0 else NOW + timedelta(hours=rng.randint(-30, 30))  # equal due times too
        session.add(
            OutreachTask(
                company_id=source.company_id,
                source_id=source.id or 0,
                reviewer_key=f"handle:x:{n}",
                reviewer_name=f"R{n}",
                status="waiting_for_customer" if due is None else rng.choice(["new", "claimed", "contacted"]),
                owner="ann" if n % 4 == 0 else None,
                priority=rng.choice([10, 40, 55, 80]),
                complaint_at=NOW - timedelta(days=1),
                first_contact_due=NOW + timedelta(hours=rng.randint(-30, 30)),
                due_at=due,
            )
        )
    session.commit()
    return session


def _expected(tasks: list[OutreachTask], sort: str) -> list[int]:
    far = datetime.max.replace(tzinfo=UTC)
    if sort == "deadline":
        return [t.id or 0 for t in sorted(tasks, key=lambda t: (t.due_at is None, t.due_at or far, t.id))]
    return [t.id or 0 for t in sorted(tasks, key=lambda t: (-t.priority, t.due_at is None, t.due_at or far, t.id))]


@pytest.mark.parametrize("sort", ["deadline", "priority"])
@pytest.mark.parametrize("limit", [1, 7, 50])
def test_keyset_pages_visit_every_task_once_in_order(tmp_path: Path, sort: str, limit: int) -> None:
    session = _many_tasks(tmp_path)
    tasks = list(session.exec(select(OutreachTask)).all())
    seen: list[int] = []
    cursor = None
    filters = BoardFilters(sort=sort)
    for _ in range(1000):
        page = board_page(session=session, filters=filters, me="ann", now=NOW, cursor=cursor, limit=limit)
        seen += [row.task.id or 0 for row in page.rows]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == _expected(tasks, sort)
    session.close()


def test_views(tmp_path: Path) -> None:
    session = _many_tasks(tmp_path, 60)
    tasks = list(session.exec(select(OutreachTask)).all())

    def ids(view: str) -> set[int]:
        page = board_page(session=session, filters=BoardFilters(view=view), me="ann", now=NOW, limit=200)
        return {row.task.id or 0 for row in page.rows}

    assert ids("mine") == {t.id for t in tasks if t.owner == "ann"}
    assert ids("unclaimed") == {t.id for t in tasks if t.status == "new"}
    assert ids("overdue") == {t.id for t in tasks if t.due_at is not None and t.due_at <= NOW}
    assert ids("breached") == {t.id for t in tasks if t.first_contact_due <= NOW}
    assert ids("due_today") == {
        t.id for t in tasks if t.due_at is not None and NOW < t.due_at < datetime(2025, 3, 6, tzinfo=UTC)
    }
    session.close()


def test_a_cursor_of_another_sort_or_a_forged_one_is_refused() -> None:
    with pytest.raises(ValueError, match="another sort"):
        decode_cursor("WyJwcmlvcml0eSIsIDEsIG51bGwsIDFd", "deadline")
    for junk in ("", "%%%", "bnVsbA", "WzEsMiwzXQ"):
        with pytest.raises(ValueError):
            decode_cursor(junk, "deadline")


def test_the_board_page_filters_and_shows_local_times(client: httpx.Client, web_db: WebDb) -> None:
    enter_as(client, web_db, "ann")
    page = client.get("/board", params={"view": "all"}).text
    assert "Europe/Berlin" in page and "Asia/Jerusalem" in page  # each company's zone, named
    assert 'dir="rtl" lang="he"' in page and HEBREW in page
    only_he = client.get("/board", params={"view": "all", "language": "he"}).text
    assert HEBREW in only_he and "Customer 1" not in only_he
    legal = client.get("/board", params={"view": "all", "flag": "legal", "company": "Beta"}).text
    assert "Larry Legal" in legal and HEBREW not in legal
    searched = client.get("/board", params={"view": "all", "q": "order 2"}).text
    assert "Customer 2" in searched and "Customer 1" not in searched
    rated = client.get("/board", params={"view": "all", "rating": "1"}).text
    assert "Customer 1" not in rated and "Customer 2" in rated  # customer 1 gave 2 stars
    assert client.get("/board", params={"view": "nonsense"}).status_code == 400


def test_paging_links_on_the_board(client: httpx.Client, web_db: WebDb, monkeypatch: pytest.MonkeyPatch) -> None:
    enter_as(client, web_db, "ann")
    import monitor.web.board as board

    monkeypatch.setattr(board, "MAX_PAGE", 3)
    first = client.get("/board", params={"view": "all"}).text
    assert first.count('class="task ') == 3 and 'rel="next"' in first


def test_claim_from_the_board_without_script(client: httpx.Client, web_db: WebDb) -> None:
    page = enter_as(client, web_db, "bob").get("/board", params={"view": "unclaimed"}).text
    task = web_db.task_ids[2]
    answer = client.post(
        f"/tasks/{task}/claim",
        data={"csrf_token": csrf_of(page), "next": "/board?view=unclaimed"},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/board?view=unclaimed&done=claimed"
    mine = client.get("/board", params={"view": "mine"}).text
    assert f'data-task="{task}"' in mine and "The task is yours." not in mine


def test_bulk_actions_for_managers(client: httpx.Client, web_db: WebDb) -> None:
    page = enter_as(client, web_db, "meg").get("/board", params={"view": "all"}).text
    assert 'action="/board/bulk"' in page
    token = csrf_of(page)
    a, b, c = web_db.task_ids[:3]
    assign = client.post(
        "/board/bulk",
        data={
            "csrf_token": token,
            "action": "assign",
            "assignee": "bob",
            "task_id": [str(a), str(b)],
            "next": "/board",
        },
        follow_redirects=False,
    )
    assert assign.status_code == 303
    until = (utcnow() + timedelta(days=3)).date().isoformat()
    snooze = client.post(
        "/board/bulk", data={"csrf_token": token, "action": "snooze", "until": until, "task_id": str(c)}
    )
    assert snooze.status_code == 303
    dismissed = client.post(
        "/board/bulk", data={"csrf_token": token, "action": "close", "reason": "spam", "task_id": [str(a), str(c)]}
    )
    assert dismissed.status_code == 303
    meg = bearer(web_db, "meg")
    rows = {t: client.get(f"/api/v1/tasks/{t}", headers=meg).json() for t in (a, b, c)}
    assert rows[a]["outcome"] == "not_actionable" and rows[c]["outcome"] == "not_actionable"
    assert rows[b]["owner"] == "bob" and rows[b]["status"] == "claimed"
    assert [e["kind"] for e in rows[c]["events"]][-2:] == ["snoozed", "closed"]
    refused = client.post(
        "/board/bulk", data={"csrf_token": token, "action": "close", "reason": "x", "task_id": str(a)}
    )
    assert refused.status_code == 409 and "already closed" in refused.text
