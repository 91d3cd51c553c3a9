"""Reduce a company reply to the words of its message, with the variable slots (names, numbers, ...) set aside.

Two replies that are the same canned message addressed to different people, quoting different ticket
numbers or signed by different agents normalise to the same token list. The slots are returned as spans
of the cleaned text, so a template's skeleton can show them as ``{name}``, ``{reference}`` and so on.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from dataclasses import dataclass

from monitor.core.encoding_repair import repair_encoding
from responders.template_replies.words import word_list, word_set

__all__ = ["SLOT_KINDS", "NormalisedReply", "SlotSpan", "clean_reply_text", "normalise_key", "normalise_reply"]

# Slots that stand inside the message become a placeholder token (`{url}`); the greeting, the name and
# the sign-off frame the message and are dropped from the tokens, so "Hey," and "Hi Rajan," match.
INLINE_SLOTS = ("url", "email", "phone", "date", "amount", "reference", "number")
FRAME_SLOTS = ("greeting", "name", "sign_off", "agent")
SLOT_KINDS = INLINE_SLOTS + FRAME_SLOTS


@dataclass(frozen=True, slots=True)
class SlotSpan:
    """A variable part of a reply: its kind and where it stands in the cleaned text."""

    kind: str
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class NormalisedReply:
    """A reply's cleaned display text, its normalised tokens and the slots found in it."""

    text: str
    tokens: tuple[str, ...]
    slots: tuple[SlotSpan, ...]
    # (start, end) of each token in `text`; filled only when asked for (skeletons need it, clustering not).
    token_spans: tuple[tuple[int, int], ...] = ()

    @property
    def key(self) -> str:
        """The normalised text as one string: equal keys mean the same message."""
        return " ".join(self.tokens)


_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9]*)[^>]*>|<!--.*?-->", re.S)
_BLOCK = frozenset(
    {"br", "p", "div", "li", "ul", "ol", "tr", "td", "th", "table", "h1", "h2", "h3", "h4", "h5", "h6", "hr"}
    | {"blockquote", "pre", "figure", "figcaption", "section", "article", "header", "footer"}
)
# Fast path of the same tag rules without a Python call per tag: block tags become a newline in one pass,
# every other tag is dropped in a second. Tag names are matched letter by letter ([bB][rR]) because a
# case-insensitive pattern would also accept non-ASCII look-alikes that the tag pattern above does not.
_BLOCK_TAG = re.compile(
    r"<\s*/?\s*(?:"
    + "|".join("".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in name) for name in sorted(_BLOCK))
    + r")(?![a-zA-Z0-9])[^>]*>"
)
_ANY_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*[^>]*>")
_ENTITY = re.compile(r"&(?:[a-zA-Z]{2,8}|#[0-9]{2,6}|#[xX][0-9a-fA-F]{2,5});")
# The two passes agree with the one-pass rules unless a comment is present or a tag contains another "<".
_TAG_WITH_LT = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*[^<>]*<")
# Runs of spacing that are not already a single plain space (a lone " " needs no replacement). The zero-width
# space, word joiner and byte order mark (zero-width no-break space) are spacing too: editors put them between
# words and elements (HelloPeter's "…KB\ufeff</span>That"), where they separate words.
_SPACING = r"\t\f\v\u00a0\u2000-\u200b\u202f\u205f\u2060\u3000\ufeff"
_SPACE_RUN = re.compile(rf"[ {_SPACING}]{{2,}}|[{_SPACING}]")
_MANY_NEWLINES = re.compile(r"\s*\n\s*")
# A soft hyphen only marks where a word may break: dropped, so "sor\u00adry" reads "sorry". Joiners that shape
# scripts and emoji (U+200C, U+200D) and direction marks stay: they belong to the text.
_SOFT_HYPHEN = "\u00ad"


