"""Vet a feed URL before it is added: http(s) only, no credentials, and no private or local addresses."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from bot.feeds.guard import IPAddress, blocked_kind, is_plain_ip, literal_address, system_resolver

__all__ = ["IPAddress", "blocked_kind", "check_feed_url", "literal_address"]

_RESOLVE_TIMEOUT = 5.0
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
            shown = host if is_plain_ip(host) else f"{host} ({address})"
            article = "an" if kind[0] in "aeiou" else "a"
            return f"{shown} is {article} {kind} address{_HINT}"
    return None


async def _resolve(host: str, port: int, timeout: float) -> list[IPAddress] | str:
    try:
        return await asyncio.wait_for(system_resolver(host, port), timeout)
    except TimeoutError:
        return f"cannot resolve {host} (timed out)"
    except (OSError, UnicodeError):
        return f"cannot resolve {host}"
