"""Guidance for one outreach task: the playbook applied to what the task knows about its reviewer."""

from __future__ import annotations

from sqlmodel import Session

from monitor.store.template_models import ReplyTemplate
from monitor.text.negativity import stored_flags
from responders.guidance.playbook import CaseFacts, Guidance, guidance_for
from responders.outreach.follow_ups import fixed_theme_of
from responders.outreach.views import TaskDetail

__all__ = ["case_facts", "task_guidance"]


def case_facts(session: Session, detail: TaskDetail, *, channel: str | None = None) -> CaseFacts:
    """The case as the playbook sees it: the newest review, the reply it got, flags and the deadline.

    `channel` is how the task's site lets the company reach the reviewer (`monitor.core.channels`); the caller knows
    the source kind (`sources.base.channel_of`), which this layer may not look up itself.
    """
    views = sorted(detail.reviews, key=lambda v: (v.review.published_at is None, v.review.published_at), reverse=True)
    newest = views[0] if views else None
    review = newest.review if newest else None
    reply = newest.reply if newest else None
    template = session.get(ReplyTemplate, reply.template_id) if reply and reply.template_id else None
    flags = {f for v in detail.reviews for f in stored_flags(v.review.flags, v.review.rating, v.review.rating_scale)}
    task = detail.listing.task
    return CaseFacts(
        reviewer_name=task.reviewer_name,
        review_text=review.body if review else "",
        review_title=review.title if review else None,
        rating=review.rating if review else None,
        rating_scale=(review.rating_scale or 5) if review else 5,
        language=review.language if review else None,
        source_name=detail.listing.source,
        review_url=review.url if review else None,
        company_reply=reply.text if reply else None,
        reply_is_template=task.template_reply,
        template_size=template.size if template else None,
        other_reviews_count=max(0, len(detail.reviews) - 1) + len(detail.other_reviews),
        flags=frozenset(flags),
        theme_fixed=fixed_theme_of(session, task.id or 0),
        first_contact_due=task.first_contact_due,
        channel=channel,
    )


def task_guidance(
    session: Session, detail: TaskDetail, *, language: str | None = None, channel: str | None = None
) -> Guidance:
    """The playbook's guidance for this task, in the review's language unless `language` is given, for the way its
    site lets the company reach the reviewer (`channel`; None when not known)."""
    return guidance_for(case_facts(session, detail, channel=channel), language=language)
