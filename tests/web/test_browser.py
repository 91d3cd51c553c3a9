"""End to end in a real browser (Debian's chromium driven by Playwright): sign in, filter, claim, draft, log, close.

The test leaves screenshots of the board and the task page in docs/screenshots/ for the README.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.web.support import PASSWORD, WebDb, app_for, live_server

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_an_agent_works_a_task_in_the_browser(browser_page: object, web_db: WebDb) -> None:
    from playwright.sync_api import Page, expect

    page = browser_page
    assert isinstance(page, Page)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    with live_server(app_for(web_db)) as url:
        page.goto(f"{url}/board")
        expect(page).to_have_url(f"{url}/signin?next=%2Fboard")
        page.fill("input[name=username]", "ann")
        page.fill("input[name=password]", PASSWORD)
        page.click("button:has-text('Sign in')")
        expect(page.locator("header .who")).to_have_text("ann (agent)")

        page.click("nav.views >> text=Unclaimed")
        page.select_option("select[name=company]", "Acme")
        page.click("button:has-text('Filter')")
        expect(page).to_have_url(re.compile(r"company=Acme"))
        rows = page.locator("li.task")
        expect(rows.first).to_be_visible()
        assert "Beta" not in page.locator("#board").inner_text()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "board.png"), full_page=True)

        page.keyboard.press("j")  # the first row, claimed with the keyboard
        expect(rows.first).to_have_class(re.compile(r"\bselected\b"))
        first_id = rows.first.get_attribute("data-task")
        page.keyboard.press("c")
        expect(rows.first.locator("form.claim button")).to_have_text("Yours")

        page.goto(f"{url}/tasks/{first_id}")
        expect(page.locator(".task-head")).to_contain_text("owner: ann")
        page.fill("#draft", "We apologize for any inconvenience caused.")
        finding = page.locator("#findings li[data-rule=reflex_apology]")
        expect(finding).to_be_visible()  # checked as the agent types, without pressing a button
        expect(page.locator("#draft-marked mark.finding").first).to_contain_text("inconvenience")
        page.screenshot(path=str(SCREENSHOTS / "task.png"), full_page=True)

        page.fill("#log-form textarea[name=note]", "Called, the parcel is on its way again")
        page.check("#log-form input[value=contacted]")
        page.click("#log-form button:has-text('Log')")
        expect(page.locator(".notice")).to_have_text("Logged.")
        expect(page.locator(".events")).to_contain_text("Called, the parcel is on its way again")

        page.select_option("#close-form select[name=outcome]", "resolved")
        page.click("#close-form button:has-text('Close task')")
        expect(page.locator(".notice")).to_have_text("The task is closed.")
        expect(page.locator(".deadline")).to_contain_text("resolved")
    assert errors == []
