"""Reading a streamed response body within a size limit, and telling a complete body from a truncated one.

The limit holds for the bytes on the wire and for every decoding layer's output (see `monitor.http.decoding`), so
a small compressed body cannot grow past it in memory.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable

import httpx

from monitor.core.errors import BodyTooLarge, FetchError
from monitor.http.decoding import BadEncoding, DecodedTooLarge, decoder_for

__all__ = ["BodyReader", "megabytes"]


class _Full(Exception):
    """The body reached the limit (on the wire, or after decoding)."""


class BodyReader:
    """Reads one streamed body, refusing anything beyond `max_bytes` (or, with `truncate`, cutting it there)."""

    def __init__(self, max_bytes: int, *, truncate: bool = False) -> None:
        self.max_bytes = max_bytes
        self.truncate = truncate
        # Bytes received on the wire, before any Content-Encoding is undone.
        self.received = 0
        # Once reading has begun, a broken connection means a truncated body rather than a failed request.
        self.started = False
        self._declared: str | None = None

    async def read(self, response: httpx.Response) -> bytes:
        """The whole decoded body; raises `BodyTooLarge`, `FetchError`, or `httpx.RemoteProtocolError` (truncated)."""
        url = str(response.url)
        _refuse_declared_oversize(response, self.max_bytes, self.truncate)
        in_memory = response.is_stream_consumed
        if in_memory:
            # An answer a transport built in memory arrives read, and decoded by the library, already.
            stream, decoder = _in_memory(response.content), decoder_for("", self.max_bytes, url=url)
        else:
            stream = response.aiter_raw()
            decoder = decoder_for(response.headers.get("content-encoding", ""), self.max_bytes, url=url)
        self.started = True
        self._declared = response.headers.get("content-length")
        body = bytearray()
        try:
            async for raw in stream:
                self.received += len(raw)
                if self.received > self.max_bytes:
                    raise _Full
                self._append(body, decoder.decode(raw))
            self._append(body, decoder.finish())
        except (_Full, DecodedTooLarge) as exc:
            if self.truncate:
                return bytes(body[: self.max_bytes])
            how = f", once its {exc.encoding} compression was undone" if isinstance(exc, DecodedTooLarge) else ""
            raise BodyTooLarge(
                f"{url}: response larger than {megabytes(self.max_bytes)} MB{how} (max_bytes = {self.max_bytes} "
                f"bytes, {self.received} bytes received); the page was not read",
                url=url,
                status=response.status_code,
            ) from None
        except BadEncoding as exc:
            raise FetchError(f"{url} sent a body that could not be decompressed: {exc}", url=url) from None
        if not in_memory:
            _check_complete(response)
        return bytes(body)

    def _append(self, body: bytearray, pieces: Iterable[bytes]) -> None:
        for piece in pieces:
            body += piece
            if len(body) > self.max_bytes:
                raise _Full

    def truncation(self) -> str:
        """What happened when the connection broke while the body was being read."""
        of = f" of {self._declared} announced" if self._declared else ""
        return f"the body was truncated: the connection closed after {self.received}{of} bytes"


async def _in_memory(content: bytes) -> AsyncIterator[bytes]:
    yield content


def megabytes(size: int) -> str:
    """`size` in (decimal) megabytes for messages: 20 for 20_000_000, 0.5 for 500_000."""
    return f"{size / 1_000_000:g}"


def _refuse_declared_oversize(response: httpx.Response, max_bytes: int, truncate: bool) -> None:
    declared = response.headers.get("content-length", "")
    if not truncate and declared.isdigit() and int(declared) > max_bytes:
        raise BodyTooLarge(
            f"{response.url}: response larger than {megabytes(max_bytes)} MB: it announces {declared} bytes "
            f"(max_bytes = {max_bytes} bytes); the page was not read",
            url=str(response.url),
            status=response.status_code,
        )


def _check_complete(response: httpx.Response) -> None:
    """Fail when fewer bytes arrived than Content-Length announced (the HTTP library normally catches it)."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and response.num_bytes_downloaded < int(declared):
        raise httpx.RemoteProtocolError(
            f"received {response.num_bytes_downloaded} of {declared} announced bytes", request=response.request
        )
