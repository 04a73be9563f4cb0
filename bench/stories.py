"""Story clustering on the fictional evaluation set: B-cubed precision/recall and posts a channel would receive."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np

from bot.config.sections import StoriesSettings
from bot.stories.cluster import Clusterer
from bot.stories.features import Signal, article_signal
from bot.stories.novelty import has_news, repeated_claims, repeated_quotes

SET_DIR = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "stories"
SWEEP = {
    "similarity": (0.45, 0.475, 0.5, 0.525, 0.55, 0.575, 0.6, 0.65),
    "close_similarity": (0.65, 0.7, 0.75, 0.8, 0.9),
    "decay_per_day": (0.0, 0.1, 0.15, 0.2, 0.25, 0.3),
    "min_shared_entities": (0, 1, 2, 3),
    "window_hours": (24, 36, 48, 72),
}


@dataclass(frozen=True)
class EvalArticle:
    """One article of the set, briefed: its gold story, signal, claims (with vectors) and quote texts."""

    name: str
    outlet: str
    published: datetime
    gold: str
    title: str | None
    signal: Signal
    claim_vectors: np.ndarray
    quotes: list[str]


@dataclass
class Replay:
    """What clustering the set in publication order gave, and what a channel subscribed to it all would get in the
    threaded model: one top-level post per story, later articles in its thread as an update when they add a claim
    or quote, else a quiet "also reported by" line (or nothing with `quiet_updates = "none"`)."""

    assigned: dict[str, int] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)  # "story", "update" or "quiet"
    articles: int = 0

    def count(self, kind: str) -> int:
        return sum(k == kind for k in self.kinds.values())


def load_index(root: Path = SET_DIR) -> list[dict[str, Any]]:
    """The set's index entries, in publication order."""
    items = json.loads((root / "index.json").read_text(encoding="utf-8"))["articles"]
    return sorted(items, key=lambda i: (i["published"], i["file"]))


def prepare(root: Path = SET_DIR, cache: Path | None = None) -> list[EvalArticle]:
    """Brief every article with the real engine and compute its clustering signal.

    With `cache`, the engine's briefs are kept in that pickle and reused while the set is unchanged (for quick
    sweeps while changing clustering; signals are always recomputed). Without it, everything is briefed afresh.
    """
    from bot.brief.engine import Briefer

    briefer = Briefer()
    index = load_index(root)
    texts = [(root / i["file"]).read_text(encoding="utf-8") for i in index]
    briefs = cached_briefs(briefer, index, texts, cache)
    out = []
    for item, (title, text, claims, quotes) in zip(index, briefs):
        when = datetime.fromisoformat(item["published"].replace("Z", "+00:00"))
        signal = article_signal(title, text, claims, when, encoder=briefer.encoder, nlp=briefer.nlp)
        vectors = briefer.encoder.encode(claims)
        out.append(EvalArticle(Path(item["file"]).stem, item["outlet"], when, item["story"], title, signal,
                               vectors, quotes))
    return out


def cached_briefs(briefer: Any, index: list[dict[str, Any]], texts: list[str],
                   cache: Path | None) -> list[tuple[str | None, str, list[str], list[str]]]:
    key = hashlib.sha256(json.dumps([index, texts]).encode()).hexdigest()
    if cache is not None and cache.is_file():
        stored = pickle.loads(cache.read_bytes())
        if stored.get("key") == key:
            return stored["briefs"]
    raw = [briefer.prepare_text(t) for t in texts]
    briefs = [(a.title, a.text, [c.text for c in b.claims], [q.text for q in b.quotes])
              for a, b in zip(raw, briefer.brief_articles(raw))]
    if cache is not None:
        cache.write_bytes(pickle.dumps({"key": key, "briefs": briefs}))
    return briefs


def replay(articles: Sequence[EvalArticle], settings: StoriesSettings) -> Replay:
    """Cluster in publication order; sort each article into a new story, an update with news, or a quiet one."""
    clusterer = Clusterer(settings)
    seen_claims: dict[int, list[np.ndarray]] = {}
    seen_quotes: dict[int, list[str]] = {}
    result = Replay(articles=len(articles))
    for n, art in enumerate(articles):
        story, created = clusterer.add(n, art.signal)
        result.assigned[art.name] = story
        claims = seen_claims.setdefault(story, [])
        quotes = seen_quotes.setdefault(story, [])
        news = has_news(repeated_claims(art.claim_vectors, claims), repeated_quotes(art.quotes, quotes))
        result.kinds[art.name] = "story" if created else "update" if news else "quiet"
        claims.extend(art.claim_vectors)
        quotes.extend(art.quotes)
    return result


