"""`monitor tasks`: the outreach queue for support staff: list, show, claim, log contact, close; rebuild."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from monitor.cli.common import shown
from monitor.cli.csv_export import STDOUT, save_file, write_csv_rows
from monitor.core.errors import MonitorError, NotFound, WorkflowError
from monitor.runtime.console import err, fail_cleanly, fmt_time, out, parse_day, print_json
from monitor.runtime.context import AppContext
from monitor.store.states import CLOSED_STATUSES, OPEN_STATUSES, OUTCOMES

if TYPE_CHECKING:
    from sqlmodel import Session

    from monitor.store.models import Company
    from monitor.store.task_models import OutreachTask
    from responders.guidance.playbook import Guidance
    from responders.outreach.views import ReviewView, TaskDetail, TaskListing

__all__ = ["TASK_CSV_COLUMNS", "tasks_app"]

# The database stack and the outreach workflow, guidance and analysis are imported inside the commands that use
# them: `monitor` starts in a fraction of the time.

tasks_app = typer.Typer(
    help="The outreach queue: one task per unhappy reviewer, worked from claim to outcome.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

AsOpt = Annotated[str | None, typer.Option("--as", help="Your name, as the task owner.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]
_STATUS_WORDS = {"open": OPEN_STATUSES, "closed": CLOSED_STATUSES, "all": OPEN_STATUSES + CLOSED_STATUSES}
_LISTED = 50  # the terminal and JSON listings show this many unless --limit says otherwise
TASK_CSV_COLUMNS = (
    "id",
    "company",
    "source",
    "status",
    "priority",
    "priority_label",
    "due_at",
    "due_state",
    "first_contact_due",
    "first_contacted_at",
    "reviewer",
    "reviewer_handle",
    "review_ids",
    "template_reply",
    "owner",
    "needs_attention",
    "complaint_at",
    "created_at",
    "closed_at",
    "outcome",
    "rating_before",
    "rating_after",
)
_STATE_MARK = {"breached": "[bold red]BREACHED[/]", "due_soon": "[yellow]due soon[/]", "ok": "", None: ""}


def _app(ctx: typer.Context) -> AppContext:
    obj = ctx.obj
    if not isinstance(obj, AppContext):  # run on its own (tests, embedding): settings from the usual places
        obj = AppContext(None)
        ctx.obj = obj
    return obj


def _release(session: Session, app_ctx: AppContext) -> None:
    from monitor.store.db import utcnow
    from responders.outreach.workflow import release_expired_claims

    release_expired_claims(session=session, now=utcnow(), expiry_minutes=app_ctx.settings.claim_expiry_minutes)


@tasks_app.command("list")
@fail_cleanly
def list_cmd(
    ctx: typer.Context,
    mine: Annotated[bool, typer.Option("--mine", help="Only tasks you hold (needs --as).")] = False,
    as_: AsOpt = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only tasks whose deadline has passed.")] = False,
    status: Annotated[
        str, typer.Option(help="open, closed, all, or one status (new, claimed, contacted, ...).")
    ] = "open",
    company: Annotated[str | None, typer.Option(help="Only tasks of this company.")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many tasks (listings: 50; --csv: all).")] = None,
    json_out: JsonOpt = False,
    csv_file: Annotated[
        str | None,
        typer.Option("--csv", help="Write every matching task to this CSV file (- for stdout), formula-safe."),
    ] = None,
) -> None:
    """List tasks: breached and nearly due first, then by priority."""
    from monitor.store.db import session_scope, utcnow
    from responders.outreach.views import list_tasks

    statuses = _STATUS_WORDS.get(status) or ((status,) if status in OPEN_STATUSES + CLOSED_STATUSES else None)
    if statuses is None:
        known = ", ".join([*_STATUS_WORDS, *OPEN_STATUSES, *CLOSED_STATUSES])
        raise MonitorError(f"unknown status {status!r}; use one of: {known}")
    if mine and not (as_ or "").strip():
        raise MonitorError("--mine needs to know who you are: add --as NAME")
    if limit is not None and limit < 1:
        raise MonitorError("--limit must be at least 1")
    if csv_file is not None and json_out:
        raise MonitorError("--csv and --json both asked for: choose one")
    app_ctx = _app(ctx)
    now = utcnow()
    with session_scope(app_ctx.engine) as session:
        _release(session, app_ctx)
        total = _count_tasks(session, statuses, as_.strip() if mine and as_ else None, overdue, company, now)
        if limit is None:
            limit = max(total, 1) if csv_file is not None else _LISTED
        rows = list_tasks(
            session=session,
            now=now,
            statuses=statuses,
            owner=as_.strip() if mine and as_ else None,
            overdue=overdue,
            company=company,
            limit=limit,
        )
    if csv_file is not None:
        written: list[int] = []
        save_file(
            csv_file,
            "--csv",
            lambda stream: written.append(write_csv_rows(stream, TASK_CSV_COLUMNS, map(_csv_row, rows))),
            bom=True,
        )
        if csv_file != STDOUT:
            out.print(f"{written[0]} task(s) written to {shown(csv_file)}")
        return
    if json_out:
        print_json([r.as_json() for r in rows])
        if total > len(rows):
            err.print(_shown(len(rows), total, "task(s)"))
        return
    table = Table("id", "status", "priority", "due", "", "reviewer", "source", "reviews", "template", "owner")
    for row in rows:
        t = row.task
        owner = shown(t.owner or "")
        if t.needs_attention:
            owner += " [bold magenta](needs attention)[/]"
        table.add_row(
            str(t.id),
            t.status,
            f"{t.priority} {t.priority_label}",
            fmt_time(t.due_at),
            _STATE_MARK[row.due_state],
            shown(t.reviewer_name or t.reviewer_handle or "?", 30),
            shown(row.source),
            str(len(row.review_ids)),
            "yes" if t.template_reply else "",
            owner,
        )
    out.print(table)
    attention = sum(1 for r in rows if r.task.needs_attention)
    suffix = f", {attention} need(s) your attention" if mine and attention else ""
    out.print(f"{_shown(len(rows), total, 'task(s)')}{suffix} (times in UTC)")


def _csv_row(row: TaskListing) -> list[object]:
    t = row.task
    return [
        t.id,
        row.company,
        row.source,
        t.status,
        t.priority,
        t.priority_label,
        t.due_at,
        row.due_state,
        t.first_contact_due,
        t.first_contacted_at,
        t.reviewer_name,
        t.reviewer_handle,
        " ".join(str(review_id) for review_id in row.review_ids),
        t.template_reply,
        t.owner,
        t.needs_attention,
        t.complaint_at,
        t.created_at,
        t.closed_at,
        t.outcome,
        t.rating_before,
        t.rating_after,
    ]


def _count_tasks(
    session: Session, statuses: Sequence[str], owner: str | None, overdue: bool, company: str | None, now: datetime
) -> int:
    """How many tasks the list's filters select, however many it shows."""
    from sqlmodel import col, func, select

    from monitor.store.models import Company
    from monitor.store.task_models import OutreachTask

    query = select(func.count()).select_from(OutreachTask).where(col(OutreachTask.status).in_(list(statuses)))
    if owner is not None:
        query = query.where(OutreachTask.owner == owner)
    if overdue:
        query = query.where(col(OutreachTask.due_at) <= now)
    if company is not None:
        query = query.join(Company, col(OutreachTask.company_id) == Company.id).where(Company.name == company)
    return session.exec(query).one()


