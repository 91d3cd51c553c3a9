"""A crawl's replies classified with a company's saved template index; the caller re-clusters fully instead
(see `store`) when the index shows that a full run would group replies differently.

Each new reply is assigned with the index, which also holds the loose replies of the build and reads those stored
since. A full re-clustering is asked for, with the reason, when:
- a reply was edited or removed since the build, so that a template may have lost it;
- a new template is **forming**: a reply in no template takes the loose replies linked to it (the same normalised
  text, or Jaccard >= the threshold through the LSH buckets, transitively) to `min_size` distinct recipients,
  which they did not reach before; or a reply that joins a template by likeness is near-identical to a loose
  reply that no member is near, which the batch would link into the template.
Otherwise the replies' classifications are written and the figures of the templates they joined brought up to
date; a template whose recipient factor moved, or that gained enough replies to move its core, has its members'
rote scores recomputed from its members. What may still differ from a full run by design (a template's name and
family between two full runs, linking through replies assigned since, chain splitting) is in docs/templates.md.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from monitor.store.bulk import update_by_id
from monitor.store.models import CompanyReply, Review, ReviewRevision, SourceRow
from monitor.store.template_models import ReplyTemplate
from responders.template_replies.clusters import jaccard, recipient_factor
from responders.template_replies.growth import core_margins, rescore
from responders.template_replies.index import Assignment, TemplateIndex
from responders.template_replies.normalise import normalise_key
from responders.template_replies.site_notices import match_site_notice
from responders.template_replies.stored_figures import add_members, count_in, refresh_families, refresh_templates
from responders.template_replies.stored_replies import StoredReplies, read_replies, recipient_code, recipient_key

__all__ = ["Incremental", "SavedIndex", "classify_incremental"]


class NormalisedTexts:
    """Normalised texts of raw replies, remembered (a company's replies repeat a few texts, and each call reads
    the loose replies stored since the build again); "" for a site notice when asked for a loose reply's."""

    def __init__(self, limit: int = 50_000) -> None:
        self._keys: dict[str, str] = {}
        self._loose: dict[str, str] = {}
        self._limit = limit

    def key(self, text: str) -> str:
        """`normalise_key(text)`."""
        key = self._keys.get(text)
        if key is None:
            if len(self._keys) >= self._limit:
                self._keys.clear()
            key = self._keys[text] = normalise_key(text)
        return key

    def loose_key(self, text: str) -> str:
        """The normalised text of a reply scored 0 in no template, "" when it is a site notice."""
        key = self._loose.get(text)
        if key is None:
            if len(self._loose) >= self._limit:
                self._loose.clear()
            key = self._loose[text] = "" if match_site_notice(text) is not None else self.key(text)
        return key


@dataclass(frozen=True, slots=True)
class Checked:
    """A template as its rote scores were last computed: replies, people, core, and replies that may join before its
    core could move."""

    replies: int
    size: int
    core: frozenset[int]
    margin: int


@dataclass(slots=True)
class SavedIndex:
    """A company's index as saved by its last full classification, with what a process learnt of it since."""

    built_at: datetime
    index: TemplateIndex
    through: int  # the highest reply id of the company at build: later ids are replies stored since
    texts: NormalisedTexts = field(default_factory=NormalisedTexts)
    checked: dict[str, Checked] = field(default_factory=dict)  # templates whose scores were recomputed since


@dataclass(slots=True)
class Incremental:
    """What an incremental classification did: the counts, or why a full re-clustering must follow."""

    replies: int = 0
    templated: int = 0
    templates: int = 0
    families: int = 0
    reclassified: list[int] = field(default_factory=list)
    full_because: str = ""  # not empty: re-cluster fully (the writes listed in `reclassified` may have been made)


