"""Benchmark: poll 1,000 local feeds (first 200, then 304) with the real fetcher; print wall time and peak RSS."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import resource
import subprocess
import sys
import time
from pathlib import Path

from bot.feeds.fetch import FeedFetcher, FetchResult

ROOT = Path(__file__).resolve().parents[1]
SERVER = ROOT / "tests" / "fakes" / "feed_server.py"
WALL_LIMIT_S = 10.0
RSS_LIMIT_MB = 300.0


async def _poll(fetcher: FeedFetcher, urls: list[str], previous: list[FetchResult] | None) -> list[FetchResult]:
    if previous is None:
        return await asyncio.gather(*(fetcher.fetch_feed(u) for u in urls))
    return await asyncio.gather(
        *(fetcher.fetch_feed(u, etag=r.etag, last_modified=r.last_modified) for u, r in zip(urls, previous))
    )


async def _run(urls: list[str], per_host: int) -> tuple[float, float, list[FetchResult]]:
    async with FeedFetcher(per_host_limit=per_host, allow_private=True) as fetcher:  # the feeds are on loopback
        started = time.perf_counter()
        first = await _poll(fetcher, urls, None)
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        second = await _poll(fetcher, urls, first)
        second_s = time.perf_counter() - started
    bad = [r for r in first if r.status != "ok"] + [r for r in second if r.status != "not_modified"]
    if bad:
        raise SystemExit(f"unexpected results, e.g. {bad[0].url}: {bad[0].status} {bad[0].error}")
    return first_s, second_s, second


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--hosts", type=int, default=10, help="loopback addresses the feeds are spread over")
    ap.add_argument("--per-host", type=int, default=4, help="per-host concurrency limit of the fetcher")
    ap.add_argument("--check", action="store_true", help=f"exit 1 above {WALL_LIMIT_S:g} s or {RSS_LIMIT_MB:g} MB")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)

    server = subprocess.Popen(
        [sys.executable, str(SERVER), "--feeds", str(args.feeds), "--hosts", str(args.hosts)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        urls = json.loads(server.stdout.readline())["urls"]  # type: ignore[union-attr]
        first_s, second_s, _ = asyncio.run(_run(urls, args.per_host))
    finally:
        server.stdin.close()  # type: ignore[union-attr]
        server.wait(timeout=30)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    server_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"feeds={args.feeds} hosts={args.hosts} per_host_limit={args.per_host}")
    print(f"first poll (200, parse): {first_s:.2f} s wall")
    print(f"second poll (304):       {second_s:.2f} s wall (limit {WALL_LIMIT_S:g} s)")
    print(f"peak RSS poller:         {peak_mb:.0f} MB (limit {RSS_LIMIT_MB:g} MB); fake server {server_mb:.0f} MB")
    if args.check and (second_s > WALL_LIMIT_S or peak_mb > RSS_LIMIT_MB):
        print("FAIL: over the limit")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
