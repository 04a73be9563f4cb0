"""Assign an article to a story, or start one: close in meaning to a recent article of it and sharing key entities."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np

from bot.config.sections import StoriesSettings
from bot.stories.features import Signal, containment

_DAY = timedelta(days=1)
_MIN_SUFFIX = 5  # a key this long at the end of a longer one is the same name ("rustemumerov" ends with "umerov")


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
    """The story an article joins: its time-discounted similarity, the key entities shared and their weight."""

    story_id: int
    similarity: float
    shared: frozenset[str]
    weight: float = 0.0


def match_story(signal: Signal, stories: Iterable[StoryView], settings: StoriesSettings) -> Match | None:
    """The best story for `signal` under `settings`, or None: the article starts a new story.

    Only a story's articles published within `window_hours` of this one count. Its similarity is the best cosine
    to one of them, less `decay_per_day` for each day between the two (news of one event comes in bursts: a day
    later, the same people in the same words are more often a new development). A story qualifies when that
    similarity reaches `close_similarity` (wire copy and close rewrites, whatever their entities), or reaches
    `similarity` while the story shares key entities of weight >= `min_shared_entities` with the article. An
    entity weighs 1 when no other candidate story names it, down to 1/n when all n do (the country every story
    is about). A story that carries most of this article's passages word for word (`reprint_containment`: wire
    copy run again under a new intro) qualifies as a close copy does. The most similar qualifying story wins.
    """
    window = timedelta(hours=settings.window_hours)
    recent = [(s.story_id, [m.signal for m in s.members if abs(m.signal.when - signal.when) <= window])
              for s in stories]
    recent = [(sid, sigs) for sid, sigs in recent if sigs]
    named = [frozenset().union(*(s.entities for s in sigs)) for _, sigs in recent]
    naming = {key: {i for i, entities in enumerate(named) if _names(entities, key)} for key in signal.entities}
    best: Match | None = None
    for i, (sid, sigs) in enumerate(recent):
        sim = _similarity(signal, sigs, settings.decay_per_day)
        if max((containment(signal.passages, m.passages) for m in sigs), default=0.0) >= settings.reprint_containment:
            sim = max(sim, settings.close_similarity)
        if sim < min(settings.similarity, settings.close_similarity):
            continue
        shared = frozenset(key for key, where in naming.items() if i in where)
        weight = sum(1.0 - (len(naming[key]) - 1) / len(recent) for key in _distinct(shared))
        if sim < settings.close_similarity and weight < settings.min_shared_entities - 1e-9:
            continue
        if best is None or sim > best.similarity:
            best = Match(sid, sim, shared, weight)
    return best


def _similarity(signal: Signal, members: Sequence[Signal], decay_per_day: float) -> float:
    """The best cosine to a member, each less `decay_per_day` per day between it and `signal`."""
    cosines = np.stack([m.vector for m in members]) @ signal.vector
    days = np.array([abs(m.when - signal.when) / _DAY for m in members], dtype=np.float32)
    return float((cosines - decay_per_day * days).max())


def _names(entities: frozenset[str], key: str) -> bool:
    """Whether `entities` include `key`, also as the end of a longer key (a surname in a full name tagged as an
    organisation: "Rustem Umerov" -> "rustemumerov") or a longer key as the end of `key`."""
    if key in entities:
        return True
    return any(_suffix(key, e) for e in entities)


def _distinct(keys: frozenset[str]) -> list[str]:
    """`keys` with those ending in a shorter one left out ("lakegeneva" and "geneva" are one place)."""
    out: list[str] = []
    for key in sorted(keys, key=len):
        if not any(_suffix(key, k) for k in out):
            out.append(key)
    return out


def _suffix(a: str, b: str) -> bool:
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= _MIN_SUFFIX and long_.endswith(short)


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
