"""Manager pages: queue health, what each person did, templates, sources and runs, the digest in the browser."""

from __future__ import annotations

import httpx

from tests.web.support import WebDb, bearer, enter_as


def test_queue_health_and_people(client: httpx.Client, web_db: WebDb) -> None:
    ann = bearer(web_db, "ann")
    task = web_db.task_ids[0]
    client.post(f"/api/v1/tasks/{task}/claim", headers=ann)
    client.post(f"/api/v1/tasks/{task}/log", json={"contacted": True, "note": "called"}, headers=ann)
    client.post(f"/api/v1/tasks/{task}/close", json={"outcome": "resolved"}, headers=ann)
    page = enter_as(client, web_db, "meg").get("/manage").text
    assert "Acme" in page and "Beta" in page
    row = page[page.index("<bdi>ann</bdi>") :].split("</tr>", 1)[0]
    cells = [c.split("<", 1)[0] for c in row.split("<td")[1:]]
    # holding, claimed, contacted, closed resolved / no response / not actionable, late first contacts
    assert [c.lstrip(">").strip() for c in cells[:6]] == ["0", "1", "1", "1", "0", "0"]


def test_templates_sources_and_digest_pages(client: httpx.Client, web_db: WebDb) -> None:
    enter_as(client, web_db, "meg")
    assert "No template replies found." in client.get("/manage/templates").text
    sources = client.get("/manage/sources").text
    assert "acme-trustpilot" in sources and "never" in sources
    digest = client.get("/manage/digest")
    assert digest.status_code == 200 and "Review digest" in digest.text
    assert client.get("/manage/digest", params={"date": "not a day"}).status_code == 400
