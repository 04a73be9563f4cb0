"""Pipeline.poll_feed and recover end to end: a real local feed server, real fetcher, SQLite store, real models."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from bot.app import Models
from bot.brief.engine import Briefer
from bot.feeds import BackoffPolicy, FeedEvent, FeedFetcher, identity_key, is_teaser
from bot.pipeline.poll import Pipeline, PollReport
from bot.pipeline.story_filter import StoryFilter
from bot.store import ArticleRecord, FeedRecord, Store, open_store
from tests.fakes.feed_server import FeedServer, gzip_bomb, rss
from tests.pipeline.conftest import (
    FAST_FETCH, HOSTILE, OFF_STORY, ON_STORY, backlog, cp1252_feed, entry, page, story, warnings_of,
)

INTERVAL = 60.0
POLICY = BackoffPolicy(interval=INTERVAL, backoff_max=300.0, pause_after=4)


class Rig:
    """A Pipeline over a fresh store, counting model loads and recording feed events."""

    def __init__(self, store: Store, fetcher: FeedFetcher, models: Models, backfill: int) -> None:
        self.store = store
        self.shared = models
        self.model_calls = 0
        self.events: list[FeedEvent] = []
        self.pipeline = Pipeline(store, self._models, fetcher, policy=POLICY, backfill=backfill,
                                 on_event=self._on_event)

    def _models(self) -> tuple[Briefer, StoryFilter]:
        self.model_calls += 1
        return self.shared.briefer, self.shared.story

    async def _on_event(self, feed: FeedRecord, event: FeedEvent) -> None:
        self.events.append(event)

    async def poll(self, url: str) -> PollReport:
        feed, _ = await asyncio.to_thread(self.store.add_feed, url)  # idempotent: the feed as stored now
        return await self.pipeline.poll_feed(feed)

    def feed(self, url: str) -> FeedRecord:
        found = self.store.get_feed(url)
        assert found is not None
        return found

    def article(self, url: str, item: dict[str, str]) -> ArticleRecord | None:
        return self.store.get_article(identity_key(item["guid"], item["link"], feed_url=url))


MakeRig = Callable[..., Awaitable[Rig]]


@pytest.fixture
async def make_rig(tmp_path: Path, models: Models) -> AsyncIterator[MakeRig]:
    made: list[tuple[Store, FeedFetcher]] = []

    async def make(backfill: int = 3) -> Rig:
        store = await asyncio.to_thread(open_store, f"sqlite:///{tmp_path}/poll-{len(made)}.db")
        fetcher = await FeedFetcher(**FAST_FETCH, allow_private=True).__aenter__()
        made.append((store, fetcher))
        return Rig(store, fetcher, models, backfill)

    yield make
    for store, fetcher in made:
        await fetcher.aclose()
        store.close()


def _wait(feed: FeedRecord) -> float:
    assert feed.next_poll_at is not None and feed.last_polled_at is not None
    return (feed.next_poll_at - feed.last_polled_at).total_seconds()


# -- conditional GET ---------------------------------------------------------------------------------------------

async def test_200_then_304_keeps_validators_and_never_loads_a_model(make_rig: MakeRig,
                                                                      feed_server: FeedServer) -> None:
    rig = await make_rig(backfill=0)
    feed_server.put("/feeds/desk", rss("Desk", [entry(s, hours_ago=i) for i, s in enumerate(ON_STORY[:3])]),
                    etag='"desk-v1"', last_modified="Wed, 21 Jan 2026 12:00:00 GMT")
    url = feed_server.url("/feeds/desk")

    first = await rig.poll(url)
    assert (first.status, first.new_items) == ("ok", 0)  # backfill 0: the backlog is remembered, not stored
    stored = rig.feed(url)
    assert stored.etag == '"desk-v1"' and stored.last_modified == "Wed, 21 Jan 2026 12:00:00 GMT"
    assert stored.failures == 0 and stored.last_ok_at is not None and _wait(stored) == pytest.approx(INTERVAL, abs=2)

    second = await rig.poll(url)
    assert (second.status, second.new_items, second.briefs) == ("not_modified", 0, [])
    path, headers = feed_server.requests[-1]
    assert path == "/feeds/desk" and headers["If-None-Match"] == '"desk-v1"'
    again = rig.feed(url)
    assert again.etag == '"desk-v1"' and again.last_ok_at is not None and again.last_ok_at >= stored.last_ok_at
    assert rig.model_calls == 0


async def test_etag_change_briefs_only_the_new_item(make_rig: MakeRig, feed_server: FeedServer) -> None:
    rig = await make_rig(backfill=3)
    url = feed_server.url("/feeds/kyiv")
    v1 = [entry("istanbul-round-umerov", hours_ago=2)]
    feed_server.put("/feeds/kyiv", rss("Kyiv Desk", v1), etag='"k1"')
    first = await rig.poll(url)
    assert (first.new_items, first.kept, len(first.briefs)) == (1, 1, 1)

    fresh = entry("peskov-summit-date", hours_ago=0)
    feed_server.put("/feeds/kyiv", rss("Kyiv Desk", [fresh, *v1]), etag='"k2"')
    second = await rig.poll(url)
    assert second.status == "ok" and (second.new_items, len(second.briefs)) == (1, 1)
    assert rig.article(url, fresh) is not None and rig.feed(url).etag == '"k2"'
    brief = rig.store.get_brief(second.briefs[0])
    assert brief is not None and brief.brief.title == story("peskov-summit-date").title

    third = await rig.poll(url)
    assert (third.status, third.new_items) == ("not_modified", 0)


# -- hostile servers ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "reason"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
async def test_hostile_feed_is_one_log_line_a_state_change_and_polling_goes_on(
    make_rig: MakeRig, feed_server: FeedServer, caplog: pytest.LogCaptureFixture, path: str, reason: str
) -> None:
    gzip_bomb(64)  # built before the clock runs
    rig = await make_rig(backfill=0)
    feed_server.put("/feeds/good", rss("Good Desk", [entry("istanbul-round-umerov")]), etag='"g1"')
    url = feed_server.url(path)
    gone = path.endswith("/410")
    caplog.set_level(logging.DEBUG)

    report = await rig.poll(url)
    assert report.status == "error" and reason in (report.error or "") and "\n" not in (report.error or "")
    (line,) = warnings_of(caplog)
    assert line.name == "bot.feeds" and url in line.getMessage() and report.error in line.getMessage()
    feed = rig.feed(url)
    assert (feed.failures, feed.paused, feed.last_error) == (1, gone, report.error)
    assert feed.last_ok_at is None and feed.etag is None
    assert _wait(feed) == pytest.approx(POLICY.paused_interval if gone else 2 * INTERVAL, abs=2)
    assert [e.kind for e in rig.events] == (["paused"] if gone else [])

    caplog.clear()  # the same pipeline goes on: a good feed, then the bad one again
    good = await rig.poll(feed_server.url("/feeds/good"))
    assert good.status == "ok" and warnings_of(caplog) == []
    again = await rig.poll(url)
    assert again.status == "error" and len(warnings_of(caplog)) == 1
    feed = rig.feed(url)
    assert feed.failures == 2 and _wait(feed) == pytest.approx(POLICY.paused_interval if gone else 4 * INTERVAL, abs=2)
    assert len(rig.events) == (1 if gone else 0)  # a paused feed is announced once
    assert rig.model_calls == 0


async def test_wrong_declared_encoding_is_read_with_one_warning(make_rig: MakeRig, feed_server: FeedServer,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    rig = await make_rig()
    url = feed_server.url("/feeds/cp1252")
    feed_server.put("/feeds/cp1252", cp1252_feed("istanbul-round-umerov", "https://desk.example/istanbul"))
    caplog.set_level(logging.DEBUG)
    report = await rig.poll(url)
    assert report.status == "ok" and report.new_items == 1
    (line,) = warnings_of(caplog)
    assert line.name == "bot.feeds" and "encoding" in line.getMessage()
    feed = rig.feed(url)
    assert feed.failures == 0 and feed.last_error is None
    article = rig.store.get_article(identity_key("cp-istanbul-round-umerov", None, feed_url=url))
    assert article is not None
    title = "Ukraine and U.S. negotiators end Istanbul round with \u201cshorter list\u201d of open issues"
    assert article.title == title
    assert "Ukraine\u2019s National Security" in (article.text or "") and "\ufffd" not in (article.text or "")


# -- backoff, pause, resume --------------------------------------------------------------------------------------

async def test_backoff_doubles_then_pauses_once_then_resumes_once(make_rig: MakeRig, feed_server: FeedServer,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    rig = await make_rig(backfill=0)
    url = feed_server.url("/feeds/flaky")
    feed_server.put("/feeds/flaky", b"upstream exploded", content_type="text/plain", status=500)
    caplog.set_level(logging.INFO)
    waits, paused = [], []
    for _ in range(6):
        report = await rig.poll(url)
        assert report.status == "error"
        feed = rig.feed(url)
        waits.append(_wait(feed))
        paused.append(feed.paused)
    paused_wait = POLICY.paused_interval
    assert waits == pytest.approx([120, 240, 300, paused_wait, paused_wait, paused_wait], abs=2)
    assert paused == [False, False, False, True, True, True]
    assert [(e.kind, e.failures) for e in rig.events] == [("paused", 4)]
    assert "HTTP 500" in (rig.events[0].reason or "") and url in rig.events[0].message()
    assert len(warnings_of(caplog, "bot.feeds")) == 6  # one line per failed poll

    feed_server.put("/feeds/flaky", rss("Flaky Desk", [entry("peskov-summit-date")]), etag='"f1"')
    back = await rig.poll(url)
    feed = rig.feed(url)
    assert back.status == "ok" and (feed.failures, feed.paused, feed.last_error) == (0, False, None)
    assert _wait(feed) == pytest.approx(INTERVAL, abs=2)
    assert [e.kind for e in rig.events] == ["paused", "resumed"]
    assert (await rig.poll(url)).status == "not_modified"
    assert [e.kind for e in rig.events] == ["paused", "resumed"]  # told once
    assert rig.model_calls == 0


# -- new items: backfill, identity, full text, filter --------------------------------------------------------------

async def test_new_feed_takes_only_its_newest_items_and_remembers_the_backlog(make_rig: MakeRig,
                                                                             feed_server: FeedServer) -> None:
    rig = await make_rig(backfill=2)
    url = feed_server.url("/feeds/late")
    old = backlog("late", 5)
    newest = [entry("prisoner-swap-list", hours_ago=1), entry("istanbul-round-umerov", hours_ago=3)]
    feed_server.put("/feeds/late", rss("Late Desk", [*old[:3], *newest, *old[3:]]), etag='"l1"')  # not in date order

    first = await rig.poll(url)
    assert (first.new_items, len(first.briefs)) == (2, 2)
    assert all(rig.article(url, item) is not None for item in newest)
    assert all(rig.article(url, item) is None for item in old)
    assert rig.store.known_keys({identity_key(i["guid"], i["link"], feed_url=url) for i in old}) != set()

    fresh = entry("energy-truce-monitors", hours_ago=0)
    feed_server.put("/feeds/late", rss("Late Desk", [fresh, *newest, *old]), etag='"l2"')
    second = await rig.poll(url)
    assert (second.new_items, len(second.briefs)) == (1, 1)  # the backlog never comes back
    assert rig.article(url, fresh) is not None and all(rig.article(url, item) is None for item in old)


async def test_item_edited_in_place_is_not_briefed_again(make_rig: MakeRig, feed_server: FeedServer) -> None:
    rig = await make_rig()
    url = feed_server.url("/feeds/edits")
    original = entry("peskov-summit-date", guid="wire-0115-kremlin", hours_ago=4)
    feed_server.put("/feeds/edits", rss("Edits", [original]), etag='"e1"')
    first = await rig.poll(url)
    assert len(first.briefs) == 1
    calls = rig.model_calls

    edited = entry("peskov-summit-date", guid="wire-0115-kremlin", hours_ago=0,
                   title="UPDATE 2-Kremlin says no summit date set, U.S. draft only 'a basis for work'",
                   link="https://wire.example/news/kremlin-summit-date-update-2?utm_source=rss&utm_medium=feed")
    feed_server.put("/feeds/edits", rss("Edits", [edited]), etag='"e2"')
    second = await rig.poll(url)
    assert second.status == "ok" and (second.new_items, second.briefs) == (0, [])
    assert rig.model_calls == calls
    article = rig.article(url, original)
    assert article is not None and article.title == story("peskov-summit-date").title


async def test_same_article_through_two_feeds_is_briefed_once(make_rig: MakeRig, feed_server: FeedServer) -> None:
    rig = await make_rig()
    a, b = feed_server.url("/feeds/ledger"), feed_server.url("/feeds/syndicated")
    at_ledger = entry("energy-truce-monitors", guid="kl-88121",
                      link="https://kyivledger.example/news/energy-truce-monitors?utm_source=rss")
    syndicated = entry("energy-truce-monitors", guid="urn:partner:778",
                       link="http://www.kyivledger.example/news/energy-truce-monitors?utm_medium=partner#top",
                       title="Neutral monitors to watch energy truce under U.S. draft - officials")
    feed_server.put("/feeds/ledger", rss("Kyiv Ledger", [at_ledger]))
    feed_server.put("/feeds/syndicated", rss("Partner Wire", [syndicated]))
    one = await rig.poll(a)
    two = await rig.poll(b)
    assert (len(one.briefs), two.new_items, two.briefs) == (1, 0, [])

    # both feeds carry a new article and are polled at the same time: still one article, one brief
    at_ledger2 = entry("prisoner-swap-list", guid="kl-88190",
                       link="https://kyivledger.example/news/prisoner-swap-list")
    syndicated2 = entry("prisoner-swap-list", guid="urn:partner:801",
                        link="https://kyivledger.example/news/prisoner-swap-list?utm_campaign=partner")
    feed_server.put("/feeds/ledger", rss("Kyiv Ledger", [at_ledger2, at_ledger]))
    feed_server.put("/feeds/syndicated", rss("Partner Wire", [syndicated2, syndicated]))
    reports = await asyncio.gather(rig.poll(a), rig.poll(b))
    assert sum(r.new_items for r in reports) == 1 and sum(len(r.briefs) for r in reports) == 1


async def test_teaser_entry_gets_its_page_fetched_and_extracted(make_rig: MakeRig, feed_server: FeedServer) -> None:
    rig = await make_rig()
    feed_server.put("/news/ushakov-envoys-kremlin.html", page("ushakov-envoys-kremlin.html"),
                    content_type="text/html; charset=utf-8")
    url = feed_server.url("/feeds/courier")
    teaser = entry("istanbul-round-umerov", guid="dc-5521", title="Kremlin aide calls envoys' visit useful",
                   link=feed_server.url("/news/ushakov-envoys-kremlin.html?utm_source=rss"),
                   teaser="A Kremlin aide says the five-hour meeting was useful but the territorial question\u2026")
    feed_server.put("/feeds/courier", rss("Dnipro Courier", [teaser]))

    report = await rig.poll(url)
    assert (report.new_items, len(report.briefs)) == (1, 1)
    assert feed_server.hits["/news/ushakov-envoys-kremlin.html"] == 1
    article = rig.article(url, teaser)
    assert article is not None and article.title == "Kremlin aide calls envoys' visit useful"
    text = article.text or ""
    assert "ran past midnight in the Kremlin\u2019s Senate Palace" in text
    for clutter in ("See also", "Comments (214)", "Subscribe from", "All rights reserved", "Air raid alert lifted"):
        assert clutter not in text
    brief = rig.store.get_brief(report.briefs[0])
    assert brief is not None
    said = {(q.speaker, q.text) for q in brief.brief.quotes}
    assert any("Ushakov" in who and "We did not find a compromise" in what for who, what in said)


async def test_page_that_fails_falls_back_to_the_teaser_with_one_log_line(
    make_rig: MakeRig, feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    rig = await make_rig()
    url = feed_server.url("/feeds/courier")
    teaser_text = ("Kremlin aide Yuri Ushakov says the five-hour meeting with U.S. envoys on the peace plan "
                   "was useful\u2026")
    teaser = entry("istanbul-round-umerov", guid="dc-5522", link=feed_server.url("/x/status/404"),
                   title="Ushakov: envoys' visit useful", teaser=teaser_text)
    feed_server.put("/feeds/courier", rss("Dnipro Courier", [teaser]))
    caplog.set_level(logging.DEBUG)
    report = await rig.poll(url)
    assert report.status == "ok" and report.new_items == 1
    (line,) = warnings_of(caplog)
    assert line.name == "bot.feeds" and "page" in line.getMessage() and "HTTP 404" in line.getMessage()
    article = rig.article(url, teaser)
    assert article is not None and article.text == teaser_text and article.kept is not None


async def test_filter_decisions_and_their_reasons_are_stored(make_rig: MakeRig, feed_server: FeedServer,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    rig = await make_rig()
    caplog.set_level(logging.INFO)
    url = feed_server.url("/feeds/mixed")
    items = {slug: entry(slug, hours_ago=i) for i, slug in
             enumerate(("coalition-guarantees-liveblog", "derby-football-report", "winter-soup-recipe"))}
    feed_server.put("/feeds/mixed", rss("Mixed Desk", list(items.values())))
    report = await rig.poll(url)
    assert (report.new_items, report.kept, report.dropped, len(report.briefs)) == (3, 1, 2, 1)

    on, derby, soup = (rig.article(url, item) for item in items.values())
    assert on is not None and derby is not None and soup is not None
    assert on.kept is True and on.filter_reason and on.filtered_at is not None
    assert any(w in on.filter_reason for w in ("ceasefire", "security guarantees", "Zelensky", "Witkoff"))
    assert derby.kept is False and "football" in (derby.filter_reason or "")
    assert soup.kept is False and soup.filter_reason and soup.filter_score is not None and soup.filter_score < 0.35
    assert rig.store.brief_for_article(on.id) is not None
    assert rig.store.brief_for_article(derby.id) is None and rig.store.brief_for_article(soup.id) is None
    assert warnings_of(caplog) == []  # whole entries: no page fetched


# -- crashes -----------------------------------------------------------------------------------------------------

async def test_recover_finishes_what_a_crash_left(make_rig: MakeRig) -> None:
    rig = await make_rig()
    store = rig.store
    on, recipe, kept = (story(s) for s in ("prisoner-swap-list", "winter-soup-recipe", "energy-truce-monitors"))
    unfiltered, _ = store.upsert_article("url:wire.example/a", title=on.title, text=on.text)
    dropped, _ = store.upsert_article("url:wire.example/b", title=recipe.title, text=recipe.text)
    unbriefed, _ = store.upsert_article("url:wire.example/c", title=kept.title, text=kept.text)
    store.record_filter(unbriefed.id, kept=True, reason="kept before the crash")

    report = await rig.pipeline.recover()
    assert (report.kept, report.dropped, len(report.briefs)) == (1, 1, 2)
    assert store.unfiltered_articles() == [] and store.unbriefed_articles() == []
    assert store.brief_for_article(unfiltered.id) is not None and store.brief_for_article(dropped.id) is None
    calls = rig.model_calls
    again = await rig.pipeline.recover()
    assert (again.kept, again.dropped, again.briefs) == (0, 0, []) and rig.model_calls == calls


async def test_items_are_not_lost_when_storing_them_fails_mid_poll(make_rig: MakeRig, feed_server: FeedServer,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    rig = await make_rig(backfill=2)
    url = feed_server.url("/feeds/kyiv")
    items = [entry("istanbul-round-umerov", hours_ago=0), *backlog("kyiv", 4)]
    feed_server.put("/feeds/kyiv", rss("Kyiv Desk", items), etag='"k1"')
    real = rig.store.upsert_article
    failures = iter([OperationalError("INSERT", {}, Exception("database is locked"))])

    def flaky(*args: object, **kwargs: object):  # noqa: ANN202
        error = next(failures, None)
        if error is not None:
            raise error
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(rig.store, "upsert_article", flaky)
    with pytest.raises(OperationalError):
        await rig.poll(url)
    retry = await rig.poll(url)  # the feed must be fetched again, not answered 304 from a saved ETag
    assert retry.status == "ok" and retry.new_items == 2
    assert all(rig.article(url, item) is not None for item in items[:2])
    assert all(rig.article(url, item) is None for item in items[2:])  # still a first poll: backfill holds
    assert rig.feed(url).etag == '"k1"'


def test_fixture_articles_are_whole_entries_not_teasers() -> None:
    for slug in (*ON_STORY, *OFF_STORY):  # a teaser would send the pipeline to the entry's (external) link
        assert not is_teaser(story(slug).html), slug
