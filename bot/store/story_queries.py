"""Read queries behind the story commands: a story's merged brief, finding stories by words, latest stories."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.store.schema import (
    Article,
    BriefRow,
    ClaimRow,
    Feed,
    FeedArticle,
    QuoteRow,
    Story,
    StoryClaim,
    StoryQuote,
)
from bot.store.tx import Database

_OUTLET = func.coalesce(Feed.name, Feed.url)
_STOPWORDS = frozenset("the and for with from that this are was were has have into about over after its".split())
_IN_CHUNK = 500


@dataclass(frozen=True)
class StoryArticle:
    """One article of a story; `stored_at` is when its brief was stored (None: no brief yet)."""

    article_id: int
    brief_id: int | None
    title: str | None
    link: str | None
    published: datetime | None
    stored_at: datetime | None
    outlets: list[str]  # every feed that carried it, first seen first


@dataclass(frozen=True)
class StoryItem:
    """One distinct claim or quote of a story: its first occurrence, with every article and outlet that carried it.

    `member_ids` are the claim/quote ids of every occurrence (the first one first); `speaker` is None for claims.
    """

    id: int
    text: str
    speaker: str | None
    role: str | None
    member_ids: list[int]
    brief_ids: list[int]
    article_ids: list[int]
    outlets: list[str]
    first_stored: datetime


@dataclass(frozen=True)
class StoryBrief:
    """A story's merged brief: its articles in order, and each distinct claim and quote once, first seen first."""

    id: int
    title: str | None
    created_at: datetime
    updated_at: datetime
    articles: list[StoryArticle]
    claims: list[StoryItem]
    quotes: list[StoryItem]

    @property
    def outlets(self) -> list[str]:
        return list(dict.fromkeys(o for a in self.articles for o in a.outlets))


@dataclass(frozen=True)
class LatestEntry:
    """One item of "latest": a story (by its newest brief) or a brief whose article is in no story."""

    story_id: int | None
    brief_id: int | None
    at: datetime


@dataclass(frozen=True)
class QuoteSource:
    """Where a quote was carried: the first occurrence of its words in the story (itself if unlinked) and outlets."""

    canonical_id: int
    outlets: list[str]


class StoryQueryOps:
    _db: Database

    def story_brief(self, story_id: int) -> StoryBrief | None:
        """The story's merged brief, or None for an unknown story."""
        return self._db.read(lambda s: _story_brief(s, story_id))

    def find_stories(self, words: str, limit: int = 5) -> list[int]:
        """Ids of stories whose title or articles' titles contain the most of `words`; most recent first on ties."""
        terms = _terms(words)
        if not terms:
            return []
        pats = [f"%{_escape(t)}%" for t in terms]
        hit = or_(*(c.ilike(p, escape="\\") for p in pats for c in (Story.title, Article.title)))
        stmt = (select(Story.id, Story.updated_at, Story.title, Article.title)
                .outerjoin(Article, Article.story_id == Story.id).where(hit))
        texts: dict[int, list[str]] = defaultdict(list)
        updated: dict[int, datetime] = {}
        for sid, at, title, article_title in self._db.read(lambda s: list(s.execute(stmt))):
            texts[sid] += [(title or "").casefold(), (article_title or "").casefold()]
            updated[sid] = at
        score = {sid: sum(any(t in x for x in xs) for t in terms) for sid, xs in texts.items()}
        ranked = sorted(score, key=lambda sid: (score[sid], updated[sid], sid), reverse=True)
        return ranked[:limit]

    def latest_entries(self, n: int) -> list[LatestEntry]:
        """The `n` newest stories (by their newest brief) and unplaced briefs, newest first."""
        newest = func.max(BriefRow.created_at)
        stories = (select(Article.story_id, newest).join(BriefRow, BriefRow.article_id == Article.id)
                   .where(Article.story_id.is_not(None)).group_by(Article.story_id)
                   .order_by(newest.desc(), Article.story_id.desc()).limit(n))
        loose = (select(BriefRow.id, BriefRow.created_at).join(Article, Article.id == BriefRow.article_id)
                 .where(Article.story_id.is_(None)).order_by(BriefRow.created_at.desc(), BriefRow.id.desc()).limit(n))

        def run(s: Session) -> list[LatestEntry]:
            entries = [LatestEntry(sid, None, at) for sid, at in s.execute(stories)]
            return entries + [LatestEntry(None, bid, at) for bid, at in s.execute(loose)]
        entries = self._db.read(run)
        entries.sort(key=lambda e: (e.at, e.story_id or 0, e.brief_id or 0), reverse=True)
        return entries[:n]

    def quote_sources(self, quote_ids: Sequence[int]) -> dict[int, QuoteSource]:
        """For each quote id: the first quote of its story with the same words, and every outlet that carried it."""
        def run(s: Session) -> dict[int, QuoteSource]:
            canonical: dict[int, int] = {q: q for q in quote_ids}
            for chunk in _chunks(list(quote_ids)):
                stmt = select(StoryQuote.quote_id, StoryQuote.canonical_id).where(StoryQuote.quote_id.in_(chunk))
                canonical.update({q: c for q, c in s.execute(stmt)})
            members: dict[int, set[int]] = defaultdict(set)
            for q, c in canonical.items():
                members[c].update((q, c))
            for chunk in _chunks(list(members)):
                stmt = select(StoryQuote.quote_id, StoryQuote.canonical_id).where(StoryQuote.canonical_id.in_(chunk))
                for q, c in s.execute(stmt):
                    members[c].add(q)
            outlets = _outlets_of(s, QuoteRow, sorted({q for ms in members.values() for q in ms}))
            groups = {c: list(dict.fromkeys(o for q in sorted(ms) for o in outlets.get(q, [])))
                      for c, ms in members.items()}
            return {q: QuoteSource(c, groups[c]) for q, c in canonical.items()}
        return self._db.read(run)