def bcubed(predicted: dict[str, Any], gold: dict[str, Any]) -> tuple[float, float]:
    """B-cubed precision and recall of a clustering (item -> cluster) against the gold one."""
    items = list(gold)
    pred_size = Counter(predicted[i] for i in items)
    gold_size = Counter(gold[i] for i in items)
    both = Counter((predicted[i], gold[i]) for i in items)
    precision = sum(both[(predicted[i], gold[i])] / pred_size[predicted[i]] for i in items) / len(items)
    recall = sum(both[(predicted[i], gold[i])] / gold_size[gold[i]] for i in items) / len(items)
    return precision, recall


def score(articles: Sequence[EvalArticle], settings: StoriesSettings) -> tuple[float, float, Replay]:
    result = replay(articles, settings)
    p, r = bcubed(result.assigned, {a.name: a.gold for a in articles})
    return p, r, result


def report(articles: Sequence[EvalArticle], settings: StoriesSettings, *, verbose: bool = False) -> tuple[float, float]:
    p, r, result = score(articles, settings)
    gold = {a.gold for a in articles}
    print(f"{_describe(settings)}\n  B-cubed precision {p:.3f} recall {r:.3f}; "
          f"{len(set(result.assigned.values()))} stories (gold {len(gold)})")
    quiet = result.count("quiet")
    posted = result.count("story") + result.count("update")
    print(f"  threaded channel: {result.articles} articles kept -> {result.count('story')} stories "
          f"(top-level posts), {result.count('update')} thread updates with news, {quiet} quiet one-liners; "
          f"{posted + quiet} messages with quiet_updates=\"one_line\", {posted} with \"none\" "
          f"(flat: {result.articles})")
    if verbose:
        for a in articles:
            print(f"  {a.published:%m-%d %H:%M}  story {result.assigned[a.name]:>2}  {result.kinds[a.name]:<6} "
                  f"gold {a.gold:<24} {a.name}")
    return p, r


def sweep(articles: Sequence[EvalArticle], settings: StoriesSettings) -> None:
    """B-cubed P/R as one setting moves at a time around `settings`, then similarity x decay_per_day."""
    print("sweep (one setting at a time, the others as given): value P/R")
    for name, values in SWEEP.items():
        cells = []
        for value in values:
            p, r, _ = score(articles, settings.model_copy(update={name: value}))
            cells.append(f"{value:g} {p:.2f}/{r:.2f}")
        print(f"  {name:<20} " + "  ".join(cells))
    sims, decays = SWEEP["similarity"], SWEEP["decay_per_day"]
    print("  similarity (rows) x decay_per_day " + " ".join(f"{d:>9g}" for d in decays))
    for sim in sims:
        cells = [score(articles, settings.model_copy(update={"similarity": sim, "decay_per_day": d}))[:2]
                 for d in decays]
        print(f"  {sim:<33g} " + " ".join(f"{p:.2f}/{r:.2f}" for p, r in cells))


def _describe(s: StoriesSettings) -> str:
    return (f"similarity={s.similarity:g} close_similarity={s.close_similarity:g} decay_per_day={s.decay_per_day:g} "
            f"min_shared_entities={s.min_shared_entities} window={s.window_hours}h")


def main(argv: list[str] | None = None) -> int:
    defaults = StoriesSettings()
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--similarity", type=float, default=defaults.similarity)
    ap.add_argument("--close-similarity", type=float, default=defaults.close_similarity)
    ap.add_argument("--decay-per-day", type=float, default=defaults.decay_per_day)
    ap.add_argument("--min-shared", type=int, default=defaults.min_shared_entities)
    ap.add_argument("--window", type=int, default=defaults.window_hours)
    ap.add_argument("--sweep", action="store_true", help="also vary each setting around the chosen ones")
    ap.add_argument("--cache", type=Path, help="keep the engine's briefs in this pickle and reuse them")
    ap.add_argument("--set-dir", type=Path, default=SET_DIR,
                    help="the evaluation set (index.json + articles/); tests/fixtures/stories_holdout was written blind")
    ap.add_argument("-v", "--verbose", action="store_true", help="print each article's story and kind of post")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    articles = prepare(args.set_dir, cache=args.cache)
    print(f"{len(articles)} articles, {len({a.outlet for a in articles})} outlets, "
          f"{len({a.gold for a in articles})} gold stories, {len({a.published.date() for a in articles})} days; "
          f"briefed in {time.perf_counter() - started:.1f}s")
    settings = StoriesSettings(similarity=args.similarity, close_similarity=args.close_similarity,
                               decay_per_day=args.decay_per_day, min_shared_entities=args.min_shared,
                               window_hours=args.window)
    if args.sweep:
        sweep(articles, settings)
    p, r = report(articles, settings, verbose=args.verbose)
    return 0 if p >= 0.9 and r >= 0.9 else 1


if __name__ == "__main__":
    sys.exit(main())
