"""SQLAlchemy 2 ORM models: feeds, articles, stories, briefs, claims, quotes, channels, subscriptions, deliveries."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Delivery states. `leased`: claimed by a sender, nothing posted yet. `attempting`: the sender recorded that it is
# about to post (the message may or may not exist on the platform). `sent`, `failed` and `cancelled` are final.
PENDING, LEASED, ATTEMPTING, SENT, FAILED, CANCELLED = "pending", "leased", "attempting", "sent", "failed", "cancelled"
HELD = "held"  # waiting for its article to be placed in a story; holds back the channel's later deliveries
SKIPPED = "skipped"  # a story update with nothing new, not posted (stories.quiet_updates = "none")
OPEN_STATES = (HELD, PENDING, LEASED, ATTEMPTING)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite keeps no zone, so naive values are read back as UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware datetime")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: dict[Any, Any] = {datetime: UTCDateTime(), bytes: LargeBinary()}


class Feed(Base):
    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    paused: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    last_error: Mapped[str | None] = mapped_column(Text)
    last_polled_at: Mapped[datetime | None]
    last_ok_at: Mapped[datetime | None]  # None until the first successful poll (its backlog is then known)
    next_poll_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime]


class Article(Base):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    identity_key: Mapped[str] = mapped_column(Text, unique=True)
    first_feed_id: Mapped[int | None] = mapped_column(ForeignKey("feeds.id", ondelete="SET NULL"), index=True)
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id", ondelete="SET NULL"), index=True)
    title: Mapped[str | None] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(Text)
    published: Mapped[datetime | None] = mapped_column(index=True)
    fetched_at: Mapped[datetime]
    text: Mapped[str | None] = mapped_column(Text)
    kept: Mapped[bool | None] = mapped_column(Boolean)
    filter_reason: Mapped[str | None] = mapped_column(Text)
    filter_score: Mapped[float | None] = mapped_column(Float)
    filtered_at: Mapped[datetime | None]


class Story(Base):
    """One event as reported by every outlet: its best headline, the mean vector and key entities of its articles."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str | None] = mapped_column(Text)
    centroid: Mapped[bytes | None]  # float32 unit vector, little-endian
    entities: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime] = mapped_column(index=True)


class ArticleSignal(Base):
    """What story clustering compared for one article: its vector, key entities and time."""

    __tablename__ = "article_signals"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    vector: Mapped[bytes]
    entities: Mapped[list[str]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(index=True)


class StoryQuote(Base):
    """A quote of a story's article, and the first quote of the story with the same words (itself when new)."""

    __tablename__ = "story_quotes"

    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id", ondelete="CASCADE"), primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    canonical_id: Mapped[int] = mapped_column(ForeignKey("quotes.id", ondelete="CASCADE"), index=True)


class StoryClaim(Base):
    """A claim of a story's article, and the first claim of the story it repeats (itself when new)."""

    __tablename__ = "story_claims"

    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    canonical_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)


class FeedArticle(Base):
    """Every feed an article was seen in (one article row however many feeds carry it)."""

    __tablename__ = "feed_articles"

    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"), primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, index=True)
    seen_at: Mapped[datetime]


class ItemKey(Base):
    """Every dedupe key seen (an item's identity, its link's key...), with the article it belongs to, if stored."""

    __tablename__ = "item_keys"

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    feed_id: Mapped[int | None] = mapped_column(ForeignKey("feeds.id", ondelete="SET NULL"))
    seen_at: Mapped[datetime]


class BriefRow(Base):
    __tablename__ = "briefs"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), unique=True)
    title: Mapped[str | None] = mapped_column(Text)
    mode: Mapped[str] = mapped_column(String(40))
    notes: Mapped[list[str]] = mapped_column(JSON)
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(index=True)


class ClaimRow(Base):
    __tablename__ = "claims"
    __table_args__ = (UniqueConstraint("brief_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brief_id: Mapped[int] = mapped_column(ForeignKey("briefs.id", ondelete="CASCADE"))
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    sentence: Mapped[int]
    embedding: Mapped[bytes | None]  # float32 unit vector, little-endian


class QuoteRow(Base):
    __tablename__ = "quotes"
    __table_args__ = (UniqueConstraint("brief_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brief_id: Mapped[int] = mapped_column(ForeignKey("briefs.id", ondelete="CASCADE"))
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    speaker: Mapped[str] = mapped_column(Text)  # canonical name of the speaker in the article
    speaker_key: Mapped[str] = mapped_column(String(200), index=True)
    role: Mapped[str | None] = mapped_column(Text)
    cue: Mapped[str | None] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(40))
    confidence: Mapped[float] = mapped_column(Float)
    start_offset: Mapped[int]  # character offsets of the quote in the brief text (-1: unknown)
    end_offset: Mapped[int]
    embedding: Mapped[bytes | None]  # float32 unit vector, little-endian


class Channel(Base):
    __tablename__ = "channels"
    __table_args__ = (UniqueConstraint("platform", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(40))
    address: Mapped[str] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(Text)
    next_seq: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    created_at: Mapped[datetime]


class Subscription(Base):
    """A channel follows the whole story (feed_id NULL: every kept article) or one feed."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        UniqueConstraint("channel_id", "feed_id"),
        Index(
            "uq_subscriptions_channel_id_story",
            "channel_id",
            unique=True,
            sqlite_where=text("feed_id IS NULL"),
            postgresql_where=text("feed_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    feed_id: Mapped[int | None] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]


class DeliveryRow(Base):
    """One brief to one channel; `seq` orders a channel's deliveries, `idempotency_key` is sent with the post."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("channel_id", "seq"),
        UniqueConstraint("channel_id", "brief_id"),
        Index("ix_deliveries_status_channel_id_seq", "status", "channel_id", "seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    brief_id: Mapped[int] = mapped_column(ForeignKey("briefs.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int]
    idempotency_key: Mapped[str] = mapped_column(String(40), unique=True)
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    lease_token: Mapped[str | None] = mapped_column(String(40))
    lease_expires_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    remote_id: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    attempted_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    story_id: Mapped[int | None] = mapped_column(index=True)  # set on release; no FK (stories are never deleted)
