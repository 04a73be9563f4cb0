"""Stories in the store: articles' clustering signals, story membership, and which claims and quotes repeat which."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.store.schema import (
    Article,
    ArticleSignal,
    BriefRow,
    ClaimRow,
    Feed,
    FeedArticle,
    QuoteRow,
    Story,
    StoryClaim,
    StoryQuote,
)
from bot.store.records import StoryContext
from bot.store.tx import Database

_OUTLET = func.coalesce(Feed.name, Feed.url)


@dataclass(frozen=True)
class StoryRecord:
    id: int
    title: str | None
    created_at: datetime
    updated_at: datetime
    articles: int
    outlets: list[str]  # names of the feeds that carried its articles, first seen first


@dataclass(frozen=True)
class StoryMemberRecord:
    """One article of a story with what clustering compared (`vector` is a float32 unit vector)."""

    article_id: int
    story_id: int
    title: str | None
    vector: np.ndarray
    entities: frozenset[str]
    at: datetime
    text: str | None = None  # the article's body (recent members only: clustering compares passages)


@dataclass(frozen=True)
class StorySeen:
    """The claims and quotes a story already showed: the first of each set of repeats, with ids."""

    claim_ids: list[int]
    claim_vectors: np.ndarray  # (n, dim); claims stored without an embedding are left out
    quote_ids: list[int]
    quote_texts: list[str]


class StoryOps:
    _db: Database

    def recent_story_members(self, since: datetime, until: datetime | None = None) -> list[StoryMemberRecord]:
        """Articles of any story whose signal time lies in [since, until], oldest first."""
        stmt = (select(ArticleSignal, Article.story_id, Article.title, Article.text).join(Article)
                .where(Article.story_id.is_not(None), ArticleSignal.at >= since))
        if until is not None:
            stmt = stmt.where(ArticleSignal.at <= until)
        stmt = stmt.order_by(ArticleSignal.at, ArticleSignal.article_id)
        return self._db.read(lambda s: [_member(sig, sid, title, text) for sig, sid, title, text in s.execute(stmt)])

    def story_members(self, story_id: int) -> list[StoryMemberRecord]:
        """Every article of the story that has a signal, oldest first."""
        stmt = (select(ArticleSignal, Article.story_id, Article.title).join(Article)
                .where(Article.story_id == story_id).order_by(ArticleSignal.at, ArticleSignal.article_id))
        return self._db.read(lambda s: [_member(sig, sid, title) for sig, sid, title in s.execute(stmt)])

    def assign_story(self, article_id: int, story_id: int | None, *, vector: Any, entities: Iterable[str],
                     at: datetime, title: str | None = None, claims: Sequence[tuple[int, int]] = (),
                     quotes: Sequence[tuple[int, int]] = (), move: bool = False) -> int:
        """Put the article in `story_id`, or in a new story when None; store its signal; returns the story id.

        The story's `title` is replaced when one is given; its centroid, entities and updated_at follow its
        articles. An article already in a story stays there (its story id is returned) unless `move` is set.
        `claims`/`quotes` are linked as in `link_story_items`, in the same transaction (so a placed article always
        has its links).
        """
        keys = sorted(set(entities))
        blob = np.asarray(vector, dtype="<f4").reshape(-1).tobytes()

        def run(s: Session) -> int:
            article = s.get(Article, article_id, with_for_update=True)
            if article is None:
                raise KeyError(f"unknown article {article_id}")
            if article.story_id is not None and not move:  # placed meanwhile (another process): keep that
                return article.story_id
            now = self._db.clock()
            if story_id is None:
                story = Story(title=title, centroid=blob, entities=keys, created_at=now, updated_at=now)
                s.add(story)
                s.flush()
            else:
                story = s.scalars(select(Story).where(Story.id == story_id).with_for_update()).one_or_none()
                if story is None:
                    raise KeyError(f"unknown story {story_id}")
            signal = s.get(ArticleSignal, article_id)
            if signal is None:
                s.add(ArticleSignal(article_id=article_id, vector=blob, entities=keys, at=at))
            else:
                signal.vector, signal.entities, signal.at = blob, keys, at
            article.story_id = story.id
            s.flush()
            vectors = [np.frombuffer(v, dtype="<f4") for v in s.scalars(
                select(ArticleSignal.vector).join(Article).where(Article.story_id == story.id))]
            mean = np.mean(vectors, axis=0)
            story.centroid = (mean / (np.linalg.norm(mean) or 1.0)).astype("<f4").tobytes()
            story.entities = sorted(set(story.entities) | set(keys))
            story.updated_at = now
            if title is not None:
                story.title = title
            self._db.insert_ignore(s, StoryClaim, [{"claim_id": c, "story_id": story.id, "canonical_id": k}
                                                   for c, k in claims], ["claim_id"])
            self._db.insert_ignore(s, StoryQuote, [{"quote_id": q, "story_id": story.id, "canonical_id": k}
                                                   for q, k in quotes], ["quote_id"])
            return story.id
        return self._db.write(run)

    def link_story_items(self, story_id: int, *, claims: Sequence[tuple[int, int]] = (),
                         quotes: Sequence[tuple[int, int]] = ()) -> None:
        """Record (item id, canonical id) pairs: each claim/quote and the first one of the story it repeats."""
        claim_rows = [{"claim_id": c, "story_id": story_id, "canonical_id": k} for c, k in claims]
        quote_rows = [{"quote_id": q, "story_id": story_id, "canonical_id": k} for q, k in quotes]

        def run(s: Session) -> None:
            self._db.insert_ignore(s, StoryClaim, claim_rows, ["claim_id"])
            self._db.insert_ignore(s, StoryQuote, quote_rows, ["quote_id"])
        self._db.write(run)

    def story_seen(self, story_id: int) -> StorySeen:
        """The story's distinct claims and quotes so far (those that are their own canonical item)."""
        def run(s: Session) -> StorySeen:
            claims = s.execute(select(ClaimRow.id, ClaimRow.embedding)
                               .join(StoryClaim, StoryClaim.claim_id == ClaimRow.id).where(StoryClaim.story_id == story_id, StoryClaim.canonical_id == ClaimRow.id,
                                      ClaimRow.embedding.is_not(None)).order_by(ClaimRow.id)).all()
            quotes = s.execute(select(QuoteRow.id, QuoteRow.text)
                               .join(StoryQuote, StoryQuote.quote_id == QuoteRow.id).where(StoryQuote.story_id == story_id, StoryQuote.canonical_id == QuoteRow.id)
                               .order_by(QuoteRow.id)).all()
            vectors = np.stack([np.frombuffer(e, dtype="<f4") for _, e in claims]) if claims else np.zeros((0, 0))
            return StorySeen([i for i, _ in claims], vectors.astype(np.float32), [i for i, _ in quotes],
                             [t for _, t in quotes])
        return self._db.read(run)

    def list_stories(self, limit: int = 10, *, since: datetime | None = None) -> list[StoryRecord]:
        """Stories, the most recently updated first, with article counts and outlets."""
        stmt = select(Story).order_by(Story.updated_at.desc(), Story.id.desc()).limit(limit)
        if since is not None:
            stmt = stmt.where(Story.updated_at >= since)
        return self._db.read(lambda s: [_story_record(s, row) for row in s.scalars(stmt)])

    def get_story(self, story_id: int) -> StoryRecord | None:
        def run(s: Session) -> StoryRecord | None:
            row = s.get(Story, story_id)
            return None if row is None else _story_record(s, row)
        return self._db.read(run)

    def quote_outlets(self, quote_id: int) -> list[str]:
        """Every outlet that carried this quote (the same words in any article of its story), first seen first."""
        def run(s: Session) -> list[str]:
            canonical = s.scalar(select(StoryQuote.canonical_id).where(StoryQuote.quote_id == quote_id))
            ids = [quote_id] if canonical is None else list(s.scalars(
                select(StoryQuote.quote_id).where(StoryQuote.canonical_id == canonical)))
            stmt = (select(_OUTLET, func.min(QuoteRow.id)).select_from(QuoteRow)
                    .join(BriefRow, BriefRow.id == QuoteRow.brief_id)
                    .join(FeedArticle, FeedArticle.article_id == BriefRow.article_id).join(Feed)
                    .where(QuoteRow.id.in_(ids)).group_by(_OUTLET).order_by(func.min(QuoteRow.id)))
            return [name for name, _ in s.execute(stmt)]
        return self._db.read(run)