def _shown(shown: int, total: int, what: str) -> str:
    """`12 task(s)`, or `50 of 212 task(s); --limit 212 shows all` when the list is cut."""
    if total <= shown:
        return f"{shown} {what}"
    return f"{shown} of {total} {what}; --limit {total} shows all"


def _review_json(view: ReviewView) -> dict[str, Any]:
    r, rep = view.review, view.reply
    return {
        "id": r.id,
        "source": view.source,
        "url": r.url,
        "author": r.author_name,
        "rating": r.rating,
        "rating_scale": r.rating_scale,
        "title": r.title,
        "body": r.body,
        "published_at": r.published_at.isoformat() if r.published_at else None,
        "flags": [f for f in r.flags.split(",") if f],
        "reply": None
        if rep is None
        else {
            "text": rep.text,
            "published_at": rep.published_at.isoformat() if rep.published_at else None,
            "template": bool(rep.template_id),
            "template_id": rep.template_id,
        },
    }


@tasks_app.command("show")
@fail_cleanly
def show_cmd(
    ctx: typer.Context,
    task_id: Annotated[int, typer.Argument(help="The task id (from `tasks list`).")],
    json_out: JsonOpt = False,
    lang: Annotated[str | None, typer.Option("--lang", help="Guidance language (default: the review's).")] = None,
) -> None:
    """Show a task: the reviews, the company's reply, the reviewer's other reviews, deadlines and history."""
    from monitor.crawl.reply_posting import task_channel
    from monitor.store.db import session_scope, utcnow
    from responders.guidance.task_guidance import task_guidance
    from responders.outreach.views import task_detail

    app_ctx = _app(ctx)
    now = utcnow()
    with session_scope(app_ctx.engine) as session:
        _release(session, app_ctx)
        detail = task_detail(session=session, task_id=task_id, now=now)
        guidance = task_guidance(session, detail, language=lang, channel=task_channel(session, task_id))
    if json_out:
        data = detail.listing.as_json()
        data["reviews"] = [_review_json(v) for v in detail.reviews]
        data["other_reviews"] = [_review_json(v) for v in detail.other_reviews]
        data["follow_ups"] = [
            {"due_at": f.due_at.isoformat(), "done_at": f.done_at.isoformat() if f.done_at else None}
            for f in detail.follow_ups
        ]
        data["events"] = [
            {"at": e.at.isoformat(), "actor": e.actor, "kind": e.kind, "note": e.note, "data": e.data}
            for e in detail.events
        ]
        data["guidance"] = guidance.as_dict()
        print_json(data)
        return
    _print_detail(detail, guidance)


