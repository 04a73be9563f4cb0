"""APScheduler jobs: one poll job per feed (jittered, never overlapping, misfires coalesced) and the digest."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from datetime import datetime, timedelta, timezone

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.app import App
from bot.store import FeedRecord

log = logging.getLogger("bot.scheduler")
RESYNC_SECONDS = 30  # how soon a feed added or removed in chat gets or loses its job
POLL_CONCURRENCY = 16  # feeds polled at once: at start every feed is due, and each poll holds connections


class Jobs:
    """Keeps the scheduler's poll jobs in step with the store's feeds."""

    def __init__(self, app: App, scheduler: AsyncIOScheduler | None = None, *,
                 concurrency: int = POLL_CONCURRENCY) -> None:
        self.app = app
        self.scheduler = scheduler or AsyncIOScheduler(timezone=app.settings.bot.timezone)
        self.concurrency = concurrency
        self._intervals: dict[int, float] = {}
        self._gate: asyncio.Semaphore | None = None
        self._running: set[asyncio.Task[object]] = set()
        self._stopping = False
        self._shut_down = False

    def start(self) -> None:
        """Schedule everything and start the scheduler (inside a running event loop)."""
        self._gate = asyncio.Semaphore(self.concurrency)
        self.scheduler.add_job(self.resync, IntervalTrigger(seconds=RESYNC_SECONDS), id="resync",
                               max_instances=1, coalesce=True, next_run_time=datetime.now(timezone.utc))
        self.scheduler.add_job(self._recover, IntervalTrigger(minutes=10), id="recover", max_instances=1,
                               coalesce=True)
        digest = self.app.settings.digest
        if digest.enabled:
            trigger = CronTrigger.from_crontab(digest.cron, timezone=digest.timezone or "UTC")
            self.scheduler.add_job(self.digest, trigger, id="digest", max_instances=1, coalesce=True,
                                   misfire_grace_time=3600)
        self.scheduler.start()

    def shutdown(self) -> None:
        """Stop scheduling (takes effect on the event loop's next turn; jobs under way are cancelled then)."""
        if self.scheduler.running and not self._shut_down:
            self._shut_down = True
            self.scheduler.shutdown(wait=False)

    async def stop(self, timeout: float = 10.0) -> None:
        """Stop scheduling, cancel the jobs under way and wait up to `timeout` s for them to end.

        A cancelled poll loses nothing: what it stored is finished by the next start's recovery.
        """
        self._stopping = True
        self.shutdown()
        await asyncio.sleep(0)  # let the scheduler's shutdown run
        running = [task for task in self._running if not task.done()]
        for task in running:
            task.cancel()
        if running:
            await asyncio.wait(running, timeout=timeout)

    async def digest(self) -> None:
        """Post today's digest to the channels (the digest job)."""
        await self._tracked(self.app.digest())

    async def _recover(self) -> None:
        """Brief articles a failed poll stored but did not finish (filter or brief step failed)."""
        assert self.app.pipeline is not None
        try:
            await self._tracked(self.app.pipeline.recover())
        except Exception:
            log.exception("recovering unfinished articles failed; will try again")

    async def resync(self) -> None:
        """Add a job for every feed in the store, drop jobs of removed feeds, follow interval changes."""
        await self._tracked(self._resync())

    async def _resync(self) -> None:
        await self._tracked(self._resync())

    async def _resync(self) -> None:
        assert self.app.store is not None
        feeds = await asyncio.to_thread(self.app.store.list_feeds)
        wanted = {f.id: f for f in feeds}
        for feed_id in set(self._intervals) - set(wanted):
            self.scheduler.remove_job(f"poll:{feed_id}")
            del self._intervals[feed_id]
            log.info("stopped polling feed %s", feed_id)
        for feed in feeds:
            seconds = self.app._policy(feed).interval
            if self._intervals.get(feed.id) == seconds:
                continue
            self.scheduler.add_job(self.poll, IntervalTrigger(seconds=seconds, jitter=min(60.0, seconds / 10)),
                                   args=[feed.id], id=f"poll:{feed.id}", replace_existing=True, max_instances=1,
                                   coalesce=True, misfire_grace_time=int(seconds),
                                   next_run_time=datetime.now(timezone.utc))
            self._intervals[feed.id] = seconds
            log.info("polling %s every %g min", feed.name or feed.url, seconds / 60)

    async def poll(self, feed_id: int) -> None:
        """Poll one feed if its backoff allows it now (at most `concurrency` feeds at a time)."""
        await self._tracked(self._poll(feed_id))

    async def _poll(self, feed_id: int) -> None:
        assert self.app.store is not None
        feed = await asyncio.to_thread(self.app.store.get_feed, feed_id)
        if feed is None or not _due(feed, self._intervals.get(feed_id, 900.0)):
            return
        if self._gate is None:
            await self.app.poll_feeds([feed])
            return
        async with self._gate:
            await self.app.poll_feeds([feed])

    async def _tracked(self, work: Awaitable[None]) -> None:
        """Run a job's work so that `stop` can cancel it; a job cancelled by `stop` ends quietly, not as an error."""
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            await work
        except asyncio.CancelledError:
            if not self._stopping:
                raise
            log.info("a job under way was cancelled: the bot is stopping")
        finally:
            if task is not None:
                self._running.discard(task)


def _due(feed: FeedRecord, interval: float) -> bool:
    """True unless the feed's backoff puts its next poll later; a jittered tick slightly early still counts."""
    if feed.next_poll_at is None:
        return True
    next_at = feed.next_poll_at if feed.next_poll_at.tzinfo else feed.next_poll_at.replace(tzinfo=timezone.utc)
    slack = timedelta(seconds=min(60.0, interval / 10) + interval * 0.1)
    return datetime.now(timezone.utc) + slack >= next_at