def _decoded_byte(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:  # the five bytes Windows-1252 leaves undefined read as their Latin-1 characters
        return chr(byte)


# Mojibake is UTF-8 read as Windows-1252 or Latin-1: each multi-byte sequence shows as its lead byte ("Â" to "ô")
# followed by the character of a continuation byte (0x80-0xBF), as in "Weâ€™re" and "ðŸ™‚". Only such text goes
# through `repair_encoding`, as export cells do: encoding damage is undone, while quotes, ligatures and
# full-width characters stay as written, so a repaired reply reads exactly like an undamaged one.
_MOJIBAKE_HINT = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf" + re.escape("".join(_decoded_byte(byte) for byte in range(0x80, 0xC0))) + "]"
)


def _tag_replacement(match: re.Match[str]) -> str:
    name = (match.group(2) or "").lower()
    return "\n" if name in _BLOCK else ""


def _strip_tags(text: str) -> str:
    if "<" in text:
        if "<!--" in text or _TAG_WITH_LT.search(text):
            return _TAG.sub(_tag_replacement, text)
        return _ANY_TAG.sub("", _BLOCK_TAG.sub("\n", text))
    return text


def _strip_html(text: str) -> str:
    text = html.unescape(_strip_tags(text))
    # Text escaped twice or more ("&amp;nbsp;", "&amp;amp;#39;", "&lt;br&gt;") still holds an entity or a tag.
    for _ in range(3):
        if not (("&" in text and _ENTITY.search(text)) or ("<" in text and _ANY_TAG.search(text))):
            break
        text = html.unescape(_strip_tags(text))
    return text


