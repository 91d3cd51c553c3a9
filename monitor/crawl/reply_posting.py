"""Posting the company's public reply to an outreach task's review through the store's official API.

On the App Store, Google Play and Google Business Profile the public reply is the only way to reach a reviewer, so
the product posts it itself, once, after checks:

1. **Plan** (database only, no network): the task must be open and held by the one posting; a reply already
   posted for the task stops it unless `replace`; the review must come from a source kind with a `ReplyChannel`
   (or have a twin in one, see `responders.outreach.twins`); the reply checker runs, and `template_copy` or
   `asks_review_change` stop it unless forced with a reason; the store's own limits (length) are checked.
2. **Post** (network, through the polite fetcher and the source's request policy): the token is fetched, the
   review is read back and a reply already on the store stops it unless `replace` (the very same text is only
   recorded, never sent again); then the reply is sent exactly once. Any refusal or failure (401, 403, 429 with
   its Retry-After, 5xx, a lost answer) leaves the task and the store untouched and says what to do.
3. **Record**: the confirmed text becomes the company's reply on the review (a personal reply: no template id),
   with a revision, a `reply_posted` event on the task, and the task is logged as contacted.

A dry run stops after the plan and shows the exact request that would be sent, with the token redacted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from monitor.core.channels import (
    NO_REPLY_CHANNEL,
    PUBLIC_REPLY_AND_PRIVATE_MESSAGE,
    PUBLIC_REPLY_ONLY,
    UNKNOWN_CHANNEL,
)
from monitor.core.errors import FetchError, MonitorError, Unreachable, WorkflowError
from monitor.core.settings import Settings, SourceConfig
from monitor.core.text_safety import printable
from monitor.crawl.locks import named_lock
from monitor.http.decoding import ACCEPT_ENCODING
from monitor.http.fetcher import Fetcher, FetchStats, HostPolicy
from monitor.http.page import ApiRequest, Fetch, Page
from monitor.http.policy import RequestPolicy
from monitor.http.retry import retry_after_seconds
from monitor.http.service_auth import describe_api_error, redact_authorization
from monitor.store.db import session_scope, utcnow
from monitor.store.models import CompanyReply, Review, ReviewRevision, SourceRow
from monitor.store.task_models import CLOSED_STATUSES, TaskEvent, TaskReview
from responders.checker.check import CheckResult, Finding, check_reply
from responders.outreach.draft_context import draft_context
from responders.outreach.identity import store_of
from responders.outreach.twins import same_review_elsewhere
from responders.outreach.workflow import get_task, log_contact
from sources.base import ReplyChannel, Source, channel_of, get_source_class

__all__ = [
    "GATED_RULES",
    "POSTED_EVENT",
    "PostedReply",
    "ReplyPlan",
    "ReplyRefused",
    "describe_request",
    "plan_reply",
    "post_reply",
    "task_channel",
]

# Findings that stop a reply unless the agent forces it with a reason: a copied template tells the reviewer nobody
# read their review, and asking for a changed review breaks every store's rules.
GATED_RULES = frozenset({"template_copy", "asks_review_change"})
POSTED_EVENT = "reply_posted"
# The store kinds whose official API can take the reply, for the advice when a task's source cannot.
_API_KIND_OF_STORE = {"google_play": "google_play_api", "app_store": "app_store_connect"}
_UNCHANGED = "Nothing was posted and the task is unchanged."


class ReplyRefused(WorkflowError):
    """The reply was not posted: what stopped it is in the message, checker findings in `findings`."""

    def __init__(self, message: str, *, findings: Sequence[Finding] = ()) -> None:
        super().__init__(message)
        self.findings = list(findings)


@dataclass
class ReplyPlan:
    """Everything decided before the network: where the reply goes, its text, the request, the checker's verdict."""

    task_id: int
    actor: str
    text: str
    review_id: int
    site_review_id: str
    source: SourceConfig
    channel: ReplyChannel
    request: ApiRequest
    check: CheckResult
    replace: bool = False
    forced_reason: str | None = None
    # Texts this task already had posted: a replacement may resemble them without being a template copy.
    earlier: list[str] = field(default_factory=list)


