"""/healthz and /metrics served over real HTTP for a real App on a temporary SQLite store and a local feed server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine

from bot.app import App, Models
from bot.deliver.sink import AdapterStopped
from bot.health import HealthServer
from bot.scheduler import Jobs
from tests.fakes.feed_server import FeedServer, rss
from tests.fakes.sink import FakeSink
from tests.pipeline.conftest import OpenApp, entry, settings_for
from tests.pipeline.conftest import feed_server, models, open_app, sink  # noqa: F401 - fixtures

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[App], Any]]:
    """`port = await serve(app)`: a HealthServer for `app` on a free port of 127.0.0.1 (stopped after the test)."""
    servers: list[HealthServer] = []

    async def start(app: App) -> int:
        server = HealthServer(app, "127.0.0.1", 0)
        servers.append(server)
        return await server.start()

    yield start
    for server in servers:
        await server.stop()


@pytest.fixture
async def jobs_for() -> AsyncIterator[Callable[[App], Jobs]]:
    """Start the App's scheduler as `briefbot run` does (app.jobs), stopped after the test."""
    started: list[Jobs] = []

    def start(app: App) -> Jobs:
        jobs = app.jobs = Jobs(app)
        jobs.start()
        started.append(jobs)
        return jobs

    yield start
    for jobs in started:
        await jobs.stop()


async def _get(port: int, path: str) -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{port}{path}") as resp:
            return resp.status, resp.headers.get("Content-Type", ""), await resp.text()


async def _health(port: int) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
            return resp.status, await resp.json()


async def _samples(port: int) -> Samples:
    status, content_type, body = await _get(port, "/metrics")
    assert status == 200 and content_type.startswith("text/plain")
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(body) for s in family.samples}