# A cell that holds a whole record instead of its text: a Python dict's repr ("{'id': 1, 'body': 'Hi…',
# 'modified': …}", the App Store export's developerResponse cell) or a JSON object. The reply is its text field,
# taken in this order of preference; its string literal is decoded below like any escaped text.
_RECORD_FIELDS = ("body", "reply", "replyContent", "response", "message", "text", "content")
_RECORD_STRING = r"""u?('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""  # a quoted literal, escapes kept (group 3)
_RECORD_FIELD = re.compile(
    r"""[{,]\s*u?(['"])(""" + "|".join(_RECORD_FIELDS) + rf""")\1\s*:\s*{_RECORD_STRING}(?=\s*[,}}])""", re.S
)


def _record_text(text: str) -> str | None:
    """The escaped text field of a record written as a dict or JSON object, or None when `text` is no record."""
    if not (text.startswith("{") and text.endswith("}")):
        return None
    for candidate in (text, text.replace("\\\\", "\\")):  # a record escaped twice writes "It\\'s" for "It\'s"
        fields = {match.group(2): match.group(3)[1:-1] for match in _RECORD_FIELD.finditer(candidate)}
        for name in _RECORD_FIELDS:
            if name in fields:
                return fields[name]
        if "\\\\" not in text:
            break
    return None


# Escape sequences an export left in the text it escaped (JSON, a Python repr): "Hi,\r\nThanks", "we\u2019re",
# "It\'s", "\xa0". An escaped backslash ("\\") is one backslash.
_ESCAPE = re.compile(r"\\\\|\\r\\n|\\[nrt]|\\u[0-9a-fA-F]{4}|\\U[0-9a-fA-F]{8}|\\x[0-9a-fA-F]{2}|\\['\"/]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED = {"\\r\\n": "\n", "\\n": "\n", "\\r": "\n", "\\t": " "}


# A URL ("https://…", "www.…", "m.me/Grab"). It never holds a backslash (browsers read one as "/"), so a
# backslash after a URL is an escape that ends it ("https://help.example.com/x\nThanks").
_URL_TEXT = (
    r"(?:https?://|www\.)[^\s<>\"')\]\\]+"
    r"|\b(?:[a-zA-Z0-9-]+\.)+(?i:com|net|org|io|co|me|ly|gl)/[^\s<>\"')\]\\]*"
)
# An escaped line break or tab before a lower-case letter may be text ("C:\new folder", "extension\renewal",
# "2 \times 3"), except right after sentence punctuation or a URL, where no path or word pair stands: there it is
# a line break ("Hi John,\nplease", "m.me/Grab\nso that"). The URL (group 1) is kept.
_LONE_AFTER = rf"(?:(?<=[,.!?;)\]\"'’”])|(?<=[^\W\d_]{{2}}:)|((?i:{_URL_TEXT})))"


def _escaper_marks(lone: bool) -> re.Pattern[str]:
    """Escapes that only an escaper writes: a line break or tab before anything but a lower-case letter, "\\r\\n",
    "\\u2019", "\\U0001f64f", "\\xa0" (a character no one types as \\x), an escaped quote or slash; with `lone`, also
    a line break before a lower-case letter right after sentence punctuation or a URL."""
    escaping = r"(?<!\\)(?:\\\\)*\\"  # a backslash that is not itself escaped (an odd run)
    marks = (
        rf"{escaping}(?:r\\n|[nrt](?![a-z])|u[0-9a-fA-F]{{4}}|U[0-9a-fA-F]{{8}}"
        rf"|x(?:[01][0-9a-fA-F]|7[fF]|[89a-fA-F][0-9a-fA-F])|[\"'/])"
    )
    return re.compile(marks + (rf"|{_LONE_AFTER}{escaping}[nrt](?=[a-z])" if lone else ""))


_ESCAPER_MARKS = _escaper_marks(lone=False)
_ESCAPER_MARKS_OR_LONE = _escaper_marks(lone=True)
# In a text without an escaper's marks: a doubled backslash inside a word or path ("recording\\verbal", not a
# network path "\\server"), and a line break where nothing else can stand.
_LONE_ESCAPE = re.compile(rf"(?<=[^\s\"'(])\\\\|{_LONE_AFTER}\\[nrt](?=[a-z])")
# The part of a Windows path before one of its backslashes, when the path starts with a drive or a variable
# ("C:\new folder", "%APPDATA%\temp"): a backslash there is the path's own, even in an escaped text.
_PATH_BEFORE = re.compile(r"(?:^|(?<=[\s(\"'])|(?<=\\[nrt]))(?:[A-Za-z]:|%\w+%)(?:\\[^\s\\]*)*\Z")


def _in_path(text: str, start: int, end: int) -> bool:
    """Whether the escape-like `text[start:end]` ("\\new", "\\x86") stands inside a Windows path ("C:\\new")."""
    if end - start == 2 and not (end < len(text) and "a" <= text[end] <= "z"):
        return False  # a path's name goes on with a letter; "Plan C:\\nPlease" is a line break
    window = max(0, start - 200)
    if text.find(":", window, start) < 0 and text.find("%", window, start) < 0:
        return False
    return _PATH_BEFORE.search(text, window, start) is not None


def _unescape(match: re.Match[str]) -> str:
    escape = match.group()
    if escape == "\\\\":
        return "\\"
    kind = escape[1]
    if kind in "'\"/":
        return kind
    text, start = match.string, match.start()
    if kind in "nrtx" and escape != "\\r\\n" and _in_path(text, start, match.end()):
        return escape
    if kind in "nrt":
        return _ESCAPED[escape]
    code = int(escape[2:], 16)
    if (kind == "x" and 0x20 <= code < 0x7F) or code > 0x10FFFF:
        return escape  # "\x41": no escaper writes a printable ASCII character this way, so it is text
    return chr(code)


def _lone_unescape(match: re.Match[str]) -> str:
    escape = match.group()
    if escape == "\\\\":
        return "\\"
    return (match.group(1) or "") + _ESCAPED[escape[-2:]]


def _decode_escapes(text: str, escaped: bool = False) -> str:
    """`text` with the escape sequences an export left in it decoded, decided from the whole text.

    A text escaped twice or more ("\\\\r\\\\n", "\\\\\\"") is decoded down to the deepest level that still holds an
    escaper's marks. A text that holds them anywhere (see `_escaper_marks`), or is known to be `escaped`, has every
    escape decoded, a line break before a lower-case word ("extension\\renewal") too, except inside a Windows
    path. A text without them keeps its backslashes, except a doubled one and a line break after sentence
    punctuation or a URL.
    """
    level = text
    for _ in range(3):
        if "\\\\" not in level:
            break
        level = _ESCAPE.sub(_unescape, level)
        if _ESCAPER_MARKS_OR_LONE.search(level):  # what an escaped backslash became is an escape itself
            text, escaped = level, True
    if not escaped and not _ESCAPER_MARKS.search(text):
        return _LONE_ESCAPE.sub(_lone_unescape, text)
    text = _ESCAPE.sub(_unescape, text)
    if _SURROGATE.search(text):  # "\ud83d\ude4f": an emoji escaped as two UTF-16 halves
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def clean_reply_text(text: str) -> str:
    """Display text of a reply: escapes, HTML and mojibake repaired, invisible characters dropped, spacing collapsed."""
    if text[:1] == "{" or (text[:1].isspace() and text.lstrip()[:1] == "{"):
        record = _record_text(text.strip())
        if record is not None:  # a string literal: every backslash in it is an escape
            return _clean_text(_decode_escapes(record, escaped=True) if "\\" in record else record)
    return _clean_text(_decode_escapes(text) if "\\" in text else text)


def _clean_text(text: str) -> str:
    """The text (escapes decoded) with HTML and mojibake repaired, invisible characters dropped, spacing collapsed."""
    if "<" in text or "&" in text:
        text = _strip_html(text)
    if not text.isascii():  # mojibake and invisible characters are never ASCII
        if _MOJIBAKE_HINT.search(text):
            text = repair_encoding(text)
        if _SOFT_HYPHEN in text:
            text = text.replace(_SOFT_HYPHEN, "")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SPACE_RUN.sub(" ", text)
    if "\n" in text:
        text = _MANY_NEWLINES.sub("\n", text)
    return text.strip()


# Inline slots: each pattern finds one kind of variable part inside the message.
_URL = re.compile(_URL_TEXT, re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d ().-]{7,}\d(?!\w)")
_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DATE = re.compile(
    r"\b\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?\b"
    r"|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\.?\s+(?:{_MONTHS})\.?(?:,?\s+\d{{4}})?\b"
    rf"|\b(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b"
    r"|\b\d{1,2}:\d{2}(?:\s?[ap]\.?m\.?)?\b",
    re.I,
)
_AMOUNT = re.compile(
    r"(?:[$€£¥₹₽₪₺]|\b(?:USD|EUR|GBP|ZAR|SGD|S\$|INR|RON|TRY|RUB|ILS|R)\s?)\d(?:[\d,.' ]*\d)?"
    r"|\b\d[\d,.]*\s?(?:[€₽₪₺$£]|(?:USD|EUR|GBP|ZAR|SGD|INR|RON|TRY|RUB|ILS|lei|kr|Kč|zł|руб\.?)\b)",
    re.I,
)
_REFERENCE = re.compile(
    r"(?:#\s?[A-Z0-9][A-Z0-9-]{2,}"
    r"|\b(?!\d+(?:st|nd|rd|th)\b)(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9]{2,}(?:-[A-Z0-9]+)*[A-Z0-9]\b"
    r"|\b\d{5,}\b)",
    re.I,
)
_DIGIT = re.compile(r"\d")
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)*\b")
_INLINE_PATTERNS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    # (kind, pattern, what must be in the text for the pattern to be worth running: "/", "@" or a digit)
    ("url", _URL, "/"),
    ("email", _EMAIL, "@"),
    ("date", _DATE, "digit"),
    ("phone", _PHONE, "digit"),
    ("amount", _AMOUNT, "digit"),
    ("reference", _REFERENCE, "digit"),
    ("number", _NUMBER, "digit"),
)

# Greetings, longest first so that "hallo liebe" wins over "hallo" (sorting keeps the file's order of ties).
_GREETING_WORDS = sorted(word_list("greetings"), key=len, reverse=True)
_HONORIFICS = "(?:" + "|".join(re.escape(title) for title in word_list("honorifics")) + r")\.?"
_GREETING = re.compile(
    r"^(?P<greet>(?:" + "|".join(re.escape(w) for w in _GREETING_WORDS) + r"))(?![\w])"
    r"(?P<sep>[ ,،!:;.\-–]*)"
    r"(?:(?P<name>(?:" + _HONORIFICS + r"\s+)?[^\W\d_][\w'’.-]*(?:[ ][^\W\d_][\w'’.-]*){0,3})"
    r"(?P<after>\s*(?:[,،!:;.\n]|$)))?",
    re.I,
)
# Words that follow a greeting but start the message, not a name ("Hi, we'd love to help").
_NOT_NAMES = word_set("not_names")
_GENERIC_ADDRESSEES = word_set("generic_addressees")

_AGENT = re.compile(r"(?:^|[\s.!?])(?P<agent>[\^~]{1,2}\s?[A-Za-z]{1,4}\d{0,3}|-\s?[A-Z]{2,3})\s*$")
# A closing and what follows it on its line (a name, a team), longest closing first.
_SIGN_OFF = re.compile(
    r"(?:^|(?<=[.!?\n])|(?<=[.!?] ))\s*(?P<sign>(?:"
    + "|".join(re.escape(c) for c in sorted(word_list("sign_offs"), key=len, reverse=True))
    + r")(?![\w])[ ,.!:\-–—\n]*(?:[^\n.!?]{0,40})?[.!]?)\s*$",
    re.I,
)
# "- The Grab Team" or a last line "Dunzo Team": only after a dash or on its own line, so that a closing
# sentence such as "Please contact our team." stays part of the message.
_TRAILING_TEAM = re.compile(r"(?:(?<=\n)|[-–—~]\s*)(?P<sign>(?:the\s+)?(?:[\w&']+\s+){1,2}team\s*[.!]?)\s*$", re.I)

# Letters and digits plus the combining marks that live inside words (Arabic and Hebrew vowel marks,
# Devanagari vowel signs), so those words are not split apart.
_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
    "\u0900-\u0903\u093a-\u094f\u0951-\u0957\u0962\u0963"
)
_WORD = re.compile(rf"[^\W_][{_MARKS}]*(?:(?:[^\W_]|['’](?=[^\W_]))[{_MARKS}]*)*")
_APOSTROPHES = str.maketrans("", "", "'’")