@dataclass
class PostedReply:
    """What posting did."""

    site: str
    text: str
    published_at: datetime | None
    # True when the store already showed exactly this text: it was recorded, not sent again.
    recorded_only: bool = False
    # Set when the reply was posted and stored but the task could not be logged as contacted.
    warning: str | None = None


def _actor(name: str) -> str:
    value = name.strip()
    if not value:
        raise WorkflowError("say who you are with --as NAME")
    return value


def _configured(settings: Settings, row: SourceRow) -> SourceConfig:
    """The source as configured now (its key files may have moved); a source gone from the file cannot post."""
    for src in settings.all_sources():
        if src.name == row.name:
            return src
    raise ReplyRefused(
        f"source {row.name!r} is no longer in the configuration file, so its credentials are unknown. {_UNCHANGED}"
    )


def _channel(settings: Settings, row: SourceRow) -> tuple[SourceConfig, ReplyChannel] | None:
    try:
        cls = get_source_class(row.kind)
    except MonitorError:
        return None
    if cls.reply_channel is Source.reply_channel:
        return None  # the kind never offers a channel, whatever its options
    src = _configured(settings, row)
    channel = cls(src.locator, src.options).reply_channel()
    return (src, channel) if channel is not None else None


def _targets(session: Session, task_id: int) -> list[tuple[Review, SourceRow]]:
    rows = session.exec(
        select(Review, SourceRow)
        .join(TaskReview, col(TaskReview.review_id) == Review.id)
        .join(SourceRow, col(Review.source_id) == SourceRow.id)
        .where(TaskReview.task_id == task_id)
    ).all()
    # The newest review first: the reply answers the reviewer's latest word.
    return sorted(rows, key=lambda pair: (pair[0].published_at is not None, pair[0].published_at), reverse=True)


def _no_channel(rows: list[tuple[Review, SourceRow]]) -> ReplyRefused:
    kinds = sorted({source.kind for _, source in rows})
    stores = sorted({store for _, source in rows if (store := store_of(source)) in _API_KIND_OF_STORE})
    advice = (
        "add the store's official API as a source ("
        + ", ".join(f"{_API_KIND_OF_STORE[s]} for {s}" for s in stores)
        + ") to post from here"
        if stores
        else "post the reply on the site itself, then record it with `monitor tasks log ID --contacted`"
    )
    return ReplyRefused(
        f"the task's reviews come from {', '.join(kinds) or 'no source'}, which cannot take replies from here: "
        f"{advice}. {_UNCHANGED}"
    )


def _find_target(session: Session, settings: Settings, task_id: int) -> tuple[Review, SourceConfig, ReplyChannel]:
    """The review the reply goes to, with its source's configuration and reply channel."""
    rows = _targets(session, task_id)
    for review, source in rows:
        found = _channel(settings, source)
        if found is not None:
            return review, *found
    # The review may be stored a second time by the store's API source: reply through that one.
    twins = same_review_elsewhere(session, rows)
    for review, _source in rows:
        for twin in twins.get(review.id or 0, []):
            twin_source = session.get(SourceRow, twin.source_id)
            if twin_source is not None and (found := _channel(settings, twin_source)) is not None:
                return twin, *found
    raise _no_channel(rows)


def task_channel(session: Session, task_id: int) -> str:
    """How the company can reach a task's reviewer, from the source kinds of its reviews, for the guidance.

    A private channel anywhere wins over public replies, which win over none; `unknown` when no kind says.
    """
    kinds = session.exec(
        select(SourceRow.kind)
        .join(Review, col(Review.source_id) == SourceRow.id)
        .join(TaskReview, col(TaskReview.review_id) == Review.id)
        .where(TaskReview.task_id == task_id)
    ).all()
    channels = {channel_of(kind) for kind in kinds}
    order = (PUBLIC_REPLY_AND_PRIVATE_MESSAGE, PUBLIC_REPLY_ONLY, NO_REPLY_CHANNEL)
    return next((channel for channel in order if channel in channels), UNKNOWN_CHANNEL)


