"""Feeds: add, remove, list, and the poller's per-feed state (etag, last_modified, failures, paused, next poll)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.orm import Session

from bot.store.records import FeedRecord
from bot.store.schema import Feed
from bot.store.tx import Database, affected


def feed_record(row: Feed) -> FeedRecord:
    return FeedRecord(
        id=row.id, url=row.url, name=row.name, paused=row.paused, etag=row.etag, last_modified=row.last_modified,
        failures=row.failures, last_error=row.last_error, last_polled_at=row.last_polled_at,
        last_ok_at=row.last_ok_at, next_poll_at=row.next_poll_at, created_at=row.created_at,
    )


def _match(feed: int | str) -> ColumnElement[bool]:
    """A feed is named by its id or its URL."""
    return Feed.id == feed if isinstance(feed, int) else Feed.url == feed


class FeedOps:
    _db: Database

    def add_feed(self, url: str, name: str | None = None) -> tuple[FeedRecord, bool]:
        """Add a feed (idempotent on URL); returns the feed and whether it was new. Due for polling at once."""
        def run(s: Session) -> tuple[FeedRecord, bool]:
            now = self._db.clock()
            rows = [{"url": url, "name": name, "paused": False, "failures": 0, "created_at": now, "next_poll_at": now}]
            created = self._db.insert_ignore(s, Feed, rows, ["url"]) == 1
            return feed_record(s.scalars(select(Feed).where(Feed.url == url)).one()), created
        return self._db.write(run)

    def remove_feed(self, feed: int | str) -> bool:
        """Delete a feed (its per-feed subscriptions go with it; its articles and briefs stay)."""
        return self._db.write(lambda s: affected(s.execute(delete(Feed).where(_match(feed)))) > 0)

    def get_feed(self, feed: int | str) -> FeedRecord | None:
        def run(s: Session) -> FeedRecord | None:
            row = s.scalars(select(Feed).where(_match(feed))).one_or_none()
            return feed_record(row) if row else None
        return self._db.read(run)

    def list_feeds(self) -> list[FeedRecord]:
        return self._db.read(lambda s: [feed_record(r) for r in s.scalars(select(Feed).order_by(Feed.id))])

    def due_feeds(self, now: datetime | None = None) -> list[FeedRecord]:
        """Feeds whose next poll time has come, soonest first (paused feeds too: their state spaces the retries)."""
        def run(s: Session) -> list[FeedRecord]:
            at = now or self._db.clock()
            due = (Feed.next_poll_at.is_(None)) | (Feed.next_poll_at <= at)
            stmt = select(Feed).where(due).order_by(Feed.next_poll_at, Feed.id)
            return [feed_record(r) for r in s.scalars(stmt)]
        return self._db.read(run)

    def set_feed_state(
        self,
        feed_id: int,
        *,
        failures: int,
        paused: bool,
        next_poll_at: datetime | None,
        last_ok_at: datetime | None,
        last_error: str | None,
        etag: str | None,
        last_modified: str | None,
    ) -> FeedRecord | None:
        """Save the poller's state of a feed after a poll (bot.feeds.state computes it); None if the feed is gone."""
        values = {"failures": failures, "paused": paused, "next_poll_at": next_poll_at, "last_ok_at": last_ok_at,
                  "last_error": last_error[:2000] if last_error else last_error, "etag": etag,
                  "last_modified": last_modified, "last_polled_at": self._db.clock()}

        def run(s: Session) -> FeedRecord | None:
            s.execute(update(Feed).where(Feed.id == feed_id).values(values))
            row = s.get(Feed, feed_id)
            return feed_record(row) if row else None
        return self._db.write(run)
