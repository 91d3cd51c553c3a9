"""`monitor tasks reply` end to end: crawl a store API, then post a checked reply once, through real local HTTP.

The store APIs are the local fakes of tests/api_fakes.py (written from the documented formats, no real capture);
keys are made per test. Each test runs the real command line on a real configuration file and database.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, col, select
from typer.testing import CliRunner, Result

from monitor.cli.main import app
from monitor.crawl.reply_posting import ReplyPlan, ReplyRefused, plan_reply, post_reply, task_channel
from monitor.runtime.config_file import load_settings
from monitor.runtime.context import open_database
from monitor.store.models import CompanyReply, Review
from monitor.store.task_models import OutreachTask, TaskEvent
from responders.guidance.task_guidance import task_guidance
from responders.outreach.views import task_detail
from tests.api_fakes import (
    FakeStoreApis,
    Fault,
    app_store_connect_key,
    asc_review,
    business_review,
    play_review,
    service_account_key,
)
from tests.db_fixtures import migrated_sqlite
from tests.pg_backend import copy_database

PACKAGE = "com.acme.app"
NOW = datetime.now(UTC).replace(microsecond=0)
TEMPLATE = (
    "We are sorry for the inconvenience. Please contact our support team at support@acme.example so we can look "
    "into this for you."
)
GOOD = (
    "Ann, thank you for telling us the app crashes when you open your orders. Version 4.1.3 fixes it and reaches "
    "Google Play on Friday; I will check back here after the release."
)
EMAIL = "reviews@acme-project.iam.gserviceaccount.com"


@dataclass
class Store:
    """A configured, crawled store API: the fake, the config file, the database and helpers."""

    fake: FakeStoreApis
    config: Path
    folder: Path

    def run(self, *args: str, stdin: str | None = None) -> Result:
        return CliRunner().invoke(app, ["-c", str(self.config), *args], input=stdin)

    def engine(self):  # type: ignore[no-untyped-def]
        return open_database(load_settings(self.config, env={}).database_url)

    def task(self, reviewer: str) -> OutreachTask:
        with Session(self.engine()) as session:
            task = session.exec(select(OutreachTask).where(OutreachTask.reviewer_name == reviewer)).one()
            session.expunge(task)
            return task

    def events(self, task: OutreachTask, kind: str) -> list[TaskEvent]:
        with Session(self.engine()) as session:
            rows = session.exec(select(TaskEvent).where(TaskEvent.task_id == task.id, TaskEvent.kind == kind)).all()
            return list(rows)

    def reply_of(self, site_review_id: str) -> CompanyReply | None:
        with Session(self.engine()) as session:
            return session.exec(
                select(CompanyReply)
                .join(Review, col(Review.id) == CompanyReply.review_id)
                .where(Review.site_review_id == site_review_id)
            ).first()

    def draft(self, text: str, name: str = "draft.txt") -> str:
        path = self.folder / name
        path.write_text(text, encoding="utf-8")
        return str(path)


@pytest.fixture(scope="module")
def empty_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file at the current schema, copied for each test instead of migrating again."""
    folder = tmp_path_factory.mktemp("schema")
    migrated_sqlite(folder).dispose()
    return folder / "monitor.store.db"


@pytest.fixture(autouse=True)
def _fresh_database(tmp_path: Path, empty_database: Path) -> None:
    copy_database(empty_database, tmp_path / "monitor.db")


def _config(folder: Path, sources: str) -> Path:
    path = folder / "monitor.toml"
    path.write_text(
        f'database_url = "sqlite:///{folder / "monitor.db"}"\nuser_agent = "monitor-tests/1.0"\n'
        f'[[company]]\nname = "Acme"\n{sources}',
        encoding="utf-8",
    )
    return path


def play_source(fake: FakeStoreApis, key: Path, *, name: str = "acme-play-api", timeout: float = 10.0) -> str:
    return (
        f'[[company.source]]\nname = "{name}"\nkind = "google_play_api"\nlocator = "{PACKAGE}"\n'
        f'options = {{ credentials_file = "{key}", api_base = "{fake.base_url}" }}\nmin_delay = 0.0\n'
        f'timeout = {timeout}\nschedule = "interval:6h"\n'
    )


