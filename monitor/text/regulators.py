"""Named regulators, ombudsmen and consumer-protection bodies, and the matcher that finds them in review text.

The bodies live in ``regulators.txt`` beside this module (its header gives the format); a company can add its own
names through ``extra``, written like the file's names and abbreviations: ``"Banking Ombud"``, ``"=FOS"``.
Names match in any letter case with diacritics folded; abbreviations that are also common words match only as
written, and a few that also name something else only after a preposition or verb of complaint. Asked for the
bodies a text complains to (``escalated``), an ombudsman or consumer body counts wherever it is named, and any
other body only with a word of complaint or escalation near it: "reported them to the FCA", not "regulated by
the FCA".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from monitor.text.lexicons import COMPANIONS, LANGUAGES, escalates_to, fold, load, normalise_text, tokenize
from monitor.text.lexicons.lexicon import vocabulary
from monitor.text.lexicons.plans import compiled_plan
from monitor.text.words import is_unspaced, segment

__all__ = ["Regulator", "check_extra", "find_regulators", "parse_regulators", "regulators"]

# Words that show a "?" abbreviation is the body complained to: "report them to the NCR", "lodged with CASE".
_CUES = frozenset(
    {
        *("to", "with", "at", "contact", "contacted", "contacting", "report", "reported", "reporting"),
        *("complain", "complained", "complaint", "complaints", "lodge", "lodged", "escalate", "escalated"),
        *("involve", "involving", "approach", "approached", "notify", "inform", "refer"),
        *("bei", "beim", "zur", "zum", "al", "ao", "à", "ante", "para", "către", "в", "во"),
    }
)
_CUE_WINDOW = 3
# Stems shorter than this would match too many unrelated words.
_MIN_STEM = 4
_MEMO_LIMIT = 200_000
# Tokens each matcher remembers (some 200 bytes each), cleared when full; a company's extra names make a
# matcher of their own.
_KNOWN_LIMIT = 50_000
_SECTORS = frozenset(
    {
        *("banking", "finance", "insurance", "telecom", "data", "consumer", "competition", "ombudsman"),
        *("transport", "energy", "water", "prosecutor", "business"),
    }
)
# Bodies that exist to take customers' complaints: named in a complaint, they are the body complained to ("my
# next step is the Ombudsman"). Supervisors, ministries and registrars are named for many other reasons.
_COMPLAINT_SECTORS = frozenset({"ombudsman", "consumer"})
# Every lexicon's words of complaint and escalation count near a name: a Hindi review names the RBI in Latin
# letters, and the names of every market are looked for in every text.
_CUE_LEXICONS = (*LANGUAGES, *COMPANIONS)
# French and Italian elide an article or preposition onto the name: "l'ACPR", "d'Arcep", "all'AGCOM".
_ELIDED = frozenset({"l", "d", "all", "dall", "dell", "nell", "sull"})


@dataclass(frozen=True, slots=True)
class Regulator:
    """One body: its market, sector, names and abbreviations as the data file writes them."""

    country: str
    sector: str
    names: tuple[str, ...]
    abbreviations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Pattern:
    words: tuple[tuple[str, bool], ...]  # (word, is stem); folded unless exact
    exact: bool  # compare as written, not folded
    cue: bool  # needs a cue word before it or another regulator in the text
    complaints: bool = True  # an ombudsman or consumer body (or a company's own): no escalation word needed


def parse_regulators(text: str) -> tuple[Regulator, ...]:
    """Read the data file's text; raises ValueError naming the line that is malformed."""
    found: list[Regulator] = []
    country: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            country = line[1:-1].split()[0] if line[1:-1].strip() else None
            continue
        parts = [part.strip() for part in line.split("|")]
        if country is None or len(parts) != 3 or parts[0] not in _SECTORS:
            raise ValueError(f"regulators: line {number} is not 'sector | names | abbreviations' under a [CC] header")
        names = tuple(name.strip() for name in parts[1].split(";") if name.strip())
        abbreviations = tuple(abbr.strip() for abbr in parts[2].split(",") if abbr.strip())
        if not names and not abbreviations:
            raise ValueError(f"regulators: line {number} has neither a name nor an abbreviation")
        for entry in (*names, *abbreviations):
            _compile(entry, abbreviation=entry in abbreviations, where=f"line {number}")
        found.append(Regulator(country, parts[0], names, abbreviations))
    return tuple(found)


@cache
def regulators() -> tuple[Regulator, ...]:
    """Every body in the shipped data file, read once."""
    return parse_regulators(resources.files("monitor.text").joinpath("regulators.txt").read_text(encoding="utf-8"))


def check_extra(entries: Iterable[str]) -> tuple[str, ...]:
    """A company's extra regulator names, stripped and checked; raises ValueError for an unusable entry."""
    checked: list[str] = []
    for entry in entries:
        text = entry.strip()
        if not text:
            raise ValueError("an extra regulator name is empty")
        _compile(text, abbreviation=text[:1] in ("=", "?"), where=repr(text))
        checked.append(text)
    return tuple(checked)


