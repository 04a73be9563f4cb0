"""The sender's lanes (one per platform: its sink, pacing and posts under way) and its timing constants."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass, field

from bot.deliver.sink import Sink
from bot.store import Backoff

MAX_SLEEP = 30.0  # look at the outbox at least this often (briefs saved by another process do not wake us)
POST_SHARE = 0.5  # a post or look-up may use half the lease; past it the outcome is unknown (the rest is margin)
SETTLE_SECONDS = 10.0  # on stop, how long posts under way may finish before they are cancelled
RELEASE = Backoff(base=0.0, jitter=0.0)  # hand a claimed, unposted row back to the queue at once
TRACED_MAX = 512


@dataclass(frozen=True)
class DrainReport:
    """What one `drain` did: deliveries sent, failed for good, put back for a retry; platforms stopped (reason)."""

    sent: int = 0
    failed: int = 0
    retrying: int = 0
    stopped: dict[str, str] = field(default_factory=dict)


@dataclass
class Lane:
    """One platform: its sink, pacing and the deliveries under way."""

    platform: str
    sink: Sink
    pacing: float
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    halt: asyncio.Event = field(default_factory=asyncio.Event)  # stop handing out work (stop, adapter stopped)
    stopped: str | None = None  # why the adapter stopped
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    locks: dict[int, asyncio.Lock] = field(default_factory=dict)  # one post at a time per channel
    last_post: dict[int, float] = field(default_factory=dict)  # channel -> loop time the last post ended
    tally: Counter[str] = field(default_factory=Counter)


class ErrorLog:
    """Logs unexpected errors on one line each; the traceback only the first time an error is seen."""

    def __init__(self, logger: logging.Logger) -> None:
        self._log = logger
        self._seen: set[str] = set()

    def first_time(self, platform: str, exc: BaseException) -> bool:
        sig = f"{platform}|{type(exc).__qualname__}|{exc}"
        if sig in self._seen:
            return False
        if len(self._seen) < TRACED_MAX:
            self._seen.add(sig)
        return True

    def log(self, platform: str, what: str, exc: BaseException) -> None:
        first = self.first_time(platform, exc)
        self._log.error("%s: %s: %s", platform, what, one_line(exc), exc_info=exc if first else None)


def one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}"[:300] if text else type(exc).__name__


def running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
