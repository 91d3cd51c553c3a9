"""What the reply checker needs to know about the task a draft answers."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from monitor.core.errors import NotFound
from monitor.store.models import CompanyReply, Review, SourceRow
from monitor.store.task_models import OutreachTask, TaskReview
from monitor.store.template_models import ReplyTemplate

__all__ = ["DraftContext", "draft_context"]

RECENT_REPLIES = 50
TEMPLATES = 50


@dataclass
class DraftContext:
    """The reviewer's name and language, the review, the company's templates and its latest replies."""

    reviewer_name: str | None
    language: str | None
    review_text: str | None
    templates: list[str] = field(default_factory=list)
    recent_replies: list[str] = field(default_factory=list)


def draft_context(*, session: Session, task_id: int) -> DraftContext:
    """Context for checking a draft written for task `task_id`."""
    task = session.get(OutreachTask, task_id)
    if task is None:
        raise NotFound(f"no task with id {task_id}; see `monitor tasks list`")
    review = session.exec(
        select(Review)
        .join(TaskReview, col(TaskReview.review_id) == Review.id)
        .where(TaskReview.task_id == task_id)
        .order_by(col(Review.published_at).desc().nulls_last())
    ).first()
    # Templates are compared by a real example: the skeleton's slots would not match a written draft.
    templates = [
        t.examples[0]
        for t in session.exec(
            select(ReplyTemplate)
            .where(ReplyTemplate.company_id == task.company_id, col(ReplyTemplate.active).is_(True))
            .order_by(col(ReplyTemplate.size).desc())
            .limit(TEMPLATES)
        )
        if t.examples
    ]
    recent = session.exec(
        select(CompanyReply.text)
        .join(Review, col(CompanyReply.review_id) == Review.id)
        .join(SourceRow, col(Review.source_id) == SourceRow.id)
        .where(SourceRow.company_id == task.company_id)
        .order_by(col(CompanyReply.published_at).desc().nulls_last())
        .limit(RECENT_REPLIES)
    ).all()
    return DraftContext(
        reviewer_name=task.reviewer_name,
        language=review.language if review else None,
        review_text=review.body if review else None,
        templates=templates,
        recent_replies=list(recent),
    )
