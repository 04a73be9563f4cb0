"""`briefbot run`, `poll-once`, `console` and `demo`: the bot's long-running and one-shot jobs."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

from rich.console import Console


def add_run_commands(sub: Any) -> None:
    """Register the run, poll-once, console and demo subcommands."""
    for name, helptext, handler in (
        ("run", "poll feeds on schedule and deliver briefs (everything per config)", _run),
        ("poll-once", "poll every feed once, deliver the briefs, exit", _poll_once),
        ("console", "a command prompt over the configured store", _console),
    ):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("--config", metavar="PATH", help="config file (default: $BRIEFBOT_CONFIG or built-in defaults)")
        p.set_defaults(handler=handler)
    p = sub.add_parser("demo", help="offline demo: bundled feeds served locally, real pipeline, temporary store")
    p.add_argument("--no-prompt", action="store_true", help="print the briefs and exit (default when not a terminal)")
    p.set_defaults(handler=_demo)


def _settings(path: str | None) -> Any:
    from bot.config import ConfigError, load_settings

    try:
        return load_settings(path)
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        raise SystemExit(2) from None


def _setup(settings: Any, *, quiet: bool = False) -> None:
    from bot.logs import configure

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    configure("WARNING" if quiet else settings.logging.level, as_json=settings.logging.json_logs)


def _app(settings: Any, console: Console, **kwargs: Any) -> Any:
    from bot.adapters.console import ConsoleAdapter
    from bot.app import App

    tz = _tz(settings.bot.timezone)
    return App(settings, {"console": ConsoleAdapter(console, tz=tz)}, **kwargs)


def _tz(name: str) -> Any:
    from datetime import timezone
    from zoneinfo import ZoneInfo

    return timezone.utc if name.upper() == "UTC" else ZoneInfo(name)


def _poll_once(args: argparse.Namespace) -> int:
    settings = _settings(args.config)
    _setup(settings)
    return asyncio.run(_poll_once_async(_app(settings, Console())))


async def _poll_once_async(app: Any) -> int:
    await app.open()
    try:
        reports = await app.poll_once()
    finally:
        await app.close()
    failed = [r for r in reports if r.status == "error"]
    for r in failed:
        print(f"briefbot: feed {r.feed}: {r.error}", file=sys.stderr)
    return 0


def _run(args: argparse.Namespace) -> int:
    settings = _settings(args.config)
    _setup(settings)
    return asyncio.run(_run_async(_app(settings, Console())))


async def _run_async(app: Any, *, extra: Any = None) -> int:
    from bot.scheduler import Jobs

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):
            pass
    await app.open()
    jobs = Jobs(app)
    try:
        await app.pipeline.recover()
        sender = asyncio.create_task(app.sender.run(stop))
        jobs.start()
        tasks = [sender] + ([asyncio.create_task(extra(app, stop))] if extra else [])
        await stop.wait()
        await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        jobs.shutdown()
        await app.close()
    return 0


def _console(args: argparse.Namespace) -> int:
    settings = _settings(args.config)
    _setup(settings, quiet=True)
    console = Console()
    return asyncio.run(_repl_async(_app(settings, console), console))


async def _repl_async(app: Any, console: Console) -> int:
    await app.open()
    try:
        await app.sinks["console"].repl(lambda: app.context("console", "stdout", "local", is_admin=True),
                                        console=console)
    finally:
        await app.close()
    return 0


def _demo(args: argparse.Namespace) -> int:
    from bot.config.schema import ChannelSettings, FeedSettings, Settings
    from bot.demo import DEMO_FEEDS, DEMO_STORY, DemoServer

    console = Console()
    interactive = sys.stdin.isatty() and not args.no_prompt
    with tempfile.TemporaryDirectory(prefix="briefbot-demo-") as tmp, DemoServer() as server:
        feeds = [FeedSettings(name=DEMO_FEEDS[key], url=url, backfill=20) for key, url in server.feed_urls.items()]
        settings = Settings.model_validate({
            "store": {"url": f"sqlite:///{Path(tmp) / 'demo.db'}"},
            "feeds": [f.model_dump() for f in feeds],
            "channels": [ChannelSettings(platform="console", address="stdout").model_dump()],
            "fetch": {"allow_private_addresses": True},
            "digest": {"enabled": False},
        })
        _setup(settings, quiet=True)
        console.print(f"[bold]briefbot demo[/bold]: {len(feeds)} fictional feeds served at {server.base_url}")
        return asyncio.run(_demo_async(_app(settings, console, spec=DEMO_STORY), console, interactive))


async def _demo_async(app: Any, console: Console, interactive: bool) -> int:
    await app.open()
    try:
        with console.status("Polling the demo feeds and briefing new articles (first run loads the models)..."):
            reports = await app.poll_feeds()
            await app.sender.drain()
        kept = sum(r.kept for r in reports)
        dropped = sum(r.dropped for r in reports)
        console.print(f"[dim]{sum(r.new_items for r in reports)} new articles, {kept} about the story, "
                      f"{dropped} dropped by the story filter.[/dim]")
        if interactive:
            console.print("Try: [bold]latest 3[/bold], [bold]quotes Zelensky[/bold], [bold]speakers[/bold], "
                          "[bold]search security guarantees[/bold], [bold]help[/bold], [bold]quit[/bold]")
            await app.sinks["console"].repl(lambda: app.context("console", "stdout", "local", is_admin=True),
                                            console=console)
    finally:
        await app.close()
    return 0