def _compile(entry: str, *, abbreviation: bool, where: str, complaints: bool = True) -> _Pattern:
    exact = abbreviation and entry[0] in "=?"
    cue = abbreviation and entry[0] == "?"
    body = entry[1:] if exact else entry
    words: list[tuple[str, bool]] = []
    for chunk in body.split():
        stem = chunk.endswith("*") and not abbreviation
        tokens = tokenize(chunk[:-1] if stem else chunk)
        if not tokens:
            raise ValueError(f"regulators: {where}: nothing to match in {entry!r}")
        for position, token in enumerate(tokens):
            is_stem = stem and position == len(tokens) - 1
            if is_stem and len(token) < _MIN_STEM:
                raise ValueError(f"regulators: {where}: stem {chunk!r} is shorter than {_MIN_STEM} letters")
            words.append((token if exact else fold(token), is_stem))
    if not words:
        # "?" or "=" alone marks an abbreviation of nothing.
        raise ValueError(f"regulators: {where}: nothing to match in {entry!r}")
    return _Pattern(tuple(words), exact, cue, complaints)


class _Matcher:
    """Every pattern indexed by its first word, exactly, by the first letters of a stem, or as written."""

    def __init__(self, patterns: Iterable[_Pattern]) -> None:
        self.folded: dict[str, list[_Pattern]] = {}
        self.stems: dict[str, list[_Pattern]] = {}
        self.written: dict[str, list[_Pattern]] = {}
        for pattern in patterns:
            first, is_stem = pattern.words[0]
            if pattern.exact:
                self.written.setdefault(first, []).append(pattern)
            elif is_stem:
                self.stems.setdefault(first[:_MIN_STEM], []).append(pattern)
            else:
                self.folded.setdefault(first, []).append(pattern)
        self.clitics = tuple(dict.fromkeys((*load("he").clitics, *load("ar").clitics)))
        # Thai names are written without spaces around them: text is cut into these and the lexicons' words.
        self.unspaced = frozenset(
            word for pattern in patterns for word, _ in pattern.words if is_unspaced(word)
        ) | vocabulary(_CUE_LEXICONS)
        self.longest = max((len(word) for word in self.unspaced), default=0)
        # Each token as written, folded, with the patterns that could start at it: review words repeat.
        self.known: dict[str, tuple[str, tuple[_Pattern, ...]]] = {}

    def words(self, tokens: list[str]) -> list[tuple[str, tuple[_Pattern, ...]]]:
        """Each token folded, and the patterns that could start at it (none for most words)."""
        known = self.known
        return [known.get(token) or self._word(token) for token in tokens]

    def _word(self, token: str) -> tuple[str, tuple[_Pattern, ...]]:
        folded, bare, bare_folded = _word(token)
        found = (folded, tuple(self.candidates(bare, bare_folded)))
        if len(self.known) >= _KNOWN_LIMIT:
            self.known.clear()
        self.known[token] = found
        return found

    def candidates(self, written: str, folded: str) -> list[_Pattern]:
        """Patterns that could start at a word, with an attached "to"/"the" stripped in Hebrew and Arabic."""
        found = self._lookup(written, folded)
        if found or folded.isascii() or not folded[0].isalpha():
            return found
        # Up to two particles: "ולרשות" is "and" + "to" + "authority".
        for clitic in self.clitics:
            if folded.startswith(clitic) and len(folded) - len(clitic) >= 2:
                rest = folded[len(clitic) :]
                found = self._lookup(written, rest) or [
                    pattern
                    for second in self.clitics
                    if rest.startswith(second) and len(rest) - len(second) >= 2
                    for pattern in self._lookup(written, rest[len(second) :])
                ]
                if found:
                    return found
        return []

    def _lookup(self, written: str, folded: str) -> list[_Pattern]:
        if written not in self.written and folded not in self.folded and folded[:_MIN_STEM] not in self.stems:
            return []
        found = list(self.written.get(written, ()))
        found += self.folded.get(folded, ())
        found += [p for p in self.stems.get(folded[:_MIN_STEM], ()) if folded.startswith(p.words[0][0])]
        return found


@lru_cache(maxsize=64)
def _matcher(extra: tuple[str, ...]) -> _Matcher:
    patterns = [
        _compile(
            entry,
            abbreviation=entry in body.abbreviations,
            where=body.country,
            complaints=body.sector in _COMPLAINT_SECTORS,
        )
        for body in regulators()
        for entry in (*body.names, *body.abbreviations)
    ]
    patterns += [_compile(entry, abbreviation=entry[:1] in ("=", "?"), where=repr(entry)) for entry in extra]
    return _Matcher(patterns)


def _bare(token: str) -> str:
    # Turkish and English attach suffixes with an apostrophe: "BDDK'ya", "ICASA's"; French and Italian elide
    # an article before it: "l'ACPR", "dell'IVASS".
    if "'" not in token and "’" not in token:
        return token
    head, _, tail = token.replace("’", "'").partition("'")
    if tail and head.lower() in _ELIDED:
        return _bare(tail)
    return head or token


