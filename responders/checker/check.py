"""Check a staff reply draft against the habits that turn an unhappy reviewer away, before it is sent.

Every finding points at characters of the draft exactly as it was given (offsets into the original string),
so a UI can underline them. Phrase rules live per language in `responders.checker.rules`; the template
check (`near_copy`) and the name check work in every language.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import ClassVar

from monitor.core.language_tags import language_code
from monitor.text.language import detect_language
from monitor.text.words import fold
from responders.checker.rules import SUPPORTED, CompiledRules, rules_for

__all__ = [
    "MAX_DRAFT_CHARS",
    "RULE_IDS",
    "CheckResult",
    "Finding",
    "check_reply",
    "detect_draft_language",
    "near_copy",
]

MAX_DRAFT_CHARS = 20_000
RULE_IDS: tuple[str, ...] = (
    "template_copy",
    "reflex_apology",
    "blame_shift",
    "questions_customer",
    "no_next_step",
    "unconfirmed_promise",
    "missing_name",
    "asks_review_change",
    "generic_filler",
)
# A draft sharing this much of its word sequence with a known text counts as a copy of it.
NEAR_COPY_THRESHOLD = 0.6
_SHINGLE = 3
# A sentence with fewer content words than this says nothing about the customer's case.
_SPECIFIC_WORDS = 2
_OFF_TOPIC_MAX_WORDS = 12
_FILLER_ALONE_WORDS = 3

_MESSAGES: dict[str, tuple[str, str]] = {
    "template_copy": (
        "The draft is almost the same as {what}.",
        "Write to this customer about their own case; a reply they have seen under other reviews tells "
        "them nobody read theirs.",
    ),
    "reflex_apology": (
        "A ritual apology that does not say what went wrong.",
        "Name the problem in a full sentence, e.g. 'I am sorry your order arrived two hours late, Anna.'",
    ),
    "apology_only": (
        "The draft holds nothing but apology and thanks.",
        "Say what you understood the problem to be, what you will do about it and by when.",
    ),
    "blame_shift": (
        "This puts the blame on someone else.",
        "To the customer you are the company: own the problem and say what you are doing about it.",
    ),
    "questions_customer": (
        "This questions the customer's account or blames the customer.",
        "Take their account as the starting point; ask for details you need without doubting them.",
    ),
    "no_next_step": (
        "The draft has no concrete next step or time.",
        "Say what happens next and when, e.g. 'I will call you by 5 pm today with an answer.'",
    ),
    "unconfirmed_promise": (
        "A promise (refund, delivery date, compensation) without saying it is confirmed.",
        "Promise only what is already confirmed, or say what you are checking and when you will confirm it.",
    ),
    "missing_name": (
        "The customer's name ({name}) does not appear in the draft.",
        "Address the customer by name.",
    ),
    "asks_review_change": (
        "The draft asks the customer to change or remove their review or rating.",
        "Review sites forbid this; solve the problem and leave the review to the customer.",
    ),
    "generic_filler": (
        "Generic wording that does not address anything in the review.",
        "Replace it with a sentence about what this customer actually wrote.",
    ),
    "off_topic": (
        "Nothing in the draft refers to what the review says.",
        "Mention the customer's actual problem so they can see their review was read.",
    ),
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in a draft: `text[start:end]` of the original draft is the offending part."""

    rule: str
    start: int
    end: int
    message: str
    suggestion: str

    def as_dict(self) -> dict[str, object]:
        """Plain dict for JSON output."""
        return asdict(self)


@dataclass(slots=True)
class CheckResult:
    """Findings for one draft, in order of position, with notes on how it was checked."""

    language: str | None
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def rules(self) -> set[str]:
        """The rule ids that fired."""
        return {f.rule for f in self.findings}

    def as_dict(self) -> dict[str, object]:
        """Plain dict for JSON output."""
        return {
            "language": self.language,
            "findings": [f.as_dict() for f in self.findings],
            "notes": list(self.notes),
        }