def _earlier_postings(session: Session, task_id: int) -> list[TaskEvent]:
    return list(
        session.exec(
            select(TaskEvent)
            .where(TaskEvent.task_id == task_id, TaskEvent.kind == POSTED_EVENT)
            .order_by(col(TaskEvent.id))
        ).all()
    )


def plan_reply(
    *,
    session: Session,
    settings: Settings,
    task_id: int,
    text: str,
    actor: str,
    force: bool = False,
    reason: str | None = None,
    replace: bool = False,
) -> ReplyPlan:
    """Decide where and whether the reply may go, without any network; `ReplyRefused` says why not."""
    actor = _actor(actor)
    text = text.strip()
    if not text:
        raise ReplyRefused(f"the reply is empty. {_UNCHANGED}")
    if force and not (reason or "").strip():
        raise WorkflowError("--force needs --reason TEXT: say why the checker's finding does not apply here")
    if reason and not force:
        raise WorkflowError("--reason goes with --force")
    task = get_task(session=session, task_id=task_id)
    if task.status in CLOSED_STATUSES:
        raise ReplyRefused(f"task {task_id} is closed ({task.status}). {_UNCHANGED}")
    if task.owner != actor:
        if task.owner is None:
            raise ReplyRefused(
                f"task {task_id} is not claimed; claim it first: monitor tasks claim {task_id} --as NAME"
            )
        raise ReplyRefused(f"task {task_id} is held by {task.owner}, not {actor}; only the owner can reply")
    earlier = _earlier_postings(session, task_id)
    if earlier and not replace:
        last = earlier[-1]
        raise ReplyRefused(
            f"a reply for task {task_id} was already posted on {last.at:%Y-%m-%d %H:%M} UTC by {last.actor}; nothing "
            "was sent. To change the public reply (for example the follow-up after a release), run again with "
            "--replace"
        )
    review, src, channel = _find_target(session, settings, task_id)
    context = draft_context(session=session, task_id=task_id)
    earlier_texts = [e.note for e in earlier if e.note]
    try:
        result = check_reply(
            text,
            name=context.reviewer_name,
            language=context.language or "auto",
            review_text=context.review_text,
            known_templates=context.templates,
            recent_replies=[r for r in context.recent_replies if r not in earlier_texts],
        )
    except ValueError as exc:
        raise ReplyRefused(f"{exc}. {_UNCHANGED}") from None
    gated = [f for f in result.findings if f.rule in GATED_RULES]
    if gated and not force:
        rules = ", ".join(sorted({f.rule for f in gated}))
        raise ReplyRefused(
            f"the reply checker found {rules}; rewrite the reply, or post it anyway with --force --reason TEXT. "
            f"{_UNCHANGED}",
            findings=result.findings,
        )
    problem = channel.reply_text_problem(text)
    if problem:
        raise ReplyRefused(f"{problem}. {_UNCHANGED}", findings=result.findings)
    return ReplyPlan(
        task_id=task_id,
        actor=actor,
        text=text,
        review_id=review.id or 0,
        site_review_id=review.site_review_id,
        source=src,
        channel=channel,
        request=channel.reply_request(review.site_review_id, text),
        check=result,
        replace=replace,
        forced_reason=(reason or "").strip() or None if force else None,
        earlier=earlier_texts,
    )


def describe_request(plan: ReplyPlan, *, user_agent: str) -> str:
    """The exact request posting would send, headers as the HTTP client sets them, the token redacted."""
    request = plan.request
    headers = {**request.headers, "Authorization": redact_authorization("Bearer token")}
    # The client the fetcher uses adds its own headers (Host, Connection, Content-Length): build the request the
    # same way, without sending it, so what is shown is what goes out.
    with httpx.Client(headers={"User-Agent": user_agent, "Accept-Encoding": ACCEPT_ENCODING}) as client:
        built = client.build_request(request.method, request.url, headers=headers, content=request.body)
    shown = [f"{name.decode()}: {value.decode()}" for name, value in built.headers.raw]
    lines = [f"{built.method} {built.url}", *shown, ""]
    lines.append(request.body.decode("utf-8"))
    return "\n".join(lines)


