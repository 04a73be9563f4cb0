"""Clustering with the real MiniLM and spaCy: same event joins across outlets; near misses stay apart."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
import pytest

from bot.config.sections import StoriesSettings
from bot.stories.cluster import Clusterer, Member, StoryView, match_story
from bot.stories.features import Signal, article_signal, entity_keys, lead_of
from stories_samples import read_article

TUNED = StoriesSettings(similarity=0.675)


def _signal(name: str, encoder: Any, nlp: Any, shift: timedelta = timedelta(0)) -> Signal:
    title, body, when = read_article(name)
    return article_signal(title, body, [], when + shift, encoder=encoder, nlp=nlp)


def test_lead_drops_the_dateline_and_bylines() -> None:
    body = "By Jane Roe\n\nKYIV, March 3 (Northwire) - Russia and Ukraine swapped prisoners. More followed.\n\nLater."
    assert lead_of(body) == "Russia and Ukraine swapped prisoners. More followed."


def test_entity_keys_fold_spellings_titles_and_lists(nlp: Any) -> None:
    a = entity_keys([nlp("President Volodymyr Zelenskyy met Steve Witkoff in Kyiv.")])
    b = entity_keys([nlp("Zelensky and Witkoff spoke by phone.")])
    assert {"zelenski", "vitkof"} <= a & b
    c = entity_keys([nlp("Russia pounds Ukraine's power grid with drones, missiles; blackouts in Kharkiv, Odesa")])
    assert {"harkiv", "odesa"} <= c


def test_wire_copy_and_rewrites_join_one_story(encoder: Any, nlp: Any) -> None:
    clusterer = Clusterer(TUNED)
    first, created = clusterer.add(1, _signal("e1-nw-1", encoder, nlp))
    assert created
    assert clusterer.add(2, _signal("e1-mt", encoder, nlp)) == (first, False)  # wire copy reused with edits
    assert clusterer.add(3, _signal("e1-dl", encoder, nlp)) == (first, False)  # a rewrite in another style


def test_same_day_other_subject_and_same_people_other_day_start_new_stories(encoder: Any, nlp: Any) -> None:
    clusterer = Clusterer(TUNED)
    moscow, _ = clusterer.add(1, _signal("e1-nw-1", encoder, nlp))
    berlin, created_berlin = clusterer.add(2, _signal("e2-nw", encoder, nlp))  # same day, other subject
    putin, created_putin = clusterer.add(3, _signal("e9-nw", encoder, nlp))  # Putin again, two days later
    assert created_berlin and created_putin
    assert len({moscow, berlin, putin}) == 3


def test_the_window_splits_the_same_words_days_apart(encoder: Any, nlp: Any) -> None:
    settings = StoriesSettings(similarity=0.675, window_hours=48)
    clusterer = Clusterer(settings)
    clusterer.add(1, _signal("e1-nw-1", encoder, nlp))
    _, created = clusterer.add(2, _signal("e1-mt", encoder, nlp, shift=timedelta(hours=72)))
    assert created


def _sig(vector: list[float], entities: set[str], signal_time: Signal | None = None) -> Signal:
    v = np.asarray(vector, dtype=np.float32)
    when = signal_time.when if signal_time else read_article("e1-nw-1")[2]
    return Signal(v / np.linalg.norm(v), frozenset(entities), when)


def test_match_needs_similarity_and_shared_key_entities() -> None:
    story = StoryView(7, [Member(1, _sig([1, 0], {"putin", "vitkof"}))])
    close_shared = _sig([0.95, 0.05], {"putin"})
    close_alone = _sig([0.95, 0.05], {"macron"})
    far_shared = _sig([0.1, 0.9], {"putin"})
    assert match_story(close_shared, [story], StoriesSettings()).story_id == 7  # type: ignore[union-attr]
    assert match_story(close_alone, [story], StoriesSettings()) is None
    assert match_story(close_alone, [story], StoriesSettings(min_shared_entities=0)) is not None
    assert match_story(far_shared, [story], StoriesSettings()) is None


def test_entities_in_most_candidate_stories_are_not_key() -> None:
    stories = [StoryView(i, [Member(i, _sig([1, i * 0.01], {"ukraine", f"own{i}"}))]) for i in range(1, 5)]
    article = _sig([1, 0.02], {"ukraine"})
    assert match_story(article, stories, StoriesSettings()) is None  # "ukraine" is in every story: no key
    match = match_story(_sig([1, 0.02], {"ukraine", "own2"}), stories, StoriesSettings())
    assert match is not None and match.story_id == 2 and match.shared == {"own2"}


@pytest.mark.parametrize("settings", [StoriesSettings(similarity=1.0)])
def test_nothing_is_similar_enough_at_similarity_one(settings: StoriesSettings, encoder: Any, nlp: Any) -> None:
    clusterer = Clusterer(settings)
    clusterer.add(1, _signal("e3-nw", encoder, nlp))
    assert clusterer.add(2, _signal("e3-mt", encoder, nlp))[1]
