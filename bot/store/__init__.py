"""Persistent store of the pipeline (SQLAlchemy 2 + Alembic; SQLite or PostgreSQL) and its delivery outbox."""

from bot.store.db import database_url, downgrade, make_engine, open_store, upgrade
from bot.store.outbox import DEFAULT_BACKOFF, Backoff, Outbox
from bot.store.records import (
    ArticleRecord,
    ChannelRecord,
    Delivery,
    FeedRecord,
    QuoteHit,
    SpeakerCount,
    StoredBrief,
    StoryContext,
    SubscriptionRecord,
    TextHit,
)
from bot.store.repo import Store

__all__ = [
    "DEFAULT_BACKOFF",
    "ArticleRecord",
    "Backoff",
    "ChannelRecord",
    "Delivery",
    "FeedRecord",
    "Outbox",
    "QuoteHit",
    "SpeakerCount",
    "Store",
    "StoredBrief",
    "StoryContext",
    "SubscriptionRecord",
    "TextHit",
    "database_url",
    "downgrade",
    "make_engine",
    "open_store",
    "upgrade",
]