def play_reviews() -> list[dict[str, object]]:
    return [
        play_review(
            "gp:AOqpTOa1",
            "Crashes\tThe app crashes every time I open my orders since the last update.",
            1,
            NOW - timedelta(hours=3),
        ),
        play_review(
            "gp:AOqpTOa2",
            "Delivery was two hours late and support never answered my emails.",
            2,
            NOW - timedelta(hours=2),
            author="Bob Builder",
        ),
        play_review(
            "gp:AOqpTOa3", "Good but the app is slow", 5, NOW - timedelta(hours=1), author="Cy", reply=TEMPLATE
        ),
    ]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with FakeStoreApis() as fake:
        key, public = service_account_key(tmp_path, fake.token_uri)
        fake.google_keys[EMAIL] = public
        fake.play[PACKAGE] = play_reviews()
        store = Store(fake, _config(tmp_path, play_source(fake, key)), tmp_path)
        crawled = store.run("crawl")
        assert crawled.exit_code == 0, crawled.output
        fake.requests.clear()
        yield store


def _claim(store: Store, reviewer: str = "Ann Reviewer") -> OutreachTask:
    task = store.task(reviewer)
    assert store.run("tasks", "claim", str(task.id), "--as", "ann").exit_code == 0
    return task


def test_a_dry_run_prints_the_exact_request_and_sends_nothing(store: Store) -> None:
    task = _claim(store)
    result = store.run("tasks", "reply", str(task.id), store.draft(GOOD), "--as", "ann", "--dry-run")
    assert result.exit_code == 0, result.output
    url = f"{store.fake.base_url}/androidpublisher/v3/applications/{PACKAGE}/reviews/gp%3AAOqpTOa1:reply"
    assert f"POST {url}\n" in result.stdout
    assert "Authorization: Bearer <redacted>\n" in result.stdout
    assert "User-Agent: monitor-tests/1.0\n" in result.stdout
    assert "Content-Type: application/json; charset=utf-8\n" in result.stdout
    assert result.stdout.rstrip().endswith(json.dumps({"replyText": GOOD}, ensure_ascii=False))
    assert not store.fake.requests  # not even a token
    assert store.task("Ann Reviewer").status == "claimed" and not store.events(task, "reply_posted")


