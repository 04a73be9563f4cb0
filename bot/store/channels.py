"""Chat channels and their subscriptions (to the whole story, or to single feeds)."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.store.records import ChannelRecord, SubscriptionRecord
from bot.store.schema import CANCELLED, HELD, LEASED, PENDING, Channel, DeliveryRow, Feed, Subscription
from bot.store.tx import Database


def channel_record(row: Channel) -> ChannelRecord:
    return ChannelRecord(id=row.id, platform=row.platform, address=row.address, name=row.name,
                         created_at=row.created_at)


class ChannelOps:
    _db: Database

    def ensure_channel(self, platform: str, address: str, name: str | None = None) -> ChannelRecord:
        """The channel (platform, address), created if new; a given `name` replaces the stored one."""
        return self._db.write(lambda s: channel_record(self._channel(s, platform, address, name)))

    def get_channel(self, platform: str, address: str) -> ChannelRecord | None:
        def run(s: Session) -> ChannelRecord | None:
            row = s.scalars(select(Channel).filter_by(platform=platform, address=address)).one_or_none()
            return channel_record(row) if row else None
        return self._db.read(run)

    def list_channels(self, platform: str | None = None) -> list[ChannelRecord]:
        def run(s: Session) -> list[ChannelRecord]:
            stmt = select(Channel).order_by(Channel.id)
            if platform is not None:
                stmt = stmt.where(Channel.platform == platform)
            return [channel_record(r) for r in s.scalars(stmt)]
        return self._db.read(run)

    def subscribe(self, platform: str, address: str, feed: int | str | None = None, *, name: str | None = None) -> bool:
        """Subscribe a channel to the story (feed None) or to one feed (id or URL); False if it already was.

        Only briefs stored after this call are delivered to the channel. Raises KeyError for an unknown feed.
        """
        def run(s: Session) -> bool:
            channel = self._channel(s, platform, address, name)
            feed_id = self._feed_id(s, feed)
            row = {"channel_id": channel.id, "feed_id": feed_id, "created_at": self._db.clock()}
            return self._db.insert_ignore(s, Subscription, [row]) == 1
        return self._db.write(run)

    def unsubscribe(self, platform: str, address: str, feed: int | str | None = None) -> bool:
        """Drop one subscription; once the channel has none left, its queued (not in-flight) rows are cancelled."""
        def run(s: Session) -> bool:
            channel = s.scalars(select(Channel).filter_by(platform=platform, address=address)).one_or_none()
            if channel is None:
                return False
            feed_id = self._feed_id(s, feed)
            sub = s.scalars(select(Subscription).filter_by(channel_id=channel.id, feed_id=feed_id)).one_or_none()
            if sub is None:
                return False
            s.delete(sub)
            s.flush()
            left = s.scalar(select(func.count()).select_from(Subscription).filter_by(channel_id=channel.id))
            if not left:
                s.execute(
                    update(DeliveryRow)
                    .where(DeliveryRow.channel_id == channel.id, DeliveryRow.status.in_((HELD, PENDING, LEASED)))
                    .values(status=CANCELLED, lease_token=None, last_error="unsubscribed",
                            finished_at=self._db.clock())
                )
            return True
        return self._db.write(run)

    def subscriptions(self, platform: str | None = None) -> list[SubscriptionRecord]:
        def run(s: Session) -> list[SubscriptionRecord]:
            stmt = select(Subscription, Channel).join(Channel).order_by(Channel.id, Subscription.id)
            if platform is not None:
                stmt = stmt.where(Channel.platform == platform)
            return [SubscriptionRecord(id=sub.id, channel=channel_record(ch), feed_id=sub.feed_id,
                                       created_at=sub.created_at) for sub, ch in s.execute(stmt)]
        return self._db.read(run)

    def _channel(self, s: Session, platform: str, address: str, name: str | None) -> Channel:
        row = {"platform": platform, "address": address, "name": name, "next_seq": 0, "created_at": self._db.clock()}
        self._db.insert_ignore(s, Channel, [row], ["platform", "address"])
        channel = s.scalars(select(Channel).filter_by(platform=platform, address=address)).one()
        if name is not None and channel.name != name:
            channel.name = name
        return channel

    def _feed_id(self, s: Session, feed: int | str | None) -> int | None:
        if feed is None:
            return None
        where = Feed.id == feed if isinstance(feed, int) else Feed.url == feed
        feed_id = s.scalar(select(Feed.id).where(where))
        if feed_id is None:
            raise KeyError(f"unknown feed {feed!r}")
        return feed_id
