"""Memory of a long-running bot: peak RSS while briefing many articles in poll-sized batches (it should level off)."""

from __future__ import annotations

import argparse
import os
import resource
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--articles", type=int, default=480, help="how many articles to brief in all")
    ap.add_argument("--batch", type=int, default=30, help="articles per brief_articles call (one poll's worth)")
    args = ap.parse_args(argv)
    from bot.brief.engine import Briefer

    briefer = Briefer()
    files = sorted(FIXTURES.glob("eval*/*.txt")) + sorted((FIXTURES / "stories" / "articles").glob("*.txt"))
    articles = [briefer.prepare_text(f.read_text(encoding="utf-8")) for f in files]
    stream = (articles * (args.articles // len(articles) + 1))[: args.articles]
    print(f"{len(files)} distinct fictional articles, {args.articles} briefed in batches of {args.batch}")
    for start in range(0, len(stream), args.batch):
        briefer.brief_articles(stream[start : start + args.batch])
        done = start + args.batch
        if done % (args.batch * 4) == 0 or done >= len(stream):
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
            print(f"  after {min(done, len(stream)):>5} articles: peak RSS {peak} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