class _View:
    """The draft with invisible format characters removed, remembering where each character came from.

    Right-to-left text often carries direction marks (U+200E/U+200F) and pasted text zero-width spaces;
    patterns must not trip over them, yet findings must point into the original string.
    """

    _SAME_WIDTH: ClassVar[dict[str, str]] = {
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "\u00a0": " ",
        "\u202f": " ",
        "\u05f3": "'",
    }

    def __init__(self, original: str) -> None:
        chars: list[str] = []
        origin: list[int] = []
        ends: list[int] = []
        for index, char in enumerate(original):
            if unicodedata.category(char) == "Cf":
                continue
            if chars and unicodedata.combining(char):
                # A letter typed as base letter plus accent marks (Vietnamese keyboards, macOS file names) is
                # read as the one composed letter the patterns are written with, pointing at all its characters.
                composed = unicodedata.normalize("NFC", chars[-1] + char)
                if len(composed) == 1:
                    chars[-1] = composed
                    ends[-1] = index + 1
                    continue
            chars.append(self._SAME_WIDTH.get(char, char))
            origin.append(index)
            ends.append(index + 1)
        self.text = "".join(chars)
        self._origin = origin
        self._ends = ends
        self._original_length = len(original)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the clean text back to the original text."""
        if not self._origin:
            return 0, 0
        first = self._origin[start] if start < len(self._origin) else self._original_length
        last = self._ends[end - 1] if end > 0 else first
        return first, max(first, last)


_WORD = re.compile(r"\w+(?:'\w+)?")
_SENTENCE_END = re.compile(r"[.!?…։۔。]+(?=\s|$)|\n\s*")
_LAST_WORD = re.compile(r"\w+$")
# Titles and short forms whose full stop does not end a sentence ("Dear Ms. Novak", "z. B.", "napr.").
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "no",
        "nr",
        "vs",
        "etc",
        "eg",
        "ie",
        "p",
        "pán",
        "pani",
        "ing",
        "mgr",
        "hr",
        "fa",
        "sr",
        "sra",
        "srta",
        "m",
        "mme",
        "mlle",
        "gng",
        "bb",
    ]
)
_TITLED_NAME = re.compile(
    r"(?:\b(?:mr|mrs|ms|miss|dr|herr|frau|pán|pani|sayın|bay|bayan|domnule|doamna|doamnă|hr|rouva|señor|señora|"
    r"señorita|sr|sra|srta|monsieur|madame|mademoiselle|mme|mlle|encik|puan|tuan|ginoo|ginang|binibini)\.?"
    r"|\b(?:m|g|gng|bb)\.)\s+[^\W\d_]\w+",
    re.IGNORECASE,
)
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:com|net|org|io|co|in|za|sg|me)(?:/\S*)?", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_PHONE = re.compile(r"(?<!\w)\+?\d[\d\s().-]{6,}\d\b")
_NUMBER = re.compile(r"\d+")
_SIGNATURE = re.compile(r"\^\w{1,4}\b")
_HEBREW = re.compile(r"[\u0590-\u05ff]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")

# Letters that only one supported Latin-script language uses: a cheap, strong hint for short drafts.
# Vietnamese comes first: its letters include ă and ã, which Romanian and Portuguese also write.
_DISTINCT_LETTERS = {
    "vi": "đơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹĐƠƯ",
    "ro": "șțăȘȚŢţ",
    "sk": "ľĺŕťďňĽĹŤĎŇ",  # not ô: French and Portuguese write it too (nôtre, avô)
    "tr": "ğıİĞ",
    "de": "ß",
    "pt": "ãõÃÕ",
    "es": "¿¡",
    "fr": "œŒ",
}
_FINNISH_ENDING = re.compile(r"\w{3,}(?:mme|mma|ssa|ssä|sta|stä|lla|llä|lta|ltä|tta|ttä|ksi|aan|ään)$")


def _sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences (or lines) of `text`, without surrounding blanks."""
    spans: list[tuple[int, int]] = []
    start = 0
    for boundary in _SENTENCE_END.finditer(text):
        before = _LAST_WORD.search(text, 0, boundary.start())
        if before and before.group(0).casefold() in _ABBREVIATIONS and not boundary.group(0).startswith("\n"):
            continue
        spans.append((start, boundary.end()))
        start = boundary.end()
    spans.append((start, len(text)))
    trimmed = []
    for a, b in spans:
        chunk = text[a:b]
        if not chunk.strip():
            continue
        a += len(chunk) - len(chunk.lstrip())
        b -= len(chunk) - len(chunk.rstrip())
        trimmed.append((a, b))
    return trimmed


