"""Undoing a response's Content-Encoding layer by layer, never holding more decoded bytes than a limit allows.

A compressed body can expand a thousandfold per layer (a few kilobytes of brotli or of gzip inside gzip become
gigabytes), so each layer is decoded in small pieces and its running output is checked against the limit before
the next piece is produced: memory stays near the limit whatever the site sends.

Decoded: gzip (`x-gzip`), deflate (zlib-wrapped, or raw as some servers send it) and brotli when the installed
`brotli` module can bound its output. `identity` and tokens that name no compression (servers send `utf-8` or
`none` there) are passed through, as browsers do; a compression that cannot be decoded within the limit ends the
fetch with a clear error.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any, Protocol

from monitor.core.errors import FetchError

__all__ = ["ACCEPT_ENCODING", "MAX_LAYERS", "BadEncoding", "BoundedDecoder", "DecodedTooLarge", "decoder_for"]

# Output is produced in pieces of about this size, so no single call can allocate much more than it.
PIECE = 64 * 1024
# Nobody legitimately stacks more encodings than this; more is a decompression trap.
MAX_LAYERS = 3
_ZLIB_GZIP = 16 + zlib.MAX_WBITS
# Compressions a server might use that this decoder does not handle: refused rather than parsed as text.
_UNSUPPORTED = frozenset({"zstd", "compress", "x-compress", "x-bzip2", "bzip2", "lzma", "xz"})


def _bounded_brotli() -> Any:
    """The `brotli` module when it can limit its output (brotli >= 1.2), else None."""
    try:
        import brotli
    except ImportError:
        return None
    try:
        brotli.Decompressor().process(b"", output_buffer_limit=PIECE)
    except (TypeError, AttributeError, brotli.error):
        return None
    return brotli


_brotli = _bounded_brotli()
_CODEC_ERRORS: tuple[type[Exception], ...] = (zlib.error,) + ((_brotli.error,) if _brotli is not None else ())
ACCEPT_ENCODING = "gzip, deflate, br" if _brotli is not None else "gzip, deflate"


class BadEncoding(Exception):
    """The body is not valid in the encoding its Content-Encoding names."""


class DecodedTooLarge(Exception):
    """A decoding layer produced more than the limit; `layer` counts from the wire (0 is the outermost)."""

    def __init__(self, layer: int, encoding: str) -> None:
        super().__init__(f"{encoding} layer {layer} exceeded the limit")
        self.layer = layer
        self.encoding = encoding


class _Layer(Protocol):
    def feed(self, data: bytes) -> Iterator[bytes]: ...

    def finish(self) -> Iterator[bytes]: ...


class _Zlib:
    """gzip or deflate: zlib's `max_length` caps each call's output; the rest waits in `unconsumed_tail`."""

    def __init__(self, wbits: int | None) -> None:
        # None: deflate, whose framing (zlib header or raw) is decided by its first two bytes.
        self._wbits = wbits
        self._head = b""
        self._inflater: Any = zlib.decompressobj(wbits) if wbits is not None else None

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._inflater is None:
            self._head += data
            if len(self._head) < 2:
                return
            data, self._head = self._head, b""
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS if _zlib_header(data) else -zlib.MAX_WBITS)
        yield from self._drain(data)

    def finish(self) -> Iterator[bytes]:
        if self._inflater is None and self._head:
            self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            yield from self._drain(self._head)

    def _drain(self, data: bytes) -> Iterator[bytes]:
        inflater = self._inflater
        while not inflater.eof:
            out = inflater.decompress(data, PIECE)
            if out:
                yield out
            data = inflater.unconsumed_tail
            if not data and len(out) < PIECE:
                return
        # Bytes after the end of the stream (a second gzip member, padding) are ignored, as HTTP clients do.


def _zlib_header(head: bytes) -> bool:
    return head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0


class _Brotli:
    """brotli: `output_buffer_limit` caps each call; pending output is drained before more input goes in."""

    def __init__(self) -> None:
        self._inflater = _brotli.Decompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        out = self._inflater.process(data, output_buffer_limit=PIECE)
        if out:
            yield out
        while not self._inflater.can_accept_more_data():
            yield self._inflater.process(b"", output_buffer_limit=PIECE)

    def finish(self) -> Iterator[bytes]:
        while not self._inflater.is_finished():
            out = self._inflater.process(b"", output_buffer_limit=PIECE)
            if not out:
                return
            yield out


class BoundedDecoder:
    """Decodes a body through its encodings (outermost first) with every layer's output capped at `limit`."""

    def __init__(self, encodings: list[str], limit: int) -> None:
        self.encodings = encodings
        self.limit = limit
        # The last listed encoding was applied last, so it is undone first.
        self._layers: list[_Layer] = [_layer(name) for name in reversed(encodings)]
        self._produced = [0] * len(self._layers)

    def decode(self, raw: bytes) -> Iterator[bytes]:
        """The decoded pieces `raw` yields; `DecodedTooLarge` as soon as a layer passes the limit, `BadEncoding`."""
        try:
            yield from self._push(0, raw)
        except _CODEC_ERRORS as exc:
            raise BadEncoding(str(exc)) from exc

    def finish(self) -> Iterator[bytes]:
        """What the layers still hold once the body has ended, outermost layer first."""
        try:
            for index, layer in enumerate(self._layers):
                for piece in layer.finish():
                    yield from self._emit(index, piece)
        except _CODEC_ERRORS as exc:
            raise BadEncoding(str(exc)) from exc

    def _push(self, index: int, data: bytes) -> Iterator[bytes]:
        if index == len(self._layers):
            if data:
                yield data
            return
        for piece in self._layers[index].feed(data):
            yield from self._emit(index, piece)

    def _emit(self, index: int, piece: bytes) -> Iterator[bytes]:
        if not piece:
            return
        self._produced[index] += len(piece)
        if self._produced[index] > self.limit:
            raise DecodedTooLarge(index, self.encodings[len(self.encodings) - 1 - index])
        yield from self._push(index + 1, piece)


def _layer(name: str) -> _Layer:
    if name in ("gzip", "x-gzip"):
        return _Zlib(_ZLIB_GZIP)
    if name == "deflate":
        return _Zlib(None)
    if name == "br":
        return _Brotli()
    raise AssertionError(f"no decoder for {name!r}")  # decoder_for only lets known names through


def decoder_for(content_encoding: str, limit: int, *, url: str) -> BoundedDecoder:
    """The decoder for a Content-Encoding header value; `FetchError` for encodings that cannot be undone safely."""
    tokens = [t.strip().lower() for t in content_encoding.split(",") if t.strip()]
    encodings: list[str] = []
    for token in tokens:
        if token in ("gzip", "x-gzip", "deflate") or (token == "br" and _brotli is not None):
            encodings.append(token)
        elif token == "br" or token in _UNSUPPORTED:
            raise FetchError(
                f"{url} sent a body compressed with {token!r}, which this installation cannot decode within the "
                "size limit; the site should honour our Accept-Encoding",
                url=url,
            )
    if len(encodings) > MAX_LAYERS:
        raise FetchError(
            f"{url} sent a body compressed {len(encodings)} times over ({', '.join(encodings)}); more than "
            f"{MAX_LAYERS} layers are refused as a decompression trap",
            url=url,
        )
    return BoundedDecoder(encodings, limit)