def _story_brief(s: Session, story_id: int) -> StoryBrief | None:
    story = s.get(Story, story_id)
    if story is None:
        return None
    when = func.coalesce(Article.published, Article.fetched_at)
    rows = s.execute(select(Article.id, BriefRow.id, Article.title, Article.link, Article.published,
                            BriefRow.created_at).outerjoin(BriefRow, BriefRow.article_id == Article.id)
                     .where(Article.story_id == story_id).order_by(when, Article.id)).all()
    seen: dict[int, list[str]] = defaultdict(list)
    stmt = (select(FeedArticle.article_id, _OUTLET).join(Feed, Feed.id == FeedArticle.feed_id)
            .join(Article, Article.id == FeedArticle.article_id).where(Article.story_id == story_id)
            .order_by(FeedArticle.seen_at, Feed.id))
    for article_id, outlet in s.execute(stmt):
        seen[article_id].append(outlet)
    articles = [StoryArticle(a, b, t, link, pub, at, list(dict.fromkeys(seen[a]))) for a, b, t, link, pub, at in rows]
    briefs = {a.brief_id: a for a in articles if a.brief_id is not None}
    claims = _items(s, story_id, ClaimRow, StoryClaim, StoryClaim.claim_id, briefs)
    quotes = _items(s, story_id, QuoteRow, StoryQuote, StoryQuote.quote_id, briefs)
    return StoryBrief(story.id, story.title, story.created_at, story.updated_at, articles, claims, quotes)


def _items(s: Session, story_id: int, model: Any, link: Any, key: Any, briefs: dict[int, StoryArticle]
           ) -> list[StoryItem]:
    """The story's distinct claims or quotes: occurrences grouped by their canonical item, in article order."""
    if not briefs:
        return []
    order = {bid: n for n, bid in enumerate(briefs)}
    stmt = (select(model, link.canonical_id)
            .outerjoin(link, (key == model.id) & (link.story_id == story_id)).where(model.brief_id.in_(list(briefs))))
    rows = sorted(s.execute(stmt).all(), key=lambda r: (order[r[0].brief_id], r[0].position))
    groups: dict[int, list[Any]] = {}
    for row, canonical in rows:
        groups.setdefault(canonical if canonical is not None else row.id, []).append(row)
    items = []
    for canonical, members in groups.items():
        head = next((m for m in members if m.id == canonical), members[0])
        arts = [briefs[m.brief_id] for m in members]
        items.append(StoryItem(
            id=canonical, text=head.text, speaker=getattr(head, "speaker", None), role=getattr(head, "role", None),
            member_ids=[m.id for m in members], brief_ids=list(dict.fromkeys(m.brief_id for m in members)),
            article_ids=list(dict.fromkeys(a.article_id for a in arts)),
            outlets=list(dict.fromkeys(o for a in arts for o in a.outlets)),
            first_stored=min(a.stored_at for a in arts if a.stored_at is not None)))
    return items


def _outlets_of(s: Session, model: Any, ids: list[int]) -> dict[int, list[str]]:
    """Claim or quote id -> the outlets that carried its article, first seen first."""
    out: dict[int, list[str]] = defaultdict(list)
    for chunk in _chunks(ids):
        stmt = (select(model.id, _OUTLET).join(BriefRow, BriefRow.id == model.brief_id)
                .join(FeedArticle, FeedArticle.article_id == BriefRow.article_id)
                .join(Feed, Feed.id == FeedArticle.feed_id)
                .where(model.id.in_(chunk)).order_by(model.id, FeedArticle.seen_at, Feed.id))
        for item_id, outlet in s.execute(stmt):
            if outlet not in out[item_id]:
                out[item_id].append(outlet)
    return out


def _terms(words: str) -> list[str]:
    """Distinct lower-case words worth matching (3+ letters, no stopwords; all words if that leaves none)."""
    found = list(dict.fromkeys(w for w in re.findall(r"\w+", words.casefold())))
    kept = [w for w in found if len(w) >= 3 and w not in _STOPWORDS]
    return kept or found


def _escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i:i + _IN_CHUNK] for i in range(0, len(ids), _IN_CHUNK)]