# Cheap exact pre-checks: a pattern is only run when the text holds something it cannot match without.
_AGENT_CHARS = frozenset("^~-")
_AGENT_MAX = 16  # an agent mark and the character before it are at most 11 characters long
_URL_HINT = re.compile(r"://|www\.|\.(?:com|net|org|io|co|me|ly|gl)/", re.I)
_SIGN_OFF_WINDOW = 80

Span = tuple[int, int]


def _frame(text: str) -> tuple[int, int, Span | None, Span | None, Span | None, Span | None]:
    """Body bounds and the (start, end) of the greeting, name, agent initials and sign-off, when present."""
    body_start, body_end = 0, len(text)
    greeting = name_span = agent_span = sign_span = None
    match = _GREETING.match(text)
    if match:
        greet_end = match.end("greet")
        greeting = (0, greet_end)
        body_start = greet_end
        name = match.group("name")
        # After a comma ("Здравствуйте, Иван!", "Dobrý deň, ďakujeme ...") only a capitalised word is a name;
        # scripts without case (Hebrew, Arabic) are neither upper nor lower and pass.
        if name and "," in match.group("sep") and name[0].islower():
            name = None
        if name and name.split()[0].casefold() not in _NOT_NAMES:
            if name.split()[0].casefold() not in _GENERIC_ADDRESSEES:
                name_span = match.span("name")
            body_start = match.end("name")
        elif not match.group("name"):
            # No punctuation after the name ("Hello John thank you ..."): take capitalised words only.
            position = match.end("sep")
            words = list(_WORD.finditer(text, position, min(len(text), position + 60)))[:2]
            name_end = 0
            if words and words[0].start() == position and words[0].group().casefold() in _GENERIC_ADDRESSEES:
                body_start = words[0].end()  # "hi there that's ..." : an addressee, not a name
                words = []
            for word in words:
                if word.start() != position or not word.group()[0].isupper():
                    break
                if word.group().casefold() in _NOT_NAMES:
                    break
                name_end = position = word.end()
                position += 1 if text[position : position + 1] == " " else 0
            if name_end:
                name_span = (match.end("sep"), name_end)
                body_start = name_end
    # The text is stripped, so agent initials end the text: only its last characters can hold them.
    if body_start < body_end and not _AGENT_CHARS.isdisjoint(text[-_AGENT_MAX:]):
        tail = text[body_start:]
        agent = _AGENT.search(tail, max(0, len(tail) - _AGENT_MAX))
        if agent:
            agent_span = (body_start + agent.start("agent"), body_start + agent.end("agent"))
            body_end = agent_span[0]
    window_start = max(body_start, body_end - _SIGN_OFF_WINDOW)
    sign = _SIGN_OFF.search(text, window_start, body_end)
    if not (sign and sign.start("sign") > body_start) and "team" in text[window_start:body_end].lower():
        sign = _TRAILING_TEAM.search(text, window_start, body_end)
    if sign and sign.start("sign") > body_start:
        sign_span = sign.span("sign")
        body_end = sign.start("sign")
    return body_start, body_end, greeting, name_span, agent_span, sign_span


