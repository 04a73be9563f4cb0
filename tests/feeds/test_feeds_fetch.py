"""Tests for bot.feeds.fetch against a real local HTTP server: conditional GET, caps, hostile servers."""

from __future__ import annotations

import asyncio
import gzip
import logging
import socket
import time
import tracemalloc
import zlib
from datetime import datetime, timezone

import pytest

from bot.feeds.fetch import USER_AGENT, FeedFetcher
from bot.feeds.state import FeedState, next_state
from tests.fakes.feed_server import FeedServer, gzip_bomb, rss, wire_items

LOGGER = "bot.feeds"
NOW = datetime(2025, 12, 16, 12, 0, tzinfo=timezone.utc)


def _warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER and r.levelno >= logging.WARNING]


async def test_200_then_304_with_etag_and_honest_user_agent(feed_server: FeedServer) -> None:
    feed_server.put("/feeds/desk", rss("Desk", wire_items("d", 4)), etag='"v1"',
                    last_modified="Mon, 15 Dec 2025 09:00:00 GMT")
    url = feed_server.url("/feeds/desk")
    async with FeedFetcher(allow_private=True) as fetcher:
        first = await fetcher.fetch_feed(url)
        assert first.status == "ok" and first.http_status == 200 and len(first.items) == 4
        assert first.etag == '"v1"' and first.title == "Desk" and first.bytes_read > 0
        second = await fetcher.fetch_feed(url, etag=first.etag, last_modified=first.last_modified)
    assert second.status == "not_modified" and second.http_status == 304 and second.items == []
    assert second.etag == '"v1"' and second.last_modified == first.last_modified
    _, headers = feed_server.requests[-1]
    assert headers["If-None-Match"] == '"v1"'
    assert headers["User-Agent"] == USER_AGENT and USER_AGENT.startswith("briefbot/")
    assert "+https://github.com/briefbot/briefbot" in USER_AGENT


async def test_last_modified_alone_gives_304(feed_server: FeedServer) -> None:
    feed_server.put("/feeds/lm", rss("LM", wire_items("lm", 1)), last_modified="Mon, 15 Dec 2025 09:00:00 GMT")
    async with FeedFetcher(allow_private=True) as fetcher:
        res = await fetcher.fetch_feed(feed_server.url("/feeds/lm"), last_modified="Mon, 15 Dec 2025 09:00:00 GMT")
    assert res.status == "not_modified" and res.last_modified == "Mon, 15 Dec 2025 09:00:00 GMT"


async def test_etag_change_returns_new_items(feed_server: FeedServer) -> None:
    feed_server.put("/feeds/desk", rss("Desk", wire_items("d", 2)), etag='"v1"')
    url = feed_server.url("/feeds/desk")
    async with FeedFetcher(allow_private=True) as fetcher:
        first = await fetcher.fetch_feed(url)
        feed_server.put("/feeds/desk", rss("Desk", wire_items("e", 3)), etag='"v2"')
        second = await fetcher.fetch_feed(url, etag=first.etag)
    assert second.status == "ok" and second.etag == '"v2"'
    assert [i.guid for i in second.items] == ["e-0", "e-1", "e-2"]


async def test_gzip_and_deflate_bodies_are_decoded(feed_server: FeedServer) -> None:
    body = rss("Zipped", wire_items("z", 3))
    raw_deflate = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    feed_server.put("/feeds/gz", gzip.compress(body), headers={"Content-Encoding": "gzip"})
    feed_server.put("/feeds/zlib", zlib.compress(body), headers={"Content-Encoding": "deflate"})
    feed_server.put("/feeds/raw", raw_deflate.compress(body) + raw_deflate.flush(),
                    headers={"Content-Encoding": "deflate"})
    async with FeedFetcher(allow_private=True) as fetcher:
        for path in ("/feeds/gz", "/feeds/zlib", "/feeds/raw"):
            res = await fetcher.fetch_feed(feed_server.url(path))
            assert res.status == "ok" and len(res.items) == 3 and res.bytes_read == len(body), path


async def test_permanent_redirect_is_followed(feed_server: FeedServer) -> None:
    feed_server.put("/feeds/new-home", rss("Moved", wire_items("m", 1)))
    async with FeedFetcher(allow_private=True) as fetcher:
        res = await fetcher.fetch_feed(feed_server.url("/x/redirect?to=/feeds/new-home"))
    assert res.status == "ok" and res.final_url == feed_server.url("/feeds/new-home")


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/feed.xml"


