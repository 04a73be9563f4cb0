"""Feeds, articles, filter decisions, briefs and subscriptions as the poller and the commands use them."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import numpy as np
import pytest

from bot.store import Store
from store_samples import ARTICLES, T0, FakeClock, numbered_brief, sample_brief

WORLD = "https://northwire.example/rss/world"
LEDGER = "https://dailyledger.example/feeds/talks.xml"


def _article(store: Store, i: int, feed_id: int | None = None, kept: bool = True) -> int:
    a = ARTICLES[i]
    row, _ = store.upsert_article(a.key, feed_id=feed_id, title=a.title, link=a.link, published=a.published,
                                  text=a.text)
    store.record_filter(row.id, kept=kept, reason="keyword:talks" if kept else "off-topic", score=0.8)
    return row.id


def test_feeds_add_list_remove(store: Store) -> None:
    world, created = store.add_feed(WORLD, "Northwire World")
    assert created and world.name == "Northwire World" and not world.paused
    again, created = store.add_feed(WORLD, "Other name")
    assert not created and again.id == world.id and again.name == "Northwire World"
    ledger, _ = store.add_feed(LEDGER)
    assert [f.url for f in store.list_feeds()] == [WORLD, LEDGER]
    assert store.get_feed(LEDGER) == ledger and store.get_feed(world.id) == world
    assert store.remove_feed(LEDGER) and not store.remove_feed(LEDGER)
    assert store.get_feed(ledger.id) is None
    assert [f.url for f in store.list_feeds()] == [WORLD]


def test_feed_poll_state(store: Store, clock: FakeClock) -> None:
    feed, _ = store.add_feed(WORLD, "Northwire World")
    assert feed.last_ok_at is None and [f.id for f in store.due_feeds()] == [feed.id]
    state = {"failures": 0, "paused": False, "next_poll_at": clock() + timedelta(minutes=15), "last_ok_at": clock(),
             "last_error": None, "etag": 'W/"a1"', "last_modified": "Mon, 15 Dec 2025 06:00:00 GMT"}
    polled = store.set_feed_state(feed.id, **state)
    assert polled is not None and polled.etag == 'W/"a1"' and polled.last_polled_at == clock()
    assert polled.last_ok_at == clock() and polled.next_poll_at == state["next_poll_at"]
    assert store.due_feeds() == []
    clock.advance(900)
    assert [f.id for f in store.due_feeds()] == [feed.id]
    paused = store.set_feed_state(feed.id, **{**state, "failures": 5, "paused": True, "last_error": "HTTP 410 Gone",
                                              "next_poll_at": clock() + timedelta(hours=6)})
    assert paused is not None and paused.paused and paused.failures == 5 and paused.last_error == "HTTP 410 Gone"
    assert store.due_feeds() == []
    clock.advance(6 * 3600)
    assert [f.id for f in store.due_feeds()] == [feed.id]  # a paused feed is still retried on its schedule
    assert store.get_feed(feed.id) == replace(paused, created_at=feed.created_at)
    assert store.set_feed_state(999, **state) is None


def test_dedupe_keys_are_remembered(store: Store) -> None:
    feed, _ = store.add_feed(WORLD)
    assert store.remember_keys(["guid:abc:1", "url:northwire.example/a", "guid:abc:1"], feed.id) == 2
    assert store.remember_keys(["guid:abc:1"]) == 0
    assert store.known_keys(["guid:abc:1", "url:northwire.example/b"]) == {"guid:abc:1"}
    assert store.known_keys([]) == set()
    many = [f"hash:{i:032x}" for i in range(1200)]
    store.remember_keys(many)
    assert store.known_keys([*many, "hash:new"]) == set(many)
    backlog, created = store.upsert_article("url:northwire.example/a", feed_id=feed.id, title="From the backlog")
    assert created and store.known_keys(["url:northwire.example/a"]) == {"url:northwire.example/a"}
    again, created = store.upsert_article("guid:other-feed:77", keys=["url:northwire.example/a"])
    assert not created and again.id == backlog.id


def test_an_article_from_two_feeds_is_one_row(store: Store) -> None:
    world, _ = store.add_feed(WORLD)
    ledger, _ = store.add_feed(LEDGER)
    a = ARTICLES[0]
    first, created = store.upsert_article(a.key, feed_id=world.id, title=a.title, published=a.published)
    assert created and first.first_feed_id == world.id and first.text is None
    second, created = store.upsert_article(a.key, feed_id=ledger.id, title="Changed title", link=a.link,
                                           text=a.text)
    assert not created and second.id == first.id
    assert second.title == a.title  # kept as first seen
    assert second.link == a.link and second.text == a.text  # blanks filled
    assert second.first_feed_id == world.id
    assert store.get_article(a.key) == second
    # the same story under a feed-scoped guid in a third feed: found through its link key
    third, created = store.upsert_article("guid:meridian:5521", keys=["url:northwire.example/world/8812", a.key])
    assert not created and third.id == first.id
    fresh, created = store.upsert_article("guid:meridian:5522", keys=["url:meridianpost.example/other"])
    assert created and fresh.id != first.id


def test_filter_decision_is_kept_for_every_article(store: Store) -> None:
    kept = _article(store, 0)
    dropped = _article(store, 1, kept=False)
    undecided, _ = store.upsert_article("guid:undecided", title="Football: cup draw")
    a, d = store.get_article(kept), store.get_article(dropped)
    assert a is not None and a.kept is True and a.filter_reason == "keyword:talks" and a.filter_score == 0.8
    assert d is not None and d.kept is False and d.filter_reason == "off-topic" and d.filtered_at is not None
    assert undecided.kept is None
    assert not store.record_filter(12345, kept=True, reason="x")
    assert [x.id for x in store.unbriefed_articles()] == [kept]
    store.save_brief(kept, sample_brief(ARTICLES[0]))
    assert store.unbriefed_articles() == []


def test_save_brief_round_trips_and_is_idempotent(store: Store) -> None:
    feed, _ = store.add_feed(WORLD, "Northwire World")
    article_id = _article(store, 0, feed.id)
    brief = sample_brief(ARTICLES[0])
    vecs = np.eye(len(brief.claims), 4, dtype=np.float32)
    brief_id = store.save_brief(article_id, brief, claim_embeddings=vecs)
    assert store.save_brief(article_id, sample_brief(ARTICLES[1])) == brief_id
    stored = store.get_brief(brief_id)
    assert stored is not None and stored.brief == brief
    assert stored.feed_name == "Northwire World" and stored.link == ARTICLES[0].link
    assert stored.published == ARTICLES[0].published
    assert len(stored.claim_ids) == 3 and len(stored.quote_ids) == 2
    assert store.brief_for_article(article_id) == stored
    ids, matrix = store.embeddings("claim")
    assert ids == stored.claim_ids and np.array_equal(matrix, vecs)
    with pytest.raises(KeyError):
        store.save_brief(999, brief)
    with pytest.raises(ValueError):
        store.save_brief(_article(store, 1), brief, quote_embeddings=vecs)


def test_save_brief_queues_one_delivery_per_subscribed_channel(store: Store) -> None:
    world, _ = store.add_feed(WORLD)
    ledger, _ = store.add_feed(LEDGER)
    assert store.subscribe("slack", "C0TALKS", name="#talks")
    assert not store.subscribe("slack", "C0TALKS")
    assert store.subscribe("discord", "4455667788", world.id)
    assert store.subscribe("discord", "4455667788")  # story and a feed: still one delivery per brief
    assert store.subscribe("console", "stdout", ledger.id)
    store.ensure_channel("slack", "C0QUIET")  # a channel without subscription gets nothing
    via_world = store.save_brief(_article(store, 0, world.id), sample_brief(ARTICLES[0]))
    via_ledger = store.save_brief(_article(store, 1, ledger.id), sample_brief(ARTICLES[1]))
    queued = [(d.platform, d.address, d.brief_id, d.seq, d.status) for d in store.outbox.deliveries()]
    assert queued == [
        ("slack", "C0TALKS", via_world, 1, "pending"),
        ("slack", "C0TALKS", via_ledger, 2, "pending"),
        ("discord", "4455667788", via_world, 1, "pending"),
        ("discord", "4455667788", via_ledger, 2, "pending"),
        ("console", "stdout", via_ledger, 1, "pending"),
    ]
    keys = [d.idempotency_key for d in store.outbox.deliveries()]
    assert len(set(keys)) == len(keys) and all(len(k) <= 25 for k in keys)
    store.save_brief(_article(store, 0, world.id), sample_brief(ARTICLES[0]))  # idempotent: no new rows
    assert len(store.outbox.deliveries()) == 5


def test_only_channels_subscribed_at_save_time_get_the_brief(store: Store) -> None:
    first = store.save_brief(_article(store, 0), sample_brief(ARTICLES[0]))
    store.subscribe("slack", "C0LATE")
    second = store.save_brief(_article(store, 1), sample_brief(ARTICLES[1]))
    assert [d.brief_id for d in store.outbox.deliveries()] == [second]
    assert first != second


def test_unsubscribe_cancels_queued_deliveries(store: Store) -> None:
    feed, _ = store.add_feed(WORLD)
    store.subscribe("slack", "C0TALKS")
    store.subscribe("slack", "C0TALKS", WORLD)
    store.subscribe("discord", "99")
    store.save_brief(_article(store, 0, feed.id), sample_brief(ARTICLES[0]))
    assert store.unsubscribe("slack", "C0TALKS")
    assert not store.unsubscribe("slack", "C0TALKS")
    assert not store.unsubscribe("slack", "C0NOPE")
    assert store.outbox.counts() == {"pending": 2}  # still subscribed to the feed
    assert store.unsubscribe("slack", "C0TALKS", feed.id)
    assert store.outbox.counts() == {"pending": 1, "cancelled": 1}
    subs = store.subscriptions()
    assert [(s.channel.platform, s.channel.address, s.feed_id) for s in subs] == [("discord", "99", None)]
    with pytest.raises(KeyError):
        store.subscribe("discord", "99", "https://unknown.example/rss")


def test_removing_a_feed_keeps_its_articles_and_briefs(store: Store) -> None:
    feed, _ = store.add_feed(WORLD, "Northwire World")
    store.subscribe("console", "stdout", feed.id)
    article_id = _article(store, 0, feed.id)
    brief_id = store.save_brief(article_id, sample_brief(ARTICLES[0]))
    assert store.remove_feed(feed.id)
    assert store.subscriptions() == []
    article = store.get_article(article_id)
    stored = store.get_brief(brief_id)
    assert article is not None and article.first_feed_id is None
    assert stored is not None and stored.feed_name is None


def test_channels_are_unique_per_platform_and_address(store: Store) -> None:
    a = store.ensure_channel("slack", "C0123", "#peace-talks")
    b = store.ensure_channel("slack", "C0123")
    c = store.ensure_channel("discord", "C0123")
    assert a.id == b.id != c.id and b.name == "#peace-talks"
    assert store.ensure_channel("slack", "C0123", "#talks").name == "#talks"
    assert [ch.address for ch in store.list_channels("slack")] == ["C0123"]
    assert store.get_channel("discord", "C0123") == c and store.get_channel("discord", "nope") is None


def test_briefs_keep_stored_time(store: Store, clock: FakeClock) -> None:
    ids = []
    for n in range(3):
        a, _ = store.upsert_article(f"guid:live-{n}", title=f"update {n}", published=T0)
        ids.append(store.save_brief(a.id, numbered_brief(n)))
        clock.advance(60)
    assert [b.id for b in store.latest_briefs(2)] == [ids[2], ids[1]]
    assert store.get_brief(ids[0]).created_at == T0  # type: ignore[union-attr]
