"""Immutable records the store returns (detached from any session, safe to pass between threads)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.brief.types import Brief


@dataclass(frozen=True)
class FeedRecord:
    id: int
    url: str
    name: str | None
    paused: bool
    etag: str | None
    last_modified: str | None
    failures: int
    last_error: str | None
    last_polled_at: datetime | None
    last_ok_at: datetime | None
    next_poll_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class ArticleRecord:
    id: int
    identity_key: str
    first_feed_id: int | None
    story_id: int | None
    title: str | None
    link: str | None
    published: datetime | None
    fetched_at: datetime
    text: str | None
    kept: bool | None  # None: the story filter has not decided yet
    filter_reason: str | None
    filter_score: float | None
    filtered_at: datetime | None


@dataclass(frozen=True)
class ChannelRecord:
    id: int
    platform: str
    address: str
    name: str | None
    created_at: datetime


@dataclass(frozen=True)
class SubscriptionRecord:
    id: int
    channel: ChannelRecord
    feed_id: int | None  # None: the whole story (every kept article)
    created_at: datetime


@dataclass(frozen=True)
class StoryContext:
    """Where a stored brief's article sits in its story, for rendering it as a story update.

    `new_claims`/`new_quotes` are positions in the brief's claims/quotes that no earlier article of the story
    showed; `also_reported_by` are the story's other outlets (first seen first).
    """

    story_id: int
    title: str | None
    first: bool  # this article started the story
    new_claims: list[int]
    new_quotes: list[int]
    also_reported_by: list[str]

    @property
    def has_news(self) -> bool:
        return self.first or bool(self.new_claims or self.new_quotes)


@dataclass(frozen=True)
class StoredBrief:
    """A stored brief with its article's metadata; `claim_ids`/`quote_ids` run parallel to brief.claims/quotes."""

    id: int
    article_id: int
    brief: Brief
    claim_ids: list[int]
    quote_ids: list[int]
    link: str | None
    published: datetime | None
    feed_name: str | None
    created_at: datetime
    story: StoryContext | None = None  # None: stories are off, or the article is not placed yet


@dataclass(frozen=True)
class QuoteHit:
    """One stored quote with where it came from (for "quotes by speaker" and search answers)."""

    id: int
    brief_id: int
    article_id: int
    text: str
    speaker: str
    speaker_key: str
    role: str | None
    title: str | None
    link: str | None
    published: datetime | None
    feed_name: str | None


@dataclass(frozen=True)
class TextHit:
    """A claim or quote matching a text search; `speaker` is None for claims."""

    kind: str  # "claim" | "quote"
    id: int
    brief_id: int
    article_id: int
    text: str
    speaker: str | None
    title: str | None
    link: str | None
    published: datetime | None
    feed_name: str | None


@dataclass(frozen=True)
class SpeakerCount:
    key: str
    name: str  # the name most often used for this key
    quotes: int
    last_quoted: datetime | None


@dataclass(frozen=True)
class Delivery:
    """One brief to one channel. Pass `idempotency_key` to the platform with the post (see bot.store.outbox)."""

    id: int
    channel_id: int
    platform: str
    address: str
    brief_id: int
    seq: int
    idempotency_key: str
    status: str
    attempts: int
    lease: str | None
    lease_expires_at: datetime | None
    next_attempt_at: datetime
    last_error: str | None
    remote_id: str | None
    created_at: datetime
    attempted_at: datetime | None  # last time a post was about to leave
    finished_at: datetime | None
    story_id: int | None = None
    # Set by the sender before a post or a look-up: the remote id of the message that opened this delivery's
    # story in this channel (post the brief as a reply in its thread), and whether the reply is also shown in the
    # channel itself. None: post to the channel as a story's first brief.
    thread_root: str | None = None
    broadcast: bool = False
