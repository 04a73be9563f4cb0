"""Clustering with the real MiniLM and spaCy: same event joins across outlets; near misses stay apart."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import numpy as np
import pytest

from bot.config.sections import StoriesSettings
from bot.stories.cluster import Clusterer, Member, StoryView, match_story
from bot.stories.features import (
    Signal,
    article_signal,
    containment,
    entity_keys,
    lead_of,
    shingles,
    strip_dateline,
)
from stories_samples import read_article

DEFAULTS = StoriesSettings()


@pytest.fixture(scope="module")
def briefer() -> Any:
    from bot.brief.engine import Briefer

    return Briefer()


def _signal(name: str, encoder: Any, nlp: Any, shift: timedelta = timedelta(0)) -> Signal:
    """An article's signal from its title and body alone (no claims)."""
    title, body, when = read_article(name)
    return article_signal(title, body, [], when + shift, encoder=encoder, nlp=nlp)


def _briefed(name: str, briefer: Any) -> Signal:
    """An article's signal as the pipeline computes it: with the key claims of its brief."""
    title, body, when = read_article(name)
    claims = [c.text for c in briefer.brief_articles([briefer.prepare_text(body, title)])[0].claims]
    return article_signal(title, body, claims, when, encoder=briefer.encoder, nlp=briefer.nlp)


def _clustered(names: list[str], briefer: Any, settings: StoriesSettings = DEFAULTS) -> list[int]:
    clusterer = Clusterer(settings)
    return [clusterer.add(n, _briefed(name, briefer))[0] for n, name in enumerate(names)]


def test_lead_skips_bylines_outlet_lines_datelines_and_live_blog_times() -> None:
    body = ("By Jane Roe\n\nKYIV, March 3 (Northwire) - Russia and Ukraine swapped prisoners. More followed.\n\n"
            "See also: Zelensky meets European leaders in Berlin\n\nThe exchange was mediated by the UAE, officials said.")
    assert lead_of(body) == ("Russia and Ukraine swapped prisoners. More followed. "
                             "The exchange was mediated by the UAE, officials said.")
    live = "Kyiv Dispatch\n07:30 GMT - Ukrenergo says emergency outages hit five regions after the attack."
    assert lead_of(live) == "Ukrenergo says emergency outages hit five regions after the attack."
    assert lead_of("Talks resume.") == "Talks resume."
    assert lead_of("One. " * 300, max_chars=40) == "One. One. One. One. One. One. One. One."
    assert strip_dateline("Berlin - German Chancellor Friedrich Merz hosted the talks.") == (
        "German Chancellor Friedrich Merz hosted the talks.")


def test_entity_keys_fold_spellings_titles_and_lists(nlp: Any) -> None:
    a = entity_keys([nlp("President Volodymyr Zelenskyy met Steve Witkoff in Kyiv.")])
    b = entity_keys([nlp("Zelensky and Witkoff spoke by phone.")])
    assert {"zelenski", "vitkof"} <= a & b
    c = entity_keys([nlp("Russia pounds Ukraine's power grid with drones, missiles; blackouts in Kharkiv, Odesa")])
    assert {"harkiv", "odesa"} <= c


def test_title_case_headlines_leave_entities_to_the_body(encoder: Any, nlp: Any) -> None:
    body = "The Kremlin said on Monday that talks with the U.S. envoys had brought no agreement on territory."
    shouted = article_signal("Kremlin Says 'No Compromise Yet' on Territory", body, [], _when(), encoder=encoder,
                             nlp=nlp)
    plain = article_signal("Kremlin says there is no compromise on territory with Miami envoys", body, [], _when(),
                           encoder=encoder, nlp=nlp)
    assert "kremlin" in shouted.entities and not any(e.startswith("kremlinsa") for e in shouted.entities)
    assert "miami" in plain.entities  # a sentence-case headline is read for names


def test_outlet_tags_and_datelines_do_not_move_the_vector(encoder: Any, nlp: Any) -> None:
    title, body, when = read_article("e3-mt")
    clean = article_signal(title.split(" | ")[0], body.replace("With Northwire", "").replace("Kyiv - ", ""), [],
                           when, encoder=encoder, nlp=nlp)
    assert float(clean.vector @ _signal("e3-mt", encoder, nlp).vector) > 0.99