def _words(text: str) -> list[str]:
    return [m.group(0).casefold() for m in _WORD.finditer(text)]


def _fallback_detect(text: str) -> str | None:
    """Tiny detector: script first, then letters unique to one language, then the most stopword hits."""
    if len(_HEBREW.findall(text)) >= 3:
        return "he"
    if len(_CYRILLIC.findall(text)) >= 3:
        return "ru"
    for code, letters in _DISTINCT_LETTERS.items():
        if any(letter in text for letter in letters):
            return code
    words = _words(text)
    if not words:
        return None
    best, best_hits = None, 0
    for code in SUPPORTED:
        if code in ("he", "ru"):
            continue
        stop = rules_for(code).stopwords
        hits = sum(1 for w in words if w in stop.exact)
        if code == "fi":
            # Finnish has few short function words; its case and person endings are a better signal.
            hits += sum(1 for w in words if _FINNISH_ENDING.search(w))
        if hits > best_hits:
            best, best_hits = code, hits
    return best if best_hits >= 2 or (best_hits == 1 and len(words) <= 4) else None


def detect_draft_language(text: str) -> str | None:
    """ISO 639-1 code of the draft's language, or None when it cannot be told.

    The product's detector decides; the phrase rules' own stopwords and letters decide the short drafts it
    leaves open, since a reply of a few words is still worth checking.
    """
    detected = detect_language(text)
    return detected if detected is not None else _fallback_detect(text)


def _strip_for_copy(text: str, names: Iterable[str]) -> list[str]:
    """Words of a reply with the parts that differ between copies of one template removed."""
    text = _URL.sub(" ", _EMAIL.sub(" ", text))
    text = _SIGNATURE.sub(" ", _NUMBER.sub(" ", text))
    # A short opening clause up to the first comma is a greeting with a name ("Hi Rajan,", "Dear Ms Novak,").
    text = re.sub(r"^\W*[^\W\d][^,.!?\n]{0,30}?,", " ", text.strip(), count=1)
    drop = {w for name in names for w in _words(name)}
    return [w for w in _words(text) if w not in drop]


def _shingles(words: Sequence[str]) -> set[tuple[str, ...]]:
    if len(words) < _SHINGLE:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + _SHINGLE]) for i in range(len(words) - _SHINGLE + 1)}


def near_copy(
    draft: str,
    candidates: Sequence[str],
    *,
    threshold: float = NEAR_COPY_THRESHOLD,
    names: Iterable[str] = (),
) -> tuple[int, float] | None:
    """Index and score of the candidate the draft nearly copies, or None.

    Score: word-trigram Jaccard similarity, or the share of the draft's trigrams found in the candidate
    when the draft is long enough for that to mean something; greetings, names, numbers and links are
    ignored first so that "Hi Ana, ..." and "Hi Tom, ..." copies of one template match.
    """
    names = tuple(names)
    mine = _shingles(_strip_for_copy(draft, names))
    if not mine:
        return None
    best: tuple[int, float] | None = None
    for index, candidate in enumerate(candidates):
        theirs = _shingles(_strip_for_copy(candidate, names))
        if not theirs:
            continue
        shared = len(mine & theirs)
        score = shared / len(mine | theirs)
        if len(mine) >= 5:
            score = max(score, shared / len(mine))
        if score >= threshold and (best is None or score > best[1]):
            best = (index, round(score, 3))
    return best