def _policy(plan: ReplyPlan) -> HostPolicy:
    """Where posting may go (the API and its token endpoint) and how: once, without robots.txt (the company's own
    API is no crawl of public pages), a failure reported at once so the agent decides when to try again."""
    urls = [*plan.channel.trusted_urls(), plan.channel.review_url(plan.site_review_id), plan.request.url]
    return HostPolicy(
        concurrency=1,
        min_delay=0.0,
        respect_robots=False,
        timeout=plan.source.timeout,
        max_retries=0,
        destinations=RequestPolicy(urls),
    )


def _refusal(plan: ReplyPlan, what: str, page: Page, now: datetime) -> ReplyRefused:
    """The message for an API answer other than success: what happened and what to do."""
    site, status = plan.channel.site, page.status
    said = describe_api_error(page.body)
    detail = f"HTTP {status}" + (f": {said}" if said else "")
    if status == 429:
        wait = retry_after_seconds(page.headers.get("retry-after"))
        when = f"after {now + timedelta(seconds=wait):%Y-%m-%d %H:%M:%S} UTC" if wait is not None else "later"
        return ReplyRefused(f"{site} is rate-limiting requests ({detail}) while {what}; try again {when}. {_UNCHANGED}")
    if status >= 500:
        return ReplyRefused(
            f"{site} failed ({detail}) while {what}; try again later: the command reads the review back first, so a "
            f"reply that did arrive is never posted twice. {_UNCHANGED}"
        )
    return ReplyRefused(f"{site} refused {what} ({detail}): {plan.channel.refusal_advice(status)}. {_UNCHANGED}")


async def _send(fetcher: Fetcher, request: ApiRequest, policy: HostPolicy, stats: FetchStats) -> Page | str:
    """The answer, or why there is none (a lost answer, a refused destination)."""
    try:
        return await fetcher.send(request, policy=policy, stats=stats)
    except Unreachable as exc:
        return f"no answer ({printable(str(exc))[:300]})"
    except FetchError as exc:
        return printable(str(exc))[:300]


async def _post(plan: ReplyPlan, fetcher: Fetcher, now: datetime) -> tuple[str, datetime | None, bool]:
    """Read the review back and post once; (confirmed text, its time, True when only recorded)."""
    policy = _policy(plan)
    stats = FetchStats()
    fetch: Fetch = fetcher.bind(policy, stats)
    site = plan.channel.site
    try:
        authorization = await plan.channel.authorization(fetch)
    except FetchError as exc:
        raise ReplyRefused(f"could not get an access token for {site}: {printable(str(exc))}. {_UNCHANGED}") from None
    read = ApiRequest(
        "GET",
        plan.channel.review_url(plan.site_review_id),
        {"Authorization": authorization, "Accept": "application/json"},
    )
    answer = await _send(fetcher, read, policy, stats)
    if isinstance(answer, str):
        raise ReplyRefused(f"could not read the review back from {site}: {answer}. {_UNCHANGED}")
    if not 200 <= answer.status < 300:
        raise _refusal(plan, "reading the review back", answer, now)
    current = plan.channel.parse_review(answer, plan.site_review_id)
    if current.reply is not None and " ".join(current.reply.text.split()) == " ".join(plan.text.split()):
        return current.reply.text, current.reply.published_at, True
    if current.reply is not None and not plan.replace:
        shown = printable(" ".join(current.reply.text.split()))[:200]
        when = f" (from {current.reply.published_at:%Y-%m-%d})" if current.reply.published_at else ""
        raise ReplyRefused(
            f"{site} already shows a reply to this review{when}: \u201c{shown}\u201d. Nothing was sent. Read it first; "
            "to overwrite it, run again with --replace"
        )
    request = plan.request
    headers = {**request.headers, "Authorization": authorization}
    answer = await _send(fetcher, ApiRequest(request.method, request.url, headers, request.body), policy, stats)
    if isinstance(answer, str):
        raise ReplyRefused(
            f"{answer} while posting to {site}: the reply may or may not have arrived. Nothing was recorded and the "
            "task is unchanged; run the same command again later: it reads the review back first and only records "
            "the reply if it is there"
        )
    if not 200 <= answer.status < 300:
        raise _refusal(plan, "the reply", answer, now)
    confirmed = plan.channel.confirmed_reply(answer, plan.text)
    return confirmed.text, confirmed.published_at, False


