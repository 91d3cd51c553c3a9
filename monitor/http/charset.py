"""Which character encoding a fetched body is in, by the precedence browsers use.

A byte order mark decides first, then the `charset` of the answer's Content-Type, and only then what the document
says about itself (an HTML `<meta charset>` or an XML declaration, which the parsers read). Left to guess, a parser
given bytes looks at the document's own claim (or at byte statistics) and ignores the header: a Greek page served
as `charset=iso-8859-7` without a meta tag was read as Western European, every review garbled.
"""

from __future__ import annotations

import codecs
from collections.abc import Mapping

__all__ = ["declared_charset"]

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Labels that browsers (WHATWG Encoding) read as another, wider encoding than Python's codec of the same name.
_AS_BROWSERS_READ = {"iso8859-1": "cp1252", "ascii": "cp1252"}
# Python codecs that are no character set of the web: a page naming one would have its text rewritten (escapes
# turned into characters, IDNA labels decoded) instead of decoded.
_NOT_CHARSETS = frozenset({"idna", "punycode", "raw-unicode-escape", "unicode-escape", "utf-7", "undefined"})


def declared_charset(body: bytes, headers: Mapping[str, str]) -> str | None:
    """The Python codec for `body`: its byte order mark's, else its Content-Type charset's; None when neither says.

    An unknown charset name counts as none, so the document's own declaration still applies.
    """
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return codec
    content_type = next((value for name, value in headers.items() if name.lower() == "content-type"), "")
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() != "charset":
            continue
        label = value.strip().strip("\"'").lower()
        try:
            codec = codecs.lookup(label).name
            b"".decode(codec)  # bytes-to-bytes codecs (base64, zlib) are no text encodings: LookupError
        except LookupError:
            return None
        if codec in _NOT_CHARSETS:
            return None
        return _AS_BROWSERS_READ.get(codec, codec)
    return None
