"""Place a stored brief's article in its story and record what it adds: the store-backed side of clustering."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np

from bot.config.sections import StoriesSettings
from bot.store.records import StoryContext
from bot.store.repo import Store
from bot.stories.cluster import Member, StoryView, match_story
from bot.stories.features import Signal, article_signal, shingles
from bot.stories.novelty import repeated_claims, repeated_quotes
from bot.stories.title import best_title

_MAX_TITLE = 300  # characters of a headline that clustering reads and a story may take as its title
_MAX_PART = 2000  # characters of one claim that clustering reads


@dataclass(frozen=True)
class StoryUpdate:
    """Where an article went and what it adds; `new_claims`/`new_quotes` are positions in its brief."""

    story_id: int
    created: bool
    new_claims: list[int]
    new_quotes: list[int]
    also_reported_by: list[str]  # the story's other outlets

    @property
    def has_news(self) -> bool:
        return self.created or bool(self.new_claims or self.new_quotes)


def place_brief(store: Store, brief_id: int, *, encoder: Any, nlp: Any,
                settings: StoriesSettings | None = None) -> StoryUpdate:
    """Cluster the article of stored brief `brief_id` into a story and link its claims and quotes to the story's.

    Safe to call again for a brief already placed: it returns what the first call recorded.
    """
    settings = settings or StoriesSettings()
    stored = store.get_brief(brief_id)
    if stored is None:
        raise KeyError(f"unknown brief {brief_id}")
    article = store.get_article(stored.article_id)
    assert article is not None  # a brief's article is deleted with it
    if stored.story is not None:  # placed already (a crash came before its deliveries were released)
        return _recorded(stored.story)
    when = article.published or article.fetched_at
    brief = stored.brief
    claims = [c.text[:_MAX_PART] for c in brief.claims]
    headline = (article.title or brief.title or "")[:_MAX_TITLE] or None  # feeds' titles are untrusted: cap them
    signal = article_signal(headline, brief.text or article.text or "", claims, when, encoder=encoder, nlp=nlp)
    window = timedelta(hours=settings.window_hours)
    views: dict[int, StoryView] = {}
    for m in store.recent_story_members(when - window, when + window):
        if m.article_id != article.id:
            views.setdefault(m.story_id, StoryView(m.story_id)).members.append(
                Member(m.article_id, Signal(m.vector, m.entities, m.at, shingles(m.text or ""))))
    match = match_story(signal, views.values(), settings)
    claim_vectors = encoder.encode(claims) if claims else np.zeros((0, len(signal.vector)), np.float32)
    if match is None:
        seen_claims, seen_quotes = [], []
        seen_claim_ids: list[int] = []
        seen_quote_ids: list[int] = []
    else:
        seen = store.story_seen(match.story_id)
        seen_claims, seen_quotes = list(seen.claim_vectors), seen.quote_texts
        seen_claim_ids, seen_quote_ids = seen.claim_ids, seen.quote_ids
    claim_rep = repeated_claims(claim_vectors, seen_claims)
    quote_rep = repeated_quotes([q.text for q in brief.quotes], seen_quotes)
    title = _story_title(store, match.story_id if match else None, headline, signal.vector)
    story_id = store.assign_story(
        article.id, match.story_id if match else None, vector=signal.vector, entities=signal.entities, at=when,
        title=title,
        claims=[(cid, cid if r is None else seen_claim_ids[r]) for cid, r in zip(stored.claim_ids, claim_rep)],
        quotes=[(qid, qid if r is None else seen_quote_ids[r]) for qid, r in zip(stored.quote_ids, quote_rep)],
    )
    placed = store.get_brief(brief_id)  # as recorded: another process may have placed it first
    if placed is None or placed.story is None:
        raise KeyError(f"brief {brief_id} was deleted while it was placed in story {story_id}")
    return _recorded(placed.story)


def _recorded(ctx: StoryContext) -> StoryUpdate:
    return StoryUpdate(story_id=ctx.story_id, created=ctx.first, new_claims=ctx.new_claims,
                       new_quotes=ctx.new_quotes, also_reported_by=ctx.also_reported_by)


def _story_title(store: Store, story_id: int | None, title: str | None, vector: np.ndarray) -> str | None:
    if story_id is None:
        return best_title([title])
    members = store.story_members(story_id)
    titles = [m.title for m in members] + [title]
    vectors = np.stack([m.vector for m in members] + [vector])
    return best_title(titles, vectors)