def test_a_reply_is_posted_once_recorded_as_personal_and_the_task_is_contacted(store: Store) -> None:
    task = _claim(store)
    result = store.run("tasks", "reply", str(task.id), store.draft(GOOD), "--as", "ann")
    assert result.exit_code == 0, result.output
    assert "Reply posted to Google Play review gp:AOqpTOa1" in result.stdout
    (post,) = store.fake.logged("POST", ":reply")
    assert json.loads(post.body) == {"replyText": GOOD} and post.headers["authorization"] == "Bearer ya29.fake-2"
    # The review was read back first, with the same token, before anything was sent.
    (read,) = store.fake.logged("GET", "/reviews/gp%3AAOqpTOa1")
    assert store.fake.requests.index(read) < store.fake.requests.index(post)
    reply = store.reply_of("gp:AOqpTOa1")
    assert reply is not None and reply.text == GOOD and reply.template_id is None
    after = store.task("Ann Reviewer")
    assert after.status == "contacted" and after.first_contacted_at is not None
    (event,) = store.events(task, "reply_posted")
    assert event.actor == "ann" and event.note == GOOD and event.data["site_review_id"] == "gp:AOqpTOa1"

    again = store.run("tasks", "reply", str(task.id), store.draft(GOOD), "--as", "ann")
    assert again.exit_code == 1 and "already posted" in again.stderr and "--replace" in again.stderr
    assert len(store.fake.logged("POST", ":reply")) == 1

    follow_up = GOOD.replace("reaches Google Play on Friday; I will check back here after the release", "is out now")
    replaced = store.run("tasks", "reply", str(task.id), store.draft(follow_up), "--as", "ann", "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert len(store.fake.logged("POST", ":reply")) == 2
    assert store.reply_of("gp:AOqpTOa1").text == follow_up  # type: ignore[union-attr]
    # A later crawl sees the same reply on the store: nothing new, still no template.
    assert store.run("crawl").exit_code == 0
    assert store.reply_of("gp:AOqpTOa1").template_id is None  # type: ignore[union-attr]


def test_asking_to_change_the_review_stops_the_reply_unless_forced_with_a_reason(store: Store) -> None:
    task = _claim(store)
    draft = store.draft(GOOD + " Please update your review to 5 stars once it works.")
    refused = store.run("tasks", "reply", str(task.id), draft, "--as", "ann")
    assert refused.exit_code == 1
    assert "asks_review_change" in refused.stderr and "stops the reply" in refused.stderr
    assert not store.fake.requests and store.task("Ann Reviewer").status == "claimed"
    no_reason = store.run("tasks", "reply", str(task.id), draft, "--as", "ann", "--force")
    assert no_reason.exit_code == 1 and "--force needs --reason" in no_reason.stderr
    forced = store.run("tasks", "reply", str(task.id), draft, "--as", "ann", "--force", "--reason", "legal approved")
    assert forced.exit_code == 0, forced.output
    (event,) = store.events(task, "reply_posted")
    assert event.data["forced_reason"] == "legal approved" and "asks_review_change" in event.data["findings"]


def test_a_copied_template_stops_the_reply(store: Store) -> None:
    task = _claim(store)
    refused = store.run("tasks", "reply", str(task.id), "-", "--as", "ann", stdin=f"Ann, {TEMPLATE}")
    assert refused.exit_code == 1 and "template_copy" in refused.stderr
    assert not store.fake.requests


def test_a_reply_already_on_the_store_stops_it_unless_replace(store: Store) -> None:
    task = _claim(store)
    review = store.fake.play[PACKAGE][0]
    earlier = {"developerComment": {"text": "Sorry Ann, we are on it.", "lastModified": {"seconds": "1"}}}
    review["comments"].append(earlier)  # type: ignore[attr-defined]
    refused = store.run("tasks", "reply", str(task.id), store.draft(GOOD), "--as", "ann")
    assert refused.exit_code == 1
    assert "already shows a reply" in refused.stderr and "Sorry Ann, we are on it." in refused.stderr
    assert not store.fake.logged("POST", ":reply") and not store.events(task, "reply_posted")
    replaced = store.run("tasks", "reply", str(task.id), store.draft(GOOD), "--as", "ann", "--replace")
    assert replaced.exit_code == 0, replaced.output


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        (Fault(401, body=b'{"error": {"code": 401, "message": "Invalid Credentials"}}'), "Invalid Credentials"),
        (Fault(403, body=b'{"error": {"code": 403, "message": "denied"}}'), "Play Console"),
        (Fault(429, headers={"Retry-After": "120"}), "try again after"),
        (Fault(503), "try again later"),
    ],
)
def test_a_failed_post_leaves_everything_unchanged_and_says_what_to_do(store: Store, fault: Fault, said: str) -> None:
    task = _claim(store)
    store.fake.add_fault("POST", "/androidpublisher", fault)
    result = store.run("tasks", "reply", str(task.id), store.draft(GOOD), "--as", "ann")
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert said in message and f"HTTP {fault.status}" in message and "task is unchanged" in message
    assert len(store.fake.logged("POST", ":reply")) == 1  # sent once, never retried
    assert store.task("Ann Reviewer").status == "claimed"
    assert store.reply_of("gp:AOqpTOa1") is None and not store.events(task, "reply_posted")


