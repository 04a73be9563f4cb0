"""`briefbot run`, `poll-once`, `console` and `demo`: the bot's long-running and one-shot jobs."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any, NoReturn

from rich.console import Console


def add_run_commands(sub: Any) -> None:
    """Register the run, poll-once, console and demo subcommands."""
    for name, helptext, handler in (
        ("run", "poll feeds on schedule and deliver briefs (everything per config)", _run),
        ("poll-once", "poll every feed once, print the new briefs, exit (chat posts go out with `run`)", _poll_once),
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
    secret_env = (settings.slack.bot_token_env, settings.slack.app_token_env, settings.slack.signing_secret_env,
                  settings.discord.token_env)
    configure("WARNING" if quiet else settings.logging.level, as_json=settings.logging.json_logs,
              secret_env=secret_env)


async def _open(app: Any) -> bool:
    """Open the app; a store that cannot be opened or migrated is one line on stderr, not a traceback."""
    from bot.config.checks import mask_password
    from bot.logs import redact

    try:
        await app.open()
    except Exception as exc:  # in practice the store: unreachable, unwritable, unknown revision (traceback at DEBUG)
        logging.getLogger("bot.cli").debug("opening the store failed", exc_info=True)
        try:
            await app.close()
        except Exception:
            pass
        reason = (str(exc).strip().splitlines() or [""])[0] or type(exc).__name__
        url = mask_password(app.settings.store.url)
        print(redact(f"briefbot: cannot open the store {url}: {reason}"), file=sys.stderr)
        return False
    return True


def _app(settings: Any, console: Console, *, chat: bool = False, **kwargs: Any) -> Any:
    """The App with the console sink, plus the Slack and Discord adapters when `chat` and enabled in config."""
    from bot.adapters.console import ConsoleAdapter
    from bot.app import App

    tz = _tz(settings.bot.timezone)
    sinks: dict[str, Any] = {"console": ConsoleAdapter(console, tz=tz)}
    runners: list[Any] = []
    adapters: dict[str, Any] = {}
    if chat and settings.slack.enabled:
        from bot.adapters.slack import build_slack

        slack = build_slack(settings)
        if slack is not None:
            sinks["slack"] = slack.sink
            runners.append(slack.run)
            adapters["slack"] = slack
    if chat and settings.discord.enabled:
        from bot.adapters.discord import build_discord

        discord = build_discord(settings, tz=tz)
        sinks["discord"] = discord.sink
        runners.append(discord.run)
        adapters["discord"] = discord
    app = App(settings, sinks, **kwargs)
    app.runners, app.adapters = runners, adapters
    return app


async def _chat(app: Any, stop: asyncio.Event) -> None:
    """Run every chat adapter until `stop`; one adapter stopping (bad token) leaves the others running."""
    results = await asyncio.gather(*(run(app, stop) for run in app.runners), return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, asyncio.CancelledError):
            print(f"briefbot: a chat adapter stopped: {result}", file=sys.stderr)


def _tz(name: str) -> Any:
    from datetime import timezone
    from zoneinfo import ZoneInfo

    return timezone.utc if name.upper() == "UTC" else ZoneInfo(name)


def _poll_once(args: argparse.Namespace) -> int:
    settings = _settings(args.config)
    _setup(settings)
    return asyncio.run(_poll_once_async(_app(settings, Console())))


async def _poll_once_async(app: Any) -> int:
    if not await _open(app):
        return 1
    try:
        reports = await app.poll_once()
    finally:
        await app.close()
    from bot.logs import redact

    for r in reports:
        if r.status == "error":  # a feed added in chat has no name: its URL may carry a password
            print(redact(f"briefbot: feed {r.feed}: {r.error}"), file=sys.stderr)
    return 0


def _run(args: argparse.Namespace) -> int:
    settings = _settings(args.config)
    _setup(settings)
    try:
        app = _app(settings, Console(), chat=True)
    except ValueError as exc:  # e.g. a chat token variable that is not set
        print(f"briefbot: {exc}", file=sys.stderr)
        return 2
    extra = _chat if app.runners else None
    if settings.health.enabled:
        from bot.health import alongside

        extra = alongside(extra)
    return asyncio.run(_run_async(app, extra=extra))


async def _run_async(app: Any, *, extra: Any = None, stop: asyncio.Event | None = None) -> int:
    """Run until `stop` is set; without one, until SIGINT or SIGTERM (handlers installed on the running loop)."""
    from bot.scheduler import Jobs

    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, stop.set)
            except (NotImplementedError, RuntimeError):
                pass
    if not await _open(app):
        return 1
    jobs = app.jobs = Jobs(app)
    try:
        await app.pipeline.recover()
        sender = asyncio.create_task(app.sender.run(stop))
        jobs.start()
        tasks = [sender] + ([asyncio.create_task(extra(app, stop))] if extra else [])
        await stop.wait()
        await jobs.stop()  # no new briefs while the sender settles
        await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        await jobs.stop()
        await app.close()
    return 0


def _console(args: argparse.Namespace) -> int:
    settings = _settings(args.config)
    _setup(settings, quiet=True)
    console = Console()
    try:
        return asyncio.run(_repl_async(_app(settings, console), console))
    except KeyboardInterrupt:
        _leave_interrupted()


async def _repl_async(app: Any, console: Console) -> int:
    if not await _open(app):
        return 1
    try:
        await app.sinks["console"].repl(lambda: app.context("console", "stdout", "local", is_admin=True),
                                        console=console)
    finally:
        await app.close()
    return 0


def _leave_interrupted() -> NoReturn:
    """Exit 130 after Ctrl-C in a REPL, at once: its reader thread is still blocked in a read of stdin, holding
    stdin's lock, and a normal interpreter exit would abort on that lock ("Fatal Python error")."""
    print(file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(130)


def _demo(args: argparse.Namespace) -> int:
    console = Console()
    interactive = sys.stdin.isatty() and not args.no_prompt
    try:
        return _demo_run(console, interactive)
    except KeyboardInterrupt:  # the temporary store is gone by now
        _leave_interrupted()


def _demo_run(console: Console, interactive: bool) -> int:
    from bot.config.schema import ChannelSettings, FeedSettings, Settings
    from bot.demo import DEMO_FEEDS, DEMO_STORY, DemoServer

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
    if not await _open(app):
        return 1
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
