"""Benchmark: 1,000 local feeds polled through App.poll_feeds (first 200, then the timed 304 round); no model loads."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.app import App  # noqa: E402
from bot.config.schema import Settings  # noqa: E402
from bot.pipeline.poll import PollReport  # noqa: E402
from bot.store import Delivery, StoredBrief  # noqa: E402

SERVER = ROOT / "tests" / "fakes" / "feed_server.py"
WALL_LIMIT_S = 10.0
RSS_LIMIT_MB = 300.0


class _NullSink:
    """A console-platform sink that must never be used: nothing is new, so nothing is posted."""

    platform = "console"

    async def post(self, delivery: Delivery, brief: StoredBrief) -> str:
        raise AssertionError("no brief was expected")

    async def find_posted(self, delivery: Delivery) -> str | None:
        return None

    async def notify(self, address: str, text: str) -> None:
        raise AssertionError(f"no notice was expected: {text}")


def _settings(urls: list[str], db: Path, per_host: int) -> Settings:
    feeds = [{"name": f"Desk {i}", "url": url, "backfill": 0} for i, url in enumerate(urls)]
    return Settings.model_validate({
        "store": {"url": f"sqlite:///{db}"},
        "feeds": feeds,
        "channels": [{"platform": "console", "address": "stdout"}],
        "fetch": {"per_host": per_host, "allow_private_addresses": True},  # the feed server is on loopback
    })


def _check(reports: list[PollReport], want: str, n: int) -> None:
    tally = Counter(r.status for r in reports)
    if tally != Counter({want: n}):
        bad = next(r for r in reports if r.status != want)
        raise SystemExit(f"expected {n} x {want}, got {dict(tally)}; e.g. {bad.feed}: {bad.error}")


async def _run(urls: list[str], db: Path, per_host: int, concurrency: int) -> dict[str, float]:
    app = App(_settings(urls, db, per_host), {"console": _NullSink()})
    times: dict[str, float] = {}
    started = time.perf_counter()
    await app.open()
    times["open"] = time.perf_counter() - started
    try:
        started = time.perf_counter()
        first = await app.poll_feeds(concurrency=concurrency)
        times["first"] = time.perf_counter() - started
        _check(first, "ok", len(urls))
        started = time.perf_counter()
        second = await app.poll_feeds(concurrency=concurrency)
        times["second"] = time.perf_counter() - started
        _check(second, "not_modified", len(urls))
        if app._models is not None:
            raise SystemExit("FAIL: the models were loaded although nothing was new")
    finally:
        await app.close()
    return times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--hosts", type=int, default=10, help="loopback addresses the feeds are spread over")
    ap.add_argument("--per-host", type=int, default=4, help="[fetch] per_host: concurrent requests to one host")
    ap.add_argument("--concurrency", type=int, default=16, help="App.poll_feeds concurrency")
    ap.add_argument("--check", action="store_true", help=f"exit 1 above {WALL_LIMIT_S:g} s or {RSS_LIMIT_MB:g} MB")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)

    server = subprocess.Popen(
        [sys.executable, str(SERVER), "--feeds", str(args.feeds), "--hosts", str(args.hosts)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )
    try:
        urls = json.loads(server.stdout.readline())["urls"]  # type: ignore[union-attr]
        with tempfile.TemporaryDirectory() as tmp:
            times = asyncio.run(_run(urls, Path(tmp) / "poll.db", args.per_host, args.concurrency))
    finally:
        server.stdin.close()  # type: ignore[union-attr]
        server.wait(timeout=30)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    server_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"feeds={args.feeds} hosts={args.hosts} per_host={args.per_host} concurrency={args.concurrency}")
    print(f"open (migrate, add {args.feeds} feeds):  {times['open']:.2f} s")
    print(f"first poll (200, parse, remember):   {times['first']:.2f} s wall")
    print(f"second poll (304):                   {times['second']:.2f} s wall (limit {WALL_LIMIT_S:g} s)")
    print(f"peak RSS of the bot:                 {peak_mb:.0f} MB (limit {RSS_LIMIT_MB:g} MB); "
          f"fake server {server_mb:.0f} MB; models loaded: no")
    if args.check and (times["second"] > WALL_LIMIT_S or peak_mb > RSS_LIMIT_MB):
        print("FAIL: over the limit")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