def story_contexts(s: Session, briefs: dict[int, tuple[int, str | None]]) -> dict[int, StoryContext]:
    """Story contexts of placed briefs, given {brief id: (article id, its outlet)}; unplaced briefs are left out."""
    placed = dict(s.execute(select(Article.id, Article.story_id).where(
        Article.id.in_([a for a, _ in briefs.values()]), Article.story_id.is_not(None))).all())
    if not placed:
        return {}
    stories = {sid: s.get(Story, sid) for sid in set(placed.values())}
    outlets = {sid: _outlets(s, sid) for sid in stories}
    first = dict(s.execute(select(Article.story_id, func.min(BriefRow.id)).join(BriefRow, BriefRow.article_id == Article.id)
                           .where(Article.story_id.in_(list(stories))).group_by(Article.story_id)).all())
    mine = [b for b, (a, _) in briefs.items() if a in placed]
    repeats = {("claim", c): k != c for c, k in s.execute(
        select(StoryClaim.claim_id, StoryClaim.canonical_id).join(ClaimRow, ClaimRow.id == StoryClaim.claim_id)
        .where(ClaimRow.brief_id.in_(mine)))}
    repeats |= {("quote", q): k != q for q, k in s.execute(
        select(StoryQuote.quote_id, StoryQuote.canonical_id).join(QuoteRow, QuoteRow.id == StoryQuote.quote_id)
        .where(QuoteRow.brief_id.in_(mine)))}
    claim_ids: dict[int, list[int]] = {b: [] for b in mine}
    quote_ids: dict[int, list[int]] = {b: [] for b in mine}
    for b, c in s.execute(select(ClaimRow.brief_id, ClaimRow.id).where(ClaimRow.brief_id.in_(mine))
                          .order_by(ClaimRow.position)):
        claim_ids[b].append(c)
    for b, q in s.execute(select(QuoteRow.brief_id, QuoteRow.id).where(QuoteRow.brief_id.in_(mine))
                          .order_by(QuoteRow.position)):
        quote_ids[b].append(q)
    out = {}
    for b in mine:
        article_id, outlet = briefs[b]
        sid = placed[article_id]
        story = stories[sid]
        out[b] = StoryContext(
            story_id=sid, title=story.title if story else None, first=first.get(sid) == b,
            new_claims=[i for i, c in enumerate(claim_ids[b]) if not repeats.get(("claim", c), False)],
            new_quotes=[i for i, q in enumerate(quote_ids[b]) if not repeats.get(("quote", q), False)],
            also_reported_by=[o for o in outlets[sid] if o != outlet])
    return out


def _outlets(s: Session, story_id: int) -> list[str]:
    stmt = (select(_OUTLET, func.min(FeedArticle.seen_at)).select_from(FeedArticle).join(Feed)
            .join(Article, Article.id == FeedArticle.article_id).where(Article.story_id == story_id)
            .group_by(_OUTLET).order_by(func.min(FeedArticle.seen_at), _OUTLET))
    return [name for name, _ in s.execute(stmt)]


def _member(sig: ArticleSignal, story_id: int, title: str | None, text: str | None = None) -> StoryMemberRecord:
    return StoryMemberRecord(article_id=sig.article_id, story_id=story_id, title=title,
                             vector=np.frombuffer(sig.vector, dtype="<f4").astype(np.float32),
                             entities=frozenset(sig.entities), at=sig.at, text=text)


def _story_record(s: Session, row: Story) -> StoryRecord:
    articles = s.scalar(select(func.count()).select_from(Article).where(Article.story_id == row.id)) or 0
    return StoryRecord(id=row.id, title=row.title, created_at=row.created_at, updated_at=row.updated_at,
                       articles=articles, outlets=_outlets(s, row.id))
