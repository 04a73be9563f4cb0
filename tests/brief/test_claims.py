"""select_claims on small fictional articles, embedded with the real all-MiniLM-L6-v2."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bot.brief.claims import MAX_SENTENCES, select_claims
from bot.brief.models import get_encoder

# A fictional wire story: a lede, its main points, background and colour.
DAM_STORY = [
    "Engineers opened the floodgates of the Varna Ridge dam on Monday after three days of record rain pushed the "
    "reservoir to within a metre of its crest, regional officials said.",
    "About 4,000 residents of the river towns below the dam were told to leave their homes before nightfall.",
    "The regional governor said buses would carry evacuees to schools and sports halls in the hill town of Ostrel.",
    "Forecasters expect another 80 millimetres of rain by Wednesday, which could force a second, larger release.",
    "The dam was built in 1968 and was last renovated twelve years ago.",
    "A spokeswoman for the water authority said inspectors had found no cracks in the concrete wall.",
    "Farmers downstream said fields of maize and sunflowers were already under water.",
    "The national railway suspended trains on the valley line as a precaution.",
    "Local football matches scheduled for the weekend were postponed.",
    "Insurance companies said it was too early to estimate the cost of the damage.",
]

# Two sentences that say the same thing in nearly the same words, both about the article's core.
RESTATED = [
    "The city council of Harlow Bay voted on Tuesday to close the old harbour bridge to all traffic from next month.",
    "On Tuesday the Harlow Bay city council voted to close the old harbour bridge to all traffic starting next month.",
    "Engineers told the council that rust had eaten through two of the bridge's main steel cables.",
    "Drivers will have to use the ring road, which adds about fifteen minutes to a trip across the bay.",
    "Shop owners on the harbour front fear the closure will keep customers away during the summer season.",
    "A replacement bridge is not expected to open before 2031, the council said.",
    "The mayor said the town would ask the national government for emergency funding.",
    "Ferry operators said they would add extra crossings during the morning and evening rush hours.",
]


@pytest.fixture(scope="module")
def encode():
    encoder = get_encoder()
    return encoder.encode


def _indices(claims) -> list[int]:
    return [c.sentence for c in claims]


def test_claims_keep_article_order_text_and_index(encode) -> None:
    claims = select_claims(DAM_STORY, encode(DAM_STORY))
    idx = _indices(claims)
    assert 3 <= len(claims) <= 5
    assert idx == sorted(idx) and len(set(idx)) == len(idx)
    for claim in claims:
        assert claim.text == DAM_STORY[claim.sentence]


def test_lede_and_main_points_beat_colour(encode) -> None:
    idx = _indices(select_claims(DAM_STORY, encode(DAM_STORY)))
    assert 0 in idx  # the lede carries the story
    assert 1 in idx  # the evacuation is a main point
    assert 8 not in idx  # postponed football matches are colour


def test_near_identical_sentences_are_not_both_picked(encode) -> None:
    vecs = encode(RESTATED)
    assert float(vecs[0] @ vecs[1]) > 0.9  # the fixture really is a restatement
    idx = _indices(select_claims(RESTATED, vecs))
    assert len(idx) >= 3
    assert not (0 in idx and 1 in idx)
    assert 0 in idx or 1 in idx  # but the point itself is made once


def test_ineligible_sentences_are_never_picked(encode) -> None:
    vecs = encode(DAM_STORY)
    free = select_claims(DAM_STORY, vecs)
    banned = {c.sentence for c in free}
    eligible = [i not in banned for i in range(len(DAM_STORY))]
    idx = _indices(select_claims(DAM_STORY, vecs, eligible=eligible))
    assert len(idx) >= 3
    assert banned.isdisjoint(idx)


def test_fewer_eligible_than_k_min_returns_only_those(encode) -> None:
    vecs = encode(DAM_STORY)
    eligible = [i in (2, 6) for i in range(len(DAM_STORY))]
    assert _indices(select_claims(DAM_STORY, vecs, eligible=eligible)) == [2, 6]
    assert select_claims(DAM_STORY, vecs, eligible=[False] * len(DAM_STORY)) == []
    assert select_claims([], np.zeros((0, 384), dtype=np.float32)) == []


def test_k_min_is_reached_even_with_restatements_only(encode) -> None:
    sents = [
        "The harbour bridge in Harlow Bay will close to traffic next month, the council decided.",
        "The council decided that the harbour bridge in Harlow Bay will close to traffic next month.",
        "Next month the harbour bridge in Harlow Bay will close to traffic, after a council decision.",
    ]
    assert len(select_claims(sents, encode(sents))) == 3


def test_claim_count_follows_article_length_within_bounds(encode) -> None:
    vecs = encode(DAM_STORY)
    assert len(select_claims(DAM_STORY, vecs)) == 3  # 10 candidate sentences: a short article
    assert len(select_claims(DAM_STORY, vecs, k_min=4, k_max=4)) == 4
    assert len(select_claims(DAM_STORY, vecs, k_min=1, k_max=2)) == 2
    long = DAM_STORY + RESTATED + [s.replace("dam", "reservoir wall") for s in DAM_STORY]
    claims = select_claims(long, encode(long))
    assert 4 <= len(claims) <= 5


def test_only_the_first_max_sentences_are_considered(encode) -> None:
    filler = [f"Item {i} of the council agenda concerned parking permits on Mill Street." for i in range(MAX_SENTENCES)]
    sents = filler + DAM_STORY
    vecs = encode(sents)
    claims = select_claims(sents, vecs)
    assert claims and all(c.sentence < MAX_SENTENCES for c in claims)


def test_mismatched_inputs_are_rejected(encode) -> None:
    vecs = encode(DAM_STORY[:3])
    with pytest.raises(ValueError):
        select_claims(DAM_STORY, vecs)
    with pytest.raises(ValueError):
        select_claims(DAM_STORY[:3], vecs, eligible=[True])
    with pytest.raises(ValueError):
        select_claims(DAM_STORY[:3], vecs, k_min=4, k_max=3)
