"""Novelty: the same quote from several outlets is one quote; claims repeat by meaning (real MiniLM)."""

from __future__ import annotations

from typing import Any

import numpy as np

from bot.stories.novelty import has_news, quote_words, repeated_claims, repeated_quotes, same_quote


def test_quote_words_ignore_case_marks_and_punctuation() -> None:
    assert quote_words("“There is no compromise yet,” ") == ("there", "is", "no", "compromise", "yet")


def test_same_quote_across_outlets_trimmed_and_repunctuated() -> None:
    full = "There is no compromise yet on the territorial issue, but some American proposals look acceptable to us."
    assert same_quote(full, "there is no compromise yet on the territorial issue")  # an excerpt of the full quote
    assert same_quote("Europe must be at the table, not on the menu.", "must be at the table, not on the menu")
    assert same_quote("Nuclear safety is hanging by a thread", "Nuclear safety is hanging by a thread.")


def test_different_quotes_and_short_fragments_are_not_the_same() -> None:
    assert not same_quote("We will not be intimidated.", "We will not repeat the mistakes of Minsk.")
    assert not same_quote("real progress", "The document is getting closer, and real progress was made today.")
    assert not same_quote("", "anything")


def test_repeated_quotes_points_to_the_first_seen_quote() -> None:
    seen = ["Every exchange is proof that negotiations can deliver results.", "Our people are home."]
    new = ["proof that negotiations can deliver results", "I hugged my son for the first time in two years."]
    assert repeated_quotes(new, seen) == [0, None]
    assert repeated_quotes(new, []) == [None, None]


def test_repeated_claims_by_meaning(encoder: Any) -> None:
    seen = encoder.encode([
        "Russia and Ukraine exchanged 300 prisoners of war each on Tuesday in a swap mediated by the UAE.",
        "Grid operator Ukrenergo said emergency power cuts were in place in five regions.",
    ])
    new = encoder.encode([
        "Russia and Ukraine swapped 300 prisoners of war each on Tuesday, mediated by the United Arab Emirates.",
        "The youngest freed soldier is 21 and the oldest 58, the coordination headquarters said.",
    ])
    assert repeated_claims(new, seen) == [0, None]
    assert repeated_claims(new, np.zeros((0, 384), np.float32)) == [None, None]
    assert repeated_claims(np.zeros((0, 384), np.float32), seen) == []


def test_outlets_paraphrases_repeat_other_facts_of_the_event_do_not(encoder: Any) -> None:
    seen = encoder.encode([
        ("He said a referendum could only take place during a ceasefire of at least 60 days, so that voting would "
         "be safe."),
        "The two envoys had lunch in central Moscow with Kirill Dmitriev before heading to the Kremlin.",
    ])
    new = encoder.encode([
        ("The war leader said a national referendum would be held, but only once guns had been silent for at "
         "least 60 days."),
        "Russian President Vladimir Putin met U.S. envoys Steve Witkoff and Jared Kushner in the Kremlin on Monday.",
    ])
    assert repeated_claims(new, seen) == [0, None]


def test_has_news() -> None:
    assert has_news([0, None], [])
    assert has_news([0], [None])
    assert not has_news([0, 1], [0])
    assert not has_news([], [])
