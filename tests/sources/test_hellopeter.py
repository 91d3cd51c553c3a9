"""HelloPeter adapter on real API review records (Cell C, 2021), wrapped in the API's page envelope."""

from __future__ import annotations

import copy
import gzip
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from monitor.core.errors import ConfigError, LayoutChanged
from sources.base import Page, get_source_class
from sources.hellopeter import HelloPeter
from tests.fixture_path import fixture

API = "https://api.hellopeter.com/consumer/business/cell-c/reviews"
PAGE_SIZE = 10


def _records() -> list[dict[str, Any]]:
    path = fixture("hellopeter", "cell-c_2021_reviews_first300.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


RECORDS = _records()
BY_ID = {r["id"]: r for r in RECORDS}


def _api_page(records: list[dict[str, Any]], *, number: int = 1, last: int = 1, **envelope: Any) -> Page:
    """Real records inside the paginated envelope the API answers with (test-only builder)."""
    body: dict[str, Any] = {
        "current_page": number,
        "data": records,
        "last_page": last,
        "next_page_url": f"{API}?page={number + 1}" if number < last else None,
        "per_page": PAGE_SIZE,
        "total": len(RECORDS),
    }
    body.update(envelope)
    body = {k: v for k, v in body.items() if v is not ...}
    return Page(
        url=f"{API}?page={number}",
        status=200,
        body=json.dumps(body).encode("utf-8"),
        headers={"content-type": "application/json"},
    )


def _parse_one(record: dict[str, Any]) -> Any:
    result = HelloPeter("cell-c").parse(_api_page([record]))
    assert len(result.records) == 1
    return result.records[0]


def _all() -> list[Any]:
    return HelloPeter("cell-c").parse(_api_page(RECORDS)).records


def test_registered() -> None:
    assert get_source_class("hellopeter") is HelloPeter


def test_all_records_parse_with_public_and_private_split() -> None:
    records = _all()
    assert len(records) == 300
    assert len({r.site_review_id for r in records}) == 300
    # Measured on the fixture: 210 reviews have a public business reply, 138 a private one, 52 both.
    assert sum(1 for r in records if r.reply) == 210
    assert sum(1 for r in records if r.private_reply) == 138
    assert sum(1 for r in records if r.reply and r.private_reply) == 52
    assert all(r.private_reply_at is not None for r in records if r.private_reply)
    assert all(r.published_at and r.published_at.tzinfo == UTC for r in records)


def test_private_notice_is_never_a_reply_text() -> None:
    for record in _all():
        if record.reply:
            assert "replied privately" not in record.reply.text
        for entry in record.extra.get("thread", []):
            assert entry["text"] is None or "can view this message" not in entry["text"]


def test_public_reply_keeps_text_and_takes_signer() -> None:
    review = _parse_one(BY_ID[3758804])
    assert review.reply is not None
    assert review.reply.text.startswith("Hi Amanda Rautenbach\n\nThank you for contacting Cell C.")
    assert review.reply.text.endswith("Regards\n^MP")  # the agent's initials stay in the text
    assert review.reply.author == "MP"
    assert "<" not in review.reply.text and "&nbsp;" not in review.reply.text
    raw = next(m for m in BY_ID[3758804]["messages"] if m["owner"] == 2)
    assert review.reply.published_at == datetime.fromisoformat(raw["created_at"]).replace(tzinfo=UTC)
    assert review.private_reply is False


def test_private_then_public_reply() -> None:
    raw = BY_ID[3758435]
    review = _parse_one(raw)
    first_private = next(m for m in raw["messages"] if m["owner"] == 2 and m["type"] == "Private")
    first_public = next(m for m in raw["messages"] if m["owner"] == 2 and m["type"] == "Public")
    assert review.private_reply is True
    assert review.private_reply_at == datetime.fromisoformat(first_private["created_at"]).replace(tzinfo=UTC)
    assert review.reply is not None
    assert review.reply.published_at == datetime.fromisoformat(first_public["created_at"]).replace(tzinfo=UTC)


def test_only_private_reply_and_reviewer_follow_up_in_thread() -> None:
    raw = BY_ID[3759262]
    review = _parse_one(raw)
    assert review.reply is None
    assert review.private_reply is True
    thread = review.extra["thread"]
    assert [(t["from"], t["type"]) for t in thread] == [("business", "Private"), ("reviewer", "Public")]
    assert thread[0]["text"] is None
    assert thread[1]["text"] and "<div>" not in thread[1]["text"]
    assert thread[1]["created_at"].endswith("+00:00")


def test_placeholder_marked_public_is_still_private() -> None:
    raw = copy.deepcopy(BY_ID[3759197])
    raw["messages"][0]["type"] = "Public"  # the site's notice, even if mislabelled, is not the company's words
    review = _parse_one(raw)
    assert review.reply is None
    assert review.private_reply is True


def test_sign_off_name_is_the_reply_author() -> None:
    raw = copy.deepcopy(BY_ID[3758804])
    # A real reply body from the same Cell C capture (signed by name, not initials).
    raw["messages"][0]["body"] = (
        "<div>Hi Lerato&nbsp;<br><br>Thank you for contacting Cell C.&nbsp;<br><br>Our team will make contact "
        "with you to provide assistance.&nbsp;<br><br>Regards<br>Monwabisi Pambo&nbsp;</div>"
    )
    review = _parse_one(raw)
    assert review.reply.author == "Monwabisi Pambo"
    assert review.reply.text.endswith("Regards\nMonwabisi Pambo")


def test_unsigned_reply_falls_back_to_business_name() -> None:
    raw = copy.deepcopy(BY_ID[3758804])
    raw["messages"][0]["body"] = "<div>Noted.</div>"
    assert _parse_one(raw).reply.author == "Cell C"


def test_review_fields_are_mapped() -> None:
    raw = BY_ID[3759376]
    review = _parse_one(raw)
    assert review.site_review_id == "3759376"
    assert review.url == f"https://www.hellopeter.com/cell-c/reviews/{raw['permalink']}"
    assert review.author_name == "Victor"
    assert review.author_handle == raw["user_id"]
    assert review.rating == 1.0 and review.rating_scale == 5
    assert review.title == raw["review_title"]
    assert review.body == raw["review_content"]
    assert review.published_at == datetime(2022, 1, 1, 16, 56, 10, tzinfo=UTC)
    assert review.reply is None and review.private_reply is False
    assert "thread" not in review.extra
    assert review.extra["channel"] == "WEBSITE"


def test_html_review_body_becomes_text() -> None:
    raw = copy.deepcopy(BY_ID[3759376])
    raw["review_content"] = "<div>cell c sold me a data contract&nbsp;<br>and did not tell me</div>"
    assert _parse_one(raw).body == "cell c sold me a data contract\nand did not tell me"


def test_pagination_follows_current_and_last_page() -> None:
    source = HelloPeter("cell-c")
    first = source.parse(_api_page(RECORDS[:PAGE_SIZE], number=1, last=30))
    assert len(first.records) == PAGE_SIZE
    assert first.next_url == f"{API}?page=2"
    last = source.parse(_api_page(RECORDS[-PAGE_SIZE:], number=30, last=30))
    assert last.next_url is None


def test_pagination_from_next_page_url_keeps_configured_host() -> None:
    page = _api_page(RECORDS[:PAGE_SIZE], number=1, last=3, current_page=..., last_page=...)
    local = Page(url="http://127.0.0.1:8000/consumer/business/cell-c/reviews?page=1", status=200, body=page.body)
    result = HelloPeter("cell-c").parse(local)
    assert result.next_url == "http://127.0.0.1:8000/consumer/business/cell-c/reviews?page=2"


def test_page_past_the_end_is_empty_not_an_error() -> None:
    result = HelloPeter("cell-c").parse(_api_page([], number=31, last=30))
    assert result.records == []
    assert result.next_url is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<!doctype html><html><body>Just a moment...</body></html>", "expected JSON"),
        (b'{"message": "Not found"}', "'data' list"),
        (b"[]", "'data' list"),
    ],
)
def test_wrong_page_is_layout_changed(body: bytes, message: str) -> None:
    page = Page(url=API, status=200, body=body, headers={"content-type": "text/html"})
    with pytest.raises(LayoutChanged, match=message):
        HelloPeter("cell-c").parse(page)


