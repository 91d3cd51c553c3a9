"""Connections that go only where the request policy looked: to the addresses the fetcher resolved and checked.

Checking a host's addresses and then letting the HTTP library resolve the name again would leave a gap a DNS
server can use (answer a public address to the check, a private one to the connection). So the fetcher records
the addresses it checked for each host (`AddressPins`), and the connection pool's network backend connects to
those and to nothing else: a host that was never checked is not connected to at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import httpcore
import httpx

__all__ = ["AddressPins", "PinnedBackend", "pinned_transport"]


def _key(host: str) -> str:
    return host.lower().rstrip(".").strip("[]")


class AddressPins:
    """The addresses each host was last checked to use; a connection to the host may use only these."""

    def __init__(self) -> None:
        self._addresses: dict[str, tuple[str, ...]] = {}

    def pin(self, host: str, addresses: Sequence[str]) -> None:
        """Let connections to `host` use `addresses` (in this order of preference) from now on."""
        self._addresses[_key(host)] = tuple(addresses)

    def get(self, host: str) -> tuple[str, ...]:
        """The addresses `host` may use; empty when it was never checked."""
        return self._addresses.get(_key(host), ())


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """A network backend that connects a host only to its pinned addresses, trying them in order."""

    def __init__(self, pins: AddressPins, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._pins = pins
        self._inner = inner if inner is not None else httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """A connection to one of `host`'s pinned addresses; `httpcore.ConnectError` when none is pinned or answers."""
        addresses = self._pins.get(host)
        if not addresses:
            raise httpcore.ConnectError(f"{host} was not checked against the request policy, so it is not connected to")
        failure: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Never used: the fetcher speaks TCP only."""
        raise httpcore.ConnectError("the fetcher does not connect to unix sockets")

    async def sleep(self, seconds: float) -> None:
        """Sleep as the wrapped backend does."""
        await self._inner.sleep(seconds)


def pinned_transport(pins: AddressPins, limits: httpx.Limits) -> httpx.AsyncHTTPTransport:
    """An HTTP transport like httpx's default one whose connections go only to pinned addresses."""
    transport = httpx.AsyncHTTPTransport(trust_env=False, limits=limits)
    # httpx offers no way to pass a network backend to the pool it builds, so that pool is replaced by one built
    # with the same settings and the pinning backend.
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=PinnedBackend(pins),
    )
    return transport
