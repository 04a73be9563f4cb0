"""place_brief end to end: real briefs of the evaluation set stored, clustered, and their repeats linked."""

from __future__ import annotations

from typing import Any

import pytest

from bot.config.sections import StoriesSettings
from bot.store import Store
from bot.stories.desk import place_brief
from stories_samples import read_article

TUNED = StoriesSettings()


@pytest.fixture(scope="module")
def briefer() -> Any:
    from bot.brief.engine import Briefer

    return Briefer()


def _store_brief(store: Store, briefer: Any, name: str, outlet: str) -> int:
    title, body, when = read_article(name)
    feed, _ = store.add_feed(f"https://{outlet.lower().replace(' ', '')}.example/rss", outlet)
    article, _ = store.upsert_article(f"guid:{name}", feed_id=feed.id, title=title, published=when, text=body)
    brief = briefer.brief_articles([briefer.prepare_text(body, title)])[0]
    vectors = briefer.encoder.encode([c.text for c in brief.claims]) if brief.claims else None
    return store.save_brief(article.id, brief, claim_embeddings=vectors)


def test_wire_copy_joins_the_story_and_adds_no_quote(store: Store, briefer: Any) -> None:
    first = place_brief(store, _store_brief(store, briefer, "e3-nw", "Northwire"), encoder=briefer.encoder,
                        nlp=briefer.nlp, settings=TUNED)
    assert first.created and first.has_news and first.also_reported_by == []
    copy_id = _store_brief(store, briefer, "e3-mt", "Meridian Times")
    copy = place_brief(store, copy_id, encoder=briefer.encoder, nlp=briefer.nlp, settings=TUNED)
    assert (copy.story_id, copy.created) == (first.story_id, False)
    assert copy.new_quotes == []  # Umerov's quote again: one quote, two outlets
    assert copy.also_reported_by == ["Northwire"]
    stored = store.get_brief(copy_id)
    assert stored is not None
    assert store.quote_outlets(stored.quote_ids[0]) == ["Northwire", "Meridian Times"]
    story = store.get_story(first.story_id)
    assert story is not None and story.articles == 2 and story.title
    assert "|" not in story.title  # "| Meridian Times" never makes the story title


def test_same_day_other_event_starts_its_own_story(store: Store, briefer: Any) -> None:
    swap = place_brief(store, _store_brief(store, briefer, "e3-nw", "Northwire"), encoder=briefer.encoder,
                       nlp=briefer.nlp, settings=TUNED)
    grid = place_brief(store, _store_brief(store, briefer, "e4-nw", "Northwire"), encoder=briefer.encoder,
                       nlp=briefer.nlp, settings=TUNED)
    assert grid.created and grid.story_id != swap.story_id
    assert [s.id for s in store.list_stories()] == [grid.story_id, swap.story_id]
