"""Story clustering on the fictional evaluation set: B-cubed precision/recall and posts a channel would receive."""

from __future__ import annotations

import argparse
import json
import os
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
    """What clustering the set in publication order gave."""

    assigned: dict[str, int] = field(default_factory=dict)
    posts: int = 0  # first article of a story, or a later one with a new claim or quote
    quiet: int = 0  # later articles with nothing new ("also reported by" at most)
    articles: int = 0


def load_index(root: Path = SET_DIR) -> list[dict[str, Any]]:
    """The set's index entries, in publication order."""
    items = json.loads((root / "index.json").read_text(encoding="utf-8"))["articles"]
    return sorted(items, key=lambda i: (i["published"], i["file"]))


def prepare(root: Path = SET_DIR) -> list[EvalArticle]:
    """Brief every article with the real engine and compute its clustering signal."""
    from bot.brief.engine import Briefer

    briefer = Briefer()
    index = load_index(root)
    raw = [briefer.prepare_text((root / i["file"]).read_text(encoding="utf-8")) for i in index]
    briefs = briefer.brief_articles(raw)
    out = []
    for item, art, brief in zip(index, raw, briefs):
        when = datetime.fromisoformat(item["published"].replace("Z", "+00:00"))
        claims = [c.text for c in brief.claims]
        signal = article_signal(art.title, art.text, claims, when, encoder=briefer.encoder, nlp=briefer.nlp)
        vectors = briefer.encoder.encode(claims)
        out.append(EvalArticle(Path(item["file"]).stem, item["outlet"], when, item["story"], art.title, signal,
                               vectors, [q.text for q in brief.quotes]))
    return out


def replay(articles: Sequence[EvalArticle], settings: StoriesSettings) -> Replay:
    """Cluster in publication order; count the posts a channel subscribed to everything would get."""
    clusterer = Clusterer(settings)
    seen_claims: dict[int, list[np.ndarray]] = {}
    seen_quotes: dict[int, list[str]] = {}
    result = Replay(articles=len(articles))
    for n, art in enumerate(articles):
        story, created = clusterer.add(n, art.signal)
        result.assigned[art.name] = story
        claims = seen_claims.setdefault(story, [])
        quotes = seen_quotes.setdefault(story, [])
        news = created or has_news(repeated_claims(art.claim_vectors, claims), repeated_quotes(art.quotes, quotes))
        result.posts += news
        result.quiet += not news
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


def report(articles: Sequence[EvalArticle], settings: StoriesSettings, *, verbose: bool = False) -> tuple[float, float]:
    result = replay(articles, settings)
    gold = {a.name: a.gold for a in articles}
    p, r = bcubed(result.assigned, gold)
    stories = len(set(result.assigned.values()))
    print(f"similarity={settings.similarity:.2f} min_shared_entities={settings.min_shared_entities} "
          f"window={settings.window_hours}h: B-cubed precision {p:.3f} recall {r:.3f}; "
          f"{stories} stories (gold {len(set(gold.values()))}); "
          f"posts {result.posts} (new stories + updates with news), quiet updates {result.quiet}, "
          f"articles kept {result.articles}")
    if verbose:
        for a in articles:
            print(f"  {a.published:%m-%d %H:%M}  story {result.assigned[a.name]:>2}  gold {a.gold:<22} {a.name}")
    return p, r


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--similarity", type=float, default=StoriesSettings().similarity)
    ap.add_argument("--min-shared", type=int, default=StoriesSettings().min_shared_entities)
    ap.add_argument("--window", type=int, default=StoriesSettings().window_hours)
    ap.add_argument("--sweep", action="store_true", help="also try similarity 0.40-0.80 and 0-2 shared entities")
    ap.add_argument("-v", "--verbose", action="store_true", help="print each article's story")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    articles = prepare()
    print(f"{len(articles)} articles, {len({a.outlet for a in articles})} outlets, "
          f"{len({a.gold for a in articles})} gold stories; briefed in {time.perf_counter() - started:.1f}s")
    settings = StoriesSettings(similarity=args.similarity, min_shared_entities=args.min_shared,
                               window_hours=args.window)
    if args.sweep:
        for shared in (0, 1, 2):
            for sim in np.arange(0.40, 0.81, 0.05):
                report(articles, settings.model_copy(update={"similarity": float(sim), "min_shared_entities": shared}))
    p, r = report(articles, settings, verbose=args.verbose)
    return 0 if p >= 0.9 and r >= 0.9 else 1


if __name__ == "__main__":
    sys.exit(main())
