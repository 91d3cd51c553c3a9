"""Making stranger-written text safe to store and to print: no control characters, no runaway bidi overrides.

One rule for every place text goes: the store cleans what a site sent once, before it is written (PostgreSQL refuses
a NUL byte in text, SQLite would keep it), and every output applies the same rule again, so text from an older
database, an error message or a URL is just as safe in a terminal, a JSON line or an e-mail. On top of it, text that
must stay on one line (`single_line`: names, headers, chat lines) or goes to a terminal (`terminal_text`) gets what
that place needs, and links are only followed when they are http(s) (`safe_url`).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

__all__ = ["clean_text", "name_problem", "printable", "safe_url", "single_line", "terminal_text"]

# C0 controls except tab and newline, DEL, and C1 controls: NUL breaks PostgreSQL text, ESC sequences can retitle,
# clear or recolour a terminal, and some e-mail clients show the rest as garbage.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# Explicit bidi formatting: embeddings and overrides (LRE, RLE, LRO, RLO) end with PDF, isolates (LRI, RLI, FSI)
# with PDI. Left open, an override reverses whatever is printed after the text (a name, a rating, a link).
# The implicit marks (LRM, RLM, ALM) act on neighbouring letters only and stay.
_EMBEDDINGS = "\u202a\u202b\u202d\u202e"
_PDF = "\u202c"
_ISOLATES = "\u2066\u2067\u2068"
_PDI = "\u2069"
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Half of a UTF-16 surrogate pair is not a character: no UTF-8 encoder writes it, so one in a review would make the
# database (and every UTF-8 output) refuse the whole batch. JSON pages can hold one (`"\ud83d"` alone).
_SURROGATES = re.compile("[\ud800-\udfff]")
# Line and paragraph separators end a line in JavaScript before 2019, Python's splitlines() and some terminals:
# printed as they are, they would split a one-line JSON record or a table row.
_LINE_SEPARATORS = str.maketrans({"\u2028": "\n", "\u2029": "\n"})


def _balance_bidi(text: str) -> str:
    """`text` with every bidi embedding, override and isolate closed, and closers without an opener dropped."""
    if not _BIDI.search(text):
        return text
    parts: list[str] = []
    stack: list[str] = []  # the closer each open control needs, innermost last
    for char in text:
        if char in _EMBEDDINGS:
            stack.append(_PDF)
        elif char in _ISOLATES:
            stack.append(_PDI)
        elif char == _PDF:
            # A PDF only closes an embedding opened inside the current isolate; otherwise it is ignored by
            # renderers anyway, and dropping it keeps the text balanced.
            if not stack or stack[-1] != _PDF:
                continue
            stack.pop()
        elif char == _PDI:
            if _PDI not in stack:
                continue
            # A PDI also ends the embeddings opened inside its isolate: close them explicitly first.
            while stack[-1] != _PDI:
                parts.append(stack.pop())
            stack.pop()
        parts.append(char)
    parts.extend(reversed(stack))
    return "".join(parts)


def _whole_characters(text: str) -> str:
    """`text` with surrogate halves that belong together joined, and every lone half replaced by U+FFFD."""
    if not _SURROGATES.search(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def clean_text(text: str) -> str:
    """`text` without control characters or lone surrogates (tab and newline are kept), its bidi controls balanced."""
    return _balance_bidi(_CONTROLS.sub("", _whole_characters(text)))


def printable(text: str) -> str:
    """`text` made safe for a terminal, a JSON line or an e-mail: `clean_text`, and line separators as newlines."""
    return clean_text(text.translate(_LINE_SEPARATORS))


def single_line(text: str, limit: int | None = None) -> str:
    """`text` printable on one line: each run of white space one space, cut to `limit` characters with `…`."""
    value = " ".join(printable(text).split())
    if limit is not None and len(value) > limit:
        # Cleaned again after the cut: the cut may drop the closer of a bidi override opened before it.
        value = printable(value[: limit - 1]) + "…"
    return value


def terminal_text(text: str) -> str:
    """`text` for a terminal: printable and without explicit bidi controls, whose balance a terminal cannot keep."""
    # A terminal breaks long lines and table cells where it likes, and renders each line on its own: an override
    # closed further on in the text is still open at the end of its printed line, reversing the cells after it.
    # Right-to-left letters keep their direction without the controls.
    return _BIDI.sub("", printable(text))


def safe_url(url: str | None) -> str | None:
    """`url` printable when it is an http(s) link, else None: stored links come from strangers (`javascript:`)."""
    if not url:
        return None
    try:
        # urlsplit drops leading spaces and control characters and tabs or newlines inside the scheme, as browsers
        # do, so ` JaVa\nScript:` is judged by the scheme a browser would see.
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return printable(url) if scheme in ("http", "https") else None


_NAME_LIMIT = 200


def name_problem(name: str) -> str | None:
    """What is wrong with a name people give a company (configuration, `import --company`), or None.

    Such a name goes into every heading, e-mail subject and file of the company: a line break, a control character
    or a bidi override in it would be cleaned differently by each output, so it is refused where it is given.
    """
    if not name.strip():
        return "must not be empty"
    if name != name.strip():
        return "must not start or end with spaces"
    if _CONTROLS.search(name) or "\n" in name or "\t" in name or "\u2028" in name or "\u2029" in name:
        return "must be one line without control characters"
    if _BIDI.search(name):
        return "must not hold bidi embedding, override or isolate controls (U+202A-U+202E, U+2066-U+2069)"
    if len(name) > _NAME_LIMIT:
        return f"must be at most {_NAME_LIMIT} characters, got {len(name)}"
    return None
