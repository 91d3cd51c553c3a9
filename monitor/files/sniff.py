"""Reading the bytes of an export before its rows: gzip data that may break off, the encoding, the line ends."""

from __future__ import annotations

import codecs
import gzip
import io
import re
import unicodedata
import zlib
from typing import IO, Any

__all__ = ["Gunzipped", "break_of", "control_count", "cr_line_ends", "gunzip", "utf16_by_zero_bytes", "utf16_text"]

# Average characters per line above which a sample is not taken for lines of text when guessing UTF-16.
_LONGEST_LINE = 2000


class Gunzipped(io.RawIOBase):
    """The decompressed bytes of a gzip file, ending where the data breaks off (`error` then says why).

    GzipFile raises at a break and loses what it had decompressed in that read; reading at most one
    decompressed block at a time (`read1`) keeps every byte before the break.
    """

    def __init__(self, raw: IO[bytes]) -> None:
        super().__init__()
        # The file is closed separately: a GzipFile does not close the file it reads.
        self._gzip = gzip.GzipFile(fileobj=raw, mode="rb")
        self.error: Exception | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        """Fill `buffer` with up to one decompressed block; 0 at the end or at the break."""
        if self.error is not None:
            return 0
        try:
            data = self._gzip.read1(len(buffer))
        except (OSError, EOFError, zlib.error) as exc:
            self.error = exc
            return 0
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._gzip.close()
        super().close()


def gunzip(raw: IO[bytes]) -> io.BufferedReader:
    """The decompressed bytes of the gzip file `raw`, ending (not failing) where they break off."""
    return io.BufferedReader(Gunzipped(raw))


def break_of(stream: object) -> Exception | None:
    """Why the gzip data of `stream` broke off, if it did."""
    source = stream.raw if isinstance(stream, io.BufferedReader) else None
    return source.error if isinstance(source, Gunzipped) else None


def control_count(text: str) -> int:
    """How many control characters (other than tab and line ends) `text` holds."""
    return sum(1 for char in text if char not in "\t\r\n" and unicodedata.category(char) == "Cc")


def utf16_by_zero_bytes(head: bytes) -> str | None:
    """`utf-16-le` or `utf-16-be` when `head` has a zero byte beside (nearly) every character, as ASCII text has."""
    sample = head[: len(head) // 2 * 2]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = max(len(sample) // 2, 1)
    if odd > 0.3 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def utf16_text(head: bytes, codec: str) -> bool:
    """Whether `head` decodes as `codec` into printable text broken into lines (any script, e.g. CJK)."""
    try:
        # Not final: the sample may end inside a surrogate pair.
        text = codecs.getincrementaldecoder(codec)(errors="strict").decode(head[: len(head) // 2 * 2])
    except UnicodeDecodeError:
        return False
    # Text comes in lines; stray zero bytes in ASCII text decode as UTF-16 into printable CJK without any.
    if text.count("\n") + text.count("\r") < max(1, len(text) // _LONGEST_LINE):
        return False
    printable = sum(1 for char in text if char.isprintable() or char in "\t\r\n")
    return printable >= 0.95 * len(text)


def cr_line_ends(sample: str, *, quoted_cells: bool) -> bool:
    """Whether lines end in a lone CR (classic Mac): more lone CRs than LFs outside quoted cells.

    Excel for Mac breaks lines inside a cell with LF while its rows end in CR, so a LF alone does not tell.
    """
    if "\r" not in sample:
        return False
    outside = re.sub(r'"[^"]*"', "", sample) if quoted_cells else sample
    return outside.count("\r") - outside.count("\r\n") > outside.count("\n")
