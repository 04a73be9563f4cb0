"""The demo server over real HTTP on 127.0.0.1, and the bundled fictional corpus it serves."""

from __future__ import annotations

import html
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timezone

import feedparser
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bot.demo import DATA_DIR, DEMO_FEEDS, DEMO_STORY, PLACEHOLDER, DemoServer  # noqa: E402
from bot.feeds.fetch import FeedFetcher  # noqa: E402
from bot.feeds.fulltext import full_text  # noqa: E402
from bot.feeds.identity import canonical_url  # noqa: E402

ENTRIES = {"kyiv-ledger": 5, "baltic-wire": 4, "continental-review": 5}
OFF_STORY = {"kl-sport-podil-derby", "cr-winter-kitchen-bean-stew"}
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _get(url: str, headers: dict[str, str] | None = None, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with NO_PROXY.open(request, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer() as srv:
        yield srv


def test_serves_each_feed_with_placeholders_substituted(server: DemoServer) -> None:
    assert server.base_url.startswith("http://127.0.0.1:") and not server.base_url.endswith(":0")
    assert set(server.feed_urls) == set(DEMO_FEEDS) == set(ENTRIES)
    for name, url in server.feed_urls.items():
        assert url == f"{server.base_url}/feeds/{name}.xml"
        status, headers, body = _get(url)
        text = body.decode("utf-8")
        assert status == 200 and PLACEHOLDER not in text and f"{server.base_url}/articles/" in text
        kind = "application/atom+xml" if name == "baltic-wire" else "application/rss+xml"
        assert headers["Content-Type"].startswith(kind) and headers["ETag"].startswith('"')
        assert int(headers["Content-Length"]) == len(body)
    assert PLACEHOLDER in (DATA_DIR / "feeds" / "kyiv-ledger.xml").read_text(encoding="utf-8")


def test_etag_gives_304_and_a_changed_etag_gives_the_feed(server: DemoServer) -> None:
    url = server.feed_urls["baltic-wire"]
    _, headers, body = _get(url)
    etag = headers["ETag"]
    status, again, empty = _get(url, {"If-None-Match": etag})
    assert status == 304 and empty == b"" and again["ETag"] == etag
    assert _get(url, {"If-None-Match": f'"other", W/{etag}'})[0] == 304
    assert _get(url, {"If-None-Match": '"stale"'})[0:3:2] == (200, body)
    head = _get(url, method="HEAD")
    assert head[0] == 200 and head[2] == b"" and head[1]["ETag"] == etag
    with DemoServer() as other:  # another port: other links inside, so another ETag
        _, other_headers, _ = _get(other.feed_urls["baltic-wire"])
        assert other_headers["ETag"] != etag
        assert _get(other.feed_urls["baltic-wire"], {"If-None-Match": etag})[0] == 200


def test_feedparser_reads_every_feed_with_the_expected_entries(server: DemoServer) -> None:
    versions = {"kyiv-ledger": "rss20", "baltic-wire": "atom10", "continental-review": "rss20"}
    for name, url in server.feed_urls.items():
        parsed = feedparser.parse(_get(url)[2])
        assert not parsed.bozo, (name, parsed.get("bozo_exception"))
        assert parsed.version == versions[name] and parsed.feed.title.startswith(DEMO_FEEDS[name])
        assert len(parsed.entries) == ENTRIES[name]
        for entry in parsed.entries:
            when = datetime(*entry.published_parsed[:6], tzinfo=timezone.utc)
            assert datetime(2025, 11, 1, tzinfo=timezone.utc) <= when < datetime(2026, 1, 1, tzinfo=timezone.utc)
            assert entry.link.startswith(f"{server.base_url}/articles/")
            status, headers, page = _get(entry.link)
            assert status == 200 and headers["Content-Type"].startswith("text/html")
            assert PLACEHOLDER.encode() not in page and f">{html.escape(entry.title)}</h1>".encode() in page


def test_one_article_runs_in_two_feeds_under_the_same_canonical_link(server: DemoServer) -> None:
    links = [e.link for url in server.feed_urls.values() for e in feedparser.parse(_get(url)[2]).entries]
    canon = [canonical_url(link) for link in links]
    dupes = [link for link, c in zip(links, canon) if canon.count(c) > 1]
    assert len(dupes) == 2 and len(set(canon)) == len(links) - 1
    assert sum("utm_source=" in link for link in dupes) == 1


def test_unknown_paths_are_404_and_the_server_stops(server: DemoServer) -> None:
    for path in ("/feeds/nope.xml", "/articles/../feeds/kyiv-ledger.xml", "/etc/passwd", "/feeds/"):
        assert _get(server.base_url + path)[0] == 404, path
    assert server.hits["/feeds/nope.xml"] == 1
    srv = DemoServer().start()
    url = srv.feed_urls["kyiv-ledger"]
    srv.stop()
    with pytest.raises(urllib.error.URLError):
        NO_PROXY.open(url, timeout=2)
    with pytest.raises(RuntimeError):
        _ = srv.base_url


async def test_fetcher_gets_full_text_from_content_or_pages_and_filter_keeps_only_the_talks() -> None:
    from bot.brief.models import get_encoder
    from bot.pipeline.story_filter import StoryFilter

    story = StoryFilter(DEMO_STORY, get_encoder())
    async with DemoServer() as srv, FeedFetcher(allow_private=True) as fetcher:
        items, decisions = [], {}
        for name, url in srv.feed_urls.items():
            result = await fetcher.fetch_feed(url)
            assert result.status == "ok" and len(result.items) == ENTRIES[name], result.error
            assert all(item.needs_fulltext == (name != "kyiv-ledger") for item in result.items)
            again = await fetcher.fetch_feed(url, etag=result.etag)
            assert again.status == "not_modified"
            items += result.items
        for item in items:
            title, text = await full_text(fetcher, item)
            assert len(text) > 1000 and "Comments (3)" not in text and "Read more" not in text, item.link
            slug = item.canonical_link.rsplit("/", 1)[1].removesuffix(".html")
            decisions[slug] = story.decide(title, text)
        assert srv.hits["/articles/bw-zelensky-referendum-territory.html"] == 2  # the syndicated copy too
        assert srv.hits["/articles/kl-berlin-five-hours.html"] == 0  # full text came in the feed
    assert len(decisions) == 13
    assert {s for s, d in decisions.items() if not d.keep} == OFF_STORY
    assert decisions["kl-sport-podil-derby"].reason == "dropped: exclude keyword 'football' in body"
    assert decisions["cr-winter-kitchen-bean-stew"].reason.startswith("dropped: similarity 0.")
    kept = [d for s, d in decisions.items() if s not in OFF_STORY]
    assert min(d.score for d in kept) >= DEMO_STORY.threshold  # on-story by meaning too, not only by keyword