def classify_incremental(
    session: Session, company_id: int, review_ids: Sequence[int], saved: SavedIndex, now: datetime
) -> Incremental:
    """Assign the replies of `review_ids` with the saved index and bring the templates they joined up to date."""
    rows = read_replies(session, company_id, review_ids)
    reason = _unfollowable(session, rows, review_ids, saved)
    if reason:
        return Incremental(full_because=reason)
    group = str(company_id)
    index = saved.index.fork()
    _add_loose_since_build(session, company_id, index, saved, set(rows.ids.tolist()))
    assignments: dict[int, Assignment] = {}
    for row, text in enumerate(rows.texts):
        if rows.score(row) is None:
            continue
        # Classified before, with this very text (the store clears the classification of a reply it edits): it
        # keeps it, and a loose one stays among the loose replies.
        if rows.template_ids[row] is None:
            index.add_loose(saved.texts.loose_key(text), group, int(rows.codes[row]))
    for row, text in enumerate(rows.texts):
        if rows.score(row) is not None:
            continue
        assignment = assignments[row] = index.assign(text, group, int(rows.codes[row]))
        if assignment.forming:
            return Incremental(full_because="a new template is forming")
    reclassified: list[int] = []
    gained: dict[str, list[int]] = defaultdict(list)  # template id -> rows that joined it in this call
    joined: dict[str, list[tuple[int, str, float]]] = defaultdict(list)  # the same: reply id, text, score
    counted = 0  # replies that got a rote score: the denominator of a family's share
    changes: list[dict[str, object]] = []
    for row, assignment in assignments.items():
        template_id, score = assignment.template_id, assignment.score
        if template_id is not None:
            reclassified.append(int(rows.review_ids[row]))
            gained[template_id].append(row)
            joined[template_id].append((int(rows.ids[row]), saved.texts.key(rows.texts[row]), score or 0.0))
        if score is not None:
            changes.append({"id": int(rows.ids[row]), "template_id": template_id, "rote_score": score})
            counted += 1
    update_by_id(session, CompanyReply, changes)
    session.flush()
    recount = add_members(session, rows, gained, now)
    refresh_templates(session, company_id, recount, now)
    replies = count_in(session, company_id, counted)
    touched = set(gained)
    reason = _grown(session, saved, joined)
    families = refresh_families(session, touched, replies, now) if not reason else 0
    session.flush()
    return Incremental(
        replies=len(rows),
        templated=sum(template_id is not None for template_id in rows.template_ids)
        + sum(assignment.template_id is not None for assignment in assignments.values()),
        templates=len(touched),
        families=families,
        reclassified=reclassified,
        full_because=reason,
    )


def _unfollowable(session: Session, rows: StoredReplies, review_ids: Sequence[int], saved: SavedIndex) -> str:
    """Why the incremental path cannot follow this call's replies ("" when it can): a reply was edited or removed
    since the build, so that a template may have lost it.

    The store clears the classification of a reply whose text it changes, so a reply stored before the build that
    has none was edited since. A reply stored since the build and edited, or one removed, shows in its review's
    revisions: a reply change observed after the reply was first stored, or a removal.
    """
    for row, text in enumerate(rows.texts):
        if text and not text.isspace() and int(rows.ids[row]) <= saved.through and rows.score(row) is None:
            return "a reply was edited"
    revisions = session.execute(
        sa_select(col(ReviewRevision.review_id), col(ReviewRevision.changes), col(ReviewRevision.observed_at)).where(
            col(ReviewRevision.review_id).in_(sorted(set(review_ids))),
            col(ReviewRevision.observed_at) >= saved.built_at,
        )
    ).all()
    changed: dict[int, datetime] = {}
    for review_id, changes, observed_at in revisions:
        kinds = set(changes.split(","))
        if "reply_removed" in kinds:
            return "a reply was removed"
        if "reply" in kinds:  # the latest change counts: a reply added, then edited, was edited
            changed[review_id] = max(observed_at, changed.get(review_id, observed_at))
    if not changed:
        return ""
    first_seen = dict(
        session.execute(
            sa_select(col(CompanyReply.review_id), col(CompanyReply.first_seen)).where(
                col(CompanyReply.review_id).in_(sorted(changed))
            )
        ).all()
    )
    for review_id, observed_at in changed.items():
        seen = first_seen.get(review_id)
        if seen is None or seen < observed_at:
            return "a reply was edited"
    return ""


