"""Assign an article to a story, or start one: close in meaning to a recent article of it and sharing key entities."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np

from bot.config.sections import StoriesSettings
from bot.stories.features import Signal

_COMMON_SHARE = 0.5  # an entity in more than this share of the candidate stories is no key to any of them
_COMMON_MIN_STORIES = 4


@dataclass(frozen=True)
class Member:
    """One article already in a story."""

    article_id: int
    signal: Signal


@dataclass
class StoryView:
    """A story as clustering sees it: its articles (at least those of the last window)."""

    story_id: int
    members: list[Member] = field(default_factory=list)


@dataclass(frozen=True)
class Match:
    """The story an article joins: the best cosine to one of its recent articles, and the key entities shared."""

    story_id: int
    similarity: float
    shared: frozenset[str]


def match_story(signal: Signal, stories: Iterable[StoryView], settings: StoriesSettings) -> Match | None:
    """The best story for `signal` under `settings`, or None: the article starts a new story.

    Only articles published within `window_hours` of this one count. A story qualifies when one of those has
    cosine >= `similarity` with the article and the story shares >= `min_shared_entities` key entities with it;
    entities found in most candidate stories (the country every story is about) are not key to any of them.
    The most similar qualifying story wins.
    """
    window = timedelta(hours=settings.window_hours)
    recent = [(s.story_id, [m for m in s.members if abs(m.signal.when - signal.when) <= window]) for s in stories]
    recent = [(sid, ms) for sid, ms in recent if ms]
    entities = {sid: frozenset().union(*(m.signal.entities for m in ms)) for sid, ms in recent}
    df = Counter(e for ents in entities.values() for e in ents)
    common = {e for e, n in df.items() if len(recent) >= _COMMON_MIN_STORIES and n > _COMMON_SHARE * len(recent)}
    best: Match | None = None
    for sid, members in recent:
        sim = float((np.stack([m.signal.vector for m in members]) @ signal.vector).max())
        shared = frozenset(signal.entities & entities[sid]) - common
        if sim < settings.similarity or len(shared) < settings.min_shared_entities:
            continue
        if best is None or sim > best.similarity:
            best = Match(sid, sim, shared)
    return best


class Clusterer:
    """In-memory clustering of articles in publication order (the evaluation bench and tests; the pipeline keeps
    its stories in the store and calls `match_story` directly)."""

    def __init__(self, settings: StoriesSettings | None = None) -> None:
        self.settings = settings or StoriesSettings()
        self.stories: dict[int, StoryView] = {}
        self.assigned: dict[int, int] = {}

    def add(self, article_id: int, signal: Signal) -> tuple[int, bool]:
        """Put the article in its story; returns the story id and whether the story is new."""
        match = match_story(signal, self.stories.values(), self.settings)
        story_id = len(self.stories) + 1 if match is None else match.story_id
        self.stories.setdefault(story_id, StoryView(story_id)).members.append(Member(article_id, signal))
        self.assigned[article_id] = story_id
        return story_id, match is None
