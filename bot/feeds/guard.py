"""Keep fetches off private, loopback and other non-public addresses, checked on the address actually connected to."""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]
"""Resolves (host, port) to its addresses; raises OSError when it cannot."""

_NUMERIC_HOST = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}$", re.I)
_HINT = "; set fetch.allow_private_addresses to allow it"


class AddressRefused(Exception):
    """A fetch target that is, or resolves to, an address the guard refuses; str() is a one-line reason."""

    def __init__(self, host: str, address: IPAddress, kind: str) -> None:
        article = "an" if kind[0] in "aeiou" else "a"
        if literal_address(host) is None:
            text = f"{host} resolves to {article} {kind} address ({address})"
        else:
            shown = host if is_plain_ip(host) else f"{host} ({address})"  # 0x7f.1 (127.0.0.1)
            text = f"{shown} is {article} {kind} address"
        super().__init__(f"refused: {text}{_HINT}")
        self.host, self.address, self.kind = host, address, kind


def literal_address(host: str) -> IPAddress | None:
    """The address a host written as an IP means, including old IPv4 forms (2130706433, 0x7f.1, 0177.0.0.1)."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _NUMERIC_HOST.match(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def blocked_kind(address: IPAddress) -> str | None:
    """Why an address must not be fetched ("loopback", "private", …), or None for a public address."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:  # ::ffff:a.b.c.d is just an IPv4 address
            return blocked_kind(address.ipv4_mapped)
        for embedded in (address.sixtofour, address.teredo[1] if address.teredo else None):
            if embedded is not None and blocked_kind(embedded) is not None:
                return blocked_kind(embedded)
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
    )
    for kind, hit in checks:
        if hit:
            return kind
    return None if address.is_global else "non-public"


async def system_resolver(host: str, port: int) -> list[IPAddress]:
    """The host's addresses from the system resolver, in its preferred order, without duplicates."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[IPAddress] = []
    for info in infos:
        try:
            address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        except ValueError:
            continue
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise OSError(f"no address for {host}")
    return addresses


async def vet_host(host: str, port: int, *, resolver: Resolver | None = None,
                   timeout: float | None = None) -> list[IPAddress]:
    """Every address of `host`, all of them public; AddressRefused if any is not.

    Raises TimeoutError when resolving takes longer than `timeout` and OSError when the host cannot be resolved.
    """
    host = host.rstrip(".")
    literal = literal_address(host)
    if literal is not None:
        addresses = [literal]
    else:
        addresses = await asyncio.wait_for((resolver or system_resolver)(host, port), timeout)
        if not addresses:
            raise OSError(f"no address for {host}")
    for address in addresses:
        kind = blocked_kind(address)
        if kind is not None:
            raise AddressRefused(host, address, kind)
    return addresses


class GuardedTransport(httpx.AsyncHTTPTransport):
    """An httpx transport that resolves each host itself, refuses it unless every address is public, and then
    connects to one of exactly those checked addresses (TLS still verifies the host name), so a DNS answer that
    changes between check and connect cannot slip through. Every new connection, so every redirect hop, is vetted.

    `resolver` and `network_backend` (the httpcore backend that opens the checked address) are for tests.
    """

    def __init__(self, *, limits: httpx.Limits | None = None, resolver: Resolver | None = None,
                 network_backend: httpcore.AsyncNetworkBackend | None = None) -> None:
        limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20)  # httpx's default
        ssl_context = httpx.create_ssl_context()
        super().__init__(verify=ssl_context, limits=limits)
        # httpx keeps its connection pool in `_pool`; use one whose every connection goes through the guard.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_GuardedBackend(network_backend or httpcore.AnyIOBackend(), resolver),
        )


def preflight_hook(resolver: Resolver | None = None,
                   timeout: float | None = None) -> Callable[[httpx.Request], Awaitable[None]]:
    """An httpx request hook vetting each request's host (redirect hops included) before it is sent.

    For connections the fetcher does not open itself (an environment proxy, a caller's transport). It checks
    a name, not the connection, so a host whose DNS answer changes right after the check is not caught, and a
    proxy resolves names on its own.
    """

    async def hook(request: httpx.Request) -> None:
        host = request.url.host
        if not host:
            return  # the transport rejects a URL without a host
        port = request.url.port or (443 if request.url.scheme == "https" else 80)
        try:
            await vet_host(host, port, resolver=resolver, timeout=timeout)
        except TimeoutError as exc:
            raise httpx.ConnectTimeout(f"resolving {host} timed out", request=request) from exc
        except OSError as exc:
            raise httpx.ConnectError(f"cannot resolve {host}", request=request) from exc

    return hook


def is_plain_ip(host: str) -> bool:
    """True when `host` is written as an IP address (not a name, not an odd spelling like 0x7f.1)."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Vets the host of every TCP connection, then connects to the checked addresses in order."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend, resolver: Resolver | None) -> None:
        self._inner = inner
        self._resolver = resolver

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await vet_host(host, port, resolver=self._resolver, timeout=timeout)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from exc
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}") from exc
        options = None if socket_options is None else list(socket_options)
        failure: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(str(address), port, timeout=timeout,
                                                     local_address=local_address, socket_options=options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None  # vet_host never returns an empty list
        raise failure

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
