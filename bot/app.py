"""Wiring: the store, models, pipeline, sender, scheduler and adapters built from one Settings object."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from typing import TYPE_CHECKING

from bot.commands import Command
from bot.commands.context import CommandContext
from bot.commands.handlers import run_command
from bot.config.schema import Settings
from bot.deliver.sender import Sender
from bot.deliver.sink import Sink
from bot.feeds import BackoffPolicy, FeedEvent, FeedFetcher
from bot.pipeline.poll import Pipeline, PollReport
from bot.pipeline.story_filter import StoryFilter, StorySpec
from bot.store import FeedRecord, Store, open_store

if TYPE_CHECKING:  # importing the engine imports spaCy (~90 MB; no torch): done in models(), on first need
    from bot.brief.engine import Briefer

log = logging.getLogger("bot.app")


@dataclass
class Models:
    """The models a poll needs, loaded once on first use."""

    briefer: Briefer
    story: StoryFilter


def story_spec(settings: Settings) -> StorySpec:
    """The story filter's spec from the [story] section."""
    s = settings.story
    return StorySpec(description=s.description, include=tuple(s.include_keywords), exclude=tuple(s.exclude_keywords),
                     include_regex=tuple(s.include_regexes), exclude_regex=tuple(s.exclude_regexes),
                     threshold=s.similarity_threshold, require=s.require)