class _Checker:
    """Runs the rules of one language over one draft (clean-text coordinates until `_add`)."""

    def __init__(self, view: _View, rules: CompiledRules | None, review_text: str | None) -> None:
        self.view = view
        self.text = view.text
        self.rules = rules
        self.review_text = review_text
        self.findings: list[Finding] = []
        self.sentences = _sentences(self.text)

    def add(self, rule: str, start: int, end: int, *, key: str | None = None, **fmt: str) -> None:
        message, suggestion = _MESSAGES[key or rule]
        a, b = self.view.span(start, end)
        self.findings.append(Finding(rule, a, b, message.format(**fmt), suggestion))

    def whole(self) -> tuple[int, int]:
        return (self.sentences[0][0], self.sentences[-1][1]) if self.sentences else (0, len(self.text))

    # -- helpers needing a language ------------------------------------------------------------
    def _matches(self, kind: str, text: str | None = None, offset: int = 0) -> list[tuple[int, int]]:
        assert self.rules is not None
        source = self.text if text is None else text
        spans = [(m.start() + offset, m.end() + offset) for p in self.rules.patterns[kind] for m in p.finditer(source)]
        return _merge(spans)

    def _content(self, text: str) -> list[str]:
        assert self.rules is not None
        out = []
        for word in _words(text):
            bare = self._strip_clitic(word)
            if len(word) < 3 or word.isdigit() or word in self.rules.stopwords or bare in self.rules.stopwords:
                continue
            if word in self.rules.courtesy or bare in self.rules.courtesy:
                continue
            out.append(word)
        return out

    def _strip_clitic(self, word: str) -> str:
        prefixes = self.rules.clitic_prefixes if self.rules else ""
        if prefixes and len(word) > 3 and word[0] in prefixes:
            return word[1:]
        return word

    def _stems(self, words: Iterable[str]) -> set[str]:
        return {self._strip_clitic(w)[:5] for w in words}

    def _sentence_of(self, position: int) -> tuple[int, int]:
        for a, b in self.sentences:
            if a <= position < b:
                return a, b
        return position, position

    def _removed(self, a: int, b: int, kinds: Iterable[str]) -> str:
        """Sentence text with every match of the given pattern kinds blanked out."""
        chars = list(self.text[a:b])
        for kind in kinds:
            for s, e in self._matches(kind, self.text[a:b]):
                chars[s:e] = " " * (e - s)
        return "".join(chars)

    # -- rules ---------------------------------------------------------------------------------
    def run_language_rules(self) -> None:
        assert self.rules is not None
        review_stems = self._stems(self._content(self.review_text)) if self.review_text else set()
        self._apology(review_stems)
        blamed = [(s, e) for s, e in self._matches("blame_shift") if not self._owned(s)]
        for s, e in _merge(blamed + self._matches("deflection")):
            self.add("blame_shift", s, e)
        for rule, kind in (("questions_customer", "questions_customer"), ("asks_review_change", "review_change")):
            for s, e in self._matches(kind):
                self.add(rule, s, e)
        self._promises()
        self._next_step()
        self._filler(review_stems)

    def _owned(self, position: int) -> bool:
        """A failure named inside an apology ("sorry our driver did not come") is ownership, not blame.

        Deflections ("not our fault", "please contact the restaurant") are blame even next to an apology.
        """
        a, b = self._sentence_of(position)
        return bool(self._matches("apology", self.text[a:b]))

    def _apology(self, review_stems: set[str]) -> None:
        apologies = self._matches("apology")
        thanks = self._matches("thanks")
        if not apologies and not thanks:
            return
        blanked = ("apology", "thanks", "filler")
        empty = [len(self._content(self._removed(a, b, blanked))) < _SPECIFIC_WORDS for a, b in self.sentences]
        if all(empty) and not self._has_next_step():
            start, end = self.whole()
            self.add("reflex_apology", start, end, key="apology_only")
            return
        for s, e in apologies:
            a, b = self._sentence_of(s)
            content = self._content(self._removed(a, b, blanked))
            if len(content) >= _SPECIFIC_WORDS or (content and self._stems(content) & review_stems):
                continue
            self.add("reflex_apology", s, e)

    def _has_next_step(self) -> bool:
        if self._matches("next_step"):
            return True
        return any(p.search(self.text) for p in (_EMAIL, _URL, _PHONE))

    def _next_step(self) -> None:
        if not self._has_next_step():
            start, end = self.whole()
            self.add("no_next_step", start, end)

    def _promises(self) -> None:
        for s, e in self._matches("promise"):
            a, b = self._sentence_of(s)
            if self._matches("qualifier", self.text[a:b]):
                continue
            self.add("unconfirmed_promise", s, e)

    def _filler(self, review_stems: set[str]) -> None:
        fillers = self._matches("filler")
        rest = self._content(self._removed(0, len(self.text), ("filler", "apology", "thanks")))
        if self.review_text is not None and review_stems:
            addressed = bool(self._stems(rest) & review_stems)
            if addressed:
                return
            for s, e in fillers:
                self.add("generic_filler", s, e)
            # Only short drafts: a long one that shares no word with the review is usually just worded differently.
            if not fillers and len(review_stems) >= 5 and 3 <= len(rest) <= _OFF_TOPIC_MAX_WORDS:
                start, end = self.whole()
                self.add("generic_filler", start, end, key="off_topic")
            return
        # Without the review, filler is a problem when it is most of what the draft says.
        if len(rest) <= _FILLER_ALONE_WORDS:
            for s, e in fillers:
                self.add("generic_filler", s, e)

    # -- language-independent rules ------------------------------------------------------------
    def template_copy(self, known: Sequence[str], recent: Sequence[str], names: Iterable[str]) -> None:
        for texts, what in ((known, "known template #{}"), (recent, "your recent reply #{}")):
            hit = near_copy(self.text, texts, names=names)
            if hit is not None:
                start, end = self.whole()
                label = what.format(hit[0] + 1) + f" (similarity {hit[1]:.0%})"
                self.add("template_copy", start, end, what=label)
                return

    def missing_name(self, name: str) -> None:
        parts = [p for p in _words(name) if len(p) >= 2 and not p.isdigit()]
        if not parts:
            return
        words = {fold(w) for w in _words(self.text)}
        words |= {fold(w[1:]) for w in words if len(w) > 3 and self.rules and w[0] in self.rules.clitic_prefixes}
        for part in map(fold, parts):
            if any(_same_name(part, w) for w in words):
                return
        # A handle such as "jolenetan88" is addressed as "Jolene"; a title and surname ("Dear Ms Smuts") names
        # the customer even when the site shows only a first name.
        handle = fold(parts[0]) if len(parts) == 1 else ""
        if handle and any(len(w) >= 4 and handle.startswith(w) for w in words):
            return
        if _TITLED_NAME.search(self.text):
            return
        a, b = self.sentences[0] if self.sentences else (0, len(self.text))
        self.add("missing_name", a, b, name=name.strip())


