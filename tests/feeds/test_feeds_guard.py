"""Tests for bot.feeds.guard: the fetcher refuses private, loopback and link-local targets, on every hop."""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable, Iterable
from typing import Any

import httpcore
import httpx
import pytest

from bot.feeds.fetch import FeedFetcher
from bot.feeds.guard import AddressRefused, GuardedTransport, IPAddress, system_resolver, vet_host
from tests.fakes.feed_server import FeedServer, rss, wire_items

LOGGER = "bot.feeds"
PUBLIC = "93.184.215.14"  # a public-looking address the fake network maps onto the local feed server
HINT = "; set fetch.allow_private_addresses to allow it"
Read = Callable[[str], bytes]


class FakeDNS:
    """Resolver for `*.public.test` names; `answers` lists the successive answers for a name, the last repeating."""

    def __init__(self, answers: dict[str, list[list[str]]]) -> None:
        self.answers = answers
        self.calls: list[str] = []

    async def __call__(self, host: str, port: int) -> list[IPAddress]:
        self.calls.append(host)
        if host not in self.answers:
            if host.endswith(".test"):
                raise OSError(f"no such test host {host}")
            return await system_resolver(host, port)
        queue = self.answers[host]
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        return [ipaddress.ip_address(a) for a in answer]


class LoopbackNetwork(httpcore.AsyncNetworkBackend):
    """Opens real TCP connections, sending the fake public address to 127.0.0.1; records what it was asked."""

    def __init__(self) -> None:
        self.hosts: list[str] = []
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        self.hosts.append(host)
        target = "127.0.0.1" if host == PUBLIC else host
        return await self._inner.connect_tcp(target, port, timeout=timeout, local_address=local_address,
                                             socket_options=socket_options)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def _warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER and r.levelno >= logging.WARNING]


def _public_url(server: FeedServer, path: str, name: str = "wire.public.test") -> str:
    return server.base_url.replace("127.0.0.1", name) + path


def _fetcher(dns: FakeDNS, net: LoopbackNetwork) -> FeedFetcher:
    return FeedFetcher(transport=GuardedTransport(resolver=dns, network_backend=net), connect_timeout=2.0)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("{base}/feeds/desk", "refused: 127.0.0.1 is a loopback address"),
        ("{base2}/feeds/desk", "refused: 127.0.0.2 is a loopback address"),
        ("http://[::1]:{port}/feeds/desk", "refused: ::1 is a loopback address"),
        ("http://10.0.0.5/rss", "refused: 10.0.0.5 is a private address"),
        ("https://192.168.1.10/atom.xml", "refused: 192.168.1.10 is a private address"),
        ("http://169.254.169.254/latest/meta-data/", "refused: 169.254.169.254 is a link-local address"),
        ("http://[fe80::1]/feed", "refused: fe80::1 is a link-local address"),
        ("http://[::ffff:10.0.0.1]/feed", "refused: ::ffff:10.0.0.1 is a private address"),
        ("http://0.0.0.0:{port}/feeds/desk", "refused: 0.0.0.0 is an unspecified address"),
        ("http://2130706433:{port}/feeds/desk", "refused: 2130706433 (127.0.0.1) is a loopback address"),
    ],
)
async def test_private_literal_addresses_are_refused_without_connecting(
    feed_server: FeedServer, caplog: pytest.LogCaptureFixture, url: str, expected: str
) -> None:
    feed_server.put("/feeds/desk", rss("Desk", wire_items("d", 2)))
    port = feed_server.base_url.rsplit(":", 1)[1]
    url = url.format(base=feed_server.base_url, base2=feed_server.url("", host=1), port=port)
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    async with FeedFetcher(connect_timeout=2.0) as fetcher:
        res = await fetcher.fetch_feed(url)
    assert res.status == "error" and res.items == [] and res.http_status is None
    assert res.error == expected + HINT
    (line,) = _warnings(caplog)
    assert line.getMessage() == f"feed {url}: {res.error}"
    assert feed_server.hits["/feeds/desk"] == 0


async def test_name_resolving_to_loopback_is_refused(feed_server: FeedServer, caplog: pytest.LogCaptureFixture) -> None:
    feed_server.put("/feeds/desk", rss("Desk", wire_items("d", 2)))
    url = feed_server.url("/feeds/desk").replace("127.0.0.1", "localhost")
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    async with FeedFetcher(connect_timeout=2.0) as fetcher:
        res = await fetcher.fetch_feed(url)
    assert res.status == "error" and res.error is not None
    assert res.error.startswith("refused: localhost resolves to a loopback address (")
    assert len(_warnings(caplog)) == 1 and feed_server.hits["/feeds/desk"] == 0