def test_a_lost_answer_is_never_posted_twice(store: Store) -> None:
    task = _claim(store)
    store.fake.add_fault("POST", "/androidpublisher", Fault(drop=True, apply=True))
    lost = store.run("tasks", "reply", str(task.id), store.draft(GOOD), "--as", "ann")
    assert lost.exit_code == 1 and "may or may not have arrived" in " ".join(lost.stderr.split())
    assert store.task("Ann Reviewer").status == "claimed"
    again = store.run("tasks", "reply", str(task.id), store.draft(GOOD), "--as", "ann")
    assert again.exit_code == 0, again.output
    assert "already showed this reply" in again.stdout
    assert len(store.fake.logged("POST", ":reply")) == 1
    (event,) = store.events(task, "reply_posted")
    assert event.data["recorded_only"] is True and store.task("Ann Reviewer").status == "contacted"


def test_a_timeout_is_reported_as_unknown_and_changes_nothing(tmp_path: Path) -> None:
    with FakeStoreApis() as fake:
        key, public = service_account_key(tmp_path, fake.token_uri)
        fake.google_keys[EMAIL] = public
        fake.play[PACKAGE] = play_reviews()
        store = Store(fake, _config(tmp_path, play_source(fake, key, timeout=0.5)), tmp_path)
        assert store.run("crawl").exit_code == 0
        task = _claim(store)
        fake.add_fault("POST", "/androidpublisher", Fault(slow=1.5, drop=True))
        result = store.run("tasks", "reply", str(task.id), store.draft(GOOD), "--as", "ann")
        assert result.exit_code == 1
        assert "timeout" in result.stderr and "may or may not have arrived" in " ".join(result.stderr.split())
        assert store.task("Ann Reviewer").status == "claimed" and store.reply_of("gp:AOqpTOa1") is None


def test_only_the_owner_of_a_claimed_task_replies(store: Store) -> None:
    task = store.task("Ann Reviewer")
    result = store.run("tasks", "reply", str(task.id), store.draft(GOOD), "--as", "ann")
    assert result.exit_code == 1 and "claim it first" in result.stderr
    _claim(store)
    other = store.run("tasks", "reply", str(task.id), store.draft(GOOD), "--as", "bob")
    assert other.exit_code == 1 and "held by ann" in other.stderr
    long = store.run("tasks", "reply", str(task.id), store.draft(GOOD * 3), "--as", "ann")
    assert long.exit_code == 1 and "350 characters" in long.stderr
    assert not store.fake.requests


def test_app_store_connect_responses_are_posted_as_json_api(tmp_path: Path) -> None:
    with FakeStoreApis() as fake:
        key, public = app_store_connect_key(tmp_path)
        fake.asc_keys["KEY123"] = ("issuer-uuid", public)
        fake.asc["1234567890"] = [
            asc_review("00000028-b08c-0014-729e-0001", "It logs me out every day since 3.2.", 1, NOW, nickname="Anne J")
        ]
        source = (
            '[[company.source]]\nname = "acme-ios"\nkind = "app_store_connect"\nlocator = "1234567890"\n'
            f'options = {{ key_id = "KEY123", issuer_id = "issuer-uuid", private_key_file = "{key}", '
            f'api_base = "{fake.base_url}" }}\nmin_delay = 0.0\n'
        )
        store = Store(fake, _config(tmp_path, source), tmp_path)
        assert store.run("crawl").exit_code == 0
        task = store.task("Anne J")
        assert store.run("tasks", "claim", str(task.id), "--as", "ann").exit_code == 0
        text = "Anne, being logged out every day since 3.2 is our bug: 3.2.1 fixes it this week. I will write again."
        result = store.run("tasks", "reply", str(task.id), store.draft(text), "--as", "ann")
        assert result.exit_code == 0, result.output
        assert "Apple publishes responses after its own review" in result.stdout
        (post,) = fake.logged("POST", "/v1/customerReviewResponses")
        review = {"data": {"type": "customerReviews", "id": "00000028-b08c-0014-729e-0001"}}
        assert json.loads(post.body) == {
            "data": {
                "type": "customerReviewResponses",
                "attributes": {"responseBody": text},
                "relationships": {"review": review},
            }
        }
        assert store.task("Anne J").status == "contacted"


