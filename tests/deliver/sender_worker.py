"""A bot process for the sender crash test: stores live-blog briefs and runs a Sender into a file sink until done.

Usage: sender_worker.py URL SINK EVENTS ARTICLES SEED [POINT N | calm]

The Sender is the real one; the sink is tests.fakes.sink.FileSink (one fsynced JSON line per post, looked up by
idempotency key after a restart). Briefs are stored while the sender runs (each followed by `wake()`), and some posts
fail with a retryable error. With POINT ("before_post" or "after_post") the process SIGKILLs itself the N-th time
it gets there; the test also SIGKILLs it at random moments. `calm` drops the pauses and failures (the last run).
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import signal
import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[2]
if str(_ROOT) not in sys.path:  # run as a script: make `tests.fakes` importable
    sys.path.insert(0, str(_ROOT))

from bot.brief.speakers import speaker_key  # noqa: E402
from bot.brief.types import Brief, Claim, Quote  # noqa: E402
from bot.config.sections import DeliverySettings  # noqa: E402
from bot.deliver.sender import Sender  # noqa: E402
from bot.deliver.sink import DeliveryError  # noqa: E402
from bot.store import Store, open_store  # noqa: E402
from tests.fakes.sink import FileSink  # noqa: E402

PLATFORM = "fake"
LEASE = 1.0
POINTS = ("before_post", "after_post")
SETTINGS = DeliverySettings(max_attempts=1000, backoff_base=0.02, backoff_cap=0.1)
_OPEN = ("pending", "leased", "attempting")


def wire_update(n: int) -> Brief:
    """The brief of the n-th (fictional) live-blog update from the Lausanne talks."""
    said = f"We have narrowed the gaps on item {n}, not closed them"
    text = (f"LAUSANNE, Dec 18 (Meridian Wire) - Delegations met for session {n} at the lakeside conference "
            f"centre, two officials said. \"{said},\" said Rowan Achterberg, the U.S. special envoy. "
            f"See also: Grain freight rates steady as talks drag on.")
    start = text.index(said)
    quote = Quote(text=said, speaker="Rowan Achterberg", speaker_key=speaker_key("Rowan Achterberg"),
                  role="U.S. special envoy", cue="said", method="pattern", confidence=0.85, start=start,
                  end=start + len(said))
    claims = [Claim(f"Delegations met for session {n} in Lausanne.", 0),
              Claim("Officials said gaps had narrowed but were not closed.", 1)]
    return Brief(title=wire_title(n), claims=claims, quotes=[quote], text=text)


def wire_title(n: int) -> str:
    return f"LIVE: Lausanne talks, update {n} - envoys report narrower gaps"


def store_update(store: Store, n: int) -> int | None:
    """Store article n and its brief unless it has one already; returns the new brief's id, or None."""
    key = f"guid:meridianwire-lausanne-{n}"
    article = store.get_article(key)
    if article is not None and store.brief_for_article(article.id) is not None:
        return None
    if article is None:
        article, _ = store.upsert_article(key, title=wire_title(n),
                                          link=f"https://meridianwire.example/live/lausanne-talks#update-{n}")
    if article.kept is None:
        store.record_filter(article.id, kept=True, reason="keyword:talks")
    return store.save_brief(article.id, wire_update(n))


class Worker:
    def __init__(self, store: Store, sink: str, events: str, articles: int, seed: int,
                 crash: tuple[str, int] | None, calm: bool) -> None:
        self.store, self.articles, self.crash, self.calm = store, articles, crash, calm
        self.rng = random.Random(seed)
        self.hits = 0
        self.sender = Sender(store, {PLATFORM: FileSink(sink, PLATFORM, hook=self.point, events=events)},
                             settings=SETTINGS, lease_seconds=LEASE)

    async def point(self, name: str) -> None:
        """Inside a post: die here on purpose, or pause so random kills land here, or fail now and then."""
        if self.crash and self.crash[0] == name:
            self.hits += 1
            if self.hits >= self.crash[1]:
                os.kill(os.getpid(), signal.SIGKILL)
        if self.calm:
            return
        await asyncio.sleep(self.rng.uniform(0, 0.03))
        if name == "before_post" and self.rng.random() < 0.1:
            raise DeliveryError("HTTP 503 from the fake platform", retry_after=0.02)

    async def ingest(self) -> None:
        for n in range(self.articles):
            if await asyncio.to_thread(store_update, self.store, n) is not None:
                self.sender.wake()
                if not self.calm:
                    await asyncio.sleep(self.rng.uniform(0, 0.02))

    async def run(self) -> None:
        stop = asyncio.Event()
        sending = asyncio.create_task(self.sender.run(stop))
        await self.ingest()
        while not sending.done():
            counts = await asyncio.to_thread(self.store.outbox.counts, PLATFORM)
            if not any(counts.get(state, 0) for state in _OPEN):
                stop.set()
            await asyncio.sleep(0.02)
        await sending


def main(argv: list[str]) -> None:
    url, sink, events, articles, seed = argv[:5]
    calm = argv[5:] == ["calm"]
    crash = (argv[5], int(argv[6])) if len(argv) > 6 else None
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    store = open_store(url)
    print("ready", flush=True)
    try:
        asyncio.run(Worker(store, sink, events, int(articles), int(seed), crash, calm).run())
    finally:
        store.close()
    print("done", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
