"""The Store: articles (one row across feeds), filter decisions, briefs with their claims, quotes and deliveries."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Engine, select, update
from sqlalchemy import text as sql
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.brief.types import Brief
from bot.store.channels import ChannelOps
from bot.store.feedstate import FeedOps
from bot.store.outbox import Outbox
from bot.store.queries import QueryOps, article_record
from bot.store.records import ArticleRecord
from bot.store.schema import (
    HELD,
    PENDING,
    Article,
    BriefRow,
    Channel,
    ClaimRow,
    DeliveryRow,
    FeedArticle,
    ItemKey,
    QuoteRow,
    Subscription,
)
from bot.store.stories import StoryOps
from bot.store.story_queries import StoryQueryOps
from bot.store.tx import Database, affected

Vectors = Sequence[Any] | np.ndarray
_FILLABLE = ("title", "link", "published", "text")
_KEY_LOCKS = 0x6B657973  # advisory lock namespace of article keys


def to_blob(vector: Any) -> bytes | None:
    """A vector as little-endian float32 bytes (None stays None)."""
    return None if vector is None else np.asarray(vector, dtype="<f4").reshape(-1).tobytes()


class Store(FeedOps, ChannelOps, QueryOps, StoryOps, StoryQueryOps):
    """Everything the pipeline persists. Thread-safe; each call is one short transaction. `outbox` sends briefs."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self.outbox = Outbox(db)

    @property
    def engine(self) -> Engine:
        return self._db.engine

    def close(self) -> None:
        self._db.engine.dispose()

    def upsert_article(
        self,
        identity_key: str,
        *,
        keys: Iterable[str] = (),
        feed_id: int | None = None,
        title: str | None = None,
        link: str | None = None,
        published: datetime | None = None,
        text: str | None = None,
        fetched_at: datetime | None = None,
    ) -> tuple[ArticleRecord, bool]:
        """Insert the article, or find it by its identity or any other dedupe key; returns it and whether it is new.

        `keys` are the item's further dedupe keys (e.g. its link's key), so the same story reached through two
        feeds under different guids is one row. A known article keeps its values; only empty fields are filled.
        Every feed it is seen in and every key are recorded.
        """
        def run(s: Session) -> tuple[ArticleRecord, bool]:
            now = self._db.clock()
            all_keys = sorted({identity_key, *keys})
            self._lock_keys(s, all_keys)
            fields = {"title": title, "link": link, "published": published, "text": text}
            known = ItemKey.key.in_(all_keys) & ItemKey.article_id.is_not(None)
            found = s.scalar(select(ItemKey.article_id).where(known).order_by(ItemKey.article_id).limit(1))
            created = False
            if found is None:
                row = {"identity_key": identity_key, "first_feed_id": feed_id, "fetched_at": fetched_at or now}
                created = self._db.insert_ignore(s, Article, [{**row, **fields}], ["identity_key"]) == 1
            where = Article.id == found if found is not None else Article.identity_key == identity_key
            article = s.scalars(select(Article).where(where)).one()
            if not created:
                for name in _FILLABLE:
                    if getattr(article, name) in (None, "") and fields[name] not in (None, ""):
                        setattr(article, name, fields[name])
                if article.first_feed_id is None and feed_id is not None:
                    article.first_feed_id = feed_id
            if feed_id is not None:
                link_row = {"feed_id": feed_id, "article_id": article.id, "seen_at": now}
                self._db.insert_ignore(s, FeedArticle, [link_row], ["feed_id", "article_id"])
            self._add_keys(s, all_keys, feed_id, article.id)
            s.flush()
            return article_record(article), created
        return self._db.write(run)

    def remember_keys(self, keys: Iterable[str], feed_id: int | None = None) -> int:
        """Record dedupe keys of items seen but not stored (a new feed's skipped backlog); returns how many were new."""
        wanted = sorted(set(keys))
        if not wanted:
            return 0
        return self._db.write(lambda s: self._add_keys(s, wanted, feed_id, None))

    def known_keys(self, keys: Iterable[str]) -> set[str]:
        """Which of `keys` were seen before (by any feed)."""
        wanted = list(set(keys))
        if not wanted:
            return set()
        chunks = [wanted[i:i + 500] for i in range(0, len(wanted), 500)]

        def run(s: Session) -> set[str]:
            return {k for c in chunks for k in s.scalars(select(ItemKey.key).where(ItemKey.key.in_(c)))}
        return self._db.read(run)

    def record_filter(self, article_id: int, *, kept: bool, reason: str, score: float | None = None) -> bool:
        """Store the story filter's keep/drop decision and why; False for an unknown article."""
        values = {"kept": kept, "filter_reason": reason, "filter_score": score, "filtered_at": self._db.clock()}
        stmt = update(Article).where(Article.id == article_id).values(values)
        return self._db.write(lambda s: affected(s.execute(stmt)) > 0)

    def save_brief(
        self,
        article_id: int,
        brief: Brief,
        *,
        claim_embeddings: Vectors | None = None,
        quote_embeddings: Vectors | None = None,
        hold: bool = False,
    ) -> int:
        """Store the brief, its claims and quotes, and one pending delivery per channel subscribed right now.

        All in one transaction. Idempotent: an article that already has a brief keeps it and its id is returned.
        Embeddings (one float32 vector per claim / quote, in order) are optional; see `set_embeddings`.
        With `hold`, the deliveries wait (`held`) until `outbox.release` once the article is placed in a story.
        """
        status = HELD if hold else PENDING
        try:
            return self._db.write(
                lambda s: self._save_brief(s, article_id, brief, claim_embeddings, quote_embeddings, status))
        except IntegrityError:
            existing = self._db.read(lambda s: s.scalar(select(BriefRow.id).filter_by(article_id=article_id)))
            if existing is None:
                raise
            return existing  # a concurrent writer stored it first

    def set_embeddings(self, kind: str, ids: Sequence[int], vectors: Vectors) -> None:
        """Store float32 embeddings for claims (`kind` "claim") or quotes ("quote") by id."""
        model = ClaimRow if kind == "claim" else QuoteRow if kind == "quote" else None
        if model is None:
            raise ValueError(f"kind must be 'claim' or 'quote', not {kind!r}")
        params = [{"id": i, "embedding": to_blob(v)} for i, v in zip(ids, vectors, strict=True)]
        if params:
            self._db.write(lambda s: s.execute(update(model), params))

    def _lock_keys(self, s: Session, keys: list[str]) -> None:
        """PostgreSQL: serialise writers that touch the same keys (SQLite writers are serialised already)."""
        if self._db.dialect == "postgresql":
            for key in keys:  # sorted by the caller: no deadlock
                s.execute(sql("SELECT pg_advisory_xact_lock(:ns, hashtext(:k))"), {"ns": _KEY_LOCKS, "k": key})

    def _add_keys(self, s: Session, keys: list[str], feed_id: int | None, article_id: int | None) -> int:
        now = self._db.clock()
        rows = [{"key": k, "article_id": article_id, "feed_id": feed_id, "seen_at": now} for k in keys]
        added = self._db.insert_ignore(s, ItemKey, rows, ["key"])
        if article_id is not None:  # keys first seen without an article now point to it
            s.execute(update(ItemKey).where(ItemKey.key.in_(keys), ItemKey.article_id.is_(None))
                      .values(article_id=article_id))
        return added

    def _save_brief(
        self, s: Session, article_id: int, brief: Brief, claim_vecs: Vectors | None, quote_vecs: Vectors | None,
        status: str = PENDING,
    ) -> int:
        existing = s.scalar(select(BriefRow.id).filter_by(article_id=article_id))
        if existing is not None:
            return existing
        if s.get(Article, article_id) is None:
            raise KeyError(f"unknown article {article_id}")
        now = self._db.clock()
        row = BriefRow(article_id=article_id, title=brief.title, mode=brief.mode, notes=list(brief.notes),
                       text=brief.text or "", created_at=now)
        s.add(row)
        s.flush()
        claim_blobs = _blobs(claim_vecs, len(brief.claims))
        quote_blobs = _blobs(quote_vecs, len(brief.quotes))
        s.add_all(ClaimRow(brief_id=row.id, position=i, text=c.text, sentence=c.sentence, embedding=claim_blobs[i])
                  for i, c in enumerate(brief.claims))
        s.add_all(
            QuoteRow(brief_id=row.id, position=i, text=q.text, speaker=q.speaker, speaker_key=q.speaker_key,
                     role=q.role, cue=q.cue, method=q.method, confidence=float(q.confidence), start_offset=q.start,
                     end_offset=q.end, embedding=quote_blobs[i])
            for i, q in enumerate(brief.quotes)
        )
        for channel in self._subscribed_channels(s, article_id):
            channel.next_seq += 1  # the channel row lock orders concurrent writers: seq order == commit order
            s.add(DeliveryRow(channel_id=channel.id, brief_id=row.id, seq=channel.next_seq,
                              idempotency_key=uuid.uuid4().hex[:24], status=status, attempts=0,
                              next_attempt_at=now, created_at=now))
        s.flush()
        return row.id

    def _subscribed_channels(self, s: Session, article_id: int) -> list[Channel]:
        feeds = select(FeedArticle.feed_id).where(FeedArticle.article_id == article_id)
        subscribed = select(Subscription.channel_id).where(
            Subscription.feed_id.is_(None) | Subscription.feed_id.in_(feeds)
        )
        stmt = select(Channel).where(Channel.id.in_(subscribed)).order_by(Channel.id).with_for_update()
        return list(s.scalars(stmt))


def _blobs(vectors: Vectors | None, n: int) -> list[bytes | None]:
    if vectors is None:
        return [None] * n
    if len(vectors) != n:
        raise ValueError(f"expected {n} embeddings, got {len(vectors)}")
    return [to_blob(v) for v in vectors]
