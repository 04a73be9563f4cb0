"""The stories evaluation set is well-formed, and bench/stories.py scores clusterings as B-cubed defines."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bench.stories import bcubed, load_index
from stories_samples import SET_DIR


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
