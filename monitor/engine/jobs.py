"""The bodies of the product's jobs, the same whether `monitor serve` runs them in its threads or a worker does.

Each body reads the configuration again (edits apply without a restart) and does its work in its own
transactions: a job that is run twice, because a worker died after committing but before acknowledging,
finds the work done and changes nothing (the store is idempotent, one crawl per source at a time).
"""

from __future__ import annotations

import asyncio
import logging

from monitor.core.errors import MonitorError
from monitor.crawl.runner import crawl_sources
from monitor.runtime.console import one_line
from monitor.runtime.context import AppContext
from monitor.store.db import session_scope, utcnow
from responders.outreach.follow_ups import apply_fixed_themes
from responders.outreach.workflow import release_expired_claims
from responders.template_replies.store import classify_company_replies, stale_indexes

__all__ = ["crawl_now", "upkeep_now"]

log = logging.getLogger(__name__)


def crawl_now(config_path: str | None, source_name: str) -> str | None:
    """Crawl one source; its health, or None when the configuration no longer names it (nothing to retry)."""
    ctx = AppContext(config_path)
    try:
        src = ctx.settings.source(source_name)
        engine = ctx.engine
    except MonitorError as exc:
        # The file was broken (or the source removed) after the job was made: skip this run, say why once.
        log.error("crawl %s not run: %s", source_name, one_line(exc, 2000))
        return None
    (outcome,) = asyncio.run(crawl_sources(engine=engine, settings=ctx.settings, sources=[src]))
    log.info(
        "crawl %s: %s, %d new, %d changed; %s",
        source_name,
        outcome.health,
        outcome.new,
        outcome.changed,
        one_line(outcome.message, 2000),
    )
    return str(outcome.health)


def upkeep_now(config_path: str | None) -> None:
    """Release idle claims, add thank-you follow-ups, re-cluster templates where due."""
    ctx = AppContext(config_path)
    try:
        engine, expiry = ctx.engine, ctx.settings.claim_expiry_minutes
    except MonitorError as exc:
        log.error("upkeep not run: %s", one_line(exc, 2000))
        return
    with session_scope(engine) as session:
        now = utcnow()
        released = release_expired_claims(session=session, now=now, expiry_minutes=expiry)
        thanked = apply_fixed_themes(session=session, settings=ctx.settings, now=now)
        stale = stale_indexes(session, now)
    for company_id in stale:
        # Replies assigned one by one may be forming new templates: re-cluster, one company per transaction.
        with session_scope(engine) as session:
            classify_company_replies(session=session, company_id=company_id, force_full=True)
    if released or thanked.follow_ups or stale:
        log.info(
            "upkeep: %d claim(s) released, %d thank-you follow-up(s), %d company template set(s) re-clustered",
            len(released),
            thanked.follow_ups,
            len(stale),
        )
