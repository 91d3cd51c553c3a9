"""Reading a streamed response body within a size limit, and telling a complete body from a truncated one."""

from __future__ import annotations

import httpx

from monitor.core.errors import BodyTooLarge

__all__ = ["BodyReader"]


class BodyReader:
    """Reads one streamed body, refusing anything beyond `max_bytes` (or, with `truncate`, cutting it there)."""

    def __init__(self, max_bytes: int, *, truncate: bool = False) -> None:
        self.max_bytes = max_bytes
        self.truncate = truncate
        self.received = 0
        # Once reading has begun, a broken connection means a truncated body rather than a failed request.
        self.started = False
        self._declared: str | None = None

    async def read(self, response: httpx.Response) -> bytes:
        """The whole body; raises `BodyTooLarge`, or `httpx.RemoteProtocolError` when bytes are missing."""
        _refuse_declared_oversize(response, self.max_bytes, self.truncate)
        self.started = True
        self._declared = response.headers.get("content-length")
        chunks: list[bytes] = []
        async for chunk in response.aiter_bytes():
            self.received += len(chunk)
            if self.received > self.max_bytes:
                if self.truncate:
                    chunks.append(chunk[: self.max_bytes - (self.received - len(chunk))])
                    break
                raise BodyTooLarge(
                    f"{response.url} is larger than max_bytes = {self.max_bytes} bytes; raise max_bytes for "
                    "this source if pages really are that big",
                    url=str(response.url),
                    status=response.status_code,
                )
            chunks.append(chunk)
        else:
            _check_complete(response)
        return b"".join(chunks)

    def truncation(self) -> str:
        """What happened when the connection broke while the body was being read."""
        of = f" of {self._declared} announced" if self._declared else ""
        return f"the body was truncated: the connection closed after {self.received}{of} bytes"


def _refuse_declared_oversize(response: httpx.Response, max_bytes: int, truncate: bool) -> None:
    declared = response.headers.get("content-length", "")
    if not truncate and declared.isdigit() and int(declared) > max_bytes:
        raise BodyTooLarge(
            f"{response.url} announces {declared} bytes, more than max_bytes = {max_bytes}; raise max_bytes "
            "for this source if pages really are that big",
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
