"""App end to end: configured feeds on a real local server, SQLite store, real models, a recording sink."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from pathlib import Path

import pytest

from bot.app import App, Models
from bot.deliver.sink import DeliveryError
from bot.store import FeedRecord
from tests.fakes.feed_server import FeedServer, gzip_bomb, rss
from tests.fakes.sink import FakeSink, Post
from tests.pipeline.conftest import HOSTILE, OpenApp, backlog, entry, settings_for, story, warnings_of


def _feed(app: App, url: str) -> FeedRecord:
    assert app.store is not None
    found = app.store.get_feed(url)
    assert found is not None
    return found


def _by_address(posts: list[Post]) -> dict[str, list[Post]]:
    out: dict[str, list[Post]] = defaultdict(list)
    for post in posts:
        out[post.address].append(post)
    return dict(out)


async def test_hostile_feeds_in_one_round_leave_the_bot_running(
    open_app: OpenApp, feed_server: FeedServer, sink: FakeSink, models: Models, tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    gzip_bomb(64)
    feed_server.put("/feeds/good", rss("Good Desk", backlog("good", 4)), etag='"g1"')
    good = feed_server.url("/feeds/good")
    hostile = {feed_server.url(path): reason for _, path, reason in HOSTILE}
    feeds = [{"name": f"Hostile {i}", "url": url, "interval": 1} for i, url in enumerate(hostile)]
    feeds.append({"name": "Good Desk", "url": good, "backfill": 0})
    app = await open_app(settings_for(tmp_path / "bot.db", feeds, fetch={"per_host": 16}))
    caplog.set_level(logging.INFO)

    reports = {r.feed: r for r in await app.poll_once()}
    assert reports["Good Desk"].status == "ok"
    for i, (url, reason) in enumerate(hostile.items()):
        report = reports[f"Hostile {i}"]
        assert report.status == "error" and reason in (report.error or ""), url
        lines = [r for r in warnings_of(caplog) if url + ":" in r.getMessage()]
        assert len(lines) == 1 and lines[0].name == "bot.feeds", url
        feed = _feed(app, url)
        assert (feed.failures, feed.last_error, feed.paused) == (1, report.error, url.endswith("/410"))
    assert len(warnings_of(caplog)) == len(hostile)  # and nothing else
    assert app._models is None  # nothing new anywhere: no model was loaded
    gone = feed_server.url("/x/status/410")
    assert len(sink.notices) == 1 and gone in sink.notices[0][1] and "paused" in sink.notices[0][1]

    caplog.clear()
    reports = {r.feed: r for r in await app.poll_once()}
    assert reports["Good Desk"].status == "not_modified" and app._models is None
    assert all(_feed(app, url).failures == 2 for url in hostile)
    assert len(warnings_of(caplog)) == len(hostile) and len(sink.notices) == 1

    app._models = models  # the bot is still running: a new item is briefed and posted
    feed_server.put("/feeds/good", rss("Good Desk", [entry("prisoner-swap-list"), *backlog("good", 4)]),
                    etag='"g2"')
    await app.poll_once()
    assert [p.title for p in sink.posts] == [story("prisoner-swap-list").title]


async def test_paused_feed_tells_its_channels_once_and_resuming_once(
    open_app: OpenApp, feed_server: FeedServer, sink: FakeSink, tmp_path: Path
) -> None:
    feed_server.put("/feeds/dnipro", b"<h1>502 Bad Gateway</h1>", content_type="text/html", status=502)
    feed_server.put("/feeds/other", rss("Other Desk", backlog("other", 2)), etag='"o1"')
    flaky, other = feed_server.url("/feeds/dnipro"), feed_server.url("/feeds/other")
    feeds = [{"name": "Dnipro Courier", "url": flaky, "backfill": 0}, {"name": "Other", "url": other, "backfill": 0}]
    app = await open_app(settings_for(tmp_path / "bot.db", feeds, fetch={"failures_before_pause": 3}))
    assert app.store is not None
    app.store.subscribe("console", "desk-b", flaky)  # that feed alone...
    app.store.subscribe("console", "desk-b")  # ...and the story: still told once
    app.store.subscribe("console", "desk-c", other)  # another feed only: never told

    for _ in range(5):
        await app.poll_once()
    assert _feed(app, flaky).paused and _feed(app, flaky).failures == 5
    assert sorted(a for a, _ in sink.notices) == ["desk-b", "stdout"]
    for _, text in sink.notices:
        assert flaky in text and "paused after 3 failed poll" in text and "HTTP 502" in text

    feed_server.put("/feeds/dnipro", rss("Dnipro Courier", backlog("dnipro", 3)), etag='"d1"')
    sink.notices.clear()
    for _ in range(3):
        await app.poll_once()
    assert not _feed(app, flaky).paused and _feed(app, flaky).failures == 0
    assert sorted(a for a, _ in sink.notices) == ["desk-b", "stdout"]
    assert all("working again" in text and flaky in text for _, text in sink.notices)
    assert sink.posts == [] and app._models is None


async def test_channel_subscribed_to_a_feed_by_name_gets_only_that_feed(
    open_app: OpenApp, feed_server: FeedServer, sink: FakeSink, models: Models, tmp_path: Path
) -> None:
    feed_server.put("/feeds/kyiv", rss("Kyiv Desk", [entry("peskov-summit-date", guid="k-1")]))
    feed_server.put("/feeds/baltic", rss("Baltic Desk", [entry("energy-truce-monitors", guid="b-1")]))
    feeds = [{"name": "Kyiv Desk", "url": feed_server.url("/feeds/kyiv")},
             {"name": "Baltic Desk", "url": feed_server.url("/feeds/baltic")}]
    channels = [{"platform": "console", "address": "stdout", "subscribe": ["Baltic Desk"]}]
    app = await open_app(settings_for(tmp_path / "bot.db", feeds, channels=channels), models=models)
    reports = await app.poll_once()
    assert sum(len(r.briefs) for r in reports) == 2  # both briefed...
    assert [p.title for p in sink.posts] == [story("energy-truce-monitors").title]  # ...one delivered here


async def test_feed_added_later_does_not_flood_channels_with_its_backlog(
    open_app: OpenApp, feed_server: FeedServer, sink: FakeSink, models: Models, tmp_path: Path
) -> None:
    feed_server.put("/feeds/kyiv", rss("Kyiv Desk", backlog("kyiv", 3)), etag='"k1"')
    feeds = [{"name": "Kyiv Desk", "url": feed_server.url("/feeds/kyiv"), "backfill": 0}]
    app = await open_app(settings_for(tmp_path / "bot.db", feeds), models=models)
    await app.poll_once()
    assert sink.posts == []

    newest = [entry(s, guid=f"late-{s}", hours_ago=i) for i, s in enumerate(
        ("coalition-guarantees-liveblog", "prisoner-swap-list", "istanbul-round-umerov"))]
    late = feed_server.url("/feeds/late")
    feed_server.put("/feeds/late", rss("Late Desk", [*newest, *backlog("late", 7)]), etag='"l1"')
    assert app.store is not None
    app.store.add_feed(late, "Late Desk")  # as `feed add` in chat does: not in the config, default backfill 3
    await app.poll_once()
    assert sorted(p.title or "" for p in sink.posts) == sorted(story(s).title for s in (
        "coalition-guarantees-liveblog", "prisoner-swap-list", "istanbul-round-umerov"))

    fresh = entry("energy-truce-monitors", guid="late-fresh", hours_ago=-1)
    feed_server.put("/feeds/late", rss("Late Desk", [fresh, *newest, *backlog("late", 7)]), etag='"l2"')
    await app.poll_once()
    assert len(sink.posts) == 4 and sink.posts[-1].title == story("energy-truce-monitors").title


async def test_each_brief_reaches_each_channel_once_in_order(
    open_app: OpenApp, feed_server: FeedServer, sink: FakeSink, models: Models, tmp_path: Path
) -> None:
    a, b = feed_server.url("/feeds/ledger"), feed_server.url("/feeds/partner")
    feed_server.put("/feeds/ledger", rss("Kyiv Ledger", [entry("istanbul-round-umerov", guid="kl-1", hours_ago=3),
                                                         entry("peskov-summit-date", guid="kl-2", hours_ago=2)]),
                    etag='"a1"')
    feed_server.put("/feeds/partner", rss("Partner Wire", []), etag='"b1"')
    feeds = [{"name": "Kyiv Ledger", "url": a}, {"name": "Partner Wire", "url": b}]
    settings = settings_for(tmp_path / "bot.db", feeds)
    app = await open_app(settings, models=models)
    assert app.store is not None
    app.store.subscribe("console", "desk-b")  # the story
    app.store.subscribe("console", "desk-c", b)  # the partner feed only

    round1 = await app.poll_once()
    swap = entry("prisoner-swap-list", guid="kl-3", link="https://kyivledger.example/news/prisoner-swap", hours_ago=1)
    feed_server.put("/feeds/ledger", rss("Kyiv Ledger", [swap]), etag='"a2"')
    sink.fail(DeliveryError("HTTP 503 from the platform"), times=1, address="desk-b")
    round2 = await app.poll_once()
    assert [p.address for p in sink.posts].count("desk-b") == 2  # the third waits for its retry

    swap_again = entry("prisoner-swap-list", guid="pw-17", link="https://www.kyivledger.example/news/prisoner-swap"
                       "?utm_source=partner")
    truce = entry("energy-truce-monitors", guid="pw-18", hours_ago=0)
    feed_server.put("/feeds/partner", rss("Partner Wire", [truce, swap_again]), etag='"b2"')
    await asyncio.sleep(0.1)  # past the retry delay
    round3 = await app.poll_once()
    briefs = [i for r in (*round1, *round2, *round3) for i in r.briefs]
    assert len(briefs) == 4 == len(set(briefs))

    await app.close()  # a restart on the same store posts nothing again
    again = await open_app(settings, models=models)
    assert all(r.briefs == [] for r in await again.poll_once())

    posts = _by_address(sink.posts)
    assert [p.brief_id for p in posts["stdout"]] == briefs
    assert [p.brief_id for p in posts["desk-b"]] == briefs
    assert [p.brief_id for p in posts["desk-c"]] == briefs[-1:]  # the swap came through the ledger first
    for address, got in posts.items():
        assert [p.seq for p in got] == list(range(1, len(got) + 1)), address
    assert len({p.key for p in sink.posts}) == len(sink.posts) == 9
