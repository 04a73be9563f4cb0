"""The sender: drains the store's delivery outbox into each platform's Sink, exactly once and in order per channel."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import replace

from bot.config.sections import DeliverySettings
from bot.deliver.lanes import (
    MAX_SLEEP,
    POST_SHARE,
    RELEASE,
    SETTLE_SECONDS,
    DrainReport,
    ErrorLog,
    Lane,
    one_line,
    running_loop,
)
from bot.deliver.sink import AdapterStopped, DeliveryError, Sink
from bot.metrics import METRICS
from bot.store import Backoff, Delivery, Store, StoredBrief
from bot.store.tx import Clock, utcnow

log = logging.getLogger(__name__)

OnFailure = Callable[[Delivery, str], Awaitable[None]]

class Sender:
    """Posts pending deliveries through the sinks; safe to restart or kill at any point (see bot.store.outbox)."""

    def __init__(
        self,
        store: Store,
        sinks: dict[str, Sink],
        *,
        settings: DeliverySettings | None = None,
        clock: Clock = utcnow,
        on_failure: OnFailure | None = None,
        lease_seconds: float = 60.0,
        broadcast: bool = False,
    ) -> None:
        self._store = store
        self._broadcast = broadcast  # story updates also shown in the channel, not only in the story's thread
        self._outbox = store.outbox
        self._settings = settings or DeliverySettings()
        self._backoff = Backoff(base=self._settings.backoff_base, cap=self._settings.backoff_cap)
        self._clock = clock
        self._on_failure = on_failure
        self._lease = float(lease_seconds)
        self._lanes = {name: Lane(name, sink, self._settings.pacing_for(name)) for name, sink in sinks.items()}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._reported: set[tuple[str, int, str]] = set()  # (platform, channel, reason) already told
        self._errors = ErrorLog(log)  # unexpected errors: their traceback is logged the first time only

    @property
    def stopped(self) -> dict[str, str]:
        """Platforms whose adapter stopped (revoked or invalid token), with the reason."""
        return {lane.platform: lane.stopped for lane in self._lanes.values() if lane.stopped is not None}

    def wake(self) -> None:
        """New deliveries were saved: look at the outbox now. Safe to call from any thread."""
        loop = self._loop
        if loop is not None and not loop.is_closed() and running_loop() is not loop:
            loop.call_soon_threadsafe(self._wake_all)
        else:
            self._wake_all()

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set, one task per platform; a platform whose adapter stops ends on its own."""
        self._loop = asyncio.get_running_loop()
        relay = asyncio.create_task(self._relay(stop))
        try:
            await asyncio.gather(*(self._run_lane(lane, stop) for lane in self._lanes.values()))
        finally:
            relay.cancel()

    async def drain(self, platform: str | None = None, timeout: float = 60.0) -> DrainReport:
        """Deliver everything due now (rows waiting for a retry later are left); raises TimeoutError past `timeout`."""
        self._loop = asyncio.get_running_loop()
        lanes = [self._lanes[platform]] if platform is not None else list(self._lanes.values())
        before = sum((lane.tally for lane in lanes), Counter[str]())
        async with asyncio.timeout(timeout):
            await asyncio.gather(*(self._drain_lane(lane) for lane in lanes))
        done = sum((lane.tally for lane in lanes), Counter[str]()) - before
        stopped = {lane.platform: lane.stopped for lane in lanes if lane.stopped is not None}
        return DrainReport(sent=done["sent"], failed=done["failed"], retrying=done["retrying"], stopped=stopped)

    def _wake_all(self, *, halt: bool = False) -> None:
        for lane in self._lanes.values():
            if halt:
                lane.halt.set()
            lane.wake.set()

    async def _relay(self, stop: asyncio.Event) -> None:
        await stop.wait()
        self._wake_all(halt=True)

    async def _run_lane(self, lane: Lane, stop: asyncio.Event) -> None:
        if lane.stopped is not None:
            return
        lane.halt.clear()
        pause = 0.0
        try:
            while not stop.is_set() and lane.stopped is None:
                lane.wake.clear()  # before looking: a wake() from here on is not missed
                try:
                    handed = await self._pump(lane)
                    delay = await self._until_due(lane)
                    delay = delay if handed else max(delay, 0.01)
                    pause = 0.0
                except Exception as exc:  # the database is out of reach: try again, more and more slowly
                    pause = min(MAX_SLEEP, pause * 2 or 1.0)
                    self._errors.log(lane.platform, f"reading the outbox failed, again in {pause:.0f} s", exc)
                    delay = pause
                try:
                    async with asyncio.timeout(delay):
                        await lane.wake.wait()
                except TimeoutError:
                    pass
        finally:
            await self._settle(lane)

    async def _drain_lane(self, lane: Lane) -> None:
        if lane.stopped is not None:
            return
        lane.halt.clear()
        try:
            while lane.stopped is None:
                await self._pump(lane)
                if not lane.tasks:
                    return
                await asyncio.wait(set(lane.tasks), return_when=asyncio.FIRST_COMPLETED)
        finally:
            if lane.tasks:
                await self._settle(lane)

    async def _pump(self, lane: Lane) -> int:
        """Hand out what is due: rows a dead sender left mid-post (checked by key first), then each channel's next."""
        if lane.halt.is_set():
            return 0
        outbox, name, lease = self._outbox, lane.platform, self._lease
        recovered = await asyncio.to_thread(outbox.recover_in_flight, name, lease_seconds=lease)
        claimed = await asyncio.to_thread(outbox.claim_next, name, lease_seconds=lease)
        for d, again in [(d, True) for d in recovered] + [(d, False) for d in claimed]:
            task = asyncio.create_task(self._deliver(lane, d, again), name=f"deliver-{name}-{d.id}")
            lane.tasks.add(task)
            task.add_done_callback(lane.tasks.discard)
        return len(recovered) + len(claimed)

    async def _until_due(self, lane: Lane) -> float:
        when = await asyncio.to_thread(self._outbox.next_wakeup, lane.platform)
        if when is None:
            return MAX_SLEEP
        return min(MAX_SLEEP, max(0.0, (when - self._clock()).total_seconds()))

    async def _settle(self, lane: Lane) -> None:
        """Stop handing out work: rows waiting for their turn go back, posts under way get a moment to finish."""
        lane.halt.set()
        if not lane.tasks:
            return
        _, late = await asyncio.wait(set(lane.tasks), timeout=SETTLE_SECONDS)
        for task in late:  # a cancelled post stays `attempting` and is checked by its key after a restart
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)

    async def _deliver(self, lane: Lane, d: Delivery, recovered: bool) -> None:
        lock = lane.locks.setdefault(d.channel_id, asyncio.Lock())
        try:
            async with lock:
                if recovered and await self._resolved(lane, d):
                    return
                if not await self._pace(lane, d.channel_id):
                    await asyncio.to_thread(self._outbox.mark_retry, d.id, d.lease or "", d.last_error or "",
                                            RELEASE)
                    return
                await self._attempt(lane, d)
        except Exception as exc:  # the store failed mid-way: the lease runs out and the row is handed out again
            self._errors.log(lane.platform, f"delivery {d.id} to {d.address} interrupted", exc)
        finally:
            lane.wake.set()

    async def _threaded(self, d: Delivery, brief: StoredBrief | None = None) -> Delivery:
        """`d` with the message that opened its story in the channel, whose thread it goes to (if any); a one-line
        update with nothing new stays in the thread even when replies are also sent to the channel."""
        if d.story_id is None:
            return d
        root = await asyncio.to_thread(self._outbox.thread_root, d)
        quiet = brief is not None and brief.story is not None and not brief.story.has_news
        return replace(d, thread_root=root, broadcast=self._broadcast and root is not None and not quiet)

    async def _resolved(self, lane: Lane, d: Delivery) -> bool:
        """A row left mid-post: True when settled here (found posted, failed, or left for later); False: post it."""
        d = await self._threaded(d)
        try:
            async with asyncio.timeout(self._lease * POST_SHARE):
                remote = await lane.sink.find_posted(d)
        except AdapterStopped as exc:
            self._stop_lane(lane, exc)  # the row stays `attempting`; looked up again after a restart
            return True
        except DeliveryError as exc:
            if exc.permanent:
                await self._fail(lane, d, exc.reason)
            else:
                log.warning("%s: could not check whether delivery %d reached %s, trying again later: %s",
                            lane.platform, d.id, d.address, exc.reason)
            return True
        except Exception as exc:  # never post without knowing: the lease runs out and the row comes back
            self._errors.log(lane.platform, f"could not check whether delivery {d.id} reached {d.address}", exc)
            return True
        if remote is None:
            return False
        await asyncio.to_thread(self._outbox.mark_sent, d.id, d.lease, remote)
        self._count(lane, "sent", d)
        log.info("%s: delivery %d to %s had been posted before a restart (%s)", lane.platform, d.id, d.address,
                 remote)
        return True

    async def _pace(self, lane: Lane, channel_id: int) -> bool:
        """Wait until the channel's last post is `pacing` seconds old; False if the lane halts meanwhile."""
        loop = asyncio.get_running_loop()
        last = lane.last_post.get(channel_id)
        while last is not None and not lane.halt.is_set() and (left := last + lane.pacing - loop.time()) > 0:
            try:
                async with asyncio.timeout(left):
                    await lane.halt.wait()
            except TimeoutError:
                pass
        return not lane.halt.is_set()

    async def _attempt(self, lane: Lane, d: Delivery) -> None:
        brief = await asyncio.to_thread(self._store.get_brief, d.brief_id)
        if brief is None:
            await self._fail(lane, d, f"brief {d.brief_id} is no longer stored")
            return
        live = await asyncio.to_thread(self._outbox.begin_attempt, d.id, d.lease or "", lease_seconds=self._lease)
        if live is None:
            log.debug("%s: delivery %d: lease lost, not posting", lane.platform, d.id)
            return
        if live.story_id is not None and brief.story is not None:  # what is new to this channel, not the story
            claims, quotes = await asyncio.to_thread(self._outbox.channel_news, live)
            brief = replace(brief, story=replace(brief.story, new_claims=claims, new_quotes=quotes))
        live = await self._threaded(live, brief)
        loop = asyncio.get_running_loop()
        limit = asyncio.timeout(self._lease * POST_SHARE)
        try:
            async with limit:
                remote = await lane.sink.post(live, brief)
        except AdapterStopped as exc:
            self._stop_lane(lane, exc)
            await asyncio.to_thread(self._outbox.mark_retry, d.id, d.lease or "", f"adapter stopped: {exc}", RELEASE)
            return
        except DeliveryError as exc:
            if exc.permanent:
                await self._fail(lane, live, exc.reason)
            else:
                await self._retry(lane, live, exc.reason, exc.retry_after)
            return
        except Exception as exc:
            if isinstance(exc, TimeoutError) and limit.expired():
                log.warning("%s: no answer posting delivery %d to %s within %.1f s; it is checked by its key once "
                            "its lease runs out", lane.platform, d.id, d.address, self._lease * POST_SHARE)
                return
            first = self._errors.first_time(lane.platform, exc)
            await self._retry(lane, live, one_line(exc), None, exc if first else None)
            return
        finally:
            lane.last_post[d.channel_id] = loop.time()
        await asyncio.to_thread(self._outbox.mark_sent, d.id, d.lease, remote)
        self._count(lane, "sent", d)
        self._reported = {r for r in self._reported if r[:2] != (lane.platform, d.channel_id)}
        log.debug("%s: delivery %d (brief %d) posted to %s as %s", lane.platform, d.id, d.brief_id, d.address, remote)

    async def _retry(
        self, lane: Lane, d: Delivery, reason: str, retry_after: float | None, exc: BaseException | None = None
    ) -> None:
        most = self._settings.max_attempts
        if d.attempts >= most:
            await self._fail(lane, d, f"gave up after {d.attempts} attempts: {reason}")
            return
        due = await asyncio.to_thread(self._outbox.mark_retry, d.id, d.lease or "", reason, self._backoff,
                                      retry_after=retry_after)
        if due is None:
            return
        self._count(lane, "retrying", d)
        wait = max(0.0, (due - self._clock()).total_seconds())
        log.warning("%s: posting delivery %d to %s failed (attempt %d of %d), retrying in %.1f s: %s",
                    lane.platform, d.id, d.address, d.attempts, most, wait, reason, exc_info=exc)

    async def _fail(self, lane: Lane, d: Delivery, reason: str) -> None:
        """Give up on the delivery; log and tell admins once per channel and reason (until the channel works again)."""
        if not await asyncio.to_thread(self._outbox.mark_failed, d.id, reason, d.lease):
            return
        self._count(lane, "failed", d)
        key = (lane.platform, d.channel_id, reason)
        if key in self._reported:
            log.debug("%s: delivery %d to %s failed too: %s", lane.platform, d.id, d.address, reason)
            return
        self._reported.add(key)
        log.error("%s: delivery %d of brief %d to %s failed for good: %s", lane.platform, d.id, d.brief_id,
                  d.address, reason)
        if self._on_failure is not None:
            try:
                await self._on_failure(d, reason)
            except Exception as exc:
                self._errors.log(lane.platform, "telling admins about a failed delivery failed", exc)

    def _count(self, lane: Lane, outcome: str, d: Delivery) -> None:
        lane.tally[outcome] += 1
        METRICS.delivered(lane.platform, outcome, d.created_at, now=self._clock())

    def _stop_lane(self, lane: Lane, exc: AdapterStopped) -> None:
        if lane.stopped is None:
            lane.stopped = str(exc) or type(exc).__name__
            log.error("%s adapter stopped: %s. Its deliveries stay queued until it is restarted; the rest of the "
                      "bot keeps running.", lane.platform, lane.stopped)
        lane.halt.set()
        lane.wake.set()
