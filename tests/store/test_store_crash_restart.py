"""SIGKILL the poller/sender process at random and chosen points, restart it: every brief reaches every channel
exactly once and in order."""

from __future__ import annotations

import json
import os
import random
import select
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from bot.store import Store
from crash_worker import PLATFORM, POINTS

WORKER = Path(__file__).with_name("crash_worker.py")
ROOMS = ("room-a", "room-b", "room-c")
ARTICLES = 60
RANDOM_KILLS = 12
BUDGET_SECONDS = 240


class _Run:
    """One worker process."""

    def __init__(self, url: str, tmp: Path, seed: int, crash: tuple[str, int] | None = None, calm: bool = False):
        args = [sys.executable, str(WORKER), url, str(tmp / "sink.jsonl"), str(tmp / "events.log"), str(ARTICLES),
                str(seed)]
        if crash:
            args += [crash[0], str(crash[1])]
        elif calm:
            args.append("calm")
        env = {**os.environ, "HF_HUB_OFFLINE": "1"}
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)

    def wait_ready(self, timeout: float = 30) -> bool:
        """True once the worker opened the store; False if it exited first."""
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        assert ready, "worker did not start"
        return self.proc.stdout.readline().strip() == "ready"

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.finish(10)

    def finish(self, timeout: float) -> int:
        try:
            _, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
            raise AssertionError(f"worker hung:\n{err}") from None
        assert self.proc.returncode in (0, -signal.SIGKILL), f"worker crashed by itself:\n{err}"
        return self.proc.returncode


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
        run = _Run(db_url, tmp_path, seed=i, crash=crash)
        if crash is None:
            if run.wait_ready():
                time.sleep(rng.uniform(0.0, 0.6))
            run.kill()
            killed += run.proc.returncode == -signal.SIGKILL
        else:
            killed += run.finish(60) == -signal.SIGKILL
    assert killed >= 2 * len(POINTS) + RANDOM_KILLS // 2  # the cycles died mid-work

    final = _Run(db_url, tmp_path, seed=999, calm=True)
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
