"""Benchmark: seconds from a feed fetch to the channel receiving the brief of its new item (App + running sender)."""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from html import escape
from pathlib import Path

from rich.console import Console

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.adapters.console import ConsoleAdapter  # noqa: E402
from bot.app import App  # noqa: E402
from bot.config.schema import Settings  # noqa: E402
from bot.feeds import FeedFetcher, FetchResult  # noqa: E402
from bot.store import Delivery, StoredBrief  # noqa: E402
from tests.fakes.feed_server import FeedServer, rss  # noqa: E402

ARTICLES = ROOT / "tests" / "fixtures" / "pipeline" / "articles"
PAGES = ROOT / "tests" / "fixtures" / "pipeline" / "pages"
GOAL_S = 2.0
WARM_UP = "coalition-guarantees-liveblog"
ROUNDS = ("istanbul-round-umerov", "peskov-summit-date", "prisoner-swap-list", "energy-truce-monitors")
T0 = datetime(2026, 1, 21, 12, 0, tzinfo=timezone.utc)


class TimedConsole(ConsoleAdapter):
    """The console sink, printing into memory and noting when each post has been rendered."""

    def __init__(self) -> None:
        super().__init__(Console(file=io.StringIO(), width=100))
        self.posted: list[tuple[float, str | None]] = []
        self.event = asyncio.Event()

    async def post(self, delivery: Delivery, brief: StoredBrief) -> str:
        remote = await super().post(delivery, brief)
        self.posted.append((time.perf_counter(), brief.brief.title))
        self.event.set()
        return remote


@dataclass
class Round:
    kind: str
    fetch_start: float
    fetch_end: float
    posted: float

    @property
    def after_end(self) -> float:
        return self.posted - self.fetch_end

    @property
    def after_start(self) -> float:
        return self.posted - self.fetch_start


def _item(slug: str, n: int) -> dict[str, str]:
    """An RSS item carrying the whole fixture article `slug`, `n` hours newer than the first."""
    title, _, body = (ARTICLES / f"{slug}.txt").read_text(encoding="utf-8").partition("\n")
    paragraphs = [p.strip() for p in body.split("\n\n") if p.strip()]
    return {"title": title.strip(), "guid": f"bench-{slug}", "pubDate": format_datetime(T0 + timedelta(hours=n)),
            "link": f"https://wire.example/bench/{slug}", "description": paragraphs[0],
            "content": "".join(f"<p>{escape(p, quote=False)}</p>" for p in paragraphs)}


def _teaser(link: str, n: int) -> dict[str, str]:
    """An RSS item with only a teaser: its page must be fetched and extracted."""
    return {"title": "Kremlin aide calls envoys' visit useful", "guid": "bench-teaser", "link": link,
            "pubDate": format_datetime(T0 + timedelta(hours=n)),
            "description": "A Kremlin aide says the five-hour meeting was useful but territory is unresolved\u2026"}


def _timed_fetch(fetcher: FeedFetcher, marks: list[tuple[float, float]]) -> None:
    """Wrap this fetcher's fetch_feed to note (start, end) of every feed fetch."""
    inner = fetcher.fetch_feed

    async def fetch_feed(url: str, etag: str | None = None, last_modified: str | None = None) -> FetchResult:
        start = time.perf_counter()
        result = await inner(url, etag=etag, last_modified=last_modified)
        marks.append((start, time.perf_counter()))
        return result

    fetcher.fetch_feed = fetch_feed  # type: ignore[method-assign]


async def _run(rounds: int, teaser: bool) -> tuple[float, list[Round]]:
    server = FeedServer().start()
    items: list[dict[str, str]] = [_item(WARM_UP, 0)]
    server.put("/feeds/desk", rss("Bench Desk", items), etag='"v0"')
    server.put("/news/ushakov.html", (PAGES / "ushakov-envoys-kremlin.html").read_bytes(),
               content_type="text/html; charset=utf-8")
    tmp = tempfile.TemporaryDirectory()
    settings = Settings.model_validate({
        "store": {"url": f"sqlite:///{tmp.name}/latency.db"},
        "feeds": [{"name": "Bench Desk", "url": server.url("/feeds/desk"), "backfill": 1}],
        "channels": [{"platform": "console", "address": "stdout"}],
        "fetch": {"allow_private_addresses": True},  # the feed server is on loopback
    })
    sink = TimedConsole()
    app = App(settings, {"console": sink})
    stop = asyncio.Event()
    results: list[Round] = []
    try:
        await app.open()
        assert app.fetcher is not None and app.sender is not None
        marks: list[tuple[float, float]] = []
        _timed_fetch(app.fetcher, marks)
        sender = asyncio.create_task(app.sender.run(stop))
        started = time.perf_counter()
        await app.poll_feeds()  # warm-up: loads the models, briefs the first item
        await asyncio.wait_for(sink.event.wait(), 120)
        warm = time.perf_counter() - started
        plan: list[tuple[str, dict[str, str]]] = []
        for n, slug in enumerate(ROUNDS[:rounds], start=1):
            plan.append(("full entry", _item(slug, n)))
        if teaser:
            plan.append(("teaser + page", _teaser(server.url("/news/ushakov.html"), len(plan) + 1)))
        for n, (kind, item) in enumerate(plan, start=1):
            items.insert(0, item)
            server.put("/feeds/desk", rss("Bench Desk", items), etag=f'"v{n}"')
            sink.event.clear()
            marks.clear()
            await app.poll_feeds()
            await asyncio.wait_for(sink.event.wait(), 60)
            posted, title = sink.posted[-1]
            if title != item["title"]:
                raise SystemExit(f"round {n}: expected {item['title']!r}, the sink got {title!r}")
            results.append(Round(kind, marks[0][0], marks[0][1], posted))
        stop.set()
        await sender
    finally:
        stop.set()
        await app.close()
        server.stop()
        tmp.cleanup()
    return warm, results


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=len(ROUNDS), help=f"new full entries (at most {len(ROUNDS)})")
    ap.add_argument("--no-teaser", action="store_true", help="skip the round whose entry needs its page fetched")
    ap.add_argument("--check", action="store_true", help=f"exit 1 when a post lands more than {GOAL_S:g} s after "
                                                          "its fetch")
    args = ap.parse_args()
    warm, results = asyncio.run(_run(max(1, min(args.rounds, len(ROUNDS))), not args.no_teaser))
    print(f"warm-up poll (model load + first brief + post): {warm:.2f} s")
    print(f"{'round':<6}{'kind':<15}{'fetch':>9}{'fetch end -> post':>20}{'fetch start -> post':>22}")
    for n, r in enumerate(results, start=1):
        print(f"{n:<6}{r.kind:<15}{r.fetch_end - r.fetch_start:>8.3f}s{r.after_end:>19.3f}s{r.after_start:>21.3f}s")
    after = [r.after_end for r in results]
    print(f"after the fetch: median {statistics.median(after):.3f} s, max {max(after):.3f} s (goal <= {GOAL_S:g} s)")
    if args.check and max(after) > GOAL_S:
        print("FAIL: over the goal")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
