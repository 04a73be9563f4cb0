"""Stories wired into the pipeline: briefs placed in stories, deliveries held until placed, replies in threads."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime
from dataclasses import replace
from pathlib import Path

import pytest

from bot.app import Models
from bot.brief.engine import Briefer
from bot.config.sections import DeliverySettings, StoriesSettings
from bot.deliver.sender import Sender
from bot.pipeline.poll import Pipeline
from bot.pipeline.story_filter import StoryFilter
from bot.store import ArticleRecord, Delivery, Store
from tests.fakes.databases import empty_store
from tests.fakes.sink import FakeSink

SET_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "stories" / "articles"
FAST = DeliverySettings(backoff_base=0.05, backoff_cap=0.05)
CHANNEL = "#talks"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with empty_store(request.param, tmp_path, "pipestories") as s:
        yield s


def _pipeline(store: Store, models: Models, **stories: object) -> Pipeline:
    def load() -> tuple[Briefer, StoryFilter]:
        return models.briefer, models.story
    return Pipeline(store, load, fetcher=None, stories=StoriesSettings(**stories))  # type: ignore[arg-type]


def _article(store: Store, outlet: str, name: str, *, published: str, title: str | None = None,
             body_of: str | None = None) -> ArticleRecord:
    """Store fixture article `name` (its title line, outlet line, then body) as seen in the feed called `outlet`."""
    head, _, rest = (SET_DIR / f"{body_of or name}.txt").read_text(encoding="utf-8").partition("\n\n")
    body = rest.partition("\n\n")[2]
    feed, _ = store.add_feed(f"https://{outlet.lower().replace(' ', '')}.example/rss", outlet)
    article, created = store.upsert_article(f"{outlet}:{name}", feed_id=feed.id, title=title or head.strip(),
                                            link=f"https://{outlet.lower().replace(' ', '')}.example/{name}",
                                            published=datetime.fromisoformat(published), text=body)
    assert created
    return article


def _deliveries(store: Store, address: str = CHANNEL) -> list[Delivery]:
    return [d for d in store.outbox.deliveries(platform="fake") if d.address == address]


async def test_same_event_is_one_story_whose_later_brief_goes_into_the_first_posts_thread(
        store: Store, models: Models) -> None:
    store.subscribe("fake", CHANNEL)
    pipeline = _pipeline(store, models)
    first = _article(store, "Kyiv Dispatch", "e2-kd", published="2026-03-02T13:30:00+00:00")
    [b1] = await asyncio.to_thread(pipeline.brief_and_store, [first])
    later = _article(store, "Northwire", "e2-nw", published="2026-03-02T14:20:00+00:00")
    other = _article(store, "Northwire", "e3-nw", published="2026-03-03T09:30:00+00:00")
    b2, b3 = await asyncio.to_thread(pipeline.brief_and_store, [later, other])

    d1, d2, d3 = _deliveries(store)
    assert [d.status for d in (d1, d2, d3)] == ["pending"] * 3  # placed, so released
    assert d1.story_id is not None and d2.story_id == d1.story_id and d3.story_id not in (None, d1.story_id)
    s1, s2 = store.get_brief(b1), store.get_brief(b2)
    assert s1 is not None and s1.story is not None and s1.story.first and s1.story.has_news
    assert s2 is not None and s2.story is not None and not s2.story.first
    assert s2.story.also_reported_by == ["Kyiv Dispatch"]
    assert len(s2.story.new_claims) < len(s2.brief.claims) or len(s2.story.new_quotes) < len(s2.brief.quotes)

    sink = FakeSink("fake")
    report = await Sender(store, {"fake": sink}, settings=FAST).drain(timeout=20)
    assert report.sent == 3
    p1, p2, p3 = sink.posts
    assert (p1.brief_id, p1.thread_root, p1.update) == (b1, None, False)
    assert (p2.brief_id, p2.thread_root, p2.update) == (b2, p1.remote_id, True)  # in the first post's thread
    assert (p3.brief_id, p3.thread_root) == (b3, None)  # another event: a new top-level post


async def test_broadcast_is_passed_to_thread_replies_with_news_only(store: Store, models: Models) -> None:
    store.subscribe("fake", CHANNEL)
    pipeline = _pipeline(store, models)
    for outlet, name, when in (("Kyiv Dispatch", "e2-kd", "13:30"), ("Northwire", "e2-nw", "14:20")):
        art = _article(store, outlet, name, published=f"2026-03-02T{when}:00+00:00")
        await asyncio.to_thread(pipeline.brief_and_store, [art])
    copy = _article(store, "Reprint Service", "e2-kd-copy", body_of="e2-kd", published="2026-03-02T15:00:00+00:00")
    await asyncio.to_thread(pipeline.brief_and_store, [copy])  # nothing new: a one-liner, kept in the thread
    seen: list[tuple[str | None, bool]] = []

    class Recording(FakeSink):
        async def post(self, delivery, brief):  # type: ignore[no-untyped-def]
            seen.append((delivery.thread_root, delivery.broadcast))
            return await super().post(delivery, brief)

    await Sender(store, {"fake": Recording("fake")}, settings=FAST, broadcast=True).drain(timeout=20)
    root = seen[1][0]
    assert root is not None and seen == [(None, False), (root, True), (root, False)]


async def test_a_copy_with_nothing_new_is_skipped_where_the_story_was_shown_and_posted_where_it_was_not(
        store: Store, models: Models) -> None:
    store.subscribe("fake", CHANNEL)  # follows everything
    pipeline = _pipeline(store, models, quiet_updates="none")
    first = _article(store, "Kyiv Dispatch", "e2-kd", published="2026-03-02T13:30:00+00:00")
    await asyncio.to_thread(pipeline.brief_and_store, [first])
    copy_feed, _ = store.add_feed("https://reprintservice.example/rss", "Reprint Service")
    store.subscribe("fake", "#reprints-only", copy_feed.id)  # only the reprint feed: never saw the story
    copy = _article(store, "Reprint Service", "e2-kd-copy", body_of="e2-kd", published="2026-03-02T15:00:00+00:00")
    [b2] = await asyncio.to_thread(pipeline.brief_and_store, [copy])

    stored = store.get_brief(b2)
    assert stored is not None and stored.story is not None and not stored.story.has_news
    assert stored.story.also_reported_by == ["Kyiv Dispatch"]
    [_, skipped] = _deliveries(store)
    assert skipped.status == "skipped"
    [only] = _deliveries(store, "#reprints-only")
    assert only.status == "pending"  # the story's first brief in that channel: posted in full

    sink = FakeSink("fake")
    await Sender(store, {"fake": sink}, settings=FAST).drain(timeout=20)
    assert [(p.address, p.brief_id, p.thread_root) for p in sink.posts if p.brief_id == b2] == [
        ("#reprints-only", b2, None)]


async def test_a_copy_with_nothing_new_is_a_quiet_update_by_default(store: Store, models: Models) -> None:
    store.subscribe("fake", CHANNEL)
    pipeline = _pipeline(store, models)
    await asyncio.to_thread(pipeline.brief_and_store, [
        _article(store, "Kyiv Dispatch", "e2-kd", published="2026-03-02T13:30:00+00:00")])
    copy = _article(store, "Reprint Service", "e2-kd-copy", body_of="e2-kd", published="2026-03-02T15:00:00+00:00")
    [b2] = await asyncio.to_thread(pipeline.brief_and_store, [copy])
    sink = FakeSink("fake")
    await Sender(store, {"fake": sink}, settings=FAST).drain(timeout=20)
    first, quiet = sink.posts
    assert (quiet.brief_id, quiet.thread_root, quiet.update) == (b2, first.remote_id, True)


async def test_held_deliveries_wait_and_recovery_places_them_after_a_crash(store: Store, models: Models) -> None:
    """A crash between saving a brief (deliveries held) and placing it: nothing is posted, nothing is lost."""
    store.subscribe("fake", CHANNEL)
    pipeline = _pipeline(store, models)
    first = _article(store, "Kyiv Dispatch", "e2-kd", published="2026-03-02T13:30:00+00:00")
    [b1] = await asyncio.to_thread(pipeline.brief_and_store, [first])
    later = _article(store, "Northwire", "e2-nw", published="2026-03-02T14:20:00+00:00")
    crashing = _pipeline(store, models)
    crashing._place_all = lambda ids: None  # type: ignore[method-assign]  # "dies" right after saving
    [b2] = await asyncio.to_thread(crashing.brief_and_store, [later])
    assert [d.status for d in _deliveries(store)] == ["pending", "held"]
    assert store.outbox.held_briefs() == [b2]

    sink = FakeSink("fake")
    sender = Sender(store, {"fake": sink}, settings=FAST)
    await sender.drain(timeout=20)
    assert [p.brief_id for p in sink.posts] == [b1]  # the held one is not posted, and blocks nothing before it
    assert store.outbox.next_wakeup("fake") is None  # and no busy loop on it

    report = await _pipeline(store, models).recover()  # the restart
    assert b2 in report.briefs and store.outbox.held_briefs() == []
    await sender.drain(timeout=20)
    assert [(p.brief_id, p.thread_root) for p in sink.posts] == [(b1, None), (b2, sink.posts[0].remote_id)]


async def test_placing_a_brief_again_returns_what_was_recorded(store: Store, models: Models) -> None:
    """Recovery may place a brief whose placement committed just before the crash: same story, same news."""
    pipeline = _pipeline(store, models)
    await asyncio.to_thread(pipeline.brief_and_store, [
        _article(store, "Kyiv Dispatch", "e2-kd", published="2026-03-02T13:30:00+00:00")])
    [b2] = await asyncio.to_thread(pipeline.brief_and_store, [
        _article(store, "Northwire", "e2-nw", published="2026-03-02T14:20:00+00:00")])
    from bot.stories.desk import place_brief

    before = store.get_brief(b2)
    again = place_brief(store, b2, encoder=models.briefer.encoder, nlp=models.briefer.nlp)
    assert before is not None and before.story is not None
    assert (again.story_id, again.new_claims, again.new_quotes) == (
        before.story.story_id, before.story.new_claims, before.story.new_quotes)


async def test_a_brief_that_cannot_be_placed_is_still_delivered(store: Store, models: Models,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    store.subscribe("fake", CHANNEL)
    pipeline = _pipeline(store, models)

    def refuse(*args: object, **kwargs: object) -> None:
        raise ValueError("an article needs a title, a lead or claims to be clustered")
    monkeypatch.setattr("bot.pipeline.poll.place_brief", refuse)
    [b1] = await asyncio.to_thread(pipeline.brief_and_store, [
        _article(store, "Kyiv Dispatch", "e2-kd", published="2026-03-02T13:30:00+00:00")])
    [d] = _deliveries(store)
    assert (d.status, d.story_id) == ("pending", None)


async def test_stories_off_posts_every_brief_on_its_own(store: Store, models: Models) -> None:
    store.subscribe("fake", CHANNEL)
    pipeline = _pipeline(store, models, enabled=False)
    for outlet, name, when in (("Kyiv Dispatch", "e2-kd", "13:30"), ("Northwire", "e2-nw", "14:20")):
        await asyncio.to_thread(pipeline.brief_and_store, [
            _article(store, outlet, name, published=f"2026-03-02T{when}:00+00:00")])
    assert [(d.status, d.story_id) for d in _deliveries(store)] == [("pending", None)] * 2
    sink = FakeSink("fake")
    await Sender(store, {"fake": sink}, settings=FAST).drain(timeout=20)
    assert [p.thread_root for p in sink.posts] == [None, None]


async def test_a_thread_reply_posted_just_before_a_crash_is_found_in_the_thread_not_posted_twice(
        store: Store, models: Models) -> None:
    store.subscribe("fake", CHANNEL)
    pipeline = _pipeline(store, models)
    for outlet, name, when in (("Kyiv Dispatch", "e2-kd", "13:30"), ("Northwire", "e2-nw", "14:20")):
        await asyncio.to_thread(pipeline.brief_and_store, [
            _article(store, outlet, name, published=f"2026-03-02T{when}:00+00:00")])
    sink = FakeSink("fake")
    lease = 0.3
    [first] = store.outbox.claim_next("fake", lease_seconds=lease)  # the root goes out and is recorded
    assert store.outbox.begin_attempt(first.id, first.lease or "", lease_seconds=lease) is not None
    root_id = await sink.post(first, store.get_brief(first.brief_id))  # type: ignore[arg-type]
    assert store.outbox.mark_sent(first.id, first.lease, root_id)
    [root] = sink.posts
    # The dying sender: claims the reply, records the attempt, posts into the thread, dies before mark_sent.
    [reply] = store.outbox.claim_next("fake", lease_seconds=lease)
    live = store.outbox.begin_attempt(reply.id, reply.lease or "", lease_seconds=lease)
    assert live is not None and store.outbox.thread_root(live) == root.remote_id
    posted = await sink.post(replace(live, thread_root=root.remote_id), store.get_brief(live.brief_id))  # type: ignore[arg-type]
    await asyncio.sleep(lease + 0.1)  # its lease runs out

    await Sender(store, {"fake": sink}, settings=FAST, lease_seconds=lease).drain("fake", timeout=20)
    assert len(sink.posts) == 2 and sink.lookup_roots == [root.remote_id]  # looked for in the story's thread
    [done] = [d for d in store.outbox.deliveries(platform="fake") if d.id == reply.id]
    assert (done.status, done.remote_id) == ("sent", posted)


async def test_what_is_new_is_judged_per_channel(store: Store, models: Models) -> None:
    """A channel that follows one outlet gets, in its thread, what that outlet adds to what *it* was shown."""
    store.subscribe("fake", CHANNEL)  # everything
    pipeline = _pipeline(store, models, quiet_updates="none")
    await asyncio.to_thread(pipeline.brief_and_store, [
        _article(store, "Kyiv Dispatch", "e2-kd", published="2026-03-02T13:30:00+00:00")])
    nw_feed, _ = store.add_feed("https://northwire.example/rss", "Northwire")
    store.subscribe("fake", "#northwire-only", nw_feed.id)
    await asyncio.to_thread(pipeline.brief_and_store, [
        _article(store, "Northwire", "e2-nw", published="2026-03-02T14:20:00+00:00")])
    rewrite = _article(store, "Northwire", "e2-kd-rewrite", body_of="e2-kd", published="2026-03-02T16:00:00+00:00")
    [b3] = await asyncio.to_thread(pipeline.brief_and_store, [rewrite])

    assert [d.status for d in _deliveries(store) if d.brief_id == b3] == ["skipped"]  # #talks saw all of it
    [mine] = [d for d in _deliveries(store, "#northwire-only") if d.brief_id == b3]
    assert mine.status == "pending"  # never shown Kyiv Dispatch's claims and quotes: news there

    sink = FakeSink("fake")
    seen: dict[str, list[int]] = {}

    class Recording(FakeSink):
        async def post(self, delivery, brief):  # type: ignore[no-untyped-def]
            if delivery.brief_id == b3:
                seen[delivery.address] = brief.story.new_claims + brief.story.new_quotes
            return await sink.post(delivery, brief)

    await Sender(store, {"fake": Recording("fake")}, settings=FAST).drain(timeout=20)
    stored = store.get_brief(b3)
    assert stored is not None and stored.story is not None and not stored.story.has_news  # nothing new to the story
    assert list(seen) == ["#northwire-only"] and seen["#northwire-only"]  # but new to that channel
    [reply] = [p for p in sink.posts if p.brief_id == b3]
    [nw_root] = [p for p in sink.posts if p.address == "#northwire-only" and p.thread_root is None]
    assert reply.thread_root == nw_root.remote_id and reply.update
