"""Assign new replies to known templates one at a time, without re-clustering everything.

Built from a `TemplateReport`; holds every member's normalised text (exact look-up) and the MinHash
band buckets of the most frequent members of each template (near-duplicate look-up). It persists as
plain data (`to_dict` / `from_dict`): the texts are stored and the signatures rebuilt from them, which is
exact because hashing is deterministic. A reply assigned to a template belongs to that template's family.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from responders.template_replies.clusters import ClusterSettings, TemplateReport, jaccard, recipient_factor
from responders.template_replies.minhash import MinHasher, ShingleSets
from responders.template_replies.normalise import normalise_key
from responders.template_replies.site_notices import match_site_notice

__all__ = ["Assignment", "TemplateIndex"]

# Near-duplicate look-up indexes this many of a template's most frequent distinct texts; exact look-up
# covers all of them. Enough to reach every variant family while keeping the index small.
LSH_MEMBERS_PER_TEMPLATE = 200
FORMAT_VERSION = 2  # 2 adds each template's family; a version 1 index still loads, without families


@dataclass(frozen=True, slots=True)
class Assignment:
    """The template a reply belongs to (None for none), its rote score (None for an empty reply) and the
    template's family."""

    template_id: str | None
    score: float | None
    family_id: str | None = None


@dataclass(slots=True)
class _IndexedTemplate:
    id: str
    group: str
    kind: str
    size: int
    core: frozenset[int]
    member_keys: dict[str, int]
    family_id: str = ""  # "" when unknown (an index saved before families)


class TemplateIndex:
    """Known templates of one or more groups, for assigning replies incrementally."""

    def __init__(self, settings: ClusterSettings | None = None) -> None:
        self.settings = settings or ClusterSettings()
        self._hasher: MinHasher = self.settings.hasher()
        self._templates: dict[str, _IndexedTemplate] = {}
        self._exact: dict[tuple[str, str], str] = {}
        # (group, band, bucket key) -> [(template id, shingle set of the indexed text)]
        self._buckets: dict[tuple[str, int, int], list[tuple[str, frozenset[int]]]] = {}

    def __len__(self) -> int:
        return len(self._templates)

    @classmethod
    def from_report(cls, report: TemplateReport) -> TemplateIndex:
        """An index of the templates a batch run found."""
        index = cls(report.settings)
        for template in report.templates:
            index.add_template(
                _IndexedTemplate(
                    template.id,
                    template.group,
                    template.kind,
                    template.size,
                    template.core,
                    dict(template.member_keys),
                    template.family_id,
                )
            )
        return index

    def add_template(self, template: _IndexedTemplate) -> None:
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

    def assign(self, text: str | None, group: str | None = None) -> Assignment:
        """The template of one reply of `group`, as a batch run would have found it."""
        if text is None or not text.strip():
            return Assignment(None, None)
        if match_site_notice(text) is not None:
            return Assignment(None, 0.0)
        key = normalise_key(text)
        if not key:
            return Assignment(None, 0.0)
        group = group or ""
        sets = self._hasher.shingles([key])
        shingles = frozenset(sets.values.tolist())
        template_id = self._exact.get((group, key))
        if template_id is None:
            template_id = self._nearest(group, sets, shingles)
        if template_id is None:
            return Assignment(None, 0.0)
        template = self._templates[template_id]
        score = jaccard(shingles, template.core) * recipient_factor(template.size)
        return Assignment(template_id, round(score, 4), template.family_id or None)

    def _nearest(self, group: str, sets: ShingleSets, shingles: frozenset[int]) -> str | None:
        signature = self._hasher.signatures(sets, threads=1)
        best_id, best = None, self.settings.min_similarity
        seen: set[int] = set()
        for band, bucket in enumerate(self._hasher.all_band_keys(signature)[0].tolist()):
            for template_id, member in self._buckets.get((group, band, bucket), ()):
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
                }
                for t in self._templates.values()
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TemplateIndex:
        """Rebuild an index saved with `to_dict`."""
        if data.get("format") not in (1, FORMAT_VERSION):
            raise ValueError(f"unsupported template index format {data.get('format')!r} (expected {FORMAT_VERSION})")
        index = cls(ClusterSettings(**data["settings"]))
        for item in data["templates"]:
            index.add_template(
                _IndexedTemplate(
                    item["id"],
                    item["group"],
                    item["kind"],
                    int(item["size"]),
                    frozenset(item["core"]),
                    dict(item["members"]),
                    item.get("family", ""),
                )
            )
        return index
