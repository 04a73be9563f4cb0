"""The delivery outbox: one open delivery per channel at a time, leases, backoff, recovery, concurrent senders."""

from __future__ import annotations

import random
import threading
from collections import defaultdict

import pytest

from bot.store import Backoff, Store
from store_samples import FakeClock, numbered_brief

FAST = Backoff(base=2.0, factor=2.0, cap=10.0, jitter=0.0)


def _briefs(store: Store, count: int, start: int = 0) -> list[int]:
    ids = []
    for n in range(start, start + count):
        article, _ = store.upsert_article(f"guid:live-update-{n}", title=f"Live update {n}")
        ids.append(store.save_brief(article.id, numbered_brief(n)))
    return ids


@pytest.fixture
def queued(store: Store) -> tuple[Store, list[int]]:
    store.subscribe("slack", "C0AAA")
    store.subscribe("slack", "C0BBB")
    store.subscribe("discord", "777")
    return store, _briefs(store, 3)


def test_claim_gives_each_channel_its_oldest_delivery_only(queued: tuple[Store, list[int]]) -> None:
    store, briefs = queued
    claimed = store.outbox.claim_next("slack", lease_seconds=30)
    assert [(d.address, d.brief_id, d.seq, d.status) for d in claimed] == [
        ("C0AAA", briefs[0], 1, "leased"), ("C0BBB", briefs[0], 1, "leased")]
    assert all(d.lease and d.lease_expires_at for d in claimed)
    assert store.outbox.claim_next("slack", lease_seconds=30) == []  # heads are leased, later rows wait
    first = claimed[0]
    assert store.outbox.begin_attempt(first.id, first.lease or "", lease_seconds=30) is not None
    assert store.outbox.mark_sent(first.id, first.lease, "1765781000.000100")
    nxt = store.outbox.claim_next("slack", lease_seconds=30)
    assert [(d.address, d.brief_id) for d in nxt] == [("C0AAA", briefs[1])]
    assert [d.address for d in store.outbox.claim_next("discord", lease_seconds=30)] == ["777"]
    sent = store.outbox.get(first.id)
    assert sent is not None and sent.status == "sent" and sent.remote_id == "1765781000.000100" and sent.lease is None
    assert store.outbox.claim_next("slack", lease_seconds=30, limit=1) == []


def test_retry_backs_off_exponentially_and_keeps_channel_order(
    queued: tuple[Store, list[int]], clock: FakeClock
) -> None:
    store, briefs = queued
    waits = []
    for _ in range(5):
        [d] = store.outbox.claim_next("discord", lease_seconds=30)
        assert d.brief_id == briefs[0]  # the failing first brief blocks the later ones
        assert store.outbox.begin_attempt(d.id, d.lease or "") is not None
        due = store.outbox.mark_retry(d.id, d.lease or "", "HTTP 502 Bad Gateway", FAST)
        assert due is not None
        waits.append((due - clock()).total_seconds())
        assert store.outbox.claim_next("discord", lease_seconds=30) == []
        assert store.outbox.next_wakeup("discord") == due
        clock.advance(waits[-1])
    assert waits == [2.0, 4.0, 8.0, 10.0, 10.0]
    [d] = store.outbox.claim_next("discord", lease_seconds=30)
    assert d.attempts == 5 and d.last_error == "HTTP 502 Bad Gateway"
    due = store.outbox.mark_retry(d.id, d.lease or "", "ratelimited", FAST, retry_after=42)
    assert due is not None and (due - clock()).total_seconds() == 42


def test_jittered_backoff_stays_in_bounds() -> None:
    policy = Backoff(base=5, factor=3, cap=100, jitter=0.2)
    for attempt in range(1, 8):
        nominal = min(100, 5 * 3 ** (attempt - 1))
        assert nominal * 0.8 <= policy.delay(attempt) <= nominal * 1.2


def test_expired_lease_is_claimed_again_and_old_lease_is_dead(
    queued: tuple[Store, list[int]], clock: FakeClock
) -> None:
    store, _ = queued
    [old] = store.outbox.claim_next("discord", lease_seconds=10)
    clock.advance(9)
    assert store.outbox.claim_next("discord", lease_seconds=10) == []
    clock.advance(2)
    [new] = store.outbox.claim_next("discord", lease_seconds=10)
    assert new.id == old.id and new.lease != old.lease
    assert store.outbox.begin_attempt(old.id, old.lease or "") is None  # the stale sender must not post
    assert store.outbox.mark_retry(old.id, old.lease or "", "late", FAST) is None
    assert not store.outbox.mark_failed(old.id, "late", old.lease)
    assert store.outbox.begin_attempt(new.id, new.lease or "") is not None


