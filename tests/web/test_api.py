"""The JSON API: tasks with filters and paging, the task steps, the checker, templates and reviews."""

from __future__ import annotations

import httpx

from tests.web.support import WebDb, bearer


def test_list_filters_and_pages(client: httpx.Client, web_db: WebDb) -> None:
    headers = bearer(web_db, "ann")
    everything = client.get("/api/v1/tasks", headers=headers).json()
    assert {row["id"] for row in everything["items"]} == set(web_db.task_ids)
    assert everything["next_cursor"] is None
    seen: list[int] = []
    cursor = None
    for _ in range(10):
        params = {"limit": 2, "sort": "priority", **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/tasks", params=params, headers=headers).json()
        seen += [row["id"] for row in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(web_db.task_ids) and len(seen) == len(set(seen))
    hebrew = client.get("/api/v1/tasks", params={"language": "he"}, headers=headers).json()["items"]
    assert [row["id"] for row in hebrew] == [web_db.hebrew_task]
    legal = client.get("/api/v1/tasks", params={"flag": "legal"}, headers=headers).json()["items"]
    assert [row["reviewer"] for row in legal] == ["Larry Legal"]
    beta = client.get("/api/v1/tasks", params={"company": "Beta"}, headers=headers).json()["items"]
    assert {row["company"] for row in beta} == {"Beta"} and len(beta) == 2
    found = client.get("/api/v1/tasks", params={"q": "ORDER 4 never"}, headers=headers).json()["items"]
    assert [row["reviewer"] for row in found] == ["Customer 4"]
    wrong = client.get("/api/v1/tasks", params={"cursor": "not-a-cursor"}, headers=headers)
    assert wrong.status_code == 422 and "cursor" in wrong.json()["message"]


def test_claim_log_close_through_the_api(client: httpx.Client, web_db: WebDb) -> None:
    task = web_db.task_ids[0]
    ann, bob = bearer(web_db, "ann"), bearer(web_db, "bob")
    claimed = client.post(f"/api/v1/tasks/{task}/claim", headers=ann)
    assert claimed.status_code == 200 and claimed.json()["owner"] == "ann"
    lost = client.post(f"/api/v1/tasks/{task}/claim", headers=bob)
    assert lost.status_code == 409 and "held by ann" in lost.json()["message"]
    mine = client.get("/api/v1/tasks", params={"view": "mine"}, headers=ann).json()["items"]
    assert [row["id"] for row in mine] == [task]
    not_bobs = client.post(f"/api/v1/tasks/{task}/log", json={"note": "hi"}, headers=bob)
    assert not_bobs.status_code == 409
    logged = client.post(
        f"/api/v1/tasks/{task}/log",
        json={"note": "called, refund agreed", "contacted": True, "follow_up_due": "2999-01-01T10:00"},
        headers=ann,
    )
    assert logged.status_code == 200 and logged.json()["status"] == "contacted"
    bad = client.post(f"/api/v1/tasks/{task}/close", json={"outcome": "happy"}, headers=ann)
    assert bad.status_code == 422 and bad.json()["message"]
    closed = client.post(f"/api/v1/tasks/{task}/close", json={"outcome": "resolved", "note": "done"}, headers=ann)
    assert closed.status_code == 200 and closed.json()["outcome"] == "resolved"
    detail = client.get(f"/api/v1/tasks/{task}", headers=ann).json()
    assert [e["kind"] for e in detail["events"]] == ["created", "claimed", "contacted", "follow_up_set", "closed"]
    assert detail["follow_ups"][0]["done_at"] is not None
    assert detail["guidance"]["steps"]
    assert client.get("/api/v1/tasks/999999", headers=ann).status_code == 404


def test_managers_assign_and_snooze(client: httpx.Client, web_db: WebDb) -> None:
    task = web_db.task_ids[1]
    meg = bearer(web_db, "meg")
    assigned = client.post(f"/api/v1/tasks/{task}/assign", json={"assignee": "bob"}, headers=meg)
    assert assigned.status_code == 200 and assigned.json()["owner"] == "bob"
    assert assigned.json()["status"] == "claimed"
    nobody = client.post(f"/api/v1/tasks/{task}/assign", json={"assignee": "ghost"}, headers=meg)
    assert nobody.status_code == 404
    snoozed = client.post(f"/api/v1/tasks/{task}/snooze", json={"until": "2999-06-01"}, headers=meg)
    assert snoozed.status_code == 200 and snoozed.json()["due_at"].startswith("2999-06-01")
    past = client.post(f"/api/v1/tasks/{task}/snooze", json={"until": "2001-01-01"}, headers=meg)
    assert past.status_code == 409
    events = client.get(f"/api/v1/tasks/{task}", headers=meg).json()["events"]
    assert [(e["kind"], e["actor"]) for e in events[1:]] == [("assigned", "meg"), ("snoozed", "meg")]


def test_check_reply_finds_problems_with_offsets(client: httpx.Client, web_db: WebDb) -> None:
    text = "We apologize for any inconvenience caused."
    answer = client.post(
        "/api/v1/check-reply", json={"text": text, "task_id": web_db.task_ids[0]}, headers=bearer(web_db, "ann")
    )
    assert answer.status_code == 200
    findings = answer.json()["findings"]
    rules = {f["rule"] for f in findings}
    assert "reflex_apology" in rules and "missing_name" in rules
    apology = next(f for f in findings if f["rule"] == "reflex_apology")
    assert "inconvenience" in text[apology["start"] : apology["end"]]
    empty = client.post("/api/v1/check-reply", json={"text": "   "}, headers=bearer(web_db, "ann"))
    assert empty.status_code == 422 and empty.json()["message"]


def test_templates_and_reviews(client: httpx.Client, web_db: WebDb) -> None:
    ann = bearer(web_db, "ann")
    assert client.get("/api/v1/templates", headers=ann).json() == {"items": []}
    first = client.get("/api/v1/reviews", params={"limit": 3}, headers=ann).json()
    assert len(first["items"]) == 3 and first["next_before_id"] == first["items"][-1]["id"]
    rest = client.get("/api/v1/reviews", params={"before_id": first["next_before_id"]}, headers=ann).json()
    ids = [r["id"] for r in first["items"] + rest["items"]]
    assert ids == sorted(ids, reverse=True) and len(ids) == len(set(ids)) == 9  # every seeded review
    beta = client.get("/api/v1/reviews", params={"company": "Beta"}, headers=ann).json()["items"]
    assert {r["source"] for r in beta} == {"beta-play"}


def test_the_api_is_documented(client: httpx.Client) -> None:
    schema = client.get("/openapi.json").json()
    assert {"/api/v1/tasks", "/api/v1/tasks/{task_id}/claim", "/api/v1/check-reply"} <= set(schema["paths"])
    assert not any(path.startswith(("/board", "/tasks", "/manage", "/signin")) for path in schema["paths"])
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