def _local(detail: TaskDetail, value: Any) -> str:
    if value is None:
        return "-"
    local = value.astimezone(detail.calendar.zone)
    return f"{local:%a %Y-%m-%d %H:%M} {detail.calendar.timezone}"


def _print_review(view: ReviewView, indent: str = "  ") -> None:
    r, rep = view.review, view.reply
    rating = f"{r.rating:g}/{r.rating_scale or 5}" if r.rating is not None else "no rating"
    flags = f" [red]flags: {shown(r.flags)}[/]" if r.flags else ""
    out.print(f"{indent}[bold]review {r.id}[/] on {shown(view.source)}, {rating}, {fmt_time(r.published_at)}{flags}")
    if r.url:
        out.print(f"{indent}  {shown(r.url)}")
    if r.title:
        out.print(f"{indent}  [italic]{shown(r.title)}[/]")
    out.print(f"{indent}  {shown(r.body, 1500)}")
    if rep is not None:
        kind = "[bold yellow]TEMPLATE reply[/]" if rep.template_id else "personal reply"
        out.print(f"{indent}  company's {kind} ({fmt_time(rep.published_at)}): {shown(rep.text, 600)}")
    elif r.private_reply:
        out.print(f"{indent}  the company answered privately ({fmt_time(r.private_reply_at)})")
    else:
        out.print(f"{indent}  no public reply from the company")