def _add_loose_since_build(
    session: Session, company_id: int, index: TemplateIndex, saved: SavedIndex, skip: set[int]
) -> None:
    """Add to the index the loose replies stored since the build (by any process), but those of this call.

    They are read from the database rather than kept in memory, so that replies another process stored count
    too and replies of a rolled-back transaction do not.
    """
    if not index.knows_loose:
        return
    query = (
        sa_select(
            col(CompanyReply.id),
            col(CompanyReply.text),
            col(Review.id),
            col(Review.source_id),
            col(Review.author_handle),
            col(Review.author_name),
        )
        .join(Review, col(CompanyReply.review_id) == col(Review.id))
        .join(SourceRow, col(Review.source_id) == col(SourceRow.id))
        .where(
            col(SourceRow.company_id) == company_id,
            col(CompanyReply.id) > saved.through,
            col(CompanyReply.template_id).is_(None),
            col(CompanyReply.rote_score) == 0.0,
        )
    )
    group = str(company_id)
    for reply_id, text, review_id, source_id, handle, name in session.execute(query):
        if reply_id not in skip:
            person = recipient_code(recipient_key(source_id, handle, name, review_id))
            index.add_loose(saved.texts.loose_key(text), group, person)


def _grown(session: Session, saved: SavedIndex, gained: dict[str, list[tuple[int, str, float]]]) -> str:
    """Bring the rote scores of the templates that gained replies (id, normalised text and score of each reply that
    joined) to what a full re-clustering would give: those of a template whose recipient factor moved, or that
    gained enough replies to move its core, are recomputed from its members. Returns why a full re-clustering must
    run instead ("" when none must).

    A template checked so is measured from then on against what it held at that check, so that a template that
    keeps growing is read again only each time its replies could have moved its core (about each doubling), not at
    every call; the replies that join it are scored with the core and size of that check.
    """
    if not gained:
        return ""
    table = ReplyTemplate.__table__  # type: ignore[attr-defined]
    query = sa_select(table.c.id, table.c.size, table.c.reply_count).where(table.c.id.in_(sorted(gained)))
    recheck: dict[str, int] = {}
    changes: list[dict[str, object]] = []
    for template_id, size, replies in session.execute(query):
        built = saved.index.template(template_id)
        if built is None:
            continue
        if replies < built.reply_count:
            return "a template lost replies"
        base = saved.checked.get(template_id) or Checked(built.reply_count, built.size, built.core, built.core_margin)
        joined = replies - base.replies
        # Fewer replies than at the check: that call's transaction was rolled back; check again.
        if joined < 0 or joined >= base.margin or recipient_factor(size) != recipient_factor(base.size):
            recheck[template_id] = size
        elif template_id in saved.checked:  # new replies were scored with the build's core and size
            factor = recipient_factor(size)
            for reply_id, key, score in gained[template_id]:
                new = round(jaccard(saved.index.shingles(key), base.core) * factor, 4)
                if new != score:
                    changes.append({"id": reply_id, "rote_score": new})
    if recheck:
        changes += _rescored(session, saved, recheck)
    update_by_id(session, CompanyReply, changes)
    return ""


def _rescored(session: Session, saved: SavedIndex, recheck: dict[str, int]) -> list[dict[str, object]]:
    """New rote scores of the members of templates (with their sizes), computed from all their members."""
    members: dict[str, list[tuple[int, str, float | None]]] = defaultdict(list)
    replies_query = sa_select(
        col(CompanyReply.id), col(CompanyReply.template_id), col(CompanyReply.text), col(CompanyReply.rote_score)
    ).where(col(CompanyReply.template_id).in_(sorted(recheck)))
    for reply_id, template_id, text, score in session.execute(replies_query):
        members[template_id].append((reply_id, text, score))
    chosen = sorted(recheck)
    keys = saved.texts
    counted: list[dict[str, int]] = []
    for template_id in chosen:
        found: dict[str, int] = defaultdict(int)
        for _, text, _ in members[template_id]:
            found[keys.key(text)] += 1
        counted.append(found)
    hasher = saved.index.hasher
    rescored = rescore([(found, recheck[t]) for t, found in zip(chosen, counted, strict=True)], hasher)
    margins = core_margins(counted, hasher)
    changes: list[dict[str, object]] = []
    for template_id, found, result, margin in zip(chosen, counted, rescored, margins, strict=True):
        size = recheck[template_id]
        saved.checked[template_id] = Checked(sum(found.values()), size, result.core, margin)
        for reply_id, text, score in members[template_id]:
            new = result.scores[keys.key(text)]
            if new != score:
                changes.append({"id": reply_id, "rote_score": new})
    return changes
