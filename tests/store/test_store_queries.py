"""The read side of the chat commands: latest briefs, quotes by speaker, speakers, text search, digests."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from bot.brief.speakers import query_keys, speaker_key
from bot.brief.types import Brief, Claim, Quote
from bot.store import Store
from store_samples import ARTICLES, T0, FakeClock, sample_brief


@pytest.fixture
def filled(store: Store, clock: FakeClock) -> Store:
    """The four sample articles from two feeds, briefed an hour apart; Slack follows the story, Discord one feed."""
    wire, _ = store.add_feed("https://northwire.example/rss/world", "Northwire")
    other, _ = store.add_feed("https://dailyledger.example/feeds/talks.xml")
    store.subscribe("slack", "C0TALKS")
    store.subscribe("discord", "4455", wire.id)
    for a in ARTICLES:
        feed = wire if a.key.startswith("guid:northwire") else other
        row, _ = store.upsert_article(a.key, feed_id=feed.id, title=a.title, link=a.link, published=a.published,
                                      text=a.text)
        store.record_filter(row.id, kept=True, reason="keyword:talks")
        store.save_brief(row.id, sample_brief(a))
        clock.advance(3600)
    return store


def test_latest_briefs_newest_first(filled: Store) -> None:
    latest = filled.latest_briefs(3)
    assert [b.brief.title for b in latest] == [a.title for a in reversed(ARTICLES)][:3]
    assert latest[0].brief.quotes[1].speaker == "a Ukrainian delegation member"
    assert len(filled.latest_briefs(10)) == 4


def test_quotes_by_speaker_key_newest_first_with_source(filled: Store) -> None:
    hits = filled.quotes_by_speaker(speaker_key("Sergei Volodin"))
    assert [h.text for h in hits] == ["We go home with homework", "could happen within days"]
    assert hits[0].feed_name == "Northwire" and hits[0].link == ARTICLES[3].link
    assert hits[0].published == ARTICLES[3].published and hits[0].title == ARTICLES[3].title
    assert hits[1].feed_name == "https://dailyledger.example/feeds/talks.xml"  # no name: the URL stands in
    assert [h.text for h in filled.quotes_by_speaker(speaker_key("Volodin"), n=1)] == ["We go home with homework"]


def test_quotes_by_speaker_spelling_variants_and_prefixes(filled: Store) -> None:
    assert len(filled.quotes_by_speaker(speaker_key("Marta Kovalenko"))) == 2
    assert len(filled.quotes_by_speaker(query_keys("Minister Kovalenko"))) == 2
    assert len(filled.quotes_by_speaker("koval")) == 2  # key prefix
    member = filled.quotes_by_speaker("delegat")  # prefix of a later word of a group key
    assert [h.text for h in member] == ["the whole ballgame"]
    assert filled.quotes_by_speaker("ko") == []  # too short for a prefix match
    assert filled.quotes_by_speaker("") == [] and filled.quotes_by_speaker([]) == []
    assert filled.quotes_by_speaker("nobody") == []


def test_speakers_with_counts_and_names(filled: Store) -> None:
    speakers = filled.speakers()
    top = {(s.key, s.name, s.quotes) for s in speakers if s.quotes == 2}
    assert top == {
        (speaker_key("Dana Whitcombe"), "Dana Whitcombe", 2),
        (speaker_key("Marta Kovalenko"), "Marta Kovalenko", 2),
        (speaker_key("Sergei Volodin"), "Sergei Volodin", 2),
    }
    assert [s.quotes for s in speakers] == [2, 2, 2, 1, 1]
    volodin = next(s for s in speakers if s.key == speaker_key("Volodin"))
    assert volodin.last_quoted == ARTICLES[3].published
    assert len(filled.speakers(limit=2)) == 2


def test_search_text_over_claims_and_quotes(filled: Store) -> None:
    hits = filled.search_text("PRISONER exchange")
    assert [(h.kind, h.text) for h in hits] == [
        ("claim", "A prisoner exchange is under discussion on the second day of talks.")
    ]
    homework = filled.search_text("homework")
    assert [(h.kind, h.speaker) for h in homework] == [("quote", "Sergei Volodin")]
    by_speaker = filled.search_text(["whitcombe", "lawyered"])
    assert [h.text for h in by_speaker] == ["still being lawyered"]
    assert filled.search_text("100%") and filled.search_text("100%")[0].speaker == "Viktor Halych"
    assert filled.search_text("1_0") == []  # LIKE wildcards are escaped
    assert filled.search_text("   ") == []
    newest_first = filled.search_text("talks")
    assert newest_first[0].published >= newest_first[-1].published  # type: ignore[operator]
    assert len(filled.search_text("the", n=2)) == 2


def test_embeddings_for_semantic_search(filled: Store) -> None:
    stored = filled.latest_briefs(1)[0]
    vecs = np.random.default_rng(7).random((len(stored.quote_ids), 384), dtype=np.float32)
    filled.set_embeddings("quote", stored.quote_ids, vecs)
    ids, matrix = filled.embeddings("quote")
    assert ids == stored.quote_ids and matrix.dtype == np.float32 and np.array_equal(matrix, vecs)
    hits = filled.hits_by_ids("quote", list(reversed(ids)))
    assert [h.id for h in hits] == list(reversed(ids)) and hits[0].speaker == "a Ukrainian delegation member"
    assert filled.embeddings("claim") == ([], pytest.approx(np.zeros((0, 0))))
    assert filled.hits_by_ids("claim", []) == []


def test_briefs_between_for_a_digest(filled: Store) -> None:
    day = filled.briefs_between(T0, T0 + timedelta(hours=2))
    assert [b.brief.title for b in day] == [ARTICLES[0].title, ARTICLES[1].title]
    everything = filled.briefs_between(T0, T0 + timedelta(days=1))
    assert len(everything) == 4
    discord = filled.briefs_between(T0, T0 + timedelta(days=1), channel=("discord", "4455"))
    assert [b.brief.title for b in discord] == [ARTICLES[0].title, ARTICLES[3].title]
    assert len(filled.briefs_between(T0, T0 + timedelta(days=1), channel=("slack", "C0TALKS"))) == 4
    assert filled.briefs_between(T0 + timedelta(days=2), T0 + timedelta(days=3)) == []


def test_non_ascii_speaker_and_text_round_trip(store: Store) -> None:
    row, _ = store.upsert_article("guid:kyiv-1", title="Київ: переговори", published=T0)
    quote = Quote(text="Ми готові говорити", speaker="Oleksandr Zhytomyrsky", speaker_key=speaker_key("Zhytomyrsky"),
                  role=None, cue="сказав", method="pattern", confidence=0.7)
    brief_id = store.save_brief(row.id, Brief(title="Київ", claims=[Claim("Сторони зустрілися.", 0)],
                                              quotes=[quote]))
    stored = store.get_brief(brief_id)
    assert stored is not None and stored.brief.quotes == [quote]
    assert [h.text for h in store.search_text("готові")] == ["Ми готові говорити"]
