"""Assign new replies to known templates one at a time, without re-clustering everything.

Built from a `TemplateReport`; holds every member's normalised text (exact look-up) and the MinHash
band buckets of the most frequent members of each template (near-duplicate look-up). Built with the report's
input, it also holds the **loose replies** (non-empty replies in no template, see `loose`), so that assigning a
reply that matches no template tells whether it and its near-identical loose replies now reach a template's
size: a new template is **forming**, which only a full re-clustering describes. It persists as plain data
(`to_dict` / `from_dict`): the texts are stored and the signatures rebuilt from them, which is exact because
hashing is deterministic. A reply assigned to a template belongs to that template's family.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from responders.template_replies.clusters import ClusterSettings, TemplateReport, jaccard, recipient_factor
from responders.template_replies.growth import core_margins
from responders.template_replies.loose import LooseReplies, Probe, person_code
from responders.template_replies.minhash import MinHasher
from responders.template_replies.normalise import normalise_key
from responders.template_replies.site_notices import match_site_notice

__all__ = ["Assignment", "IndexedTemplate", "TemplateIndex"]

# Near-duplicate look-up indexes this many of a template's most frequent distinct texts; exact look-up
# covers all of them. Enough to reach every variant family while keeping the index small.
LSH_MEMBERS_PER_TEMPLATE = 200
# 2 adds each template's family (a version 1 index loads without families); 3 adds the loose replies and each
# template's reply count and core margin (a version 1 or 2 index loads without loose replies, so it never says
# that a template is forming, and with a zero margin).
FORMAT_VERSION = 3
_CACHED_TEXTS = 50_000  # normalised texts whose shingles and band keys an index remembers


@dataclass(frozen=True, slots=True)
class Assignment:
    """The template a reply belongs to (None for none), its rote score (None for an empty reply), the
    template's family, and whether a new template is forming: the reply, in no template, makes one with loose
    replies, or, joining a template by likeness, would bring a loose reply into it (see `TemplateIndex.assign`)."""

    template_id: str | None
    score: float | None
    family_id: str | None = None
    forming: bool = False


@dataclass(slots=True)
class IndexedTemplate:
    """What the index keeps of a template, as of the batch run it was built from."""

    id: str
    group: str
    kind: str
    size: int
    core: frozenset[int]
    member_keys: dict[str, int]  # normalised text -> replies, most frequent first
    family_id: str = ""  # "" when unknown (an index saved before families)
    reply_count: int = 0
    core_margin: int = 0  # replies that must join before the core could change (0: unknown)


class TemplateIndex:
    """Known templates (and loose replies) of one or more groups, for assigning replies incrementally."""

    def __init__(self, settings: ClusterSettings | None = None) -> None:
        self.settings = settings or ClusterSettings()
        self._hasher: MinHasher = self.settings.hasher()
        self._templates: dict[str, IndexedTemplate] = {}
        self._exact: dict[tuple[str, str], str] = {}
        # (group, band, bucket key) -> [(template id, shingle set of the indexed text)]
        self._buckets: dict[tuple[str, int, int], list[tuple[str, frozenset[int]]]] = {}
        # The same for replies assigned to a template by likeness since the index was built or forked.
        self._joined: dict[tuple[str, int, int], list[tuple[str, frozenset[int]]]] = {}
        self._loose: LooseReplies | None = None  # None: not known (an index of an older format, or of a bare report)
        self._anonymous = itertools.count()
        self._cache: dict[str, tuple[frozenset[int], tuple[int, ...] | None]] = {}

    def __len__(self) -> int:
        return len(self._templates)

    @property
    def hasher(self) -> MinHasher:
        """The MinHasher of the index's settings."""
        return self._hasher

    @property
    def knows_loose(self) -> bool:
        """Whether the index holds the loose replies (so `assign` can tell that a template is forming)."""
        return self._loose is not None

    @property
    def loose_count(self) -> int:
        """Distinct loose texts held (0 when not known)."""
        return len(self._loose) if self._loose is not None else 0

    def template(self, template_id: str) -> IndexedTemplate | None:
        """A known template, as of the build."""
        return self._templates.get(template_id)

    @classmethod
    def from_report(
        cls,
        report: TemplateReport,
        texts: Sequence[str | None] | None = None,
        *,
        groups: Sequence[Hashable | None] | None = None,
        recipients: Sequence[Hashable | None] | np.ndarray | None = None,
    ) -> TemplateIndex:
        """An index of the templates a batch run found; given the run's input (`texts`, `groups`, `recipients`
        as passed to `find_templates`), also of its loose replies."""
        index = cls(report.settings)
        templates = report.templates
        margins = core_margins([template.member_keys for template in templates], index._hasher)
        for number, template in enumerate(templates):
            index.add_template(
                IndexedTemplate(
                    template.id,
                    template.group,
                    template.kind,
                    template.size,
                    template.core,
                    dict(template.member_keys),
                    template.family_id,
                    template.reply_count,
                    margins[number],
                )
            )
        if texts is not None:
            index._loose = _loose_of(report, texts, groups, recipients, index._hasher)
        return index

    def add_template(self, template: IndexedTemplate) -> None:
        """Index one template (replacing one with the same id is not supported: rebuild instead)."""
        self._templates[template.id] = template
        for key in template.member_keys:
            self._exact[(template.group, key)] = template.id
        ranked = sorted(template.member_keys, key=lambda key: (-template.member_keys[key], key))
        chosen = ranked[:LSH_MEMBERS_PER_TEMPLATE]
        sets = self._hasher.shingles([key.split(" ") for key in chosen])
        signatures = self._hasher.signatures(sets)
        members = [(template.id, frozenset(sets.of(position).tolist())) for position in range(len(chosen))]
        for position, keys in enumerate(self._hasher.all_band_keys(signatures).tolist()):
            for band, bucket in enumerate(keys):
                # One shared object per member, so a look-up can skip a member met in an earlier band.
                self._buckets.setdefault((template.group, band, bucket), []).append(members[position])

    def fork(self) -> TemplateIndex:
        """A copy sharing this index's templates and loose replies; loose replies assigned to it stay its own (a
        crawl's replies are kept apart from the saved index until they are stored)."""
        copy = TemplateIndex.__new__(TemplateIndex)
        copy.settings, copy._hasher, copy._templates = self.settings, self._hasher, self._templates
        copy._exact, copy._buckets = self._exact, self._buckets
        copy._loose = self._loose.fork() if self._loose is not None else None
        copy._joined = {bucket: list(members) for bucket, members in self._joined.items()}
        copy._anonymous = itertools.count()
        copy._cache = self._cache
        return copy

    def assign(self, text: str | None, group: str | None = None, recipient: Hashable | None = None) -> Assignment:
        """The template of one reply of `group` sent to `recipient` (None: a person of its own), as a batch run
        would have found it. When the index knows the loose replies, a reply in no template joins them and says
        whether it forms a template with them; a reply that joins a template by likeness says whether it would
        bring a loose reply into it, and later replies may join the template through it."""
        if text is None or not text.strip():
            return Assignment(None, None)
        if match_site_notice(text) is not None:
            return Assignment(None, 0.0)
        key = normalise_key(text)
        if not key:
            return Assignment(None, 0.0)
        group = group or ""
        shingles = self.shingles(key)
        template_id = self._exact.get((group, key))
        forming = False
        if template_id is None:
            bands = self._bands(key)
            probe = Probe(group, key, shingles, bands)
            template_id = self._nearest(group, bands, shingles)
            if template_id is None:
                return Assignment(None, 0.0, None, self._join_loose(probe, recipient))
            forming = self._pulls_loose(probe)
            # Later replies may be near-identical to this one only: the batch would link them to it.
            member = (template_id, shingles)
            for band, bucket in enumerate(bands):
                self._joined.setdefault((group, band, bucket), []).append(member)
        template = self._templates[template_id]
        score = jaccard(shingles, template.core) * recipient_factor(template.size)
        return Assignment(template_id, round(score, 4), template.family_id or None, forming)

    def add_loose(self, key: str, group: str | None = None, recipient: Hashable | None = None) -> None:
        """Keep a reply (by its normalised text) that is in no template among the loose replies."""
        if self._loose is None or not key:
            return
        self._loose.add(Probe(group or "", key, self.shingles(key), self._bands(key)), self._code(recipient))

    def shingles(self, key: str) -> frozenset[int]:
        """The word-shingle set of a normalised text (remembered: replies repeat a few texts)."""
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) >= _CACHED_TEXTS:
                self._cache.clear()
            found = self._cache[key] = (frozenset(self._hasher.shingles([key]).values.tolist()), None)
        return found[0]

    def _bands(self, key: str) -> tuple[int, ...]:
        shingles, bands = self._cache.get(key) or (self.shingles(key), None)
        if bands is None:
            sets = self._hasher.shingles([key])
            bands = tuple(self._hasher.all_band_keys(self._hasher.signatures(sets, threads=1))[0].tolist())
            self._cache[key] = (shingles, bands)
        return bands

    def _join_loose(self, probe: Probe, recipient: Hashable | None) -> bool:
        """Add a reply to the loose replies; True when it takes the near-identical loose replies linked to it to a
        template's size (distinct recipients), which they did not reach without it."""
        if self._loose is None:
            return False
        code = self._code(recipient)
        forming = self._loose.forms(probe, code, self.settings.min_size)
        self._loose.add(probe, code)
        return forming

    def _pulls_loose(self, probe: Probe) -> bool:
        """Whether a reply that joins a template by likeness (not by a member's exact text) is near-identical to a
        loose reply that no known member is near: the batch links the two, so the loose reply would join the
        template (or make one with its own near-identical replies).

        A loose reply near a member was left loose by the batch although it could link them (its banding does
        not compare every pair); one more reply is not taken to change that, so this asks for one re-clustering,
        not one per reply.
        """
        if self._loose is None:
            return False
        for entry in self._loose.near(probe):
            near = self._loose.probe_of(entry)
            if self._nearest(near.group, near.bands, near.shingles) is None:
                return True
        return False

    def _code(self, recipient: Hashable | None) -> int:
        # A reply without a known recipient counts as a person of its own, as in `find_templates`.
        return person_code(("assigned", next(self._anonymous)) if recipient is None else recipient)

    def _nearest(self, group: str, bands: Sequence[int], shingles: frozenset[int]) -> str | None:
        best_id, best = None, self.settings.min_similarity
        seen: set[int] = set()
        for band, bucket in enumerate(bands):
            where = (group, band, bucket)
            for template_id, member in itertools.chain(self._buckets.get(where, ()), self._joined.get(where, ())):
                if id(member) in seen:
                    continue
                seen.add(id(member))
                similarity = jaccard(shingles, member)
                if similarity >= best:
                    best_id, best = template_id, similarity
        return best_id

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-serialisable data from which `from_dict` rebuilds an equal index."""
        return {
            "format": FORMAT_VERSION,
            "settings": {name: getattr(self.settings, name) for name in ClusterSettings.__dataclass_fields__},
            "templates": [
                {
                    "id": t.id,
                    "group": t.group,
                    "kind": t.kind,
                    "size": t.size,
                    "core": sorted(t.core),
                    "members": t.member_keys,
                    "family": t.family_id,
                    "replies": t.reply_count,
                    "margin": t.core_margin,
                }
                for t in self._templates.values()
            ],
            "loose": self._loose.to_dict() if self._loose is not None else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TemplateIndex:
        """Rebuild an index saved with `to_dict` (of this format or an older one)."""
        if data.get("format") not in (1, 2, FORMAT_VERSION):
            raise ValueError(f"unsupported template index format {data.get('format')!r} (expected {FORMAT_VERSION})")
        index = cls(ClusterSettings(**data["settings"]))
        for item in data["templates"]:
            members = dict(item["members"])
            index.add_template(
                IndexedTemplate(
                    item["id"],
                    item["group"],
                    item["kind"],
                    int(item["size"]),
                    frozenset(item["core"]),
                    members,
                    item.get("family", ""),
                    int(item.get("replies", sum(members.values()))),
                    int(item.get("margin", 0)),
                )
            )
        if data.get("loose") is not None:
            settings = index.settings
            index._loose = LooseReplies.from_dict(data["loose"], index._hasher, settings.min_similarity)
        return index


def _loose_of(
    report: TemplateReport,
    texts: Sequence[str | None],
    groups: Sequence[Hashable | None] | None,
    recipients: Sequence[Hashable | None] | np.ndarray | None,
    hasher: MinHasher,
) -> LooseReplies:
    """The loose replies of a batch run: rows with a rote score of 0 that are neither in a template nor a site
    notice nor without words, by (group, normalised text), with their recipients' codes."""
    keys: dict[str, str] = {}
    entries: dict[tuple[str, str], set[int]] = {}
    for row, (template_id, score, notice) in enumerate(
        zip(report.template_ids, report.scores, report.site_notices, strict=True)
    ):
        text = texts[row]
        if template_id is not None or score != 0.0 or notice is not None or text is None:
            continue
        key = keys.get(text)
        if key is None:
            key = keys[text] = normalise_key(text)
        if not key:
            continue
        group = groups[row] if groups is not None else None
        recipient = recipients[row] if recipients is not None else None
        code = person_code(("row", row) if recipient is None else recipient)
        entries.setdefault(("" if group is None else str(group), key), set()).add(code)
    return LooseReplies.build(
        hasher,
        report.settings.min_similarity,
        [group for group, _ in entries],
        [key for _, key in entries],
        [sorted(people) for people in entries.values()],
    )