async def test_allow_private_lets_loopback_through(feed_server: FeedServer) -> None:
    feed_server.put("/feeds/desk", rss("Desk", wire_items("d", 2)))
    async with FeedFetcher(allow_private=True) as fetcher:
        literal = await fetcher.fetch_feed(feed_server.url("/feeds/desk"))
        named = await fetcher.fetch_feed(feed_server.url("/feeds/desk").replace("127.0.0.1", "localhost"))
    assert literal.status == "ok" and len(literal.items) == 2
    assert named.status == "ok" and len(named.items) == 2


async def test_public_name_connects_to_the_checked_address_only(feed_server: FeedServer) -> None:
    feed_server.put("/feeds/desk", rss("Desk", wire_items("d", 3)))
    # A rebinding name: public on the first lookup, loopback on any later one.
    dns = FakeDNS({"wire.public.test": [[PUBLIC], ["127.0.0.1"]]})
    net = LoopbackNetwork()
    async with _fetcher(dns, net) as fetcher:
        first = await fetcher.fetch_feed(_public_url(feed_server, "/feeds/desk"))
        again = await fetcher.fetch_feed(_public_url(feed_server, "/feeds/desk"))  # same kept-alive connection
    assert first.status == "ok" and len(first.items) == 3 and again.status == "ok"
    assert dns.calls == ["wire.public.test"] and net.hosts == [PUBLIC]
    async with _fetcher(dns, net) as fetcher:  # a new connection looks the name up again, and gets loopback
        rebound = await fetcher.fetch_feed(_public_url(feed_server, "/feeds/desk"))
    assert rebound.error == "refused: wire.public.test resolves to a loopback address (127.0.0.1)" + HINT
    assert net.hosts == [PUBLIC] and feed_server.hits["/feeds/desk"] == 2


async def test_any_private_address_of_a_name_is_enough(feed_server: FeedServer) -> None:
    dns = FakeDNS({"wire.public.test": [[PUBLIC, "10.0.0.5"]]})
    net = LoopbackNetwork()
    async with _fetcher(dns, net) as fetcher:
        res = await fetcher.fetch_feed(_public_url(feed_server, "/feeds/desk"))
    assert res.error == "refused: wire.public.test resolves to a private address (10.0.0.5)" + HINT
    assert net.hosts == []


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("{base}/feeds/inside", "refused: 127.0.0.1 is a loopback address"),
        ("http://10.0.0.5/admin/feed", "refused: 10.0.0.5 is a private address"),
        ("http://169.254.169.254/latest/meta-data/", "refused: 169.254.169.254 is a link-local address"),
        ("http://intranet.public.test:{port}/feeds/inside",
         "refused: intranet.public.test resolves to a private address (10.1.2.3)"),
    ],
)
async def test_redirect_to_a_private_address_is_refused(
    feed_server: FeedServer, caplog: pytest.LogCaptureFixture, target: str, expected: str
) -> None:
    feed_server.put("/feeds/inside", rss("Inside", wire_items("in", 1)))
    target = target.format(base=feed_server.base_url, port=feed_server.base_url.rsplit(":", 1)[1])
    dns = FakeDNS({"wire.public.test": [[PUBLIC]], "intranet.public.test": [["10.1.2.3"]]})
    net = LoopbackNetwork()
    url = _public_url(feed_server, f"/x/redirect?to={target}")
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    async with _fetcher(dns, net) as fetcher:
        res = await fetcher.fetch_feed(url)
    assert res.status == "error" and res.error == expected + HINT
    (line,) = _warnings(caplog)
    assert line.getMessage() == f"feed {url}: {res.error}"
    assert feed_server.hits["/x/redirect"] == 1 and feed_server.hits["/feeds/inside"] == 0
    assert net.hosts == [PUBLIC]