class App:
    """One bot: call `open()`, then `poll_once()` or `run(stop)`, then `close()`."""

    def __init__(self, settings: Settings, sinks: dict[str, Sink], *, spec: StorySpec | None = None) -> None:
        self.settings = settings
        self.sinks = sinks
        self.spec = spec or story_spec(settings)
        self.store: Store | None = None
        self.sender: Sender | None = None
        self.pipeline: Pipeline | None = None
        self.fetcher: FeedFetcher | None = None
        self._models: Models | None = None
        self._models_lock = threading.Lock()
        self.runners: list[Callable[..., Any]] = []  # chat adapters' run(app, stop), beside the scheduler
        self.adapters: dict[str, Any] = {}  # platform -> adapter (health reads their readiness)
        self.jobs: Any = None  # the running bot.scheduler.Jobs, once `briefbot run` starts it

    # -- life cycle -------------------------------------------------------------------------------------------
    async def open(self) -> None:
        """Open the store (migrating it), apply the configured feeds and channels, build pipeline and sender."""
        self.store = await asyncio.to_thread(open_store, self.settings.store.url)
        await asyncio.to_thread(self._apply_config)
        f = self.settings.fetch
        self.fetcher = FeedFetcher(**({"user_agent": f.user_agent} if f.user_agent else {}),
                                   connect_timeout=f.connect_timeout, read_timeout=f.read_timeout,
                                   total_timeout=f.total_timeout, max_bytes=f.max_bytes,
                                   max_redirects=f.max_redirects, per_host_limit=f.per_host,
                                   allow_private=f.allow_private_addresses)
        await self.fetcher.__aenter__()
        self.sender = Sender(self.store, self.sinks, settings=self.settings.delivery, on_failure=self._delivery_failed,
                             broadcast=self.settings.stories.also_send_to_channel)
        self.pipeline = Pipeline(self.store, self.models, self.fetcher, policy=self._policy,
                                 backfill=self._backfill, on_event=self._feed_event,
                                 on_briefs=lambda ids: self.sender.wake() if self.sender else None,
                                 stories=self.settings.stories)

    async def close(self) -> None:
        if self.fetcher is not None:
            await self.fetcher.__aexit__(None, None, None)
        if self.store is not None:
            await asyncio.to_thread(self.store.close)

    def models(self) -> tuple[Briefer, StoryFilter]:
        """The briefer and story filter, loaded on first call (thread-safe; blocking)."""
        with self._models_lock:
            if self._models is None:
                from bot.brief.engine import Briefer

                m = self.settings.models
                briefer = Briefer(encoder=m.encoder, spacy_model=m.spacy, abstractive=m.abstractive,
                                  max_words=m.max_words, quantize=m.quantize, int8=m.int8)
                self._models = Models(briefer, StoryFilter(self.spec, briefer.encoder))
            return self._models.briefer, self._models.story

    # -- jobs ---------------------------------------------------------------------------------------------------
    async def poll_feeds(self, feeds: list[FeedRecord] | None = None, *, concurrency: int = 16) -> list[PollReport]:
        """Poll the given feeds (default: every feed) with bounded concurrency; never raises for one feed."""
        assert self.store is not None and self.pipeline is not None
        feeds = feeds if feeds is not None else await asyncio.to_thread(self.store.list_feeds)
        gate = asyncio.Semaphore(concurrency)

        async def one(feed: FeedRecord) -> PollReport:
            async with gate:
                try:
                    return await self.pipeline.poll_feed(feed)
                except Exception as exc:  # a bug must not stop the other feeds
                    log.exception("poll of %s failed", feed.url)
                    return PollReport(feed.name or feed.url, "error", error=f"{type(exc).__name__}: {exc}")

        return list(await asyncio.gather(*(one(f) for f in feeds)))

    async def poll_once(self) -> list[PollReport]:
        """Finish leftovers, poll every feed once and deliver everything that results."""
        assert self.pipeline is not None and self.sender is not None
        await self.pipeline.recover()
        reports = await self.poll_feeds()
        await self.sender.drain()
        return reports

    async def digest(self) -> None:
        """Post today's digest to every channel that follows the story."""
        assert self.store is not None
        subs = await asyncio.to_thread(self.store.subscriptions)
        channels = sorted({(s.channel.platform, s.channel.address) for s in subs})  # config and chat subscribers
        for platform, address in channels:
            sink = self.sinks.get(platform)
            if sink is None:
                continue
            reply = await run_command(Command("digest"), self.context(platform, address, "digest"))
            try:
                await sink.notify(address, reply.text)
            except Exception:  # one channel's trouble must not stop the others' digest
                log.warning("could not post the digest to %s:%s", platform, address)

    def context(self, platform: str, channel: str, user: str, *, is_admin: bool | None = None) -> CommandContext:
        """A command context for a user in a channel."""
        assert self.store is not None
        admin = self.settings.is_admin(platform, user) if is_admin is None else is_admin
        encoder: Callable[[list[str]], object] = lambda texts: self.models()[0].encoder.encode(texts)
        return CommandContext(self.store, platform, channel, user, is_admin=admin, encoder=encoder,
                              allow_private=self.settings.fetch.allow_private_addresses,
                              timezone=self.settings.bot.timezone,
                              stories_window_hours=self.settings.stories.window_hours)

    # -- helpers ------------------------------------------------------------------------------------------------
    def _apply_config(self) -> None:
        assert self.store is not None
        for feed in self.settings.feeds:
            if feed.enabled:
                self.store.add_feed(feed.url, feed.name)
            elif self.store.get_feed(feed.url) is not None:
                self.store.remove_feed(feed.url)  # disabled in the config: stop polling it
                log.info("feed %s is disabled in the config; stopped polling it", feed.name)
        for channel in self.settings.channels:
            self.store.ensure_channel(channel.platform, channel.address, channel.name)
            if channel.follows_story:
                self.store.subscribe(channel.platform, channel.address, None, name=channel.name)
            for name in channel.feed_names:  # the store names a feed by id or URL, the config by name
                feed = self.settings.feed(name)
                if feed is not None and feed.enabled:
                    self.store.subscribe(channel.platform, channel.address, feed.url, name=channel.name)

    def _feed_settings(self, feed: FeedRecord):  # noqa: ANN202 - FeedSettings | None
        return next((f for f in self.settings.feeds if f.url == feed.url or f.name == feed.name), None)

    def _policy(self, feed: FeedRecord) -> BackoffPolicy:
        conf = self._feed_settings(feed)
        minutes = conf.interval if conf is not None else 15
        f = self.settings.fetch
        return BackoffPolicy(interval=minutes * 60.0, backoff_max=f.max_backoff * 60.0,
                             pause_after=f.failures_before_pause)

    def _backfill(self, feed: FeedRecord) -> int:
        conf = self._feed_settings(feed)
        return conf.backfill if conf is not None else 3

    async def _feed_event(self, feed: FeedRecord, event: FeedEvent) -> None:
        """Tell the channels that follow a feed, once, that it was paused or resumed."""
        assert self.store is not None
        subs = await asyncio.to_thread(self.store.subscriptions)
        told: set[tuple[str, str]] = set()
        for sub in subs:
            where = (sub.channel.platform, sub.channel.address)
            if (sub.feed_id is None or sub.feed_id == feed.id) and where not in told and where[0] in self.sinks:
                told.add(where)
                try:
                    await self.sinks[where[0]].notify(where[1], event.message())
                except Exception:  # a notice that cannot be posted must not break polling
                    log.warning("could not tell %s:%s that feed %s was %s", *where, feed.url, event.kind)

    async def _delivery_failed(self, delivery: Any, reason: str) -> None:
        """A delivery failed for good: the platform's adapter tells its admins (e.g. a direct message)."""
        log.warning("delivery to %s:%s failed for good: %s", delivery.platform, delivery.address, reason)
        hook = getattr(self.sinks.get(delivery.platform), "on_delivery_failed", None)
        if hook is not None:
            try:
                await hook(delivery, reason)
            except Exception:
                log.warning("could not tell the %s admins about a failed delivery", delivery.platform)
