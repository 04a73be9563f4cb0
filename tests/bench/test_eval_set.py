"""The quote eval set is well-formed, and bench/_eval.py matches quotes as documented."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
EVAL_DIR = ROOT / "tests" / "fixtures" / "eval"
REQUIRED_TAGS = (
    "after", "before", "split", "colon", "according_to", "multi_paragraph", "missing_open", "missing_close",
    "partial", "nested", "curly", "straight", "pronoun", "description", "org_or_unnamed", "scare_quote",
    "live_blog", "social_post",
)
STYLES = {"wire", "analysis", "liveblog", "interview"}


def _load_eval() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_eval", ROOT / "bench" / "_eval.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_eval"] = module
    spec.loader.exec_module(module)
    return module


ev = _load_eval()
ITEMS = ev.load_eval_set(EVAL_DIR)
IDS = [it.name for it in ITEMS]


def _words(text: str) -> int:
    return len(re.findall(r"[\w’'-]+", text))


def test_set_size_and_formats() -> None:
    assert len(ITEMS) >= 25
    assert sum(it.is_html for it in ITEMS) >= 3
    assert {it.gold["style"] for it in ITEMS} == STYLES


def test_every_article_has_a_gold_file_and_back() -> None:
    articles = {p.name for p in EVAL_DIR.iterdir() if p.suffix in {".txt", ".html"}}
    golds = {p.stem for p in EVAL_DIR.glob("*.json")}
    assert {Path(a).stem for a in articles} == golds
    assert {it.gold["file"] for it in ITEMS} == articles
    for it in ITEMS:
        assert Path(it.gold["file"]).stem == it.name


@pytest.mark.parametrize("item", ITEMS, ids=IDS)
def test_gold_file_shape(item) -> None:
    gold = item.gold
    assert set(gold) == {"file", "title", "style", "patterns", "quotes", "key_points"}
    assert gold["style"] in STYLES
    assert gold["title"] and gold["title"] in item.raw
    assert 3 <= len(gold["key_points"]) <= 5
    assert gold["quotes"], "every article has at least one gold quote"
    assert len(set(gold["patterns"])) == len(gold["patterns"])


@pytest.mark.parametrize("item", ITEMS, ids=IDS)
def test_gold_quotes_are_verbatim_and_long_enough(item) -> None:
    for q in item.gold["quotes"]:
        assert set(q) == {"text", "speaker", "pattern"}
        assert q["text"] in item.raw, q["text"]
        assert q["text"] == q["text"].strip()
        assert _words(q["text"]) >= 4, q["text"]
        assert q["speaker"].strip() and q["speaker"].lower() in item.raw.lower(), q["speaker"]
        assert q["pattern"] in ev.QUOTE_PATTERNS
        assert q["pattern"] in item.gold["patterns"]
        assert not re.search(r"[“”\"]", q["text"]), "nested quotes use single marks"


@pytest.mark.parametrize("item", ITEMS, ids=IDS)
def test_article_tags_are_known(item) -> None:
    assert set(item.gold["patterns"]) <= set(ev.QUOTE_PATTERNS) | set(ev.ARTICLE_TAGS)


def test_every_pattern_tag_appears_in_at_least_two_articles() -> None:
    counts = Counter(t for it in ITEMS for t in it.gold["patterns"])
    missing = {t: counts[t] for t in REQUIRED_TAGS if counts[t] < 2}
    assert not missing


@pytest.mark.parametrize("item", [it for it in ITEMS if it.is_html], ids=lambda it: it.name)
def test_html_gold_quotes_survive_extraction(item) -> None:
    import trafilatura

    text = trafilatura.extract(item.raw, include_comments=False) or ""
    for q in item.gold["quotes"]:
        assert q["text"] in text, q["text"]
    assert "Copyright (c)" not in text


def test_match_exact_and_punctuation_insensitive() -> None:
    gold = [{"text": "We will not give up our land,", "speaker": "Volodymyr Zelenskyy", "pattern": "after"}]
    pred = [{"text": "we will NOT give up our land", "speaker": "Zelensky", "speaker_key": "zelenski"}]
    assert ev.match_quotes(pred, gold) == (1, 0, 0, 1)


def test_match_by_jaccard_and_by_containment() -> None:
    gold = [{"text": "The talks were useful and we will continue them next week", "speaker": "Rustem Umerov",
             "pattern": "after"}]
    close = [{"text": "The talks were useful and we will continue them", "speaker_key": "umerov"}]
    inside = [{"text": "useful and we will", "speaker_key": "umerov"}]
    far = [{"text": "The talks were long", "speaker_key": "umerov"}]
    assert ev.match_quotes(close, gold)[0] == 1
    assert ev.match_quotes(inside, gold)[0] == 1
    assert ev.match_quotes(far, gold) == (0, 1, 1, 0)


def test_match_is_one_to_one_and_greedy() -> None:
    gold = [
        {"text": "First part of what he said,", "speaker": "Marco Rubio", "pattern": "pronoun"},
        {"text": "and the second part of it.", "speaker": "Marco Rubio", "pattern": "split"},
    ]
    pred = [
        {"text": "First part of what he said", "speaker_key": "rubio"},
        {"text": "First part of what he said,", "speaker_key": "lavrov"},
        {"text": "and the second part of it", "speaker_key": "rubio"},
    ]
    tp, fp, fn, spk = ev.match_quotes(pred, gold)
    assert (tp, fp, fn) == (2, 1, 0)
    assert spk == 2


def test_speaker_uses_speaker_key_folding() -> None:
    gold = [{"text": "A ceasefire is not peace, and a line is not a border", "speaker": "a U.S. official",
             "pattern": "org_or_unnamed"}]
    from bot.brief.speakers import speaker_key

    right = [{"text": gold[0]["text"], "speaker_key": speaker_key("A U.S. official")}]
    wrong = [{"text": gold[0]["text"], "speaker_key": speaker_key("Marco Rubio")}]
    assert ev.match_quotes(right, gold)[3] == 1
    assert ev.match_quotes(wrong, gold)[3] == 0


def test_summarise_counts_per_pattern() -> None:
    item = ITEMS[0]
    gold = item.gold["quotes"]
    perfect = [{"text": q["text"], "speaker": q["speaker"], "speaker_key": None} for q in gold]
    score = ev.score_article(item.name, perfect, gold)
    summary = ev.summarise([item], [score])
    assert summary["overall"]["f1"] == 1.0
    assert summary["overall"]["speaker_accuracy"] == 1.0
    for tag in {q["pattern"] for q in gold}:
        assert summary["patterns"][tag]["quote_recall"] == 1.0
