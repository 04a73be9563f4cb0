"""Fake chat sinks for delivery tests: one in memory that fails on demand, one appending fsynced lines to a file."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from bot.store.records import Delivery, StoredBrief


@dataclass(frozen=True)
class Post:
    """One message the fake platform received."""

    address: str
    key: str
    delivery_id: int
    seq: int
    brief_id: int
    title: str | None
    remote_id: str
    at: float  # time.monotonic() when the post arrived
    story_id: int | None = None
    thread_root: str | None = None  # the story's first post in the channel, when this is a reply in its thread
    update: bool = False  # the brief came with its story context and went to a thread (rendered as an update)


@dataclass
class _Trouble:
    error: BaseException | None  # None: post, then stall
    address: str | None  # None: any channel
    left: int | None  # None: for ever
    stall: float = 0.0


class FakeSink:
    """Records posts; `fail` makes coming posts raise instead, `stall` makes one post land but answer late."""

    def __init__(self, platform: str = "fake", *, delay: float = 0.0) -> None:
        self.platform = platform
        self.delay = delay  # seconds each post takes
        self.posts: list[Post] = []
        self.calls: list[tuple[str, float]] = []  # (address, time) of every post call, failed ones included
        self.lookups: list[str] = []  # idempotency keys asked for by find_posted
        self.lookup_roots: list[str | None] = []  # the thread each look-up searched (None: the channel)
        self.notices: list[tuple[str, str]] = []
        self._trouble: list[_Trouble] = []

    def fail(self, error: BaseException, *, times: int | None = 1, address: str | None = None) -> None:
        """The next `times` posts (to `address`, or anywhere) raise `error`; times=None: every post from now on."""
        self._trouble.append(_Trouble(error, address, times))

    def stall(self, seconds: float, *, address: str | None = None) -> None:
        """The next post reaches the channel but its answer takes `seconds` (a timeout after sending)."""
        self._trouble.append(_Trouble(None, address, 1, seconds))

    def posted_to(self, address: str) -> list[Post]:
        return [p for p in self.posts if p.address == address]

    async def wait_posts(self, n: int, timeout: float = 10.0) -> list[Post]:
        """Wait until at least `n` posts arrived; returns them all (raises TimeoutError after `timeout`)."""
        async with asyncio.timeout(timeout):
            while len(self.posts) < n:
                await asyncio.sleep(0.002)
        return self.posts

    async def post(self, delivery: Delivery, brief: StoredBrief) -> str:
        self.calls.append((delivery.address, time.monotonic()))
        trouble = self._take(delivery.address)
        if trouble is not None and trouble.error is not None:
            raise trouble.error
        if self.delay:
            await asyncio.sleep(self.delay)
        remote = f"{self.platform}-msg-{len(self.posts) + 1}"
        self.posts.append(Post(delivery.address, delivery.idempotency_key, delivery.id, delivery.seq,
                               delivery.brief_id, brief.brief.title, remote, time.monotonic(), delivery.story_id,
                               delivery.thread_root, delivery.thread_root is not None and brief.story is not None))
        if trouble is not None:
            await asyncio.sleep(trouble.stall)
        return remote

    async def find_posted(self, delivery: Delivery) -> str | None:
        self.lookups.append(delivery.idempotency_key)
        self.lookup_roots.append(delivery.thread_root)
        return next((p.remote_id for p in self.posts if p.key == delivery.idempotency_key), None)

    async def notify(self, address: str, text: str) -> None:
        self.notices.append((address, text))

    def _take(self, address: str) -> _Trouble | None:
        for t in self._trouble:
            if t.address in (None, address):
                if t.left is not None:
                    t.left -= 1
                    if t.left <= 0:
                        self._trouble.remove(t)
                return t
        return None


Hook = Callable[[str], Awaitable[None]]


class FileSink:
    """Plays a chat platform in an append-only JSON-lines file: one fsynced line per post, read back by key.

    `hook(point)` runs at "before_post" (the attempt is recorded, nothing posted yet) and "after_post" (posted, not
    yet marked sent), and may raise; crash tests pause or die there. Lookups are logged to `events` as
    "found"/"missing" lines when given.
    """

    def __init__(self, path: str | Path, platform: str = "fake", *, hook: Hook | None = None,
                 events: str | Path | None = None) -> None:
        self.platform = platform
        self.path = Path(path)
        self.events = Path(events) if events is not None else None
        self._hook = hook

    async def post(self, delivery: Delivery, brief: StoredBrief) -> str:
        await self._point("before_post")
        line = json.dumps({"key": delivery.idempotency_key, "address": delivery.address, "seq": delivery.seq,
                           "brief_id": delivery.brief_id, "title": brief.brief.title,
                           "remote_id": f"file-{delivery.idempotency_key}", "story_id": delivery.story_id,
                           "thread_root": delivery.thread_root})
        _append(self.path, line)  # not in a thread: a timeout cannot leave a write landing after a look-up
        await self._point("after_post")
        return f"file-{delivery.idempotency_key}"

    async def find_posted(self, delivery: Delivery) -> str | None:
        found = next((p["remote_id"] for p in read_posts(self.path) if p["key"] == delivery.idempotency_key), None)
        if self.events is not None:
            _append(self.events, "found" if found else "missing")
        return found

    async def notify(self, address: str, text: str) -> None:
        _append(self.path.with_suffix(".notices"), json.dumps([address, text]))

    async def _point(self, name: str) -> None:
        if self._hook is not None:
            await self._hook(name)


def read_posts(path: str | Path) -> list[dict[str, object]]:
    """Every post a FileSink made, in order."""
    p = Path(path)
    if not p.exists():
        return []
    return [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line]


def _append(path: Path, line: str) -> None:
    """One write() of a whole line, then fsync: after a kill -9 the line is there entirely or not at all."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
