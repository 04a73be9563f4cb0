"""A story's title: wire tags and outlet suffixes removed, the cleanest central headline chosen."""

from __future__ import annotations

import numpy as np

from bot.stories.title import best_title, clean_headline


def test_clean_headline_drops_tags_and_outlet() -> None:
    assert clean_headline("UPDATE 2-Kremlin says some U.S. proposals acceptable") == (
        "Kremlin says some U.S. proposals acceptable")
    assert clean_headline("LIVE: Massive overnight attack on Ukraine's energy system") == (
        "Massive overnight attack on Ukraine's energy system")
    assert clean_headline("Zelensky: territory question would go to a referendum | Meridian Times") == (
        "Zelensky: territory question would go to a referendum")
    assert clean_headline("Putin hosts envoys") == "Putin hosts envoys"


def test_best_title_prefers_plain_sentence_case_headlines() -> None:
    titles = ["PUTIN'S WARNING TO EUROPE: Your troops will be targets",
              "Is Putin serious about European troops?",
              "Putin says Russia will reach its goals by diplomacy or by force, rejects European troops"]
    assert best_title(titles) == titles[2]


def test_best_title_prefers_the_central_headline_and_skips_empty_ones() -> None:
    titles = [None, "Ukraine and Russia swap prisoners in UAE-brokered exchange",
              "Prisoner swap: mothers wait at the border for sons held since Mariupol"]
    vectors = np.array([[1.0, 0.0], [0.9, 0.1], [0.1, 0.9]], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    assert best_title(titles, vectors) == titles[1]
    assert best_title([None, " "]) is None


def test_headlines_equal_within_float_noise_tie_to_the_earliest() -> None:
    a = np.array([1.0, 0.0], dtype=np.float32)
    b = np.array([0.6, 0.8], dtype=np.float32)
    later_wins_by_noise = np.stack([a, b + np.float32(1e-7)])
    titles = ["Umerov says the Abu Dhabi round narrowed the gaps", "Kremlin says no date is set for a summit"]
    assert best_title(titles, later_wins_by_noise) == titles[0]
    assert best_title(titles[::-1], later_wins_by_noise[::-1]) == titles[1]