def _value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_healthz_is_ok_then_names_the_store_that_stops_answering(
    open_app: OpenApp, serve: Any, jobs_for: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = await open_app(settings_for(tmp_path / "bot.db", []))
    jobs_for(app)
    port = await serve(app)

    assert await _health(port) == (200, {"status": "ok", "store": "ok", "scheduler": "running",
                                         "adapters": {"console": "connected"}})

    gone = create_engine(f"sqlite:///{tmp_path / 'no-such-dir' / 'bot.db'}")  # what a vanished volume looks like
    monkeypatch.setattr(app.store._db, "engine", gone)
    status, body = await _health(port)
    assert status == 503 and body["status"] == "failing"
    assert body["store"].startswith("unreachable: OperationalError") and "unable to open database file" in body["store"]
    assert (body["scheduler"], body["adapters"]) == ("running", {"console": "connected"})
    monkeypatch.undo()
    gone.dispose()
    assert (await _health(port))[0] == 200


async def test_healthz_fails_while_the_scheduler_is_stopped(
    open_app: OpenApp, serve: Any, jobs_for: Any, tmp_path: Path,
) -> None:
    app = await open_app(settings_for(tmp_path / "bot.db", []))
    port = await serve(app)
    assert await _health(port) == (503, {"status": "failing", "store": "ok", "scheduler": "not started",
                                         "adapters": {"console": "connected"}})
    jobs = jobs_for(app)
    assert (await _health(port))[0] == 200
    await jobs.stop()
    assert await _health(port) == (503, {"status": "failing", "store": "ok", "scheduler": "stopped",
                                         "adapters": {"console": "connected"}})


class _Adapter:
    """An adapter as cli_run keeps them in app.adapters: `ready` is set once it is connected."""

    def __init__(self) -> None:
        self.ready = asyncio.Event()


async def test_healthz_waits_for_an_adapter_to_connect(
    open_app: OpenApp, serve: Any, jobs_for: Any, tmp_path: Path, sink: FakeSink,
) -> None:
    app = await open_app(settings_for(tmp_path / "bot.db", []), sinks={"console": sink, "slack": FakeSink("slack")})
    slack = _Adapter()
    app.adapters = {"slack": slack}
    jobs_for(app)
    port = await serve(app)

    status, body = await _health(port)
    assert status == 503 and body["adapters"] == {"console": "connected", "slack": "connecting"}
    slack.ready.set()
    assert await _health(port) == (200, {"status": "ok", "store": "ok", "scheduler": "running",
                                         "adapters": {"console": "connected", "slack": "connected"}})


async def test_healthz_reports_an_adapter_the_platform_refused(
    open_app: OpenApp, serve: Any, jobs_for: Any, feed_server: FeedServer, sink: FakeSink, models: Models,
    tmp_path: Path,
) -> None:
    feed_server.put("/feeds/desk", rss("Kyiv Desk", [entry("prisoner-swap-list")]))
    app = await open_app(settings_for(tmp_path / "bot.db", [{"name": "Kyiv Desk", "url": feed_server.url("/feeds/desk"),
                                                             "backfill": 5}]), models=models)
    port = await serve(app)
    assert (await _health(port))[1]["adapters"] == {"console": "connected"}

    sink.fail(AdapterStopped("the platform revoked the bot token"), times=None)
    await app.poll_once()  # before the scheduler starts: its first poll would race this one
    jobs_for(app)
    status, body = await _health(port)
    assert status == 503
    assert body["adapters"] == {"console": "stopped: the platform revoked the bot token"}
    assert (body["store"], body["scheduler"]) == ("ok", "running")
    assert sink.posts == []


async def test_metrics_count_polls_items_articles_briefs_deliveries_and_paused_feeds(
    open_app: OpenApp, serve: Any, feed_server: FeedServer, sink: FakeSink, models: Models, tmp_path: Path,
) -> None:
    feed_server.put("/feeds/wire", rss("Meridian Wire", [entry("peskov-summit-date", hours_ago=1),
                                                         entry("winter-soup-recipe", hours_ago=2)]), etag='"w1"')
    feeds = [{"name": "Meridian Wire", "url": feed_server.url("/feeds/wire"), "backfill": 5},
             {"name": "Gone Desk", "url": feed_server.url("/x/status/410")}]
    app = await open_app(settings_for(tmp_path / "bot.db", feeds), models=models)
    port = await serve(app)
    before = await _samples(port)
    for name in ("briefbot_polls_total", "briefbot_items_seen_total", "briefbot_articles_total",
                 "briefbot_briefs_total", "briefbot_brief_seconds_count", "briefbot_feeds_paused"):
        assert any(key[0] == name for key in before), name
    assert _value(before, "briefbot_feeds_paused") == 0

    await app.poll_once()  # 200: two items, one on the story (briefed, posted), one dropped; 410: paused
    await app.poll_once()  # 304 for the wire; the paused feed is polled again and fails again
    after = await _samples(port)

    def moved(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert len(sink.posts) == 1
    assert moved("briefbot_polls_total", outcome="ok") == 1
    assert moved("briefbot_polls_total", outcome="not_modified") == 1
    assert moved("briefbot_polls_total", outcome="error") == 2
    assert moved("briefbot_items_seen_total") == 2
    assert moved("briefbot_articles_total", decision="kept") == 1
    assert moved("briefbot_articles_total", decision="dropped") == 1
    assert moved("briefbot_briefs_total") == 1
    assert moved("briefbot_brief_seconds_count") == 1 and moved("briefbot_brief_seconds_sum") > 0
    assert moved("briefbot_deliveries_total", platform="console", outcome="sent") == 1
    assert moved("briefbot_deliveries_total", platform="console", outcome="failed") == 0
    assert moved("briefbot_delivery_lag_seconds_count", platform="console") == 1
    assert 0 < moved("briefbot_delivery_lag_seconds_sum", platform="console") < 120
    assert _value(after, "briefbot_feeds_paused") == 1


async def test_unknown_paths_are_404(open_app: OpenApp, serve: Any, tmp_path: Path) -> None:
    app = await open_app(settings_for(tmp_path / "bot.db", []))
    port = await serve(app)
    assert (await _get(port, "/"))[0] == 404
    assert (await _get(port, "/metrics/extra"))[0] == 404