def _matches(pattern: _Pattern, written: list[str], folded: list[str], start: int) -> bool:
    for offset, (word, is_stem) in enumerate(pattern.words[1:], start=1):
        index = start + offset
        if index >= len(folded):
            return False
        token = written[index] if pattern.exact else folded[index]
        if is_stem:
            if not token.startswith(word):
                return False
        elif token != word and not (index == start + len(pattern.words) - 1 and _bare(token) == word):
            return False
    return True


_WORDS: dict[str, tuple[str, str, str]] = {}


def _word(token: str) -> tuple[str, str, str]:
    """A token folded, and both forms without an apostrophe suffix; memoised, since review words repeat."""
    found = _WORDS.get(token)
    if found is None:
        folded = fold(token)
        found = (folded, _bare(token), _bare(folded))
        if len(_WORDS) > _MEMO_LIMIT:
            _WORDS.clear()
        _WORDS[token] = found
    return found


def find_regulators(
    text: str,
    extra: Sequence[str] = (),
    *,
    beside: bool = False,
    tokens: list[str] | None = None,
    escalated: bool = False,
) -> list[str]:
    """The regulator mentions in ``text``, as written, in order; ``extra`` adds a company's own names.

    ``beside`` says the text already names a regulator in other words ("the ombudsman"), which is enough
    context for an ambiguous abbreviation. ``escalated`` keeps only the bodies the text complains to: an
    ombudsman, a consumer body or an ``extra`` name anywhere, any other body with a word of complaint or
    escalation near it ("reported them to the FCA", not "regulated by the FCA"). ``tokens`` is
    ``tokenize(text)`` of the text ``normalise_text`` has read, when the caller has it already.
    """
    if tokens is None:
        text = normalise_text(text)
    written = tokenize(text) if tokens is None else tokens
    matcher = _matcher(tuple(extra))
    if matcher.longest and not text.isascii() and is_unspaced(text):
        written = _cut_unspaced(written, matcher)
    words = matcher.words(written)
    starts = [index for index, (_, patterns) in enumerate(words) if patterns]
    if not starts:
        return []
    folded = [form for form, _ in words]
    found: list[tuple[int, int, _Pattern]] = []
    taken = 0
    for index in starts:
        if index < taken:
            continue
        best: tuple[int, _Pattern] | None = None
        for pattern in words[index][1]:
            if len(pattern.words) > 1 and not _matches(pattern, written, folded, index):
                continue
            if best is None or len(pattern.words) > best[0]:
                best = (len(pattern.words), pattern)
        if best is not None:
            found.append((index, index + best[0], best[1]))
            taken = index + best[0]
    cues = _Cues(written, folded)
    # Letter case tells "CASE" from "case" only where the writer is not shouting; shouted, an abbreviation that
    # is also a word counts only as the body complained to ("REPORTING YOU TO ASIC", not "THE CASE").
    found = [item for item in found if not item[2].exact or not _shouted(written, item[0], item[1]) or cues.near(item)]
    plain = [item for item in found if not item[2].cue]
    kept = [item for item in found if not item[2].cue or plain or beside or _cued(folded, item[0])]
    if escalated:
        kept = [item for item in kept if item[2].complaints or cues.near(item)]
    return [" ".join(written[start:end]) for start, end, _ in kept]


class _Cues:
    """Whether a word of complaint or escalation in any lexicon makes a mention the body complained to."""

    def __init__(self, written: list[str], folded: list[str]) -> None:
        self.written = written
        self.folded = folded
        self.roles: list[int] | None = None

    def near(self, item: tuple[int, int, _Pattern]) -> bool:
        if self.roles is None:
            # Most texts name no body, and most that do need no cue: the words' roles are read on first use.
            self.roles = [role for _, role, _ in compiled_plan(_CUE_LEXICONS, ()).words(self.written)]
        return escalates_to(self.roles, self.folded, item[0], item[1])


def _cut_unspaced(tokens: list[str], matcher: _Matcher) -> list[str]:
    """Tokens with Thai runs cut into the names and lexicon words they hold ("ร้องเรียนสคบ": complain, OCPB)."""
    cut: list[str] = []
    for token in tokens:
        cut.extend(segment(token, matcher.unspaced, matcher.longest) if is_unspaced(token) else [token])
    return cut


def _cued(folded: list[str], start: int) -> bool:
    return any(word in _CUES for word in folded[max(0, start - _CUE_WINDOW) : start])


def _shouted(written: list[str], start: int, end: int) -> bool:
    """Whether the nearest word before or after the span is written in capitals too."""
    before = next((w for w in reversed(written[:start]) if w[0].isalnum()), "")
    after = next((w for w in written[end:] if w[0].isalnum()), "")
    return any(len(word) >= 2 and word.isupper() for word in (before, after))