def _record(
    session: Session, plan: ReplyPlan, text: str, published_at: datetime | None, recorded_only: bool, now: datetime
) -> None:
    """The reply as the company's personal reply on the review, a revision, and the task's `reply_posted` event."""
    review = session.get(Review, plan.review_id)
    assert review is not None
    reply = session.exec(select(CompanyReply).where(CompanyReply.review_id == plan.review_id)).first()
    if reply is None:
        reply = CompanyReply(review_id=plan.review_id, text=text, first_seen=now)
    reply.text, reply.published_at, reply.author = text, published_at or now, None
    # Written to this reviewer by hand and checked: it is not a template, whatever the clusterer said of the old one.
    reply.template_id, reply.rote_score = None, None
    session.add(reply)
    session.add(
        ReviewRevision(
            review_id=plan.review_id,
            observed_at=now,
            changes="reply",
            rating=review.rating,
            title=review.title,
            body=review.body,
            reply_text=text,
            reply_published_at=published_at or now,
        )
    )
    session.add(
        TaskEvent(
            task_id=plan.task_id,
            at=now,
            actor=plan.actor,
            kind=POSTED_EVENT,
            note=text,
            data={
                "review_id": plan.review_id,
                "source": plan.source.name,
                "site": plan.channel.site,
                "site_review_id": plan.site_review_id,
                "replaced": plan.replace,
                "recorded_only": recorded_only,
                "forced_reason": plan.forced_reason,
                "findings": sorted(plan.check.rules),
            },
        )
    )


async def post_reply(
    *, engine: Engine, settings: Settings, plan: ReplyPlan, fetcher: Fetcher | None = None, now: datetime | None = None
) -> PostedReply:
    """Post the planned reply once and record it; `ReplyRefused` (nothing changed) when it cannot be done."""
    now = now or utcnow()
    # One posting per task at a time, across people, processes and machines: two agents pressing "post" together
    # would both read the review back before either reply arrived, and both send.
    with named_lock(engine, "reply", str(plan.task_id)) as got:
        if not got:
            raise ReplyRefused(
                f"another reply to task {plan.task_id} is being posted right now; nothing was sent. Look at the task "
                "again in a minute: the reply that is being posted will show there."
            )
        with Session(engine) as session:
            if not plan.replace and _earlier_postings(session, plan.task_id):
                raise ReplyRefused(
                    f"a reply to task {plan.task_id} was posted while this one was being checked; nothing was sent. "
                    "Read it on the task first; to post a follow-up over it, use replace."
                )
        if fetcher is None:
            async with Fetcher(user_agent=settings.user_agent, proxy=settings.proxy) as owned:
                text, published_at, recorded_only = await _post(plan, owned, now)
        else:
            text, published_at, recorded_only = await _post(plan, fetcher, now)
        with session_scope(engine) as session:
            _record(session, plan, text, published_at, recorded_only, now)
    posted = PostedReply(site=plan.channel.site, text=text, published_at=published_at, recorded_only=recorded_only)
    try:
        with session_scope(engine) as session:
            verb = "already showed" if recorded_only else "posted"
            log_contact(
                session=session,
                task_id=plan.task_id,
                actor=plan.actor,
                note=f"public reply {verb} on {plan.channel.site}",
                now=now,
                contacted=True,
            )
    except MonitorError as exc:
        posted.warning = (
            f"the reply is posted and recorded, but the task could not be logged as contacted: {exc}; log it with "
            f"`monitor tasks log {plan.task_id} --contacted`"
        )
    return posted
