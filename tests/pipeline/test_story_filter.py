"""Story filter with the real MiniLM encoder, on fictional on-story, off-story and borderline articles."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bot.brief.models import Encoder, get_encoder  # noqa: E402
from bot.pipeline.story_filter import DEFAULT_THRESHOLD, StoryFilter, StorySpec  # noqa: E402

STORY = Path(__file__).resolve().parents[1] / "fixtures" / "story"
TALKS = (
    "US-brokered peace talks to end the Russia-Ukraine war: negotiations between American, Ukrainian and "
    "Russian envoys on a peace plan, ceasefire, territory and security guarantees."
)


def _load(prefix: str) -> dict[str, tuple[str, str]]:
    out = {}
    for path in sorted(STORY.glob(f"{prefix}-*.txt")):
        title, _, body = path.read_text(encoding="utf-8").partition("\n")
        out[path.stem] = (title.strip(), body.strip())
    assert out, f"no {prefix}-* fixtures"
    return out


class CountingEncoder:
    """The real encoder, counting how many encode() calls and texts go through it."""

    def __init__(self, inner: Encoder) -> None:
        self.inner = inner
        self.calls: list[int] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls.append(len(texts))
        return self.inner.encode(texts)


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return get_encoder()


@pytest.fixture(scope="module")
def semantic(encoder: Encoder) -> StoryFilter:
    return StoryFilter(StorySpec(TALKS, require="semantic"), encoder)


def test_spec_validates_and_normalises() -> None:
    spec = StorySpec("talks", include=["Witkoff", " ", "ceasefire "], exclude="football")  # type: ignore[arg-type]
    assert spec.include == ("Witkoff", "ceasefire") and spec.exclude == ("football",)
    with pytest.raises(ValueError, match="require"):
        StorySpec("talks", require="either")
    with pytest.raises(ValueError, match="needs include"):
        StorySpec("talks", require="keyword")
    with pytest.raises(ValueError, match="needs a story description"):
        StorySpec("  ", include=("x",), require="semantic")
    with pytest.raises(ValueError, match="needs a description or include"):
        StorySpec("  ")
    with pytest.raises(ValueError, match="bad regex"):
        StorySpec("talks", include_regex=("peace (talks",))
    with pytest.raises(ValueError, match="threshold"):
        StorySpec("talks", threshold=1.5)
    assert StorySpec("", include=("x",), require="keyword").description == ""
    assert StorySpec("", include=("x",)).require == "any"


def test_default_threshold_separates_on_and_off_story(semantic: StoryFilter) -> None:
    on, off = _load("on"), _load("off")
    on_scores = dict(zip(on, (d.score for d in semantic.decide_many(list(on.values())))))
    off_decisions = dict(zip(off, semantic.decide_many(list(off.values()))))
    assert semantic.spec.threshold == DEFAULT_THRESHOLD == 0.35
    low = min(on_scores, key=on_scores.__getitem__)
    high = max(off_decisions, key=lambda k: off_decisions[k].score)
    assert on_scores[low] >= DEFAULT_THRESHOLD + 0.05, (low, on_scores[low])
    assert off_decisions[high].score <= DEFAULT_THRESHOLD - 0.08, (high, off_decisions[high].score)
    assert not any(d.keep for d in off_decisions.values())
    assert all(d.reason.startswith("dropped: similarity") for d in off_decisions.values())


def test_related_but_not_talks_stories_are_dropped_and_gaza_envoys_kept(semantic: StoryFilter) -> None:
    edge = _load("edge")
    decisions = dict(zip(edge, semantic.decide_many(list(edge.values()))))
    for name in ("edge-energy-gas-prices", "edge-russia-central-bank", "edge-frontline-report"):
        assert not decisions[name].keep, (name, decisions[name].reason)
    # Documented limitation: the same envoys on another ceasefire read as on-story to MiniLM.
    assert decisions["edge-gaza-witkoff"].keep


def test_best_paragraph_counts_when_the_lead_is_off_story(semantic: StoryFilter) -> None:
    title = "Storm Brigid batters coast as ferries cancelled"
    lead = [
        "GALWAY, Dec 5 - Gusts of up to 130 km/h brought down trees and power lines along the western coast.",
        "Schools in three counties were closed on Friday and ferry services to the islands were cancelled.",
        "Forecasters said the worst of the wind had passed but warned of river flooding over the weekend.",
    ]
    talks = (
        "Separately, U.S. envoy Steve Witkoff said negotiators from Washington, Kyiv and Moscow would meet "
        "again next week to work on the peace plan and security guarantees for Ukraine."
    )
    without = semantic.similarity(title, "\n".join(lead))
    with_talks = semantic.similarity(title, "\n".join([*lead, talks]))
    assert without < DEFAULT_THRESHOLD <= with_talks


def test_keywords_whole_words_phrases_and_spelling_variants(encoder: Encoder) -> None:
    flt = StoryFilter(StorySpec(TALKS, include=("Zelensky", "peace talks", "Київ", "war"), require="keyword"), encoder)
    variants = ["Zelenskyy", "Zelenskiy", "ZELENSKY", "Zelenskyy\u2019s", "Zelensky-led"]
    for spelled in variants:
        d = flt.decide(None, f"The office of President {spelled} said nothing.")
        assert d.keep and d.matched == ("Zelensky",), (spelled, d.reason)
    assert "(as 'Zelenskyy')" in flt.decide(None, "Zelenskyy spoke.").reason
    assert flt.decide(None, "The Peace-Talks resumed.\nPeace\ntalks again.").reason.count("(2x)") == 1
    assert flt.decide(None, "Делегація прибула до Київ, кажуть.").matched == ("Київ",)
    for text in ["Zelenskyite voters", "A warm warning", "Київщина", "peace talking points"]:
        d = flt.decide(None, text)
        assert not d.keep and d.matched == (), (text, d.reason)
    assert d.reason.startswith("dropped: no keyword match (require=keyword); similarity")


def test_where_a_keyword_matched_is_in_the_reason(encoder: Encoder) -> None:
    flt = StoryFilter(StorySpec(TALKS, include=("ceasefire", "Witkoff"), include_regex=(r"\bgeneva\b",)), encoder)
    d = flt.decide("Ceasefire talks resume", "Witkoff met envoys. Mr Witkoff left Geneva. A ceasefire was discussed.")
    assert d.keep and d.matched == ("ceasefire", "Witkoff", r"\bgeneva\b")
    assert d.reason.startswith("kept: keyword 'ceasefire' in title and body (2x), keyword 'Witkoff' in body (2x), "
                               r"regex /\bgeneva\b/ in body; similarity ")


def test_any_mode_keeps_keyword_only_and_similarity_only(encoder: Encoder) -> None:
    flt = StoryFilter(StorySpec(TALKS, include=("Witkoff",)), encoder)
    recipe = "Roast the chicken at 200C for an hour. Steve Witkoff's favourite, the chef says, served with potatoes."
    by_word = flt.decide("Sunday roast", recipe)
    assert by_word.keep and by_word.score < DEFAULT_THRESHOLD
    assert by_word.reason.startswith("kept: keyword 'Witkoff' in body; similarity") and " < 0.35" in by_word.reason
    by_meaning = flt.decide("Negotiators meet", "Envoys from Washington, Kyiv and Moscow discussed a plan to end the war.")
    assert by_meaning.keep and by_meaning.reason.endswith(">= 0.35; no keyword")
    dropped = flt.decide("Sunday roast", "Roast the chicken at 200C for an hour and serve it with potatoes.")
    assert not dropped.keep and dropped.reason.endswith("< 0.35 and no keyword")


def test_semantic_mode_ignores_keywords_and_excludes_always_drop(encoder: Encoder) -> None:
    sem = StoryFilter(StorySpec(TALKS, include=("Witkoff",), require="semantic"), encoder)
    d = sem.decide("Sunday roast", "Roast the chicken at 200C for an hour, Steve Witkoff's favourite dish.")
    assert not d.keep and "(require=semantic); keyword 'Witkoff' in body" in d.reason
    on_title, on_body = _load("on")["on-witkoff-kushner-moscow"]
    excl = StoryFilter(StorySpec(TALKS, include=("Witkoff",), exclude_regex=(r"kushner",)), encoder)
    d = excl.decide(on_title, on_body)
    assert not d.keep and d.score > 0.5 and d.matched == ("kushner",)
    assert d.reason == "dropped: exclude regex /kushner/ in title and body (2x)"
    kw = StoryFilter(StorySpec(TALKS, exclude=("Ushakov",)), encoder).decide(on_title, on_body)
    assert kw.reason == "dropped: exclude keyword 'Ushakov' in body (2x)"
    odd = StoryFilter(StorySpec(TALKS, exclude_regex=(r"keyword|Kremlin",)), encoder).decide(on_title, on_body)
    assert odd.reason == "dropped: exclude regex /keyword|Kremlin/ in body"


def test_decide_many_batches_per_article_and_matches_decide(encoder: Encoder) -> None:
    counting = CountingEncoder(encoder)
    flt = StoryFilter(StorySpec(TALKS, include=("Peskov",)), counting)
    assert counting.calls == [1]  # the description, once
    items = [*_load("on").values()][:3] + [*_load("off").values()][:3] + [(None, ""), ("Only a title", "")]
    batch = flt.decide_many(items)
    assert len(counting.calls) == 1 + 7 and all(n >= 2 for n in counting.calls[1:7]) and counting.calls[7] == 1
    single = [flt.decide(t, b) for t, b in reversed(items)][::-1]
    assert [d.keep for d in batch] == [d.keep for d in single] == [True] * 3 + [False] * 5
    assert [d.reason for d in batch] == [d.reason for d in single]
    assert [d.score for d in batch] == [d.score for d in single]
    assert batch[6].reason == "dropped: empty article (no title or text)" and batch[6].score == 0.0


def test_every_decision_is_logged_at_info(semantic: StoryFilter, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="bot.pipeline.filter"):
        decisions = semantic.decide_many([("Ceasefire talks resume in Geneva", "Envoys met."), ("Roast chicken", "")])
    records = [r for r in caplog.records if r.name == "bot.pipeline.filter"]
    assert [r.levelno for r in records] == [logging.INFO, logging.INFO]
    assert [r.getMessage() for r in records] == [
        f"'Ceasefire talks resume in Geneva': {decisions[0].reason}",
        f"'Roast chicken': {decisions[1].reason}",
    ]


def test_reason_shows_more_digits_when_two_would_tie(encoder: Encoder) -> None:
    text = "Envoys met in Geneva to discuss the plan."
    score = StoryFilter(StorySpec(TALKS), encoder).similarity("Talks", text)
    bar = score + 0.0004 if f"{score + 0.0004:.2f}" == f"{score:.2f}" else score - 0.0004
    decision = StoryFilter(StorySpec(TALKS, threshold=bar), encoder).decide("Talks", text)
    shown, sign, limit = decision.reason.split("similarity ")[1].split(" ")[:3]
    assert shown != limit and len(shown) >= 5 and sign == (">=" if decision.keep else "<"), decision.reason