def test_business_profile_replies_are_put(tmp_path: Path) -> None:
    location = "accounts/111/locations/222"
    with FakeStoreApis() as fake:
        key, public = service_account_key(tmp_path, fake.token_uri)
        fake.google_keys[EMAIL] = public
        fake.business[location] = [
            business_review("r1", location, "Waited 40 minutes for the table we had booked.", "ONE", NOW)
        ]
        source = (
            f'[[company.source]]\nname = "acme-cafe"\nkind = "google_business"\nlocator = "{location}"\n'
            f'options = {{ credentials_file = "{key}", api_base = "{fake.base_url}" }}\nmin_delay = 0.0\n'
        )
        store = Store(fake, _config(tmp_path, source), tmp_path)
        assert store.run("crawl").exit_code == 0
        task = store.task("Jane Doe")
        assert store.run("tasks", "claim", str(task.id), "--as", "ann").exit_code == 0
        text = "Jane, a 40 minute wait for a booked table is not acceptable. I have talked to the team; see you soon."
        result = store.run("tasks", "reply", str(task.id), store.draft(text), "--as", "ann")
        assert result.exit_code == 0, result.output
        (put,) = fake.logged("PUT", "/reviews/r1/reply")
        assert json.loads(put.body) == {"comment": text}
        assert fake.business[location][0]["reviewReply"]["comment"] == text


def test_a_source_without_a_reply_channel_says_so(tmp_path: Path) -> None:
    with FakeStoreApis() as fake:
        export = tmp_path / "play.csv"
        export.write_text(
            "reviewId,userName,content,score,at\n"
            f"gp:x1,Dee,The app crashes whenever I pay by card,1,{(NOW - timedelta(hours=1)).isoformat()}\n",
            encoding="utf-8",
        )
        source = (
            f'[[company.source]]\nname = "play-export"\nkind = "file"\nlocator = "{export}"\n'
            'options = { format = "google_play" }\nschedule = "manual"\n'
        )
        store = Store(fake, _config(tmp_path, source), tmp_path)
        assert store.run("crawl").exit_code == 0
        task = store.task("Dee")
        assert store.run("tasks", "claim", str(task.id), "--as", "ann").exit_code == 0
        draft = store.draft("Dee, sorry about card payments.")
        result = store.run("tasks", "reply", str(task.id), draft, "--as", "ann")
        assert result.exit_code == 1
        message = " ".join(result.stderr.split())
        assert "cannot take replies from here" in message and "google_play_api for google_play" in message


def test_the_task_channel_feeds_the_guidance(store: Store) -> None:
    task = store.task("Ann Reviewer")
    with Session(store.engine()) as session:
        channel = task_channel(session, task.id or 0)
        detail = task_detail(session=session, task_id=task.id or 0, now=NOW)
        steps = task_guidance(session, detail, channel=channel).steps
    assert channel == "public_reply_only"
    assert any("one public reply on acme-play-api" in step for step in steps)


def test_two_people_posting_at_once_post_once(store: Store) -> None:
    task = _claim(store)
    assert task.id is not None
    settings = load_settings(store.config, env={})
    engine = store.engine()
    # Both plans are made before either reply is sent, as when two people press "post" together.
    with Session(engine) as session:
        plans = [
            plan_reply(session=session, settings=settings, task_id=task.id, text=text, actor="ann")
            for text in (GOOD, GOOD.replace("Friday", "Monday"))
        ]
    store.fake.add_fault("POST", "/androidpublisher", Fault(slow=1.0))  # the first reply takes a second to go
    results: list[object] = []

    def post(plan: ReplyPlan) -> None:
        try:
            results.append(asyncio.run(post_reply(engine=engine, settings=settings, plan=plan)))
        except ReplyRefused as exc:
            results.append(exc)

    threads = [threading.Thread(target=post, args=(plan,)) for plan in plans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(store.fake.logged("POST", ":reply")) == 1
    refused = [r for r in results if isinstance(r, ReplyRefused)]
    assert len(results) == 2 and len(refused) == 1
    assert "nothing was sent" in str(refused[0])
    (event,) = store.events(task, "reply_posted")
    reply = store.reply_of("gp:AOqpTOa1")
    assert reply is not None and reply.text == event.note