def test_trustpilot_page_is_layout_changed() -> None:
    html = gzip.decompress(fixture("trustpilot", "trustpilot_eventnet.de_2024-07-02.html.gz").read_bytes())
    with pytest.raises(LayoutChanged):
        HelloPeter("cell-c").parse(Page(url=API, status=200, body=html, headers={"content-type": "text/html"}))


def test_record_missing_required_field_is_layout_changed() -> None:
    raw = copy.deepcopy(BY_ID[3759376])
    del raw["review_content"]
    with pytest.raises(LayoutChanged, match="review_content"):
        HelloPeter("cell-c").parse(_api_page([raw]))


@pytest.mark.parametrize(
    ("locator", "options", "expected"),
    [
        ("cell-c", {}, f"{API}?page=1"),
        ("https://www.hellopeter.com/cell-c/reviews", {}, f"{API}?page=1"),
        (f"{API}?page=4", {}, f"{API}?page=4"),
        ("cell-c", {"api_base": "http://127.0.0.1:9/"}, "http://127.0.0.1:9/consumer/business/cell-c/reviews?page=1"),
    ],
)
def test_start_urls(locator: str, options: dict[str, str], expected: str) -> None:
    assert HelloPeter(locator, options).start_urls() == [expected]


def test_unknown_option_is_config_error() -> None:
    with pytest.raises(ConfigError, match="api_base"):
        HelloPeter("cell-c", {"base": "x"})


async def test_pages_walks_every_api_page() -> None:
    last = len(RECORDS) // PAGE_SIZE
    served: list[str] = []

    async def fetch(url: str) -> Page:
        served.append(url)
        number = int(url.rsplit("=", 1)[1])
        chunk = RECORDS[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
        return _api_page(chunk, number=number, last=last)

    source = HelloPeter("cell-c")
    ids = [r.site_review_id async for result in source.pages(fetch) for r in result.records]
    assert len(served) == last == 30
    assert ids == [str(r["id"]) for r in RECORDS]


def test_reviewer_follow_up_messages_give_the_latest_follow_up_time() -> None:
    raws = _records()
    with_followups = [r for r in raws if any(m.get("owner") == 1 for m in r.get("messages") or [])]
    assert with_followups, "the real sample has reviewers writing again"
    for raw in with_followups[:20]:
        record = _parse_one(raw)
        latest = max(datetime.fromisoformat(m["created_at"]) for m in raw["messages"] if m.get("owner") == 1)
        assert record.reviewer_followup_at == latest.replace(tzinfo=UTC)
    quiet = next(r for r in raws if not any(m.get("owner") == 1 for m in r.get("messages") or []))
    assert _parse_one(quiet).reviewer_followup_at is None
