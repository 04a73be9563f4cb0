"""Per-feed polling state: a pure state machine for backoff, pause after repeated failures, and resume."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

    from bot.feeds.fetch import FetchResult
    from bot.feeds.parse import FeedItem

_EPOCH = datetime.min.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class BackoffPolicy:
    """Polling schedule, in seconds. After `pause_after` failures in a row a feed is paused."""

    interval: float = 900.0
    backoff_max: float = 6 * 3600.0
    pause_after: int = 5
    paused_interval: float = 6 * 3600.0
    retry_after_max: float = 24 * 3600.0


@dataclass(frozen=True)
class FeedState:
    """What the poller remembers about one feed between polls (JSON-friendly via to_dict/from_dict)."""

    failures: int = 0
    paused: bool = False
    next_poll: datetime | None = None
    last_ok: datetime | None = None
    last_error: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def first_poll(self) -> bool:
        """True until the feed has been fetched successfully once (its backlog is not yet known)."""
        return self.last_ok is None

    def due(self, now: datetime) -> bool:
        """True when the feed should be polled at `now`."""
        return self.next_poll is None or now >= self.next_poll

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("next_poll", "last_ok"):
            data[key] = data[key].isoformat() if data[key] else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeedState:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for key in ("next_poll", "last_ok"):
            if known.get(key):
                known[key] = datetime.fromisoformat(known[key])
        return cls(**known)


@dataclass(frozen=True)
class FeedEvent:
    """Something the feed's subscribed channels should be told once: kind is "paused" or "resumed"."""

    kind: str
    url: str
    failures: int
    reason: str | None = None

    def message(self, retry_hours: float | None = None) -> str:
        """One chat-ready sentence describing the event."""
        if self.kind == "resumed":
            return f"Feed {self.url} is working again; polling has resumed."
        retry = f" every {retry_hours:g} h" if retry_hours else ""
        return (
            f"Feed {self.url} is paused after {self.failures} failed poll(s) (last error: {self.reason}). "
            f"It will be retried{retry} and resume by itself when it works again."
        )


def next_state(
    state: FeedState,
    result: FetchResult,
    now: datetime,
    policy: BackoffPolicy = BackoffPolicy(),
) -> tuple[FeedState, list[FeedEvent]]:
    """Fold one fetch result into the feed's state; return the new state and events to announce.

    Success ("ok" or "not_modified") clears failures and, if the feed was paused, emits "resumed".
    Failure number n waits min(interval * 2**n, backoff_max) (at least Retry-After, capped); on the
    `pause_after`-th failure in a row, or a permanent one (HTTP 410), the feed is paused, emits "paused"
    once, and is retried every `paused_interval`.
    """
    if result.status in ("ok", "not_modified"):
        events = [FeedEvent("resumed", result.url, state.failures)] if state.paused else []
        # A 304 before any content was ever seen does not count as the first poll: the backlog limit still applies.
        seen = now if result.status == "ok" or state.last_ok is not None else None
        fresh = replace(
            state,
            failures=0,
            paused=False,
            next_poll=now + timedelta(seconds=policy.interval),
            last_ok=seen,
            last_error=None,
            etag=result.etag if result.status == "ok" else (result.etag or state.etag),
            last_modified=(
                result.last_modified if result.status == "ok" else (result.last_modified or state.last_modified)
            ),
        )
        return fresh, events

    failures = state.failures + 1
    delay = min(policy.interval * 2 ** min(failures, 40), policy.backoff_max)
    pause = state.paused or failures >= policy.pause_after or result.permanent
    if pause:
        delay = policy.paused_interval
    if result.retry_after:
        delay = max(delay, min(result.retry_after, policy.retry_after_max))
    events = [] if state.paused or not pause else [FeedEvent("paused", result.url, failures, result.error)]
    failed = replace(
        state,
        failures=failures,
        paused=pause,
        next_poll=now + timedelta(seconds=delay),
        last_error=result.error,
    )
    return failed, events


def select_new(
    items: Iterable[FeedItem],
    known_identities: set[str] | frozenset[str],
    first_poll: bool,
    backfill: int = 3,
) -> list[FeedItem]:
    """Items not seen before (by any of `item.keys`), oldest first.

    On the first poll of a newly added feed only the newest `backfill` of them are kept, so a new feed
    does not flood channels with its backlog. The caller must then record the keys of EVERY fetched item,
    not only of the returned ones, or the skipped backlog comes back as new on the next poll.
    """
    seen = set(known_identities)
    fresh: list[FeedItem] = []
    for item in items:
        if item.keys & seen:
            continue
        seen |= item.keys
        fresh.append(item)
    # Newest first: dated items by date, undated ones after them in feed order (feeds list newest first).
    ranked = sorted(
        range(len(fresh)),
        key=lambda i: (fresh[i].when is not None, fresh[i].when or _EPOCH, -i),
        reverse=True,
    )
    if first_poll:
        ranked = ranked[: max(backfill, 0)]
    return [fresh[i] for i in reversed(ranked)]
