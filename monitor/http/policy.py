"""Where a source's requests may go: the request policy the fetcher applies to every hop.

A hop is every URL the fetcher is about to request: the source's first page, each redirect, each next-page link
a parser found, and robots.txt with its redirects. The configured locator is trusted; what a page says is not:

1. only `http` and `https` URLs with a well-formed host and port are fetched;
2. the host must be one of the source's own hosts (those of its start URLs, with or without `www.`) or one its
   `allowed_hosts` option lists (`cdn.example.com`, or `*.example.com` for every subdomain);
3. once the host name is resolved, every address it resolves to must be public. Loopback, private, link-local,
   unique-local, multicast, reserved and unspecified addresses are refused unless the hop is the locator's own
   host and port (a local test site, a company's intranet); cloud metadata addresses (169.254.169.254,
   fd00:ec2::254, ...) are refused always. A locator host that first resolved to a public address and later to
   a private one is refused too (DNS rebinding).

The fetcher then connects only to the addresses it checked (see `monitor.http.connect`). Through a proxy, names
are resolved by the proxy, so the address rules apply to address literals and `localhost` names only.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence

import httpx

from monitor.core.errors import ConfigError, FetchError
from monitor.core.text_safety import printable

__all__ = [
    "METADATA_ADDRESSES",
    "RequestPolicy",
    "RequestRefused",
    "Resolver",
    "address_problem",
    "host_of",
    "is_address",
    "is_localhost_name",
    "normalise_hosts",
    "parse_url",
    "port_of",
    "system_resolver",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Resolves (host, port) to the IP addresses a connection may use, as text.
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]

# Instance metadata services of the big clouds: credentials live there, so no page may lead to them.
METADATA_ADDRESSES: frozenset[IPAddress] = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, Oracle, DigitalOcean
        "169.254.170.2",  # AWS ECS task metadata
        "169.254.170.23",  # AWS EKS pod identity
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud (legacy)
        "fd00:ec2::254",  # AWS over IPv6
        "fd00:ec2::23",  # AWS EKS pod identity over IPv6
    )
)
_UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_HOST_NAME = re.compile(r"[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*")
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Dot-separated decimal, octal (leading 0) or hexadecimal (0x) parts only: a host that is a number (an IPv4
# address when `inet_aton` reads it, which takes one to four parts).
_NUMERIC_HOST = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+))*\.?")


class RequestRefused(FetchError):
    """A hop the request policy does not allow: another host, a non-public address, a scheme other than http(s)."""


def _shown(text: str) -> str:
    return printable(text)[:200]


def parse_url(text: str, *, via: str = "") -> httpx.URL:
    """`text` as an absolute http(s) URL with a valid host and port; `via` says where the URL came from.

    Raises `RequestRefused` for another scheme and `FetchError` for text that is no valid URL: neither goes away
    by asking again.
    """
    try:
        url = httpx.URL(text)
        host = host_of(url)
        _ = url.host  # the Unicode form: a malformed IDNA label ("xn--") fails only when it is decoded
    except (httpx.InvalidURL, ValueError) as exc:  # idna errors are ValueErrors too
        raise FetchError(f"not a valid URL: {_shown(text)!r}{via} ({_shown(str(exc))})", url=_shown(text)) from None
    if url.scheme not in _DEFAULT_PORTS:
        scheme = f"{url.scheme}:" if url.scheme else "a relative"
        raise RequestRefused(
            f"refused {_shown(text)!r}{via}: {scheme} URL; only http and https URLs are fetched", url=_shown(text)
        )
    port = url.port
    if _NUMERIC_HOST.fullmatch(host) and not _ip(host):
        # A number that is no IPv4 address (`4294967296`, `1.2.3.4.5`): resolvers and proxies read it differently.
        raise FetchError(
            f"not a valid URL: {_shown(text)!r}{via} (the host is a number but no IPv4 address)", url=_shown(text)
        )
    if not host or not (_ip(host) or (len(host) <= 253 and _HOST_NAME.fullmatch(host))):
        raise FetchError(f"not a valid URL: {_shown(text)!r}{via} (the host name is malformed)", url=_shown(text))
    if port is not None and not 0 < port < 65536:
        raise FetchError(f"not a valid URL: {_shown(text)!r}{via} (port {port} is out of range)", url=_shown(text))
    return url


def host_of(url: httpx.URL) -> str:
    """The URL's host as connections see it: ASCII (IDNA), lower case, without a trailing dot or IPv6 brackets."""
    return url.raw_host.decode("ascii").lower().rstrip(".")


def port_of(url: httpx.URL) -> int:
    """The URL's port, the scheme's default when none is written."""
    return url.port or _DEFAULT_PORTS.get(url.scheme, 0)


def is_localhost_name(host: str) -> bool:
    """Whether `host` is a name that always means this machine (RFC 6761)."""
    return host == "localhost" or host.endswith(".localhost")


