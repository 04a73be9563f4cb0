"""`briefbot backfill`: kept-but-unbriefed and undecided articles get filtered and briefed; --all, --refilter."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bot.app import App, Models
from bot.cli_backfill import backfill
from bot.store import Store, open_store
from tests.pipeline.conftest import models, settings_for, story  # noqa: F401 - `models`: the shared real models

ENV = {k: v for k, v in os.environ.items() if not k.startswith(("BRIEFBOT_", "SLACK_", "DISCORD_"))} | {
    "HF_HUB_OFFLINE": "1"}
NOW = datetime.now(timezone.utc)


def seed(store: Store) -> dict[str, int]:
    """Five stored articles in the states a crash, an outage or a filter change leaves behind."""
    rows = {  # name: (fixture, published, filter decision: None undecided, True kept, False dropped)
        "kept-unbriefed": ("istanbul-round-umerov", NOW - timedelta(days=1), True),
        "undecided-on": ("peskov-summit-date", NOW - timedelta(days=2), None),
        "undecided-off": ("winter-soup-recipe", NOW - timedelta(days=2), None),
        "old-kept": ("prisoner-swap-list", NOW - timedelta(days=30), True),
        "dropped": ("energy-truce-monitors", NOW - timedelta(days=1), False),
    }
    ids = {}
    for name, (slug, published, kept) in rows.items():
        s = story(slug)
        article, _ = store.upsert_article(f"url:wire.example/{name}", title=s.title, text=s.text,
                                          link=f"https://wire.example/{name}", published=published)
        if kept is not None:
            store.record_filter(article.id, kept=kept, reason="decided before the outage")
        ids[name] = article.id
    return ids


def test_backfill_command_briefs_the_window_with_plain_progress_lines(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    store = open_store(f"sqlite:///{db}")
    ids = seed(store)
    store.close()
    config = tmp_path / "briefbot.toml"
    config.write_text(f'[store]\nurl = "sqlite:///{db}"\n', encoding="utf-8")

    proc = subprocess.run([sys.executable, "-m", "bot.cli", "backfill", "--config", str(config), "--days", "7"],
                          capture_output=True, text=True, env=ENV, cwd=tmp_path, timeout=300,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().splitlines() == [
        "backfill: 3 articles considered, 2 filtered (1 kept, 1 dropped), 2 briefed and queued for delivery"]
    progress = [line for line in proc.stderr.splitlines() if line.startswith("backfill:")]
    assert progress == ["backfill: 0/3 articles", "backfill: 3/3 articles"]  # not a terminal: plain lines
    assert "Traceback" not in proc.stderr and "\x1b[" not in proc.stderr

    store = open_store(f"sqlite:///{db}")
    try:
        briefed = {name for name, i in ids.items() if store.brief_for_article(i) is not None}
        assert briefed == {"kept-unbriefed", "undecided-on"}
        assert store.get_article(ids["undecided-off"]).kept is False  # type: ignore[union-attr]
        assert store.unfiltered_articles() == []
    finally:
        store.close()


async def test_backfill_all_and_refilter(tmp_path: Path, models: Models) -> None:  # noqa: F811
    app = App(settings_for(tmp_path / "b.db", []), {})
    app._models = models  # the session's shared models (App.models() cache)
    await app.open()
    try:
        assert app.store is not None
        ids = seed(app.store)
        steps: list[tuple[int, int]] = []
        first = await backfill(app, since=None, progress=lambda done, total: steps.append((done, total)))
        assert (first.considered, first.filtered, first.briefed) == (4, 2, 3)  # --all: the 30-day-old one too
        assert steps == [(0, 4), (4, 4)]
        assert app.store.brief_for_article(ids["old-kept"]) is not None
        assert app.store.brief_for_article(ids["dropped"]) is None

        again = await backfill(app, since=None)
        assert (again.considered, again.briefed) == (0, 0)  # nothing left to do

        refiltered = await backfill(app, since=NOW - timedelta(days=7), refilter=True)
        assert (refiltered.considered, refiltered.filtered) == (4, 4)  # every article in the window, decided anew
        assert refiltered.kept + refiltered.dropped == 4
        dropped = app.store.get_article(ids["dropped"])
        assert dropped is not None and dropped.filter_reason != "decided before the outage"
        assert refiltered.briefed == (1 if dropped.kept else 0)  # a newly kept article is briefed
    finally:
        await app.close()