def _frame_slots(text: str) -> tuple[list[SlotSpan], int, int]:
    """Greeting/name at the start and sign-off/agent initials at the end; returns them and the body bounds."""
    body_start, body_end, greeting, name, agent, sign = _frame(text)
    slots = [
        SlotSpan(kind, text[span[0] : span[1]], span[0], span[1])
        for kind, span in (("greeting", greeting), ("name", name), ("agent", agent))
        if span is not None
    ]
    if sign is not None:  # the shown text leaves out the line break or spaces the sign-off's match ends with
        slots.append(SlotSpan("sign_off", text[sign[0] : sign[1]].rstrip(), sign[0], sign[1]))
    return slots, body_start, body_end


# Characters that `_REFERENCE`'s letter-digit codes are made of (case-insensitive [A-Z0-9-], which also
# accepts a few non-ASCII letters).
_CODE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-\u0130\u0131\u017f\u212a")


def _scan_start(kind: str, body: str, first_digit: int) -> int:
    """Where a digit pattern's scan may start: no match can begin before the body's first digit minus
    what the pattern allows in front of a digit (so skipping that stretch changes no result)."""
    if kind == "date":  # "March 5": a month name (at most 9 letters and a dot), spaces, then the digit
        start = first_digit
        while start and body[start - 1].isspace():
            start -= 1
        return max(0, start - 10)
    if kind == "phone":  # "+(0..."
        return max(0, first_digit - 2)
    if kind == "amount":  # "USD 5", "S$5", "€5"
        return max(0, first_digit - 4)
    if kind == "reference":
        if "#" in body:
            return 0  # "#ABC" needs no digit
        start = first_digit  # a code such as "AB12" begins with the letters before its digits
        while start and body[start - 1] in _CODE_CHARS:
            start -= 1
        return start
    return first_digit  # numbers begin with a digit


