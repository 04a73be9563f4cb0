"""SIGKILL the poller/sender process at random and chosen points, restart it: every brief reaches every channel
exactly once and in order."""

from __future__ import annotations

import json
import random
import signal
import time
from collections import Counter, defaultdict
from pathlib import Path

from bot.store import Store
from crash_worker import PLATFORM, POINTS
from tests.fakes.worker_process import WorkerProcess

WORKER = Path(__file__).with_name("crash_worker.py")
ROOMS = ("room-a", "room-b", "room-c")
ARTICLES = 60
RANDOM_KILLS = 12
BUDGET_SECONDS = 240


def _worker(url: str, tmp: Path, seed: int, crash: tuple[str, int] | None = None,
            calm: bool = False) -> WorkerProcess:
    """One worker process of this test."""
    return WorkerProcess(WORKER, url, tmp, articles=ARTICLES, seed=seed, crash=crash, calm=calm,
                         clean_log=False)


def test_kills_at_any_point_lose_nothing_and_post_nothing_twice(live_store: Store, db_url: str, tmp_path: Path) -> None:
    store = live_store
    for room in ROOMS:
        store.subscribe(PLATFORM, room)
    rng = random.Random(20251215)
    start = time.monotonic()
    killed = 0
    # chosen crash points first (each twice, at different depths), then kills at random moments
    plan: list[tuple[str, int] | None] = [(p, k) for k in (1, 4) for p in POINTS] + [None] * RANDOM_KILLS
    for i, crash in enumerate(plan):
        assert time.monotonic() - start < BUDGET_SECONDS, "crash cycles took too long"
        run = _worker(db_url, tmp_path, seed=i, crash=crash)
        if crash is None:
            if run.wait_ready():
                time.sleep(rng.uniform(0.0, 0.6))
            run.kill()
            killed += run.proc.returncode == -signal.SIGKILL
        else:
            killed += run.finish(60) == -signal.SIGKILL
    assert killed >= 2 * len(POINTS) + RANDOM_KILLS // 2  # the cycles died mid-work

    final = _worker(db_url, tmp_path, seed=999, calm=True)
    assert final.finish(120) == 0

    lines = (tmp_path / "sink.jsonl").read_text().splitlines()
    posts = [json.loads(line) for line in lines]
    keys = Counter(p["key"] for p in posts)
    assert [k for k, n in keys.items() if n > 1] == [], "a delivery was posted twice"
    per_room: dict[str, list[str]] = defaultdict(list)
    for p in posts:
        per_room[p["address"]].append(p["title"])
    expected = [f"Talks live blog, update {n}" for n in range(ARTICLES)]
    assert dict(per_room) == {room: expected for room in ROOMS}, "lost or out of order"

    deliveries = store.outbox.deliveries(platform=PLATFORM)
    assert len(deliveries) == ARTICLES * len(ROOMS)
    assert {d.status for d in deliveries} == {"sent"}
    assert {d.idempotency_key for d in deliveries} == set(keys)
    assert all(d.remote_id == d.idempotency_key for d in deliveries)
    assert len(store.latest_briefs(100)) == ARTICLES
    events = Counter((tmp_path / "events.log").read_text().split())
    assert events["recovered-posted"] >= 2  # the after_post crashes: posted, not marked, resolved by the key
    assert events["recovered-unposted"] >= 2  # the after_begin crashes: marked attempting, never posted
