"""kill -9 a running bot (storing briefs, Sender posting them) at random and chosen moments, restart it: every brief
reaches every channel exactly once and in order."""

from __future__ import annotations

import random
import signal
import time
from collections import Counter, defaultdict
from pathlib import Path

from bot.store import Store
from tests.deliver.sender_worker import PLATFORM, POINTS, store_update, wire_title
from tests.fakes.sink import read_posts
from tests.fakes.worker_process import WorkerProcess

WORKER = Path(__file__).with_name("sender_worker.py")
ROOMS = ("#talks-desk", "#europe-desk", "#wire-watch")
ARTICLES = 75
BACKLOG = 20  # stored before the first start; the rest is stored by the worker while it sends
CHOSEN = [(point, hit) for hit in (2, 6) for point in POINTS]
RANDOM_KILLS = 11
BUDGET_SECONDS = 60


def _worker(url: str, tmp: Path, seed: int, crash: tuple[str, int] | None = None,
            calm: bool = False) -> WorkerProcess:
    """One worker process of this test."""
    return WorkerProcess(WORKER, url, tmp, articles=ARTICLES, seed=seed, crash=crash, calm=calm,
                         clean_log=True)


def test_kill_9_at_any_moment_loses_nothing_and_posts_nothing_twice(
    store: Store, db_url: str, tmp_path: Path
) -> None:
    for room in ROOMS:
        store.subscribe(PLATFORM, room)
    for n in range(BACKLOG):
        store_update(store, n)
    rng = random.Random(20251218)
    start = time.monotonic()
    plan: list[tuple[str, int] | None] = [*CHOSEN, *[None] * RANDOM_KILLS]
    killed = 0
    for i, crash in enumerate(plan):
        assert time.monotonic() - start < BUDGET_SECONDS, "crash cycles took too long"
        run = _worker(db_url, tmp_path, seed=i, crash=crash)
        if crash is None:
            if run.wait_ready():
                time.sleep(rng.uniform(0.05, 1.0))
            code = run.kill()
        else:
            code = run.finish(30)
        killed += code == -signal.SIGKILL
    posted_while_crashing = len(read_posts(tmp_path / "sink.jsonl"))
    total = ARTICLES * len(ROOMS)
    assert killed == len(plan)
    assert 0 < posted_while_crashing < total, "the kills did not land while work was left"

    assert _worker(db_url, tmp_path, seed=999, calm=True).finish(60) == 0

    posts = read_posts(tmp_path / "sink.jsonl")
    keys = Counter(str(p["key"]) for p in posts)
    assert [k for k, n in keys.items() if n > 1] == [], "a delivery was posted twice"
    per_room: dict[str, list[tuple[object, object]]] = defaultdict(list)
    for p in posts:
        per_room[str(p["address"])].append((p["seq"], p["title"]))
    expected = [(n + 1, wire_title(n)) for n in range(ARTICLES)]
    assert dict(per_room) == {room: expected for room in ROOMS}, "lost or out of order"

    deliveries = store.outbox.deliveries(platform=PLATFORM)
    assert len(deliveries) == total
    assert {d.status for d in deliveries} == {"sent"}
    assert {d.idempotency_key for d in deliveries} == set(keys)
    assert all(d.remote_id == f"file-{d.idempotency_key}" for d in deliveries)
    events = Counter((tmp_path / "events.log").read_text().split())
    assert events["found"] >= 1  # killed after posting, before mark_sent: resolved by the key, not reposted
    assert events["missing"] >= 1  # killed after begin_attempt, before posting: posted after the restart
