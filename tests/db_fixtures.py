"""Database builders for tests: a migrated SQLite file and rows inserted the way the store writes them."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from monitor.core.settings import Settings
from monitor.runtime.config_file import parse_settings
from monitor.runtime.context import open_database
from monitor.store.models import Company, CompanyReply, Review, ReviewRevision, SourceRow

_ids = count(1)


def at(text: str) -> datetime:
    """An aware UTC datetime from 'YYYY-MM-DD HH:MM'."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


def sqlite_url(folder: Path) -> str:
    """The URL of a SQLite file in `folder`."""
    return f"sqlite:///{folder / 'monitor.store.db'}"


def migrated_sqlite(folder: Path) -> Engine:
    """A fresh SQLite database file brought to the current schema by the migrations."""
    return open_database(sqlite_url(folder))


def settings_with(folder: Path, toml_sources: str, *, company: str = "Acme") -> Settings:
    """Settings for one company with the given `[[company.source]]` blocks, on the folder's SQLite file."""
    text = f'database_url = "{sqlite_url(folder)}"\n[[company]]\nname = "{company}"\n{toml_sources}'
    return parse_settings(tomllib.loads(text), where="test.toml", env={})


def sqlite_session(folder: Path) -> Iterator[Session]:
    """A session on a fresh migrated database (use with `yield from` in a fixture)."""
    engine = migrated_sqlite(folder)
    with Session(engine, expire_on_commit=False) as s:
        yield s
    engine.dispose()


def on_database(url: str, *checks: Callable[[Session], None]) -> None:
    """Run `checks` in order in one session on a freshly migrated database at `url`, then let the engine go."""
    engine = open_database(url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            for check in checks:
                check(session)
    finally:
        engine.dispose()


def add_company(
    session: Session,
    name: str = "Acme",
    timezone: str = "UTC",
    hours: tuple[int, int] = (9, 17),
    days: tuple[int, ...] = (0, 1, 2, 3, 4),
) -> Company:
    company = Company(
        name=name, timezone=timezone, settings={"business_hours": list(hours), "business_days": list(days)}
    )
    session.add(company)
    session.flush()
    return company


def add_source(
    session: Session, company: Company, name: str = "tp", kind: str = "trustpilot", **options: Any
) -> SourceRow:
    source = SourceRow(
        company_id=company.id or 0, name=name, kind=kind, locator=f"https://example.com/{name}", options=options
    )
    session.add(source)
    session.flush()
    return source


def add_review(
    session: Session,
    source: SourceRow,
    *,
    published: datetime,
    first_seen: datetime | None = None,
    handle: str | None = "u1",
    name: str | None = "Jane Doe",
    rating: float | None = 1.0,
    unhappy: bool | None = True,
    body: str = "Terrible service, nobody answered.",
    **fields: Any,
) -> Review:
    """A stored review with its first revision, as `monitor.store.repository.upsert_reviews` would leave it."""
    seen = first_seen or published
    review = Review(
        source_id=source.id or 0,
        site_review_id=f"r{next(_ids)}",
        author_handle=handle,
        author_name=name,
        rating=rating,
        rating_scale=5,
        body=body,
        published_at=published,
        first_seen=seen,
        last_seen=seen,
        unhappy=unhappy,
        **fields,
    )
    session.add(review)
    session.flush()
    session.add(
        ReviewRevision(review_id=review.id or 0, observed_at=seen, changes="first_seen", rating=rating, body=body)
    )
    session.flush()
    return review


def add_reply(
    session: Session, review: Review, *, published: datetime, template_id: str | None = None, text: str = "Sorry!"
) -> CompanyReply:
    reply = CompanyReply(
        review_id=review.id or 0, text=text, published_at=published, first_seen=published, template_id=template_id
    )
    session.add(reply)
    session.flush()
    return reply


def edit_review(
    session: Session, review: Review, *, observed: datetime, rating: float | None = None, body: str | None = None
) -> ReviewRevision:
    """A re-crawl that saw the review's rating and/or text change."""
    changes = []
    if rating is not None and rating != review.rating:
        changes.append("rating")
        review.rating = rating
    if body is not None and body != review.body:
        changes.append("text")
        review.body = body
    session.add(review)
    rev = ReviewRevision(
        review_id=review.id or 0,
        observed_at=observed,
        changes=",".join(changes),
        rating=review.rating,
        body=review.body,
    )
    session.add(rev)
    session.flush()
    return rev