def _print_detail(detail: TaskDetail, guidance: Guidance) -> None:
    t = detail.listing.task
    state = _STATE_MARK[detail.listing.due_state]
    out.print(
        f"[bold]task {t.id}[/]: {shown(t.reviewer_name or t.reviewer_handle or '?')} "
        f"({shown(detail.listing.company)}), {t.status}, priority {t.priority} {t.priority_label}"
    )
    out.print(f"owner: {shown(t.owner or '-')}" + (" [bold magenta](needs attention)[/]" if t.needs_attention else ""))
    out.print(
        f"first contact due: {_local(detail, t.first_contact_due)}; contacted: {_local(detail, t.first_contacted_at)}"
    )
    out.print(f"next due: {_local(detail, t.due_at)} {state}")
    if t.outcome:
        out.print(f"outcome: {t.outcome} ({_local(detail, t.closed_at)})")
    if t.rating_changed_at:
        out.print(
            f"[green]rating changed after contact: {_num(t.rating_before)} → {_num(t.rating_after)} "
            f"({fmt_time(t.rating_changed_at)})[/]"
        )
    out.print("\n[bold]reviews[/]")
    for view in detail.reviews:
        _print_review(view)
    if detail.other_reviews:
        out.print("\n[bold]the reviewer's other reviews[/]")
        for view in detail.other_reviews:
            _print_review(view)
    out.print(f"\n[bold]guidance[/] ({guidance.variant}, {guidance.language})")
    for number, step in enumerate(guidance.steps, 1):
        out.print(f"  {number}. {shown(step)}")
    if guidance.avoid:
        out.print("  avoid:")
        for item in guidance.avoid:
            out.print(f"   - {shown(item)}")
    for note in guidance.notes:
        out.print(f"  ({shown(note)})")
    if detail.follow_ups:
        out.print("\n[bold]follow-ups[/]")
        for f in detail.follow_ups:
            done = f"done {fmt_time(f.done_at)}" if f.done_at else "open"
            out.print(f"  due {_local(detail, f.due_at)} ({done})")
    out.print("\n[bold]history[/]")
    for e in detail.events:
        note = f": {shown(e.note, 300)}" if e.note else ""
        out.print(f"  {fmt_time(e.at)} {shown(e.actor)} {e.kind}{note}")


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


@tasks_app.command("claim")
@fail_cleanly
def claim_cmd(
    ctx: typer.Context,
    task_id: Annotated[int, typer.Argument(help="The task id.")],
    as_: AsOpt = None,
) -> None:
    """Claim a task so nobody else works on it (a claim expires when nothing is logged for a while)."""
    from monitor.store.db import session_scope, utcnow
    from responders.outreach.workflow import claim_task

    app_ctx = _app(ctx)
    with session_scope(app_ctx.engine) as session:
        task = claim_task(
            session=session,
            task_id=task_id,
            actor=as_ or "",
            now=utcnow(),
            expiry_minutes=app_ctx.settings.claim_expiry_minutes,
        )
    out.print(
        f"task {task.id} is yours, {shown(task.owner)}; log something within "
        f"{app_ctx.settings.claim_expiry_minutes} minutes or the claim expires"
    )


@tasks_app.command("log")
@fail_cleanly
def log_cmd(
    ctx: typer.Context,
    task_id: Annotated[int, typer.Argument(help="The task id.")],
    as_: AsOpt = None,
    note: Annotated[str, typer.Option(help="What happened.")] = "",
    contacted: Annotated[bool, typer.Option("--contacted", help="You reached the reviewer.")] = False,
    waiting: Annotated[bool, typer.Option("--waiting", help="Now waiting for the reviewer to answer.")] = False,
    follow_up_due: Annotated[
        str | None,
        typer.Option(help="A follow-up you promised: ISO time or 'tomorrow 10:00' (company local time)."),
    ] = None,
) -> None:
    """Log a contact attempt or note on a task you hold, and any follow-up you promised."""
    from monitor.store.db import session_scope, utcnow
    from responders.outreach.deadlines import calendar_for, parse_due
    from responders.outreach.workflow import get_task, log_contact

    app_ctx = _app(ctx)
    now = utcnow()
    with session_scope(app_ctx.engine) as session:
        due = None
        if follow_up_due is not None:
            task = get_task(session=session, task_id=task_id)
            company = _company(session, task)
            try:
                due = parse_due(follow_up_due, now, calendar_for(company))
            except ValueError as exc:
                raise WorkflowError(f"--follow-up-due: {exc}") from None
        task = log_contact(
            session=session,
            task_id=task_id,
            actor=as_ or "",
            note=note,
            now=now,
            contacted=contacted,
            waiting=waiting,
            follow_up_due=due,
        )
    out.print(f"task {task.id}: {task.status}; next due {fmt_time(task.due_at)} UTC")


