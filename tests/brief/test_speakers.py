"""Speaker keys fold spelling variants and partial names; different people stay apart."""

from __future__ import annotations

import pytest

from bot.brief.speakers import query_keys, same_person, speaker_key


@pytest.mark.parametrize(
    "variants",
    [
        ["Volodymyr Zelenskyy", "Zelensky", "Zelenskiy", "President Zelenskyy", "Volodymyr Zelensky"],
        ["Yuri Ushakov", "Yury Ushakov", "Ushakov"],
        ["Sergey Lavrov", "Sergei Lavrov", "Lavrov"],
        ["Andriy Yermak", "Andrii Yermak", "Yermak"],
        ["Kirill Dmitriev", "Dmitriyev"],
        ["Ursula von der Leyen", "von der Leyen", "Von der Leyen"],
        ["Donald Trump", "Donald J. Trump", "Trump", "President Trump"],
    ],
)
def test_variants_share_one_key(variants):
    keys = {speaker_key(v) for v in variants}
    assert len(keys) == 1, keys


@pytest.mark.parametrize("a,b", [("Zelensky", "Peskov"), ("Sergey Lavrov", "Sergey Ryabkov"), ("Macron", "Merz")])
def test_different_people_have_different_keys(a, b):
    assert speaker_key(a) != speaker_key(b)


def test_groups_and_unnamed_sources_keep_their_words():
    assert speaker_key("a U.S. official") == speaker_key("a US official")
    assert speaker_key("the Kremlin") == "kremlin"
    assert speaker_key("European leaders") != speaker_key("European officials")


def test_same_person_needs_matching_first_names_when_both_given():
    assert same_person("Yuri Ushakov", "Yury Ushakov")
    assert same_person("Ushakov", "Yury Ushakov")
    assert not same_person("Donald Trump", "Melania Trump")


def test_query_keys_cover_full_and_partial_names():
    assert speaker_key("Zelenskiy") in query_keys("Volodymyr Zelensky")
    assert query_keys("Zelensky") == [speaker_key("Zelenskyy")]