SCENARIOS = [
    ("/x/status/404", "HTTP 404", 404),
    ("/x/status/410", "HTTP 410", 410),
    ("/x/status/500", "HTTP 500", 500),
    ("/x/slow-headers?delay=3", "timeout (ReadTimeout)", None),
    ("/x/slow-body?delay=0.05", "took longer than 1.5 s", 200),
    ("/feeds/broken", "malformed feed", 200),
    ("/feeds/entity-bomb", "entity bomb", 200),
    ("/x/huge?mb=50", "more than 10485760 bytes on the wire", 200),
    ("/x/huge?mb=50&length=1", "Content-Length 52428800", 200),
    ("/x/gzip-bomb?mb=256", "after decompression", 200),
    ("/x/gzip-stream", "after decompression", 200),
    ("/x/loop/a", "too many redirects", None),
    ("/feeds/html", "not an RSS/Atom feed (text/html", 200),
    ("CLOSED", "ConnectError", None),
    ("not-a-url", "UnsupportedProtocol", None),
]


@pytest.mark.parametrize(("path", "reason", "http_status"), SCENARIOS, ids=[s[0] for s in SCENARIOS])
async def test_failure_is_one_log_line_updates_state_and_fetcher_keeps_working(
    feed_server: FeedServer, caplog: pytest.LogCaptureFixture, path: str, reason: str, http_status: int | None
) -> None:
    url = {"CLOSED": _closed_port_url(), "not-a-url": "not-a-url"}.get(path) or feed_server.url(path)
    if path.startswith("/x/gzip-bomb"):
        gzip_bomb(256)  # the fake server builds its bomb once (over a second on a slow host): not the fetcher's time
    feed_server.put("/feeds/good", rss("Good", wire_items("g", 2)))
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    async with FeedFetcher(read_timeout=1.0, total_timeout=1.5, allow_private=True) as fetcher:
        started = time.monotonic()
        res = await fetcher.fetch_feed(url)
        elapsed = time.monotonic() - started
        assert res.status == "error" and res.items == [] and reason in res.error
        assert "\n" not in res.error and res.http_status == http_status
        assert elapsed < 3.0
        (line,) = _warnings(caplog)
        assert url in line.getMessage() and res.error in line.getMessage()

        state, _ = next_state(FeedState(), res, NOW)
        assert state.failures == 1 and state.last_error == res.error
        assert state.paused == (http_status == 410)

        caplog.clear()
        good = await fetcher.fetch_feed(feed_server.url("/feeds/good"))
    assert good.status == "ok" and len(good.items) == 2 and _warnings(caplog) == []


async def test_wrong_encoding_is_ok_with_one_warning(feed_server: FeedServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    async with FeedFetcher(allow_private=True) as fetcher:
        res = await fetcher.fetch_feed(feed_server.url("/feeds/wrong-encoding"))
    assert res.status == "ok" and res.items[0].title.startswith("Zelenskyy\u2019s envoy")
    (line,) = _warnings(caplog)
    assert "encoding" in line.getMessage()


async def test_gzip_bomb_is_inflated_incrementally(feed_server: FeedServer) -> None:
    gzip_bomb(256)  # build the bomb before measuring
    async with FeedFetcher(allow_private=True) as fetcher:
        tracemalloc.start()
        try:
            res = await fetcher.fetch_feed(feed_server.url("/x/gzip-bomb?mb=256"))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert res.status == "error" and "after decompression" in res.error
    # 10 MiB cap + one copy; httpx's own decoder would inflate a 64 KiB chunk to ~64 MiB at once.
    assert peak < 40 * 1024 * 1024


async def test_retry_after_is_reported(feed_server: FeedServer) -> None:
    async with FeedFetcher(allow_private=True) as fetcher:
        res = await fetcher.fetch_feed(feed_server.url("/x/status/503?retry=120"))
    assert res.status == "error" and res.retry_after == 120.0


async def test_per_host_concurrency_limit(feed_server: FeedServer) -> None:
    urls = [feed_server.url("/x/slow-headers?delay=0.3", host=h) for h in (0, 1) for _ in range(6)]
    async with FeedFetcher(per_host_limit=2, allow_private=True) as fetcher:
        started = time.monotonic()
        results = await asyncio.gather(*(fetcher.fetch_feed(u) for u in urls))
        elapsed = time.monotonic() - started
    assert all(r.status == "ok" for r in results)
    assert feed_server.max_inflight["127.0.0.1"] == 2 and feed_server.max_inflight["127.0.0.2"] == 2
    assert 0.85 < elapsed < 4.0  # 3 waves of 0.3 s per host, both hosts in parallel
