"""Story read queries (merged briefs, finding stories, latest entries, quote sources) on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from bot.brief.types import Brief, Claim
from bot.store import Store
from store_samples import FakeClock
from tests.commands.story_samples import SAID, STORY_TITLES, T0, seed_stories

SWAP_OUTLETS = ["Northwire", "Kyiv Dispatch", "Meridian Times", "Baltic Courier"]


def test_merged_brief_lists_each_item_once_with_every_outlet(store: Store, clock: FakeClock) -> None:
    seeded = seed_stories(store, clock)
    story = store.story_brief(seeded.stories["swap"])
    assert story is not None and story.title == STORY_TITLES["swap"]
    assert [a.article_id for a in story.articles] == [seeded.articles[k] for k in ("swap-nw", "swap-kd", "swap-mt")]
    assert story.articles[2].outlets == ["Meridian Times", "Baltic Courier"]
    assert story.outlets == SWAP_OUTLETS
    assert story.updated_at == T0 + timedelta(hours=26, minutes=1)
    assert [c.text for c in story.claims] == [
        "Each side released 300 prisoners.", "The United Arab Emirates brokered the exchange.",
        "Wounded soldiers were among the first to cross.", "Families waited overnight at the border crossing."]
    first = story.claims[0]
    assert first.id == seeded.claims["s1"][0] and first.member_ids == seeded.claims["s1"]
    assert first.outlets == SWAP_OUTLETS and first.first_stored == T0 + timedelta(hours=4)
    assert story.claims[3].outlets == ["Meridian Times", "Baltic Courier"]
    said, home = story.quotes
    assert (said.text, said.speaker, said.role) == (SAID, "Rustem Umerov", "defence secretary")
    assert said.outlets == SWAP_OUTLETS and said.brief_ids == [seeded.briefs[k] for k in ("swap-nw", "swap-kd",
                                                                                         "swap-mt")]
    assert (home.speaker, home.outlets) == ("Olena Marchuk", ["Kyiv Dispatch"])
    assert store.story_brief(999) is None


def test_items_not_linked_yet_stand_alone(store: Store, clock: FakeClock) -> None:
    feed, _ = store.add_feed("https://northwire.example/rss/world", "Northwire")
    row, _ = store.upsert_article("guid:late", feed_id=feed.id, title="Late link", published=T0)
    store.save_brief(row.id, Brief("Late link", [Claim("Talks resume on Friday.", 0), Claim("In Geneva.", 1)], []))
    story_id = store.assign_story(row.id, None, vector=[1.0, 0.0], entities=(), at=T0, title="Late link")
    story = store.story_brief(story_id)  # placed, claims not linked yet: each is its own item
    assert story is not None and [c.text for c in story.claims] == ["Talks resume on Friday.", "In Geneva."]
    assert story.quotes == [] and story.claims[1].outlets == ["Northwire"]


def test_find_stories_best_match_then_most_recent(store: Store, clock: FakeClock) -> None:
    seeded = seed_stories(store, clock)
    geneva, swap = seeded.stories["geneva"], seeded.stories["swap"]
    assert store.find_stories("geneva guarantees") == [geneva]
    assert store.find_stories("families at the BORDER") == [swap]  # an article's title, any case
    assert store.find_stories("security swap") == [swap, geneva]  # one word each: the newer update first
    assert store.find_stories("security guarantees swap") == [geneva, swap]
    assert store.find_stories("zeppelin") == [] and store.find_stories("  ") == []
    assert store.find_stories("300_prisoners") == []  # LIKE wildcards are matched literally ("300 prisoners")


def test_latest_entries_mix_stories_and_loose_briefs(store: Store, clock: FakeClock) -> None:
    seeded = seed_stories(store, clock)
    entries = store.latest_entries(5)
    assert [(e.story_id, e.brief_id) for e in entries] == [
        (None, seeded.briefs["grain"]), (seeded.stories["swap"], None), (seeded.stories["geneva"], None)]
    assert entries[1].at == T0 + timedelta(hours=26, minutes=1)
    assert [(e.story_id, e.brief_id) for e in store.latest_entries(1)] == [(None, seeded.briefs["grain"])]


def test_quote_sources_follow_the_first_occurrence(store: Store, clock: FakeClock) -> None:
    seeded = seed_stories(store, clock)
    said = seeded.quotes["sq1"]
    grain = seeded.quotes["xq1"][0]
    sources = store.quote_sources([said[2], said[0], grain])
    assert {q: s.canonical_id for q, s in sources.items()} == {said[2]: said[0], said[0]: said[0], grain: grain}
    assert sources[said[2]].outlets == SWAP_OUTLETS and sources[said[0]].outlets == SWAP_OUTLETS
    assert sources[grain].outlets == ["Northwire"]
    assert store.quote_sources([]) == {}
