"""`briefbot backfill`: brief stored articles that were kept but never briefed, optionally re-running the filter."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

BATCH = 8  # articles filtered and briefed at a time (one progress step)

Progress = Callable[[int, int], None]
"""Called with (articles done, articles in all) after each batch."""


@dataclass
class BackfillReport:
    considered: int = 0
    filtered: int = 0
    kept: int = 0
    dropped: int = 0
    briefed: int = 0

    def summary(self) -> str:
        return (f"backfill: {self.considered} articles considered, {self.filtered} filtered ({self.kept} kept, "
                f"{self.dropped} dropped), {self.briefed} briefed and queued for delivery")


def add_backfill_command(sub: Any) -> None:
    """Register the `backfill` subcommand."""
    p = sub.add_parser("backfill", help="brief stored articles that were kept but never briefed")
    p.add_argument("--config", metavar="PATH", help="config file (default: $BRIEFBOT_CONFIG or built-in defaults)")
    window = p.add_mutually_exclusive_group()
    window.add_argument("--days", type=int, default=7, metavar="N", help="articles of the last N days (default 7)")
    window.add_argument("--all", action="store_true", help="every stored article, however old")
    p.add_argument("--refilter", action="store_true",
                   help="re-run the story filter on every article in the window (briefs already made stay)")
    p.set_defaults(handler=run_backfill)


def select_articles(store: Any, *, since: datetime | None, refilter: bool) -> list[Any]:
    """Articles to work on, oldest first: without --refilter those undecided or kept without a brief."""
    from sqlalchemy import and_, or_, select
    from sqlalchemy.orm import Session

    from bot.store.queries import article_record
    from bot.store.schema import Article, BriefRow

    stmt = select(Article)
    if not refilter:
        stmt = stmt.where(Article.id.not_in(select(BriefRow.article_id)),
                          or_(Article.kept.is_(None), Article.kept.is_(True)))
    if since is not None:
        stmt = stmt.where(or_(Article.published >= since,
                              and_(Article.published.is_(None), Article.fetched_at >= since)))
    stmt = stmt.order_by(Article.fetched_at, Article.id)
    with Session(store.engine) as session:
        return [article_record(row) for row in session.scalars(stmt)]


async def backfill(app: Any, *, since: datetime | None, refilter: bool = False,
                   progress: Progress | None = None) -> BackfillReport:
    """Filter (when undecided, or all with `refilter`) and brief (when kept and unbriefed) the chosen articles."""
    articles = await asyncio.to_thread(select_articles, app.store, since=since, refilter=refilter)
    report = BackfillReport(considered=len(articles))
    if progress is not None:
        progress(0, len(articles))
    for start in range(0, len(articles), BATCH):
        batch = articles[start:start + BATCH]
        await asyncio.to_thread(_work, app, batch, refilter, report)
        if progress is not None:
            progress(start + len(batch), len(articles))
    return report


def _work(app: Any, batch: list[Any], refilter: bool, report: BackfillReport) -> None:
    _, story = app.models()
    store = app.store
    undecided = [a for a in batch if refilter or a.kept is None]
    keep = {a.id: bool(a.kept) for a in batch}
    if undecided:
        decisions = story.decide_many([(a.title, a.text or "") for a in undecided])
        for article, decision in zip(undecided, decisions):
            store.record_filter(article.id, kept=decision.keep, reason=decision.reason, score=decision.score)
            keep[article.id] = decision.keep
        report.filtered += len(undecided)
        report.kept += sum(decision.keep for decision in decisions)
        report.dropped += sum(not decision.keep for decision in decisions)
    todo = [a for a in batch if keep[a.id] and store.brief_for_article(a.id) is None]
    if not todo:
        return
    report.briefed += len(app.pipeline.brief_and_store(todo))


def run_backfill(args: argparse.Namespace) -> int:
    from rich.console import Console

    from bot.app import App
    from bot.cli_run import _settings, _setup

    if not args.all and args.days < 1:
        print("briefbot: --days must be at least 1", file=sys.stderr)
        return 2
    settings = _settings(args.config)
    _setup(settings, quiet=True)
    since = None if args.all else datetime.now(timezone.utc) - timedelta(days=args.days)
    console = Console(stderr=True)
    return asyncio.run(_run(App(settings, {}), console, since, args.refilter))


async def _run(app: Any, console: Any, since: datetime | None, refilter: bool) -> int:
    from bot.cli_run import _open

    if not await _open(app):
        return 1
    try:
        if console.is_terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            columns = (TextColumn("backfill"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
            with Progress(*columns, console=console) as bar:
                task = bar.add_task("backfill", total=None)
                report = await backfill(app, since=since, refilter=refilter,
                                        progress=lambda done, total: bar.update(task, completed=done, total=total))
        else:
            report = await backfill(app, since=since, refilter=refilter, progress=_plain)
    finally:
        await app.close()
    print(report.summary())
    return 0


def _plain(done: int, total: int) -> None:
    """Progress as plain lines on stderr when it is not a terminal (logs, CI, cron)."""
    print(f"backfill: {done}/{total} articles", file=sys.stderr, flush=True)
