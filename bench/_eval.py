"""Shared loader, quote matcher and scorer for the brief-engine benchmarks (tests/fixtures/eval)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EVAL_DIR = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "eval"
MIN_JACCARD = 0.6
QUOTE_PATTERNS = (
    "after", "before", "split", "colon", "according_to", "multi_paragraph", "missing_open", "missing_close",
    "partial", "nested", "pronoun", "description", "org_or_unnamed", "social_post", "live_blog", "continuation",
)
ARTICLE_TAGS = ("curly", "straight", "scare_quote")

_MARKS = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "‚": "'", "—": " ", "–": " "})
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")


@dataclass(frozen=True)
class EvalItem:
    """One article of the eval set and its gold annotation."""

    name: str
    path: Path
    raw: str
    gold: dict[str, Any]

    @property
    def is_html(self) -> bool:
        return self.path.suffix == ".html"


@dataclass
class ArticleScore:
    """How one system's quotes for one article compare with the gold quotes."""

    name: str
    gold: list[dict[str, Any]]
    pred: list[dict[str, Any]]
    pairs: list[tuple[int, int]] = field(default_factory=list)  # (pred index, gold index)
    speaker_ok: list[bool] = field(default_factory=list)  # parallel to pairs

    @property
    def false_positives(self) -> list[dict[str, Any]]:
        used = {p for p, _ in self.pairs}
        return [q for i, q in enumerate(self.pred) if i not in used]

    @property
    def false_negatives(self) -> list[dict[str, Any]]:
        used = {g for _, g in self.pairs}
        return [q for i, q in enumerate(self.gold) if i not in used]


def load_eval_set(root: Path | None = None) -> list[EvalItem]:
    """Every article (.txt or .html) in `root` paired with its gold .json, sorted by name."""
    root = root or EVAL_DIR
    items = []
    for gold_path in sorted(root.glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        path = root / gold["file"]
        items.append(EvalItem(gold_path.stem, path, path.read_text(encoding="utf-8"), gold))
    return items


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens with quote marks, dashes and other punctuation dropped."""
    return _TOKEN.findall(text.translate(_MARKS).lower())


def similarity(a: str, b: str) -> float | None:
    """Token Jaccard of two quote texts when they match (Jaccard >= 0.6 or containment), else None."""
    ta, tb = tokens(a), tokens(b)
    if not ta or not tb:
        return None
    sa, sb = set(ta), set(tb)
    jaccard = len(sa & sb) / len(sa | sb)
    if jaccard >= MIN_JACCARD:
        return jaccard
    na, nb = f" {' '.join(ta)} ", f" {' '.join(tb)} "
    return jaccard if (na in nb or nb in na) else None


def align_quotes(pred: list[dict[str, Any]], gold: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """One-to-one greedy pairing (pred index, gold index), most similar pairs first."""
    candidates = []
    for i, p in enumerate(pred):
        for j, g in enumerate(gold):
            sim = similarity(p.get("text", ""), g["text"])
            if sim is not None:
                candidates.append((-sim, i, j))
    candidates.sort()
    used_p: set[int] = set()
    used_g: set[int] = set()
    pairs = []
    for _, i, j in candidates:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            pairs.append((i, j))
    return sorted(pairs, key=lambda pair: pair[1])


def speaker_correct(pred: dict[str, Any], gold: dict[str, Any]) -> bool:
    """True when the predicted speaker key equals the key of the gold speaker."""
    from bot.brief.speakers import speaker_key

    key = pred.get("speaker_key")
    if key is None:
        key = speaker_key(pred.get("speaker") or "")
    return bool(key) and speaker_key(gold["speaker"]) == key


def score_article(name: str, pred: list[dict[str, Any]], gold: list[dict[str, Any]]) -> ArticleScore:
    """Pair one article's predicted quotes with its gold quotes and check each pair's speaker."""
    pairs = align_quotes(pred, gold)
    ok = [speaker_correct(pred[i], gold[j]) for i, j in pairs]
    return ArticleScore(name, gold, pred, pairs, ok)


def match_quotes(pred: list[dict[str, Any]], gold: list[dict[str, Any]]) -> tuple[int, int, int, int]:
    """(true positives, false positives, false negatives, matched quotes with the right speaker)."""
    s = score_article("", pred, gold)
    tp = len(s.pairs)
    return tp, len(pred) - tp, len(gold) - tp, sum(s.speaker_ok)


def figures(tp: int, fp: int, fn: int, spk: int) -> dict[str, float | int]:
    """Precision, recall, F1 and speaker accuracy (correct speakers / matched quotes) from counts."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    acc = spk / tp if tp else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "speaker_correct": spk, "precision": round(p, 4),
            "recall": round(r, 4), "f1": round(f1, 4), "speaker_accuracy": round(acc, 4)}


def summarise(items: list[EvalItem], scores: list[ArticleScore]) -> dict[str, Any]:
    """Overall figures plus, per pattern tag, figures over its own gold quotes and over its articles."""
    def total(subset: list[ArticleScore]) -> dict[str, float | int]:
        tp = sum(len(s.pairs) for s in subset)
        fp = sum(len(s.pred) for s in subset) - tp
        fn = sum(len(s.gold) for s in subset) - tp
        return figures(tp, fp, fn, sum(sum(s.speaker_ok) for s in subset))

    by_name = {s.name: s for s in scores}
    tags = sorted({t for it in items for t in it.gold["patterns"]})
    patterns: dict[str, Any] = {}
    for tag in tags:
        arts = [by_name[it.name] for it in items if tag in it.gold["patterns"] and it.name in by_name]
        n = found = spk = 0
        for s in arts:
            hit = {g: ok for (_, g), ok in zip(s.pairs, s.speaker_ok)}
            for j, q in enumerate(s.gold):
                if q["pattern"] == tag:
                    n += 1
                    found += j in hit
                    spk += bool(hit.get(j))
        patterns[tag] = {
            "articles": len(arts),
            "gold_quotes": n,
            "quote_recall": round(found / n, 4) if n else None,
            "quote_speaker_accuracy": round(spk / found, 4) if found else None,
            "article_figures": total(arts),
        }
    return {"articles": len(scores), "gold_quotes": sum(len(s.gold) for s in scores),
            "overall": total(scores), "patterns": patterns}