async def test_redirect_between_public_hosts_is_followed(feed_server: FeedServer) -> None:
    feed_server.put("/feeds/new-home", rss("Moved", wire_items("m", 2)))
    dns = FakeDNS({"wire.public.test": [[PUBLIC]], "mirror.public.test": [[PUBLIC]]})
    net = LoopbackNetwork()
    target = _public_url(feed_server, "/feeds/new-home", name="mirror.public.test")
    async with _fetcher(dns, net) as fetcher:
        res = await fetcher.fetch_feed(_public_url(feed_server, f"/x/redirect?to={target}"))
    assert res.status == "ok" and res.final_url == target and len(res.items) == 2
    assert dns.calls == ["wire.public.test", "mirror.public.test"]


async def test_unresolvable_name_is_an_error_not_a_raise(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    async with _fetcher(FakeDNS({}), LoopbackNetwork()) as fetcher:
        res = await fetcher.fetch_feed("https://gone.public.test/rss")
    assert res.status == "error" and res.error == "ConnectError: cannot resolve gone.public.test"
    assert len(_warnings(caplog)) == 1


async def test_article_page_on_a_private_address_is_refused(
    feed_server: FeedServer, caplog: pytest.LogCaptureFixture, fixture_bytes: Read
) -> None:
    feed_server.put("/world/kremlin-revised-draft", fixture_bytes("article_kremlin_draft.html"),
                    content_type="text/html; charset=utf-8")
    dns = FakeDNS({"news.public.test": [[PUBLIC]]})
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    async with _fetcher(dns, LoopbackNetwork()) as fetcher:
        page = await fetcher.fetch_page(_public_url(feed_server, "/world/kremlin-revised-draft", "news.public.test"))
        assert page is not None and "Kremlin" in page[1] and _warnings(caplog) == []
        metadata = await fetcher.fetch_page("http://169.254.169.254/latest/meta-data/iam/")
        bounced = await fetcher.fetch_page(_public_url(
            feed_server, f"/x/redirect?to={feed_server.base_url}/world/kremlin-revised-draft", "news.public.test"))
    assert metadata is None and bounced is None
    first, second = (r.getMessage() for r in _warnings(caplog))
    assert first == ("page http://169.254.169.254/latest/meta-data/iam/: "
                     "refused: 169.254.169.254 is a link-local address" + HINT)
    assert second.endswith(": refused: 127.0.0.1 is a loopback address" + HINT)
    assert feed_server.hits["/world/kremlin-revised-draft"] == 1


async def test_caller_transport_is_checked_before_each_hop() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(302, headers={"Location": "http://10.0.0.5/rss"})

    async with FeedFetcher(transport=httpx.MockTransport(handler)) as fetcher:
        direct = await fetcher.fetch_feed("http://127.0.0.1/rss")
        hop = await fetcher.fetch_feed(f"http://{PUBLIC}/rss")
    assert direct.error == "refused: 127.0.0.1 is a loopback address" + HINT
    assert hop.error == "refused: 10.0.0.5 is a private address" + HINT
    assert seen == [f"http://{PUBLIC}/rss"]


async def test_environment_proxy_does_not_bypass_the_guard(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", feed_server.base_url)  # a "proxy" that would happily serve the request
    feed_server.put("/feeds/desk", rss("Desk", wire_items("d", 1)))
    async with FeedFetcher(connect_timeout=2.0) as fetcher:
        res = await fetcher.fetch_feed(feed_server.url("/feeds/desk", host=1))
        assert res.error == "refused: 127.0.0.2 is a loopback address" + HINT
        assert sum(feed_server.hits.values()) == 0
        proxied = await fetcher.fetch_feed(f"http://{PUBLIC}/feeds/desk")  # the proxy is still used
    assert proxied.status == "ok" and len(proxied.items) == 1 and feed_server.hits["/feeds/desk"] == 1


async def test_vet_host_messages_and_addresses() -> None:
    dns = FakeDNS({"dual.public.test": [[PUBLIC, "2606:4700::6810:84e5"]]})
    assert await vet_host("dual.public.test", 443, resolver=dns) == [
        ipaddress.ip_address(PUBLIC), ipaddress.ip_address("2606:4700::6810:84e5")]
    assert await vet_host(PUBLIC, 80) == [ipaddress.ip_address(PUBLIC)]
    with pytest.raises(AddressRefused) as caught:
        await vet_host("0x7f.1", 80)
    assert str(caught.value) == "refused: 0x7f.1 (127.0.0.1) is a loopback address" + HINT
    assert caught.value.kind == "loopback" and caught.value.host == "0x7f.1"
    with pytest.raises(OSError):
        await vet_host("gone.public.test", 80, resolver=dns)
