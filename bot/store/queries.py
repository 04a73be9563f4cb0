"""Read queries behind the chat commands: latest briefs, quotes by speaker, speakers, text search, digests."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar

import numpy as np
from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from bot.brief.types import Brief, Claim, Quote
from bot.store.records import ArticleRecord, QuoteHit, SpeakerCount, StoredBrief, TextHit
from bot.store.schema import CANCELLED, Article, BriefRow, Channel, ClaimRow, DeliveryRow, Feed, QuoteRow
from bot.store.stories import story_contexts
from bot.store.tx import Database

_FEED_NAME = func.coalesce(Feed.name, Feed.url).label("feed_name")
_WHEN = func.coalesce(Article.published, Article.fetched_at)
_MIN_PREFIX = 3
_S = TypeVar("_S", bound="Select[*tuple[Any, ...]]")


def article_record(row: Article) -> ArticleRecord:
    return ArticleRecord(
        id=row.id, identity_key=row.identity_key, first_feed_id=row.first_feed_id, story_id=row.story_id,
        title=row.title, link=row.link, published=row.published, fetched_at=row.fetched_at, text=row.text,
        kept=row.kept, filter_reason=row.filter_reason, filter_score=row.filter_score, filtered_at=row.filtered_at,
    )


class QueryOps:
    _db: Database

    def get_article(self, article: int | str) -> ArticleRecord | None:
        """An article by id or by identity key."""
        where = Article.id == article if isinstance(article, int) else Article.identity_key == article

        def run(s: Session) -> ArticleRecord | None:
            row = s.scalars(select(Article).where(where)).one_or_none()
            return None if row is None else article_record(row)
        return self._db.read(run)

    def unbriefed_articles(self, limit: int = 100) -> list[ArticleRecord]:
        """Kept articles that have no brief yet, oldest first (work left over by a crash or a failed run)."""
        briefed = select(BriefRow.article_id)
        stmt = select(Article).where(Article.kept.is_(True), Article.id.not_in(briefed))
        stmt = stmt.order_by(Article.fetched_at, Article.id).limit(limit)
        return self._db.read(lambda s: [article_record(r) for r in s.scalars(stmt)])

    def unfiltered_articles(self, limit: int = 100) -> list[ArticleRecord]:
        """Articles the story filter has not decided on yet, oldest first (left over by a crash)."""
        stmt = select(Article).where(Article.kept.is_(None)).order_by(Article.fetched_at, Article.id).limit(limit)
        return self._db.read(lambda s: [article_record(r) for r in s.scalars(stmt)])

    def get_brief(self, brief_id: int) -> StoredBrief | None:
        return self._db.read(lambda s: _one(_load_briefs(s, [brief_id])))

    def brief_for_article(self, article_id: int) -> StoredBrief | None:
        def run(s: Session) -> StoredBrief | None:
            brief_id = s.scalar(select(BriefRow.id).filter_by(article_id=article_id))
            return None if brief_id is None else _one(_load_briefs(s, [brief_id]))
        return self._db.read(run)

    def latest_briefs(self, n: int = 5) -> list[StoredBrief]:
        """The `n` most recently stored briefs, newest first."""
        stmt = select(BriefRow.id).order_by(BriefRow.created_at.desc(), BriefRow.id.desc()).limit(n)
        return self._db.read(lambda s: _load_briefs(s, list(s.scalars(stmt))))

    def briefs_between(
        self, start: datetime, end: datetime, *, channel: tuple[str, str] | None = None
    ) -> list[StoredBrief]:
        """Briefs stored in [start, end), oldest first; with channel=(platform, address) only those queued for it."""
        stmt = select(BriefRow.id).where(BriefRow.created_at >= start, BriefRow.created_at < end)
        if channel is not None:
            stmt = stmt.join(DeliveryRow, DeliveryRow.brief_id == BriefRow.id).join(Channel).where(
                Channel.platform == channel[0], Channel.address == channel[1], DeliveryRow.status != CANCELLED
            )
        stmt = stmt.order_by(BriefRow.created_at, BriefRow.id)
        return self._db.read(lambda s: _load_briefs(s, list(s.scalars(stmt))))

    def quotes_by_speaker(self, keys: str | Sequence[str], n: int = 10) -> list[QuoteHit]:
        """Quotes whose speaker key equals a given key, or has a word (between '-') starting with it; newest first."""
        wanted = [k for k in ([keys] if isinstance(keys, str) else keys) if k]
        if not wanted:
            return []
        stmt = _quote_hits().where(or_(*(_key_match(k) for k in wanted)))
        stmt = stmt.order_by(_WHEN.desc(), QuoteRow.id.desc()).limit(n)
        return self._db.read(lambda s: [_quote_hit(r) for r in s.execute(stmt)])

    def speakers(self, limit: int | None = None) -> list[SpeakerCount]:
        """Distinct speaker keys with their most used name and quote count, most quoted first."""
        stmt = select(QuoteRow.speaker_key, QuoteRow.speaker, func.count(), func.max(_WHEN))
        stmt = stmt.join(BriefRow, BriefRow.id == QuoteRow.brief_id).join(Article, Article.id == BriefRow.article_id)
        stmt = stmt.where(QuoteRow.speaker_key != "")
        stmt = stmt.group_by(QuoteRow.speaker_key, QuoteRow.speaker)
        rows = self._db.read(lambda s: list(s.execute(stmt)))
        names: dict[str, Counter[str]] = defaultdict(Counter)
        last: dict[str, datetime | None] = {}
        for key, name, count, when in rows:
            names[key][name] += count
            last[key] = max((d for d in (last.get(key), when) if d is not None), default=None)
        out = [
            SpeakerCount(key=k, name=max(c, key=lambda nm: (c[nm], len(nm), nm)), quotes=sum(c.values()),
                         last_quoted=last[k])
            for k, c in names.items()
        ]
        out.sort(key=lambda sp: (-sp.quotes, sp.key))
        return out[:limit] if limit is not None else out

    def search_text(self, words: str | Sequence[str], n: int = 10) -> list[TextHit]:
        """Claims and quotes containing every word (case-insensitive; quotes also match on speaker), newest first."""
        terms = words.split() if isinstance(words, str) else [w for w in words if w.strip()]
        if not terms:
            return []
        pats = [_contains(t) for t in terms]
        claims = _claim_hits().where(and_(*(ClaimRow.text.ilike(p, escape="\\") for p in pats)))
        quotes = _quote_hits().where(
            and_(*(or_(QuoteRow.text.ilike(p, escape="\\"), QuoteRow.speaker.ilike(p, escape="\\")) for p in pats))
        )

        def run(s: Session) -> list[TextHit]:
            hits = [_text_hit("claim", r) for r in s.execute(claims.order_by(_WHEN.desc()).limit(n))]
            hits += [_text_hit("quote", r) for r in s.execute(quotes.order_by(_WHEN.desc()).limit(n))]
            return hits
        hits = self._db.read(run)
        hits.sort(key=lambda h: (h.published is not None, h.published, h.id), reverse=True)
        return hits[:n]

    def embeddings(self, kind: str) -> tuple[list[int], np.ndarray]:
        """Ids and an (n, dim) float32 matrix of every stored claim ("claim") or quote ("quote") embedding."""
        model = _model(kind)
        stmt = select(model.id, model.embedding).where(model.embedding.is_not(None)).order_by(model.id)
        rows = self._db.read(lambda s: list(s.execute(stmt)))
        if not rows:
            return [], np.zeros((0, 0), dtype=np.float32)
        return [r[0] for r in rows], np.stack([np.frombuffer(r[1] or b"", dtype="<f4") for r in rows])

    def hits_by_ids(self, kind: str, ids: Sequence[int]) -> list[TextHit]:
        """Claims or quotes by id as search hits, in the order of `ids` (for ranking done by the caller)."""
        if not ids:
            return []
        stmt = _claim_hits().where(ClaimRow.id.in_(ids)) if kind == "claim" else _quote_hits().where(
            QuoteRow.id.in_(ids))
        found = {h.id: h for h in (_text_hit(kind, r) for r in self._db.read(lambda s: list(s.execute(stmt))))}
        return [found[i] for i in ids if i in found]


def _model(kind: str) -> type[ClaimRow] | type[QuoteRow]:
    if kind not in ("claim", "quote"):
        raise ValueError(f"kind must be 'claim' or 'quote', not {kind!r}")
    return ClaimRow if kind == "claim" else QuoteRow


def _one(items: list[StoredBrief]) -> StoredBrief | None:
    return items[0] if items else None


def _contains(word: str) -> str:
    return "%" + _escape(word) + "%"


def _escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _key_match(key: str) -> ColumnElement[bool]:
    if len(key) < _MIN_PREFIX:
        return QuoteRow.speaker_key == key
    prefix = _escape(key) + "%"
    return or_(QuoteRow.speaker_key == key, QuoteRow.speaker_key.like(prefix, escape="\\"),
               QuoteRow.speaker_key.like("%-" + prefix, escape="\\"))


def _with_source(stmt: _S) -> _S:
    return stmt.join(Article, Article.id == BriefRow.article_id).outerjoin(Feed, Feed.id == Article.first_feed_id)


def _quote_hits() -> Select[*tuple[Any, ...]]:
    cols = (QuoteRow, BriefRow.article_id, Article.title, Article.link, Article.published, _FEED_NAME)
    return _with_source(select(*cols).join(BriefRow, BriefRow.id == QuoteRow.brief_id))


def _claim_hits() -> Select[*tuple[Any, ...]]:
    cols = (ClaimRow, BriefRow.article_id, Article.title, Article.link, Article.published, _FEED_NAME)
    return _with_source(select(*cols).join(BriefRow, BriefRow.id == ClaimRow.brief_id))


def _quote_hit(r: Any) -> QuoteHit:
    q: QuoteRow = r[0]
    return QuoteHit(id=q.id, brief_id=q.brief_id, article_id=r.article_id, text=q.text, speaker=q.speaker,
                    speaker_key=q.speaker_key, role=q.role, title=r.title, link=r.link, published=r.published,
                    feed_name=r.feed_name)


def _text_hit(kind: str, r: Any) -> TextHit:
    row = r[0]
    return TextHit(kind=kind, id=row.id, brief_id=row.brief_id, article_id=r.article_id, text=row.text,
                   speaker=getattr(row, "speaker", None), title=r.title, link=r.link, published=r.published,
                   feed_name=r.feed_name)


def _load_briefs(s: Session, ids: Iterable[int]) -> list[StoredBrief]:
    """StoredBriefs for `ids`, in that order."""
    ids = list(ids)
    if not ids:
        return []
    head = _with_source(select(BriefRow, Article.link, Article.published, _FEED_NAME)).where(BriefRow.id.in_(ids))
    claims: dict[int, list[ClaimRow]] = defaultdict(list)
    quotes: dict[int, list[QuoteRow]] = defaultdict(list)
    for c in s.scalars(select(ClaimRow).where(ClaimRow.brief_id.in_(ids)).order_by(ClaimRow.position)):
        claims[c.brief_id].append(c)
    for q in s.scalars(select(QuoteRow).where(QuoteRow.brief_id.in_(ids)).order_by(QuoteRow.position)):
        quotes[q.brief_id].append(q)
    found = {}
    for b, link, published, feed_name in s.execute(head):
        brief = Brief(
            title=b.title, text=b.text, mode=b.mode, notes=list(b.notes or []),
            claims=[Claim(text=c.text, sentence=c.sentence) for c in claims[b.id]],
            quotes=[Quote(text=q.text, speaker=q.speaker, speaker_key=q.speaker_key, role=q.role, cue=q.cue,
                          method=q.method, confidence=q.confidence, start=q.start_offset, end=q.end_offset)
                    for q in quotes[b.id]],
        )
        found[b.id] = StoredBrief(id=b.id, article_id=b.article_id, brief=brief,
                                  claim_ids=[c.id for c in claims[b.id]], quote_ids=[q.id for q in quotes[b.id]],
                                  link=link, published=published, feed_name=feed_name, created_at=b.created_at)
    contexts = story_contexts(s, {b.id: (b.article_id, b.feed_name) for b in found.values()})
    return [replace(found[i], story=contexts.get(i)) for i in ids if i in found]
