"""Story store operations and the 0002 migration, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from sqlalchemy import text

from bot.brief.types import Brief, Claim, Quote
from bot.store import Store, downgrade, make_engine, open_store, upgrade

T0 = datetime(2026, 3, 3, 9, 30, tzinfo=timezone.utc)


def _quote(text: str) -> Quote:
    return Quote(text=text, speaker="Rustem Umerov", speaker_key="umerov", role=None, cue="said", method="cue",
                 confidence=0.9)


def _article(store: Store, feed_url: str, name: str, key: str, title: str) -> int:
    feed, _ = store.add_feed(feed_url, name)
    article, _ = store.upsert_article(key, feed_id=feed.id, title=title, published=T0, text="Body.")
    return article.id


def _unit(*xs: float) -> np.ndarray:
    v = np.asarray(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_assign_story_creates_joins_and_lists_outlets(store: Store) -> None:
    a = _article(store, "https://northwire.example/rss", "Northwire", "guid:a", "Russia, Ukraine swap 300 prisoners")
    b = _article(store, "https://kyivdispatch.example/rss", "Kyiv Dispatch", "guid:b", "300 defenders home")
    story = store.assign_story(a, None, vector=_unit(1, 0), entities={"uae", "umerov"}, at=T0, title="Swap")
    assert store.assign_story(b, story, vector=_unit(0, 1), entities={"zelenski"}, at=T0 + timedelta(hours=1)) == story
    record = store.get_story(story)
    assert record is not None
    assert (record.title, record.articles, record.outlets) == ("Swap", 2, ["Northwire", "Kyiv Dispatch"])
    assert store.get_article(b).story_id == story  # type: ignore[union-attr]
    members = store.recent_story_members(T0 - timedelta(hours=1))
    assert [m.article_id for m in members] == [a, b]
    assert members[0].entities == {"uae", "umerov"}
    assert np.allclose(members[1].vector, _unit(0, 1))
    assert [m.article_id for m in store.recent_story_members(T0 + timedelta(minutes=30))] == [b]
    # placed already (by another process, say): it stays where it is, unless asked to move
    assert store.assign_story(a, None, vector=_unit(1, 0), entities=(), at=T0) == story
    assert len(store.list_stories()) == 1
    with pytest.raises(KeyError):
        store.assign_story(a, 999, vector=_unit(1, 0), entities=(), at=T0, move=True)


def test_list_stories_newest_update_first(store: Store) -> None:
    a = _article(store, "https://northwire.example/rss", "Northwire", "guid:a", "First")
    b = _article(store, "https://northwire.example/rss", "Northwire", "guid:b", "Second")
    s1 = store.assign_story(a, None, vector=_unit(1, 0), entities=(), at=T0, title="First")
    s2 = store.assign_story(b, None, vector=_unit(0, 1), entities=(), at=T0, title="Second")
    assert [s.id for s in store.list_stories()] == [s2, s1]
    c = _article(store, "https://northwire.example/rss", "Northwire", "guid:c", "Third")
    store.assign_story(c, s1, vector=_unit(1, 0), entities=(), at=T0)
    assert [s.id for s in store.list_stories()] == [s1, s2]
    assert [s.id for s in store.list_stories(1)] == [s1]


def test_story_seen_and_quote_outlets_follow_canonical_links(store: Store) -> None:
    a = _article(store, "https://northwire.example/rss", "Northwire", "guid:a", "Swap")
    b = _article(store, "https://meridian.example/rss", "Meridian Times", "guid:b", "Swap again")
    said = "Every exchange is proof that negotiations can deliver results."
    brief_a = store.save_brief(a, Brief("Swap", [Claim("300 for 300.", 0)], [_quote(said)]),
                               claim_embeddings=[_unit(1, 0)], quote_embeddings=None)
    brief_b = store.save_brief(b, Brief("Swap", [Claim("Three hundred each.", 0), Claim("In the UAE.", 1)],
                                        [_quote(said[:40])]), claim_embeddings=[_unit(1, 0.1), _unit(0, 1)])
    sa, sb = store.get_brief(brief_a), store.get_brief(brief_b)
    assert sa is not None and sb is not None
    story = store.assign_story(a, None, vector=_unit(1, 0), entities=(), at=T0)
    store.link_story_items(story, claims=[(sa.claim_ids[0], sa.claim_ids[0])],
                           quotes=[(sa.quote_ids[0], sa.quote_ids[0])])
    store.assign_story(b, story, vector=_unit(1, 0), entities=(), at=T0)
    store.link_story_items(story, claims=[(sb.claim_ids[0], sa.claim_ids[0]), (sb.claim_ids[1], sb.claim_ids[1])],
                           quotes=[(sb.quote_ids[0], sa.quote_ids[0])])
    seen = store.story_seen(story)
    assert seen.claim_ids == [sa.claim_ids[0], sb.claim_ids[1]]
    assert seen.claim_vectors.shape == (2, 2)
    assert (seen.quote_ids, seen.quote_texts) == ([sa.quote_ids[0]], [said])
    assert store.quote_outlets(sb.quote_ids[0]) == ["Northwire", "Meridian Times"]
    assert store.quote_outlets(sa.quote_ids[0]) == ["Northwire", "Meridian Times"]


def test_deleting_a_story_leaves_its_articles(store: Store) -> None:
    a = _article(store, "https://northwire.example/rss", "Northwire", "guid:a", "Swap")
    story = store.assign_story(a, None, vector=_unit(1, 0), entities=(), at=T0)
    store._db.write(lambda s: s.execute(text("DELETE FROM stories WHERE id = :i"), {"i": story}))
    article = store.get_article(a)
    assert article is not None and article.story_id is None  # ON DELETE SET NULL


def test_upgrade_from_0001_keeps_data_and_adds_the_story_key(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine, "0001")
    engine.dispose()
    old = open_store(db_url, migrate=False)
    a = _article(old, "https://northwire.example/rss", "Northwire", "guid:a", "Swap")
    brief = old.save_brief(a, Brief("Swap", [Claim("300 for 300.", 0)], []))
    old.close()
    store = open_store(db_url)  # migrates to head with the data in place
    try:
        assert store.get_brief(brief) is not None and store.get_article(a) is not None
        with pytest.raises(Exception, match=r"(?i)foreign key"):
            store._db.write(lambda s: s.execute(text("UPDATE articles SET story_id = 999 WHERE id = :i"), {"i": a}))
        downgrade(store.engine, "0001")
        assert store.get_brief(brief) is not None  # and back down, still there
        store._db.write(lambda s: s.execute(text("UPDATE articles SET story_id = 999 WHERE id = :i"), {"i": a}))
    finally:
        store.close()
