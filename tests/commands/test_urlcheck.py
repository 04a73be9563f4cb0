"""Feed URLs are vetted before polling: no private, loopback or link-local targets, however they are spelled."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Any

import pytest

from bot.commands.urlcheck import blocked_kind, check_feed_url, literal_address


@pytest.mark.parametrize(
    "url,expected",
    [
        ("http://127.0.0.1/x", "127.0.0.1 is a loopback address"),
        ("http://localhost:8080/feed", "localhost (127.0.0.1) is a loopback address"),
        ("http://10.20.30.40/rss", "10.20.30.40 is a private address"),
        ("https://192.168.1.10/atom.xml", "192.168.1.10 is a private address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://[::1]/feed", "::1 is a loopback address"),
        ("http://[fe80::1]/feed", "fe80::1 is a link-local address"),
        ("http://[::ffff:10.0.0.1]/feed", "::ffff:10.0.0.1 is a private address"),
        ("http://2130706433/", "2130706433 (127.0.0.1) is a loopback address"),
        ("http://0x7f.1/", "0x7f.1 (127.0.0.1) is a loopback address"),
        ("http://0177.0.0.1/", "0177.0.0.1 (127.0.0.1) is a loopback address"),
        ("http://0/", "0 (0.0.0.0) is an unspecified address"),
        ("http://224.0.0.251/", "224.0.0.251 is a multicast address"),
        ("http://100.64.0.7/", "100.64.0.7 is a non-public address"),
    ],
)
async def test_private_targets_refused(url: str, expected: str) -> None:
    reason = await check_feed_url(url)
    assert reason is not None and reason.startswith(expected)
    assert reason.endswith("(set fetch.allow_private_addresses to allow it)") and "\n" not in reason


@pytest.mark.parametrize("url", ["http://93.184.215.14/feed.xml", "https://[2606:4700::6810:84e5]/rss",
                                 "http://[::ffff:93.184.215.14]/rss"])
async def test_public_literal_addresses_allowed(url: str) -> None:
    assert await check_feed_url(url) is None


async def test_allow_private_lets_local_feeds_through() -> None:
    assert await check_feed_url("http://127.0.0.1:8080/feed", allow_private=True) is None
    assert await check_feed_url("http://localhost/feed", allow_private=True) is None
    assert await check_feed_url("http://u:p@127.0.0.1/feed", allow_private=True) is not None


@pytest.mark.parametrize(
    "url,expected",
    [
        ("ftp://files.example.org/feed.xml", "only http and https URLs can be polled"),
        ("file:///etc/passwd", "only http and https URLs can be polled"),
        ("https://editor:hunter2@news.example.org/rss", "URLs with a user name or password are not allowed"),
        ("https://news.example.org:99999/rss", "not a valid URL"),
        ("https://news.example.org:0/rss", "port 0 is not valid"),
        ("http:///rss", "the URL has no host"),
        ("http://no-such-host.invalid/rss", "cannot resolve no-such-host.invalid"),
    ],
)
async def test_malformed_or_unresolvable(url: str, expected: str) -> None:
    reason = await check_feed_url(url)
    assert reason is not None and reason.startswith(expected)


def _fake_resolver(monkeypatch: pytest.MonkeyPatch, addresses: list[str], delay: float = 0.0) -> None:
    loop = asyncio.get_running_loop()

    async def getaddrinfo(host: str, port: int, **kwargs: Any) -> list[Any]:
        await asyncio.sleep(delay)
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                for a in addresses]
    monkeypatch.setattr(loop, "getaddrinfo", getaddrinfo)


async def test_any_private_address_of_a_name_is_enough(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_resolver(monkeypatch, ["93.184.215.14", "10.0.0.5"])
    reason = await check_feed_url("https://mixed.example.org/rss")
    assert reason is not None and reason.startswith("mixed.example.org (10.0.0.5) is a private address")
    _fake_resolver(monkeypatch, ["93.184.215.14", "2606:4700::6810:84e5"])
    assert await check_feed_url("https://public.example.org/rss") is None


async def test_resolution_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_resolver(monkeypatch, ["93.184.215.14"], delay=5)
    reason = await check_feed_url("https://slow.example.org/rss", timeout=0.05)
    assert reason == "cannot resolve slow.example.org (timed out)"


def test_literal_forms_and_kinds() -> None:
    assert literal_address("127.1") == ipaddress.ip_address("127.0.0.1")
    assert literal_address("0xC0.0xA8.1.1") == ipaddress.ip_address("192.168.1.1")
    assert literal_address("news.example.org") is None and literal_address("123.example") is None
    assert blocked_kind(ipaddress.ip_address("2002:a00:1::")) == "private"  # 6to4 wrapping 10.0.0.1
    assert blocked_kind(ipaddress.ip_address("8.8.4.4")) is None