def _same_name(name: str, word: str) -> bool:
    """A word is the name, or the name with a case ending (Finnish "Annalle", Slovak "Jane", Turkish "Ali'ye")."""
    if word == name:
        return True
    if len(name) >= 3 and word.startswith(name) and len(word) - len(name) <= 4:
        return True
    return len(name) >= 4 and word.startswith(name[:-1]) and len(word) - len(name) <= 3


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with overlapping ones joined, so one phrase yields one finding."""
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def check_reply(
    text: str,
    *,
    name: str | None = None,
    language: str = "auto",
    review_text: str | None = None,
    known_templates: Sequence[str] = (),
    recent_replies: Sequence[str] = (),
) -> CheckResult:
    """Check a reply draft; `language` is an ISO 639-1 code or "auto" to detect it from the draft."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("the draft is empty")
    if len(text) > MAX_DRAFT_CHARS:
        raise ValueError(f"the draft is {len(text):,} characters; the limit is {MAX_DRAFT_CHARS:,}")
    view = _View(text)
    notes: list[str] = []
    code = detect_draft_language(view.text) if language == "auto" else language_code(language)
    if language == "auto" and code is None:
        notes.append("Could not tell the draft's language; only the template and name checks were run.")
    elif code is not None and code not in SUPPORTED:
        notes.append(
            f"No phrase rules for language '{code}' (supported: {', '.join(SUPPORTED)}); "
            "only the template and name checks were run."
        )
    rules = rules_for(code) if code in SUPPORTED else None
    checker = _Checker(view, rules, review_text if review_text and review_text.strip() else None)
    names = (name,) if name else ()
    checker.template_copy(known_templates, recent_replies, names)
    if name and name.strip():
        checker.missing_name(name)
    if rules is not None:
        checker.run_language_rules()
    findings = sorted(checker.findings, key=lambda f: (f.start, f.end, RULE_IDS.index(f.rule)))
    return CheckResult(language=code, findings=findings, notes=notes)
