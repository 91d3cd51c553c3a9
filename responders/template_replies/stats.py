"""Template-reply figures per company and source: share of replies that are templates, and its trend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from monitor.store.models import Company, CompanyReply, Review, SourceRow

__all__ = ["TemplateShare", "template_share"]


@dataclass(frozen=True)
class TemplateShare:
    """How many replies (and replies to unhappy reviewers) were templates in one slice."""

    company: str
    source: str | None
    replies: int
    templated: int
    unhappy_replies: int
    unhappy_templated: int

    @property
    def share(self) -> float | None:
        return self.templated / self.replies if self.replies else None

    @property
    def unhappy_share(self) -> float | None:
        return self.unhappy_templated / self.unhappy_replies if self.unhappy_replies else None


def template_share(
    *,
    session: Session,
    company_id: int | None = None,
    by_source: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[TemplateShare]:
    """Template shares per company (and per source), over replies published in [since, until)."""
    templated = func.sum(case((col(CompanyReply.template_id).is_not(None), 1), else_=0))
    unhappy = func.sum(case((col(Review.unhappy).is_(True), 1), else_=0))
    unhappy_templated = func.sum(
        case(((col(Review.unhappy).is_(True)) & (col(CompanyReply.template_id).is_not(None)), 1), else_=0)
    )
    keys = [Company.name, SourceRow.name] if by_source else [Company.name]
    query = (
        select(*keys, func.count(), templated, unhappy, unhappy_templated)  # type: ignore[call-overload]
        .select_from(CompanyReply)
        .join(Review, col(CompanyReply.review_id) == Review.id)
        .join(SourceRow, col(Review.source_id) == SourceRow.id)
        .join(Company, col(SourceRow.company_id) == Company.id)
        .group_by(*keys)
        .order_by(*keys)
    )
    when = func.coalesce(CompanyReply.published_at, Review.published_at)
    if company_id is not None:
        query = query.where(Company.id == company_id)
    if since is not None:
        query = query.where(when >= since)
    if until is not None:
        query = query.where(when < until)
    result = []
    for row in session.exec(query).all():
        company, source = row[0], (row[1] if by_source else None)
        n, t, u, ut = (int(v or 0) for v in row[-4:])
        result.append(TemplateShare(company, source, n, t, u, ut))
    return result
