"""One poll of a feed, end to end: fetch, new items, full text, story filter, brief, store (and so the outbox)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from bot.feeds import BackoffPolicy, FeedEvent, FeedFetcher, FeedItem, FeedState, full_text, next_state, select_new
from bot.metrics import METRICS
from bot.config.sections import StoriesSettings
from bot.pipeline.story_filter import StoryFilter
from bot.store import ArticleRecord, FeedRecord, Store
from bot.stories.desk import place_brief

if TYPE_CHECKING:  # importing the engine imports spaCy (~90 MB; no torch): only a poll with new items needs it
    from bot.brief.engine import Briefer

log = logging.getLogger("bot.pipeline")

EventHandler = Callable[[FeedRecord, FeedEvent], Awaitable[None]]


@dataclass
class PollReport:
    """What one poll of one feed did."""

    feed: str
    status: str
    new_items: int = 0
    kept: int = 0
    dropped: int = 0
    briefs: list[int] = field(default_factory=list)
    error: str | None = None


class Pipeline:
    """Polls feeds and turns their new, on-story articles into stored briefs with pending deliveries."""

    def __init__(self, store: Store, models: Callable[[], tuple[Briefer, StoryFilter]], fetcher: FeedFetcher, *,
                 policy: BackoffPolicy | Callable[[FeedRecord], BackoffPolicy] | None = None,
                 backfill: int | Callable[[FeedRecord], int] = 3,
                 on_event: EventHandler | None = None, on_briefs: Callable[[list[int]], None] | None = None,
                 stories: StoriesSettings | None = None) -> None:
        self.store = store
        self._models = models  # loaded on first need: a poll that finds nothing new never loads a model
        self.fetcher = fetcher
        self.policy = policy or BackoffPolicy()
        self._backfill = backfill
        self._on_event = on_event
        self._on_briefs = on_briefs
        self._brief_lock = asyncio.Lock()  # briefing uses both cores; one batch at a time
        self.stories = stories  # None or disabled: every brief is posted on its own

    async def poll_feed(self, feed: FeedRecord) -> PollReport:
        """Poll one feed; never raises for feed trouble (that is folded into the feed's state)."""
        try:
            report = await self._poll_feed(feed)
        except Exception:
            METRICS.polled("error")
            raise
        METRICS.polled(report.status)
        return report

    async def _poll_feed(self, feed: FeedRecord) -> PollReport:
        state = _state_of(feed)
        result = await self.fetcher.fetch_feed(feed.url, etag=feed.etag, last_modified=feed.last_modified)
        METRICS.seen(len(result.items))
        now = datetime.now(timezone.utc)
        policy = self.policy(feed) if callable(self.policy) else self.policy
        new_state, events = next_state(state, result, now, policy)
        articles: list[ArticleRecord] = []
        if result.status == "ok":  # stored before the new ETag: if this fails, the next poll fetches them again
            articles = await self._store_new(feed, result.items, first_poll=state.first_poll)
        await asyncio.to_thread(self.store.set_feed_state, feed.id, failures=new_state.failures,
                                paused=new_state.paused, next_poll_at=new_state.next_poll,
                                last_ok_at=new_state.last_ok, last_error=new_state.last_error,
                                etag=new_state.etag, last_modified=new_state.last_modified)
        for event in events:
            log.info("feed %s %s", feed.name or feed.url, event.kind)
            if self._on_event is not None:
                await self._on_event(feed, event)
        report = PollReport(feed.name or feed.url, result.status, error=result.error)
        if result.status != "ok":
            return report
        report.new_items = len(articles)
        await self._filter_and_brief(articles, report)
        return report

    async def recover(self) -> PollReport:
        """Finish work a crash left behind: articles stored but not filtered, or kept but not briefed."""
        report = PollReport("(recovery)", "ok")
        pending = await asyncio.to_thread(self.store.unfiltered_articles, 500)
        kept = await asyncio.to_thread(self.store.unbriefed_articles, 500)
        held = await asyncio.to_thread(self.store.outbox.held_briefs, 500)
        if held:  # first: older briefs are placed before newer ones, so a story starts with its first article
            async with self._brief_lock:
                await asyncio.to_thread(self._place_all, held)
            report.briefs += held
        await self._filter_and_brief(pending, report)
        if kept:
            report.briefs += await self._brief(kept)
        if report.briefs and self._on_briefs is not None:
            self._on_briefs(report.briefs)
        return report

    def _backfill_for(self, feed: FeedRecord) -> int:
        return self._backfill(feed) if callable(self._backfill) else self._backfill

    async def _store_new(self, feed: FeedRecord, items: list[FeedItem], *, first_poll: bool) -> list[ArticleRecord]:
        keys = {k for item in items for k in item.keys}
        known = await asyncio.to_thread(self.store.known_keys, keys)
        fresh = select_new(items, known, first_poll, self._backfill_for(feed))
        chosen = {id(item) for item in fresh}
        skipped = {k for item in items if id(item) not in chosen for k in item.keys} - known
        stored: list[ArticleRecord] = []
        for item in fresh:
            title, text = await full_text(self.fetcher, item)
            article, created = await asyncio.to_thread(
                self.store.upsert_article, item.identity, keys=item.keys, feed_id=feed.id, title=title,
                link=item.link, published=item.when, text=text)
            if created:
                stored.append(article)
            else:
                log.info("item %s is an article already seen in another feed", item.link or item.identity)
        if skipped:  # a new feed's backlog: remembered, never briefed
            await asyncio.to_thread(self.store.remember_keys, skipped, feed.id)
        return stored

    async def _filter_and_brief(self, articles: list[ArticleRecord], report: PollReport) -> None:
        if not articles:
            return
        _, story = await asyncio.to_thread(self._models)
        decisions = await asyncio.to_thread(story.decide_many, [(a.title, a.text or "") for a in articles])
        kept = []
        for article, decision in zip(articles, decisions):
            await asyncio.to_thread(self.store.record_filter, article.id, kept=decision.keep,
                                    reason=decision.reason, score=decision.score)
            if decision.keep:
                kept.append(article)
        report.kept += len(kept)
        report.dropped += len(articles) - len(kept)
        METRICS.filtered(len(kept), len(articles) - len(kept))
        if kept:
            report.briefs += await self._brief(kept)
        if report.briefs and self._on_briefs is not None:
            self._on_briefs(report.briefs)

    async def _brief(self, articles: list[ArticleRecord]) -> list[int]:
        async with self._brief_lock:
            return await asyncio.to_thread(self.brief_and_store, articles)

    def brief_and_store(self, articles: list[ArticleRecord]) -> list[int]:
        """Brief kept articles and store each brief with its claim and quote embeddings (blocking)."""
        briefer, _ = self._models()
        started = time.perf_counter()
        briefs = briefer.brief_articles([briefer.prepare_text(a.text or "", a.title or "") for a in articles])
        METRICS.briefed(len(briefs), time.perf_counter() - started)
        ids = []
        for article, brief in zip(articles, briefs):
            brief.title = article.title
            claims = briefer.encoder.encode([c.text for c in brief.claims]) if brief.claims else None
            quotes = briefer.encoder.encode([q.text for q in brief.quotes]) if brief.quotes else None
            ids.append(self.store.save_brief(article.id, brief, claim_embeddings=claims, quote_embeddings=quotes,
                                             hold=self._stories_on))
        if self._stories_on:
            self._place_all(ids)
        return ids

    @property
    def _stories_on(self) -> bool:
        return self.stories is not None and self.stories.enabled

    def _place_all(self, brief_ids: list[int]) -> None:
        """Place each brief's article in its story and release its held deliveries (blocking).

        A brief that cannot be placed is still released, on its own: a story is never worth a lost brief.
        """
        briefer = None
        if self._stories_on:
            try:
                briefer = self._models()[0]
            except Exception as exc:  # no models, no stories: the briefs still go out, each on its own
                log.error("stories are off for briefs %s: the models did not load: %s", brief_ids, exc)
        for brief_id in brief_ids:
            story_id, skip = None, False
            if briefer is not None and self.stories is not None:
                try:
                    update = place_brief(self.store, brief_id, encoder=briefer.encoder, nlp=briefer.nlp,
                                         settings=self.stories)
                except (ValueError, KeyError) as exc:
                    log.warning("brief %d is posted without a story: %s", brief_id, exc)
                except Exception:  # never hold a channel back for a story: post the brief on its own
                    log.exception("brief %d is posted without a story: placing it failed", brief_id)
                else:
                    story_id = update.story_id
                    skip = not update.has_news and self.stories.quiet_updates == "none"
                    METRICS.placed(update.created, update.has_news)
            self.store.outbox.release(brief_id, story_id, skip_quiet=skip)


def _state_of(feed: FeedRecord) -> FeedState:
    return FeedState(failures=feed.failures, paused=feed.paused, next_poll=feed.next_poll_at, last_ok=feed.last_ok_at,
                     last_error=feed.last_error, etag=feed.etag, last_modified=feed.last_modified)