def test_wire_copy_and_rewrites_join_one_story(briefer: Any) -> None:
    first, copy, rewrite, tabloid = _clustered(["e1-nw-1", "e1-mt", "e1-dl", "e1-ep"], briefer)
    assert first == copy == rewrite == tabloid


def test_human_interest_piece_joins_through_shared_event_names(briefer: Any) -> None:
    # The mothers at the border share little wording with the wire stories but name their places and people.
    stories = _clustered(["e3-nw", "e3-kd", "e3-mt", "e3-ep"], briefer)
    assert len(set(stories)) == 1


def test_same_day_other_subject_and_same_people_other_day_start_new_stories(briefer: Any) -> None:
    moscow, berlin, putin = _clustered(["e1-nw-1", "e2-nw", "e9-nw"], briefer)
    assert len({moscow, berlin, putin}) == 3  # Berlin the same day; Putin again, two days later


@pytest.mark.parametrize(("first", "second"), [
    ("e5-nw", "e11-nw"),  # Witkoff and Umerov in Miami, then 30 h later in Geneva
    ("e4-nw", "e10-nw"),  # drones on Odesa's power grid, then on its port two days later
    ("e12-nw", "e11-nw"),  # Umerov on a prisoner exchange, then the Geneva talks he left for, the same morning
])
def test_near_misses_start_their_own_story(first: str, second: str, briefer: Any) -> None:
    a, b = _clustered([first, second], briefer)
    assert a != b


def test_a_follow_up_the_next_morning_joins_its_story(briefer: Any) -> None:
    stories = _clustered(["e8-nw", "e8-mt", "e8-dl", "e8-cr-2"], briefer)
    assert len(set(stories)) == 1


def test_the_window_splits_the_same_words_days_apart(encoder: Any, nlp: Any) -> None:
    clusterer = Clusterer(StoriesSettings(window_hours=48))
    clusterer.add(1, _signal("e1-nw-1", encoder, nlp))
    _, created = clusterer.add(2, _signal("e1-mt", encoder, nlp, shift=timedelta(hours=72)))
    assert created


def _when() -> Any:
    return read_article("e1-nw-1")[2]


def _sig(vector: list[float], entities: set[str], hours: float = 0) -> Signal:
    v = np.asarray(vector, dtype=np.float32)
    return Signal(v / np.linalg.norm(v), frozenset(entities), _when() + timedelta(hours=hours))


def _at_cosine(cos: float) -> list[float]:
    return [cos, float(np.sqrt(1 - cos * cos))]


def test_close_joins_on_meaning_alone_medium_needs_shared_key_entities() -> None:
    story = StoryView(7, [Member(1, _sig([1, 0], {"putin", "vitkof"}))])
    assert match_story(_sig(_at_cosine(0.9), set()), [story], DEFAULTS).story_id == 7  # type: ignore[union-attr]
    medium_shared = match_story(_sig(_at_cosine(0.6), {"vitkof"}), [story], DEFAULTS)
    assert medium_shared is not None and medium_shared.shared == {"vitkof"} and medium_shared.weight == 1.0
    assert match_story(_sig(_at_cosine(0.6), {"macron"}), [story], DEFAULTS) is None
    assert match_story(_sig(_at_cosine(0.6), {"macron"}), [story], StoriesSettings(min_shared_entities=0))
    assert match_story(_sig(_at_cosine(0.4), {"putin", "vitkof"}), [story], DEFAULTS) is None


def test_similarity_decays_with_the_time_since_the_story_was_reported() -> None:
    story = StoryView(3, [Member(1, _sig([1, 0], {"grosi"}))])
    close = _at_cosine(0.7)
    assert match_story(_sig(close, {"grosi"}, hours=2), [story], DEFAULTS) is not None
    late = match_story(_sig(close, {"grosi"}, hours=36), [story], DEFAULTS)  # 0.7 - 1.5 days * 0.2 = 0.4
    assert late is None
    kept = match_story(_sig(close, {"grosi"}, hours=36), [story], StoriesSettings(decay_per_day=0))
    assert kept is not None and kept.similarity == pytest.approx(0.7, abs=1e-6)
    # a story still being reported stays open: the nearest article in time counts
    story.members.append(Member(2, _sig([1, 0], {"grosi"}, hours=30)))
    assert match_story(_sig(close, {"grosi"}, hours=36), [story], DEFAULTS) is not None


