"""Vet a feed URL before it is added: http(s) only, no credentials, and no private or local addresses."""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_RESOLVE_TIMEOUT = 5.0
_NUMERIC_HOST = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}$", re.I)
_HINT = " (set fetch.allow_private_addresses to allow it)"


async def check_feed_url(url: str, *, allow_private: bool = False, timeout: float = _RESOLVE_TIMEOUT) -> str | None:
    """None when `url` may be polled, else a one-line reason. Only resolves the host; never connects."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        return f"not a valid URL ({exc})"
    if parts.scheme.lower() not in ("http", "https"):
        return "only http and https URLs can be polled"
    if parts.username is not None or parts.password is not None:
        return "URLs with a user name or password are not allowed"
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return "the URL has no host"
    if port is not None and not 0 < port < 65536:
        return f"port {port} is not valid"
    literal = literal_address(host)
    if literal is not None:
        addresses = [literal]
    else:
        addresses_or_reason = await _resolve(host, port or (443 if parts.scheme.lower() == "https" else 80), timeout)
        if isinstance(addresses_or_reason, str):
            return addresses_or_reason
        addresses = addresses_or_reason
    if allow_private:
        return None
    for address in addresses:
        kind = blocked_kind(address)
        if kind is not None:
            shown = host if _is_plain_ip(host) else f"{host} ({address})"
            article = "an" if kind[0] in "aeiou" else "a"
            return f"{shown} is {article} {kind} address{_HINT}"
    return None


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
    """Why an address must not be polled ("loopback", "private", …), or None for a public address."""
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


def _is_plain_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


async def _resolve(host: str, port: int, timeout: float) -> list[IPAddress] | str:
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout)
    except TimeoutError:
        return f"cannot resolve {host} (timed out)"
    except (OSError, UnicodeError):
        return f"cannot resolve {host}"
    addresses: list[IPAddress] = []
    for info in infos:
        try:
            addresses.append(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]))
        except ValueError:
            continue
    return addresses or f"cannot resolve {host}"
