"""Poller, sender and chat commands hitting the store at once (threads and a second process): no lock errors."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text as sql

from bot.store import Store, open_store
from store_samples import ARTICLES, T0, numbered_brief, sample_brief

WORKER = Path(__file__).with_name("crash_worker.py")
ROUNDS = 40


def _poller(store: Store, name: str, rng: random.Random) -> None:
    feed, _ = store.add_feed(f"https://{name}.example/rss", name)
    for n in range(ROUNDS):
        key = f"guid:{name}:{n}"  # both pollers see the same stories under their own guids, and the same link
        link = f"url:wire.example/talks/{n}"
        article, _ = store.upsert_article(key, keys=[link], feed_id=feed.id, title=f"Talks update {n}",
                                          published=T0, text="...")
        store.record_filter(article.id, kept=n % 3 != 0, reason="keyword:talks" if n % 3 else "off-topic")
        if n % 3:  # both pollers brief the same article: one brief, the other call returns its id
            store.save_brief(article.id, numbered_brief(n))
        ok = rng.random() < 0.5
        store.set_feed_state(feed.id, failures=0 if ok else n, paused=False, next_poll_at=T0 + timedelta(minutes=n),
                             last_ok_at=T0 if ok else None, last_error=None if ok else "HTTP 503", etag=f'W/"{n}"',
                             last_modified=None)


def _sender(store: Store, stop: threading.Event) -> None:
    while not stop.is_set():
        for d in store.outbox.claim_next("slack", lease_seconds=60):
            if store.outbox.begin_attempt(d.id, d.lease or "", lease_seconds=60):
                store.outbox.mark_sent(d.id, d.lease, f"ts-{d.id}")
        time.sleep(0.005)


def _reader(store: Store, stop: threading.Event) -> None:
    while not stop.is_set():
        store.latest_briefs(5)
        store.quotes_by_speaker("vitcombe")
        store.speakers()
        store.search_text("session constructive")
        store.briefs_between(T0 - timedelta(days=1), T0 + timedelta(days=400), channel=("slack", "C0MAIN"))
        store.list_feeds()
        store.due_feeds()
        time.sleep(0.005)


def _commands(store: Store, stop: threading.Event) -> None:
    n = 0
    while not stop.is_set():
        store.subscribe("slack", f"C0TEMP{n % 3}")
        store.unsubscribe("slack", f"C0TEMP{(n + 1) % 3}")
        feed, _ = store.add_feed(f"https://temp{n}.example/rss")
        store.remove_feed(feed.id)
        n += 1
        time.sleep(0.005)


def test_concurrent_poller_sender_commands_and_a_second_process(db_url: str, tmp_path: Path) -> None:
    store = open_store(db_url)
    other = open_store(db_url)  # a second engine: its own connections, as a separate process would have
    store.subscribe("slack", "C0MAIN")
    store.subscribe("fake", "room-a")
    errors: list[BaseException] = []
    stop = threading.Event()

    def guard(fn: Callable[..., None], *args: object) -> Callable[[], None]:
        def run() -> None:
            try:
                fn(*args)
            except BaseException as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)
                stop.set()
        return run

    process = subprocess.Popen(
        [sys.executable, str(WORKER), db_url, str(tmp_path / "sink.jsonl"), str(tmp_path / "events.log"), "15", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    pollers = [threading.Thread(target=guard(_poller, s, name, random.Random(name)))
               for s, name in ((store, "northwire"), (other, "dailyledger"))]
    helpers = [threading.Thread(target=guard(fn, s, stop))
               for fn, s in ((_sender, other), (_reader, store), (_reader, other), (_commands, store))]
    for t in pollers + helpers:
        t.start()
    for t in pollers:
        t.join(timeout=180)
    _, err = process.communicate(timeout=180)
    stop.set()
    for t in helpers:
        t.join(timeout=60)
    try:
        assert errors == [], errors
        assert process.returncode == 0, err
        assert "locked" not in err
        shared = [store.get_article(f"guid:northwire:{n}") or store.get_article(f"guid:dailyledger:{n}")
                  for n in range(ROUNDS)]
        assert all(a is not None for a in shared)
        assert store.known_keys(f"guid:{f}:{n}" for f in ("northwire", "dailyledger") for n in range(ROUNDS)) == {
            f"guid:{f}:{n}" for f in ("northwire", "dailyledger") for n in range(ROUNDS)}
        count = sql("SELECT count(*) FROM articles WHERE title LIKE 'Talks update%'")
        articles = store._db.read(lambda s: s.scalar(count))
        assert articles == ROUNDS  # one row per story although two feeds carried each
        briefed = [a for a in shared if a is not None and store.brief_for_article(a.id) is not None]
        assert len(briefed) == len([n for n in range(ROUNDS) if n % 3])
        while batch := store.outbox.claim_next("slack", lease_seconds=60):  # what the stopped sender left
            for d in batch:
                store.outbox.mark_sent(d.id, d.lease, "drain")
        main = [d for d in store.outbox.deliveries(platform="slack") if d.address == "C0MAIN"]
        assert [d.seq for d in main] == list(range(1, len(briefed) + 15 + 1))  # pollers + the process
        assert {d.status for d in main} == {"sent"}
        from_process = {a.id for n in range(15) if (a := store.get_article(f"guid:crash-test-{n}"))}
        room = [d for d in store.outbox.deliveries(platform="fake")
                if getattr(store.get_brief(d.brief_id), "article_id", None) in from_process]
        assert len(room) == 15 and {d.status for d in room} == {"sent"}
    finally:
        store.close()
        other.close()


def test_one_article_saved_twice_at_once_gets_one_brief(db_url: str) -> None:
    stores = [open_store(db_url) for _ in range(4)]
    stores[0].subscribe("discord", "4455")
    article, _ = stores[0].upsert_article(ARTICLES[0].key, title=ARTICLES[0].title)
    ids: list[int] = []
    barrier = threading.Barrier(len(stores))

    def save(s: Store) -> None:
        barrier.wait()
        ids.append(s.save_brief(article.id, sample_brief(ARTICLES[0])))

    threads = [threading.Thread(target=save, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    try:
        assert len(ids) == 4 and len(set(ids)) == 1
        assert len(stores[0].outbox.deliveries()) == 1
    finally:
        for s in stores:
            s.close()