def test_in_flight_rows_wait_for_recovery(queued: tuple[Store, list[int]], clock: FakeClock) -> None:
    store, briefs = queued
    [d] = store.outbox.claim_next("discord", lease_seconds=20)
    attempting = store.outbox.begin_attempt(d.id, d.lease or "", lease_seconds=20)
    assert attempting is not None and attempting.status == "attempting" and attempting.attempts == 1
    # the sender dies here: its post may or may not have reached Discord
    assert store.outbox.recover_in_flight("discord", lease_seconds=20) == []  # lease still running
    clock.advance(21)
    assert store.outbox.claim_next("discord", lease_seconds=20) == []  # never handed out blind
    [r] = store.outbox.recover_in_flight("discord", lease_seconds=20)
    assert r.id == d.id and r.status == "attempting" and r.lease != d.lease
    assert r.idempotency_key == d.idempotency_key
    assert store.outbox.recover_in_flight("discord", lease_seconds=20) == []  # now leased to us
    again = store.outbox.begin_attempt(r.id, r.lease or "")  # not found on the platform: post again, same key
    assert again is not None and again.attempts == 2
    assert store.outbox.mark_sent(r.id, r.lease, "msg-1")
    assert [x.brief_id for x in store.outbox.claim_next("discord", lease_seconds=20)] == [briefs[1]]


def test_mark_failed_lets_the_next_delivery_go(queued: tuple[Store, list[int]]) -> None:
    store, briefs = queued
    [d] = store.outbox.claim_next("discord", lease_seconds=30)
    assert not store.outbox.mark_failed(d.id, "wrong lease", "not-the-lease")
    assert store.outbox.mark_failed(d.id, "403 Missing Access", d.lease)
    assert not store.outbox.mark_failed(d.id, "again")
    assert not store.outbox.mark_sent(d.id, d.lease, "x")  # final states stay final
    [nxt] = store.outbox.claim_next("discord", lease_seconds=30)
    assert nxt.brief_id == briefs[1]
    failed = store.outbox.get(d.id)
    assert failed is not None and failed.status == "failed" and failed.last_error == "403 Missing Access"
    assert store.outbox.counts("discord") == {"failed": 1, "leased": 1, "pending": 1}


def test_a_post_is_recorded_even_from_a_lost_lease(queued: tuple[Store, list[int]], clock: FakeClock) -> None:
    store, _ = queued
    [old] = store.outbox.claim_next("discord", lease_seconds=5)
    store.outbox.begin_attempt(old.id, old.lease or "", lease_seconds=5)
    clock.advance(6)
    [new] = store.outbox.recover_in_flight("discord", lease_seconds=5)
    assert store.outbox.mark_sent(old.id, old.lease, "posted-by-slow-sender")  # it did post: record it
    assert not store.outbox.mark_sent(new.id, new.lease, "dup")
    assert store.outbox.get(old.id).remote_id == "posted-by-slow-sender"  # type: ignore[union-attr]


def test_next_wakeup(queued: tuple[Store, list[int]], clock: FakeClock) -> None:
    store, _ = queued
    assert store.outbox.next_wakeup("discord") == clock()
    [d] = store.outbox.claim_next("discord", lease_seconds=15)
    assert store.outbox.next_wakeup("discord") == d.lease_expires_at
    assert store.outbox.next_wakeup("teams") is None


def test_concurrent_senders_post_each_brief_once_in_order(live_store: Store) -> None:
    """Four sender threads with flaky posts while a writer keeps saving briefs: exactly once, in order."""
    store = live_store
    channels = [("slack", f"C0{i}") for i in range(3)] + [("discord", "501")]
    for platform, address in channels:
        store.subscribe(platform, address)
    total = 24
    posted: dict[str, list[int]] = defaultdict(list)
    lock = threading.Lock()
    errors: list[BaseException] = []
    writer_done = threading.Event()
    flaky = Backoff(base=0.01, factor=2, cap=0.05, jitter=0.0)

    def writer() -> None:
        try:
            for n in range(total):
                _briefs(store, 1, start=n)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            writer_done.set()

    def sender(seed: int) -> None:
        rng = random.Random(seed)
        try:
            while True:
                platform = rng.choice(["slack", "discord"])
                work = store.outbox.claim_next(platform, lease_seconds=60)
                for d in work:
                    if store.outbox.begin_attempt(d.id, d.lease or "", lease_seconds=60) is None:
                        continue
                    if rng.random() < 0.2:
                        store.outbox.mark_retry(d.id, d.lease or "", "HTTP 500", flaky)
                        continue
                    with lock:
                        posted[d.address].append(d.seq)
                    store.outbox.mark_sent(d.id, d.lease, f"{d.address}:{d.seq}")
                counts = store.outbox.counts()
                if writer_done.is_set() and counts.get("sent", 0) == total * len(channels):
                    return
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=writer)] + [threading.Thread(target=sender, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "senders did not finish"
    assert errors == []
    assert {a: seqs for a, seqs in posted.items()} == {a: list(range(1, total + 1)) for _, a in channels}
    for platform, address in channels:
        rows = [d for d in store.outbox.deliveries(platform=platform) if d.address == address]
        assert [d.status for d in rows] == ["sent"] * total
        assert [d.brief_id for d in rows] == sorted(d.brief_id for d in rows)  # brief order == channel order