def test_entities_named_by_every_candidate_story_weigh_little() -> None:
    stories = [StoryView(i, [Member(i, _sig([1, i * 0.01], {"ukraine", f"own{i}"}))]) for i in range(1, 5)]
    article = _sig(_at_cosine(0.6), {"ukraine"})
    assert match_story(article, stories, DEFAULTS) is None  # "ukraine" is in all 4 stories: weight 1/4
    match = match_story(_sig(_at_cosine(0.6), {"ukraine", "own2"}), stories, DEFAULTS)
    assert match is not None and match.story_id == 2 and match.shared == {"ukraine", "own2"}
    assert match.weight == pytest.approx(1.25)


def test_a_full_name_tagged_as_an_organisation_matches_the_surname_once() -> None:
    story = StoryView(5, [Member(1, _sig([1, 0], {"umerov"})), Member(2, _sig([1, 0.1], {"geneva"}))])
    other = StoryView(6, [Member(3, _sig([-1, 0], {"kremlin"}))])
    match = match_story(_sig(_at_cosine(0.6), {"rustemumerov"}), [story, other], DEFAULTS)
    assert match is not None and match.story_id == 5 and match.weight == 1.0
    twice = match_story(_sig(_at_cosine(0.6), {"geneva", "lakegeneva"}), [story, other], DEFAULTS)
    assert twice is not None and twice.weight == 1.0  # one place, not two
    assert match_story(_sig(_at_cosine(0.6), {"ov"}), [story, other], DEFAULTS) is None  # too short to match


def test_the_most_similar_qualifying_story_wins() -> None:
    a = StoryView(1, [Member(1, _sig([1, 0, 0], {"miami"}))])
    b = StoryView(2, [Member(2, _sig([0, 1, 0], {"miami"}))])
    both = StoriesSettings(min_shared_entities=0)
    assert match_story(_sig([0.6, 0.8, 0], {"miami"}), [a], both) is not None
    match = match_story(_sig([0.6, 0.8, 0], {"miami"}), [a, b], both)
    assert match is not None and match.story_id == 2


@pytest.mark.parametrize("settings", [StoriesSettings(similarity=1.0, close_similarity=1.0)])
def test_nothing_is_similar_enough_at_similarity_one(settings: StoriesSettings, encoder: Any, nlp: Any) -> None:
    clusterer = Clusterer(settings)
    clusterer.add(1, _signal("e3-nw", encoder, nlp))
    assert clusterer.add(2, _signal("e3-mt", encoder, nlp))[1]


_WIRE = ("Negotiators from both sides met for nine hours in a hotel on the edge of the city and agreed that a "
         "monitoring mission would report to a joint commission, two officials said, while the question of who "
         "would staff it was left to the next round. Observers would patrol a strip of ten kilometres on each "
         "side of the line, according to a draft seen by reporters, and report violations within a day.")


def test_passages_are_shared_by_a_reprint_not_by_another_story() -> None:
    reprint = "Local readers with family at the front will follow the talks closely. " + _WIRE
    other = ("A drone struck a grain terminal overnight, the regional governor said, and firefighters worked "
             "until dawn to contain the blaze while the port authority suspended loading for the day.")
    assert containment(shingles(_WIRE), shingles(reprint)) == 1.0
    assert containment(shingles(_WIRE.upper()), shingles(_WIRE)) == 1.0  # case and accents do not matter
    assert containment(shingles(other), shingles(_WIRE)) == 0.0
    assert containment(frozenset(), shingles(_WIRE)) == 0.0


def test_a_reprint_joins_its_story_whatever_its_vector_and_entities() -> None:
    """Wire copy run again under a new local intro: its vector leans on the new lead, its passages give it away."""
    story = StoryView(1, [Member(1, replace(_sig([1, 0, 0], {"umerov"}), passages=shingles(_WIRE)))])
    reprint = replace(_sig([0, 1, 0], set(), hours=6), passages=shingles("A new local intro. " + _WIRE))
    assert match_story(reprint, [story], DEFAULTS) is not None
    unrelated = replace(_sig([0, 1, 0], set(), hours=6), passages=shingles("Another text entirely, about grain."))
    assert match_story(unrelated, [story], DEFAULTS) is None
    assert match_story(reprint, [story], DEFAULTS.model_copy(update={"reprint_containment": 1.01})) is None
