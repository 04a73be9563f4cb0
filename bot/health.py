"""The health and metrics HTTP endpoint of `briefbot run`: GET /healthz (store, scheduler, adapters) and /metrics."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from bot.logs import redact
from bot.metrics import METRICS, Metrics

log = logging.getLogger("bot.health")

STORE_TIMEOUT = 5.0  # seconds a store check may take before the store counts as unreachable
CONNECTED = "connected"
Extra = Callable[[Any, asyncio.Event], Awaitable[None]]


async def check(app: Any) -> tuple[bool, dict[str, Any]]:
    """(healthy, report): the store answers a query, the scheduler runs, every adapter is connected.

    `app` is a bot.app.App; `app.jobs` (the running bot.scheduler.Jobs) and `app.adapters` (platform -> adapter
    with an optional `ready` event) are set by `briefbot run`.
    """
    store = await _store_status(app.store)
    scheduler = _scheduler_status(getattr(app, "jobs", None))
    adapters = {platform: _adapter_status(app, platform) for platform in sorted(app.sinks)}
    healthy = store == "ok" and scheduler == "running" and all(s == CONNECTED for s in adapters.values())
    return healthy, {"status": "ok" if healthy else "failing", "store": store, "scheduler": scheduler,
                     "adapters": adapters}


class HealthServer:
    """An aiohttp server for /healthz and /metrics on `host`:`port` (0: any free port; see `port` once started)."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 8089, *, metrics: Metrics = METRICS) -> None:
        self.app = app
        self.host = host
        self.port = port
        self.metrics = metrics
        self._runner: web.AppRunner | None = None

    async def start(self) -> int:
        """Start serving; returns the bound port."""
        web_app = web.Application()
        web_app.router.add_get("/healthz", self._healthz)
        web_app.router.add_get("/metrics", self._metrics)
        self._runner = web.AppRunner(web_app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        sockets = getattr(getattr(site, "_server", None), "sockets", None) or []
        if sockets:
            self.port = sockets[0].getsockname()[1]
        log.info("health: /healthz and /metrics on http://%s:%d", self.host, self.port)
        return self.port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _healthz(self, request: web.Request) -> web.Response:
        healthy, report = await check(self.app)
        return web.json_response(report, status=200 if healthy else 503)

    async def _metrics(self, request: web.Request) -> web.Response:
        store = self.app.store
        if store is not None:
            try:
                feeds = await asyncio.wait_for(asyncio.to_thread(store.list_feeds), STORE_TIMEOUT)
                self.metrics.paused(sum(1 for f in feeds if f.paused))
            except Exception as exc:  # the other metrics are still worth serving; /healthz says what is wrong
                log.warning("health: could not count paused feeds: %s", redact(_one_line(exc)))
        body = self.metrics.exposition()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def alongside(extra: Extra | None) -> Extra:
    """An `extra` for bot.cli_run._run_async that serves health per `app.settings.health` beside `extra`."""

    async def run(app: Any, stop: asyncio.Event) -> None:
        conf = app.settings.health
        server = HealthServer(app, conf.host, conf.port)
        try:
            await server.start()
        except OSError as exc:  # the bot still works; the HEALTHCHECK then reports it unhealthy
            log.error("health: cannot listen on %s:%d (%s); /healthz and /metrics are off", conf.host, conf.port,
                      exc.strerror or exc)
            server = None
        try:
            if extra is not None:
                await extra(app, stop)
            await stop.wait()
        finally:
            if server is not None:
                await server.stop()

    return run


async def _store_status(store: Any) -> str:
    if store is None:
        return "not open"
    try:
        await asyncio.wait_for(asyncio.to_thread(_ping, store), STORE_TIMEOUT)
    except TimeoutError:
        return f"unreachable: no answer within {STORE_TIMEOUT:g} s"
    except Exception as exc:
        return f"unreachable: {redact(_one_line(exc))}"
    return "ok"


def _ping(store: Any) -> None:
    with store.engine.connect() as conn:
        conn.execute(text("SELECT 1")).scalar_one()


def _scheduler_status(jobs: Any) -> str:
    if jobs is None:
        return "not started"
    return "running" if jobs.scheduler.running else "stopped"


def _adapter_status(app: Any, platform: str) -> str:
    stopped = app.sender.stopped if app.sender is not None else {}
    if platform in stopped:
        return f"stopped: {stopped[platform]}"
    sink = app.sinks[platform]
    flag = getattr(sink, "stopped", None)  # the Slack sink sets this when Slack refuses the token
    if isinstance(flag, asyncio.Event) and flag.is_set():
        return f"stopped: {getattr(sink, 'stop_reason', None) or 'the platform refused the bot'}"
    adapter = getattr(app, "adapters", {}).get(platform)
    ready = getattr(adapter, "ready", None)
    if isinstance(ready, asyncio.Event) and not ready.is_set():
        return "connecting"
    return CONNECTED


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}"[:300] if lines else type(exc).__name__
