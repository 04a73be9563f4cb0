"""The stories evaluation set is well-formed, and bench/stories.py scores clusterings as B-cubed defines."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from bench.stories import EvalArticle, bcubed, cached_briefs, load_index, replay
from bot.config.sections import StoriesSettings
from bot.stories.features import Signal
from stories_samples import SET_DIR

T0 = datetime(2026, 3, 3, 9, 0, tzinfo=timezone.utc)


def test_set_has_enough_articles_outlets_events_and_days(eval_index: list[dict[str, Any]]) -> None:
    assert len(eval_index) >= 40
    assert len({i["outlet"] for i in eval_index}) >= 6
    stories = Counter(i["story"] for i in eval_index)
    assert len(stories) >= 8 and min(stories.values()) >= 2
    assert len({i["published"][:10] for i in eval_index}) >= 3
    for item in eval_index:
        path = SET_DIR / item["file"]
        assert path.is_file(), item["file"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", item["published"])
        assert len(path.read_text(encoding="utf-8").split()) >= 50


def test_every_article_file_is_indexed(eval_index: list[dict[str, Any]]) -> None:
    assert {Path(i["file"]).name for i in eval_index} == {p.name for p in (SET_DIR / "articles").glob("*.txt")}


def test_load_index_is_in_publication_order() -> None:
    times = [i["published"] for i in load_index()]
    assert times == sorted(times)


def test_bcubed_perfect_merged_and_split() -> None:
    gold = {"a": 1, "b": 1, "c": 2, "d": 2}
    assert bcubed({"a": 9, "b": 9, "c": 8, "d": 8}, gold) == (1.0, 1.0)
    p, r = bcubed({"a": 1, "b": 1, "c": 1, "d": 1}, gold)  # everything merged
    assert (p, r) == (0.5, 1.0)
    p, r = bcubed({"a": 1, "b": 2, "c": 3, "d": 4}, gold)  # everything split
    assert (p, r) == (1.0, 0.5)
    p, r = bcubed({"a": 1, "b": 1, "c": 1, "d": 2}, gold)
    assert p == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1) / 4) and r == pytest.approx((1 + 1 + 0.5 + 0.5) / 4)


def test_set_has_near_misses_within_the_window(eval_index: list[dict[str, Any]]) -> None:
    days: dict[str, set[str]] = {}
    for item in eval_index:
        days.setdefault(item["published"][:10], set()).add(item["story"])
    assert sum(len(stories) >= 2 for stories in days.values()) >= 4  # several events on one day, on most days


def _article(name: str, gold: str, vector: list[float], claims: list[list[float]], quotes: list[str],
             hours: float = 0) -> EvalArticle:
    v = np.asarray(vector, dtype=np.float32)
    signal = Signal(v / np.linalg.norm(v), frozenset({gold}), T0 + timedelta(hours=hours))
    return EvalArticle(name, "Outlet", signal.when, gold, name, signal, np.asarray(claims, dtype=np.float32), quotes)


def test_replay_posts_one_story_then_updates_with_news_and_quiet_repeats() -> None:
    articles = [
        _article("wire", "swap", [1, 0], [[1, 0, 0]], ["Our people are home."]),
        _article("copy", "swap", [1, 0.05], [[1, 0, 0]], ["our people are home"], hours=1),  # nothing new
        _article("detail", "swap", [1, 0.1], [[0, 1, 0]], [], hours=2),  # a new claim
        _article("other", "grid", [0, 1], [[0, 0, 1]], [], hours=3),
    ]
    result = replay(articles, StoriesSettings())
    assert result.kinds == {"wire": "story", "copy": "quiet", "detail": "update", "other": "story"}
    assert (result.count("story"), result.count("update"), result.count("quiet"), result.articles) == (2, 1, 1, 4)
    assert bcubed(result.assigned, {a.name: a.gold for a in articles}) == (1.0, 1.0)


class _FakeBriefer:
    """Counts how often the engine is asked to brief."""

    def __init__(self) -> None:
        self.calls = 0

    def prepare_text(self, raw: str) -> Any:
        return SimpleNamespace(title=raw.split("\n")[0], text=raw)

    def brief_articles(self, articles: list[Any]) -> list[Any]:
        self.calls += 1
        return [SimpleNamespace(claims=[SimpleNamespace(text=a.text)], quotes=[]) for a in articles]


def test_cached_briefs_are_reused_until_the_set_changes(tmp_path: Path) -> None:
    cache, briefer = tmp_path / "briefs.pkl", _FakeBriefer()
    index = [{"file": "a.txt", "story": "s"}]
    first = cached_briefs(briefer, index, ["Title\nBody."], cache)
    assert cached_briefs(briefer, index, ["Title\nBody."], cache) == first and briefer.calls == 1
    assert cached_briefs(briefer, index, ["Title\nBody changed."], cache) != first and briefer.calls == 2
    cached_briefs(briefer, index, ["Title\nBody changed."], None)
    assert briefer.calls == 3  # no cache: always briefed afresh


def test_default_settings_cluster_the_set_at_090_precision_and_recall() -> None:
    from bench.stories import prepare, score

    articles = prepare()
    precision, recall, _ = score(articles, StoriesSettings())
    assert precision >= 0.9 and recall >= 0.9