def _inline_spans(body: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of the inline slots of a message body, in order of position."""
    digit = _DIGIT.search(body)
    found: list[tuple[int, int, str]] = []
    taken: bytearray | None = None  # 1 where an earlier (more specific) slot already claimed the character
    for kind, pattern, needs in _INLINE_PATTERNS:
        start = 0
        if needs == "digit":
            if digit is None:
                continue
            start = _scan_start(kind, body, digit.start())
        elif needs not in body and not (kind == "url" and "www." in body):
            continue
        elif kind == "url" and not _URL_HINT.search(body):
            continue  # every URL has "://", "www." or ".com/"-like text; most texts with a "/" have none
        for match in pattern.finditer(body, start):
            a, b = match.span()
            if b == a:
                continue
            if taken is None:
                taken = bytearray(len(body))
            elif any(taken[a:b]):
                continue
            taken[a:b] = b"\x01" * (b - a)
            found.append((a, b, kind))
    found.sort()
    return found


def _inline_slots(text: str, start: int, end: int) -> list[SlotSpan]:
    return [
        SlotSpan(kind, text[start + a : start + b], start + a, start + b)
        for a, b, kind in _inline_spans(text[start:end])
    ]


# In ASCII text a word is a run of letters and digits; anything else separates words.
_ASCII_SEPARATORS = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalnum()})


# Unicode gives a non-zero combining class only to marks of the first two planes (the last, U+1E94A, is Adlam);
# the planes above hold ideographs, tags, variation selectors and private use, all of class 0. Scanning the first
# two planes instead of all seventeen takes a process's first fold of accented text from 149 ms to 21 ms on a slow
# two-core machine; a test scans every plane, so a Unicode version that ever puts a mark higher up is noticed.
MARK_PLANES_END = 0x20000


@functools.cache
def _combining_marks() -> re.Pattern[str]:
    """Every character with a non-zero combining class (accents, vowel marks), as one character class."""
    ranges: list[str] = []
    first = last = -2
    for code in range(MARK_PLANES_END):
        if unicodedata.combining(chr(code)):
            if code != last + 1:
                if first >= 0:
                    ranges.append(f"{re.escape(chr(first))}-{re.escape(chr(last))}")
                first = code
            last = code
    ranges.append(f"{re.escape(chr(first))}-{re.escape(chr(last))}")
    return re.compile("[" + "".join(ranges) + "]+")


def _fold_segment(segment: str) -> list[str]:
    """Folded words of a stretch of text (one casefold per stretch is much faster than one per word)."""
    segment = segment.casefold().translate(_APOSTROPHES)
    if not segment.isascii():
        segment = _combining_marks().sub("", unicodedata.normalize("NFKD", segment))
        if not segment.isascii():
            return _WORD.findall(segment)
    return segment.translate(_ASCII_SEPARATORS).split()


def _body_key(body: str) -> str:
    """Normalised text of a message body (the reply without its greeting, name and sign-off)."""
    tokens: list[str] = []
    position = 0
    for start, end, kind in _inline_spans(body):
        tokens.extend(_fold_segment(body[position:start]))
        tokens.append("{" + kind + "}")
        position = end
    tokens.extend(_fold_segment(body[position:]))
    return " ".join(tokens)


# Body -> key for bodies met before: template replies repeat their body under many greetings and names.
# Bounded per process; cleared when full so memory stays flat on inputs of unique texts.
_BODY_KEYS: dict[str, str] = {}
_BODY_KEYS_MAX = 50_000


def normalise_key(text: str) -> str:
    """The normalised text of one reply, as `normalise_reply(text).key`, without building slot objects."""
    clean = clean_reply_text(text)
    body_start, body_end = _frame(clean)[:2]
    body = clean[body_start:body_end]
    key = _BODY_KEYS.get(body)
    if key is None:
        key = _body_key(body)
        if len(_BODY_KEYS) >= _BODY_KEYS_MAX:
            _BODY_KEYS.clear()
        _BODY_KEYS[body] = key
    return key


def normalise_reply(text: str, *, spans: bool = False) -> NormalisedReply:
    """Normalise one reply: HTML, case, punctuation and emoji dropped; greeting, name, sign-off and numbers as slots.

    `spans=True` also records where each token stands in the cleaned text (used to render skeletons).
    """
    clean = clean_reply_text(text)
    frame, body_start, body_end = _frame_slots(clean)
    inline = _inline_slots(clean, body_start, body_end)
    tokens: list[str] = []
    token_spans: list[tuple[int, int]] = []
    position = body_start
    for slot in [*inline, None]:
        segment_end = slot.start if slot else body_end
        if spans:
            for match in _WORD.finditer(clean, position, segment_end):
                folded = _fold_segment(match.group())
                tokens.extend(folded)
                token_spans.extend([match.span()] * len(folded))
        else:
            tokens.extend(_fold_segment(clean[position:segment_end]))
        if slot:
            tokens.append("{" + slot.kind + "}")
            if spans:
                token_spans.append((slot.start, slot.end))
            position = slot.end
    slots = tuple(sorted(frame + inline, key=lambda slot: slot.start))
    return NormalisedReply(clean, tuple(tokens), slots, tuple(token_spans))