def _company(session: Session, task: OutreachTask) -> Company:
    from monitor.store.models import Company

    company = session.get(Company, task.company_id)
    assert company is not None
    return company


@tasks_app.command("close")
@fail_cleanly
def close_cmd(
    ctx: typer.Context,
    task_id: Annotated[int, typer.Argument(help="The task id.")],
    as_: AsOpt = None,
    outcome: Annotated[str | None, typer.Option(help=f"How it ended: {', '.join(OUTCOMES)}.")] = None,
    note: Annotated[str, typer.Option(help="A closing note.")] = "",
) -> None:
    """Close a task you hold with an outcome."""
    from monitor.store.db import session_scope, utcnow
    from responders.outreach.workflow import close_task

    app_ctx = _app(ctx)
    with session_scope(app_ctx.engine) as session:
        task = close_task(session=session, task_id=task_id, actor=as_ or "", outcome=outcome, note=note, now=utcnow())
    out.print(f"task {task.id} closed: {task.outcome}")


@tasks_app.command("rebuild")
@fail_cleanly
def rebuild_cmd(
    ctx: typer.Context,
    company: Annotated[str | None, typer.Option(help="Only reviews of this company.")] = None,
    since: Annotated[str | None, typer.Option(help="Only reviews published on or after this day (YYYY-MM-DD).")] = None,
) -> None:
    """Look at stored reviews again after a settings change (backfill window, unhappy threshold); never duplicates.

    Reviews are judged again with today's thresholds, and every unhappy review not yet in a task gets one (or joins
    its reviewer's) unless it is still older than backfill_window_days.
    """
    from sqlmodel import col, func, select

    from monitor.crawl.pipeline import reassess
    from monitor.crawl.verdicts import verdict_pool
    from monitor.store.db import session_scope, utcnow
    from monitor.store.models import Company, Review, SourceRow
    from monitor.store.repository import sync_config
    from responders.outreach.queue import rebuild_queue
    from responders.template_replies.store import recount_company_templates

    app_ctx = _app(ctx)
    settings = app_ctx.settings
    since_at = datetime.combine(parse_day(since, "--since"), time(), UTC) if since else None
    with session_scope(app_ctx.engine) as session:
        sync_config(session=session, settings=settings)  # thresholds edited in the file apply now
        company_id = None
        if company is not None:
            row = session.exec(select(Company).where(Company.name == company)).first()
            if row is None:
                raise NotFound(f"no company named {company!r} in the database")
            company_id = row.id
        counted = select(func.count()).select_from(Review).join(SourceRow, col(Review.source_id) == SourceRow.id)
        if company_id is not None:
            counted = counted.where(SourceRow.company_id == company_id)
        if since_at is not None:
            counted = counted.where(col(Review.published_at) >= since_at)
        stored = session.exec(counted).one()
    changed = 0
    after: int | None = 0
    with verdict_pool(stored) as pool:
        while after is not None:
            with session_scope(app_ctx.engine) as session:
                step, after = reassess(
                    session=session,
                    settings=settings,
                    company_id=company_id,
                    since=since_at,
                    after_id=after,
                    pool=pool,
                )
            changed += step
    with session_scope(app_ctx.engine) as session:
        if changed:
            # Templates count the unhappy reviewers they answered: verdicts changed, so their figures do too.
            chosen = [company_id] if company_id is not None else session.exec(select(Company.id)).all()
            for each in chosen:
                recount_company_templates(session=session, company_id=each or 0, now=utcnow())
        update = rebuild_queue(
            session=session,
            settings=settings,
            now=utcnow(),
            company_id=company_id,
            since=since_at,
            commit=session.commit,  # one short transaction per chunk: claims keep working meanwhile
        )
    out.print(f"{changed} review(s) judged differently with the current thresholds")
    out.print(
        f"{update.created} task(s) created, {update.linked} review(s) added to their reviewer's task, "
        f"{update.reopened} task(s) reopened"
    )
    if update.skipped_backfill:
        out.print(
            f"{update.skipped_backfill} unhappy review(s) still not queued: published more than backfill_window_days "
            f"({settings.backfill_window_days}) days before they were first stored"
        )