def normalise_hosts(values: Iterable[object], *, option: str = "allowed_hosts") -> tuple[str, ...]:
    """Host names from configuration in the form hops are compared in; `ConfigError` names a malformed entry."""
    hosts: list[str] = []
    for value in values:
        entry = str(value).strip().lower()
        wildcard = entry.startswith("*.")
        name = entry[2:] if wildcard else entry
        try:
            host = host_of(httpx.URL(f"http://{name}/")) if name and not set(name) & set("/:@?#*[] ") else ""
        except (httpx.InvalidURL, ValueError):
            host = ""
        if not host or not (_ip(host) or _HOST_NAME.fullmatch(host)):
            raise ConfigError(
                f"option {option!r}: {printable(str(value))[:100]!r} is not a host name; write e.g. "
                "'cdn.example.com', or '*.example.com' for every subdomain"
            )
        hosts.append(f"*.{host}" if wildcard else host)
    return tuple(dict.fromkeys(hosts))


def is_address(host: str) -> bool:
    """Whether `host` is an IP address literal rather than a name to resolve."""
    return _ip(host) is not None


def _ip(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return _numeric_ipv4(text)


def _numeric_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address of a host written in the other spellings resolvers and proxies accept (`inet_aton`).

    `2130706433`, `0x7f.1`, `017700000001` and `127.1` all mean 127.0.0.1: the system resolver, most proxies and
    browsers read them so. They are judged as that address, or a proxy would be sent to a loopback or metadata
    address no check recognised.
    """
    if not _NUMERIC_HOST.fullmatch(host):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, NAT64, 6to4), which is where a connection really goes."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def address_problem(address: IPAddress) -> str | None:
    """What kind of non-public address `address` is ("loopback", "cloud metadata", ...); None for a public one."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None:
            return address_problem(inner)
    checks: tuple[tuple[str, bool], ...] = (
        ("cloud metadata", address in METADATA_ADDRESSES),
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("unique-local", isinstance(address, ipaddress.IPv6Address) and address in _UNIQUE_LOCAL),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
        ("non-public", not address.is_global),
    )
    return next((kind for kind, hit in checks if hit), None)


async def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the system resolver gives for `host`, without duplicates, in its order of preference."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _same_site(host: str, other: str) -> bool:
    return host == other or host == f"www.{other}" or other == f"www.{host}"


class RequestPolicy:
    """Where one source's requests may go; built per run from its start URLs and its `allowed_hosts`."""

    def __init__(self, start_urls: Iterable[str], allowed_hosts: Iterable[object] = ()) -> None:
        self.home: list[tuple[str, int]] = []
        for text in start_urls:
            try:
                url = parse_url(text)
            except FetchError:
                continue  # not a URL (a file path, an app id): it names no host to trust
            self.home.append((host_of(url), port_of(url)))
        self.allowed = normalise_hosts(allowed_hosts)
        # Locator hosts seen on public addresses: a private answer for them later is DNS rebinding.
        self._seen_public: set[str] = set()

    @classmethod
    def for_url(cls, url: str) -> RequestPolicy:
        """The policy of a single fetch that names no source: its own URL is the trusted one."""
        return cls([url])

    def check_url(self, url: httpx.URL, *, via: str = "") -> None:
        """Refuse a URL whose host is neither the source's nor one it allows; nothing is resolved yet."""
        host = host_of(url)
        if any(_same_site(host, home) for home, _ in self.home) or self._allowed(host):
            return
        homes = ", ".join(dict.fromkeys(home for home, _ in self.home)) or "none"
        raise RequestRefused(
            f"refused {url}{via}: {_shown(host)} is not the source's host ({_shown(homes)}) nor in its "
            "allowed_hosts; if the site really serves its pages there, list that host in the source's "
            "allowed_hosts option",
            url=str(url),
        )

    def check_addresses(self, url: httpx.URL, addresses: Sequence[str], *, via: str = "") -> None:
        """Refuse `url` when an address its host resolved to is not one it may use (see the module docstring)."""
        host, port = host_of(url), port_of(url)
        home = self._is_home(host, port)
        public = True
        for text in addresses:
            address = _ip(text)
            problem = "unparseable" if address is None else address_problem(address)
            if problem is None:
                continue
            public = False
            if problem != "cloud metadata" and home and host not in self._seen_public:
                continue
            if problem == "cloud metadata":
                why = "is never fetched"
            elif home:
                why = "although it resolved to a public address earlier in this run (DNS rebinding)"
            else:
                why = "which only the configured locator's own host and port may use"
            if host != text.split("%", 1)[0]:
                shown_as = f"{_shown(host)} resolves to "
            elif address is not None and str(address) != host:
                shown_as = f"{_shown(host)} means "  # another spelling of the address (`0x7f.1`)
            else:
                shown_as = ""
            text = str(address) if address is not None else text
            raise RequestRefused(
                f"refused {url}{via}: {shown_as}{_shown(text)} is a {problem} address, {why}", url=str(url)
            )
        if home and public:
            self._seen_public.add(host)

    def _is_home(self, host: str, port: int) -> bool:
        # http and https on their default ports count as one endpoint: sites redirect from one to the other.
        return any(
            host == home and (port == home_port or {port, home_port} <= {80, 443}) for home, home_port in self.home
        )

    def _allowed(self, host: str) -> bool:
        for entry in self.allowed:
            if entry.startswith("*."):
                if host.endswith(entry[1:]):
                    return True
            elif _same_site(host, entry):
                return True
        return False
