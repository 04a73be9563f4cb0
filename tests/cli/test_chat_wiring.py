"""The chat adapters wired into the bot: `briefbot run` with Slack against the fake Slack, Discord in-process."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import discord
import pytest
import yarl
from rich.console import Console

from bot import cli_run
from bot.config.schema import Settings
from tests.fakes.discord_server import CHANNEL_ID, GUILD_ID, FakeDiscord
from tests.fakes.feed_server import HTML_TYPE, FeedServer, rss
from tests.fakes.slack_server import APP_TOKEN, BOT_TOKEN, TALKS, FakeSlack, slash_body

ENV = {k: v for k, v in os.environ.items() if not k.startswith(("BRIEFBOT_", "SLACK_", "DISCORD_"))} | {
    "HF_HUB_OFFLINE": "1", "COLUMNS": "200"}
TIMEOUT = 300.0  # seconds: a cold start loads MiniLM and spaCy on a small shared machine
REVOKED = "xoxb-fictional-revoked-token-0000000001"

TITLE = "Zelensky says Geneva peace talks narrowed gaps on security guarantees"
BODY = "".join((  # fictional wire copy, one paragraph a line
    "<p>GENEVA, Feb 10 (Lakeside Wire) - Ukrainian President Volodymyr Zelensky said on Tuesday that two days "
    "of U.S.-brokered peace talks in Geneva had narrowed the gaps over security guarantees, though the "
    "question of territory remained open.</p>",
    '<p>"For the first time the guarantees are written down, not just promised in a corridor," Zelensky told '
    "reporters after the session at the Intercontinental hotel.</p>",
    "<p>Negotiators are due to reconvene before the end of the month, two officials familiar with the "
    "schedule said, with a ceasefire monitoring annex still to be drafted.</p>",
    '<p>Kremlin spokesman Dmitry Peskov was more cautious. "Nothing is agreed until everything is agreed," '
    "Peskov said in his daily call with reporters in Moscow.</p>",
    "<p>See also: Grid repair crews race the frost | Hryvnia steady ahead of rate decision</p>",
    "<p>(Reporting by Marta Hrytsenko in Geneva; Editing by Owen Talbot)</p>",
))


def _feed(server: FeedServer, path: str) -> str:
    """Serve a one-item fictional feed about the talks at `path`; returns its URL."""
    item = {"title": TITLE, "link": server.url(path + "/geneva-guarantees"), "guid": f"lakeside{path}-1",
            "pubDate": format_datetime(datetime.now(timezone.utc) - timedelta(minutes=30)), "content": BODY,
            "description": "Zelensky says the Geneva round narrowed gaps.", "author": "Marta Hrytsenko"}
    server.put(path, rss("Lakeside Wire - Ukraine talks", [item]))
    page = f"<!doctype html><html><head><title>{TITLE} | Lakeside Wire</title></head><body><article><h1>{TITLE}</h1>"
    server.put(path + "/geneva-guarantees", (page + BODY + "</article></body></html>").encode(),
               content_type=HTML_TYPE)
    return server.url(path)


@pytest.fixture(scope="module")
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as s:
        yield s


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    server = await FakeSlack().start()
    try:
        yield server
    finally:
        await server.stop()


# -- Slack: `python -m bot.cli run` as a subprocess ------------------------------------------------------------
def _slack_config(tmp_path: Path, feed_url: str, api_url: str) -> Path:
    path = tmp_path / "briefbot.toml"
    path.write_text(f"""
[bot]
timezone = "UTC"

[store]
url = "sqlite:///{tmp_path / 'store.db'}"

[[feeds]]
name = "Lakeside Wire"
url = "{feed_url}"
backfill = 5

[fetch]
allow_private_addresses = true

[[channels]]
platform = "console"
address = "stdout"
subscribe = "story"

[[channels]]
platform = "slack"
address = "{TALKS}"
name = "#peace-talks"
subscribe = "story"

[digest]
enabled = false

[slack]
enabled = true
mode = "socket"
api_url = "{api_url}"

[logging]
level = "DEBUG"
""", encoding="utf-8")
    return path


class _Bot:
    """`python -m bot.cli run --config PATH` with stdout and stderr going to files."""

    def __init__(self, proc: asyncio.subprocess.Process, out: Path, err: Path) -> None:
        self.proc, self._out, self._err = proc, out, err

    @classmethod
    async def start(cls, config: Path, env: dict[str, str]) -> _Bot:
        out, err = config.parent / "stdout.txt", config.parent / "stderr.txt"
        with out.open("wb") as o, err.open("wb") as e:
            proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", "run", "--config",
                                                        str(config), stdin=asyncio.subprocess.DEVNULL, stdout=o,
                                                        stderr=e, env=env, cwd=config.parent)
        return cls(proc, out, err)

    @property
    def stdout(self) -> str:
        return self._out.read_text("utf-8", "replace")

    @property
    def stderr(self) -> str:
        return self._err.read_text("utf-8", "replace")

    async def until(self, check: Callable[[], Any], timeout: float = TIMEOUT) -> Any:
        """Wait for `check()` to be truthy while the process runs; fails the test if it ends or time runs out."""
        async with asyncio.timeout(timeout):
            while not (value := check()):
                assert self.proc.returncode is None, f"briefbot exited {self.proc.returncode}: {self.stderr[-3000:]}"
                await asyncio.sleep(0.2)
        return value

    async def stop(self) -> int:
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(30):
                return await self.proc.wait()
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
            raise


def _briefs(fake: FakeSlack) -> list[dict[str, Any]]:
    """The briefs posted to #peace-talks with chat.postMessage (not command replies)."""
    return [c.params for c in fake.called("chat.postMessage") if c.params.get("channel") == TALKS]


async def test_run_posts_to_slack_once_and_answers_brief_latest(slack: FakeSlack, feeds: FeedServer,
                                                                tmp_path: Path) -> None:
    config = _slack_config(tmp_path, _feed(feeds, "/slack/talks.xml"), slack.api_url)
    bot = await _Bot.start(config, ENV | {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN})
    try:
        await bot.until(lambda: slack.posts(TALKS))
        await bot.until(lambda: slack.called("apps.connections.open"), timeout=30)
        ack = await slack.envelope("slash_commands", slash_body("latest", response_url=f"{slack.base}/respond/1"),
                                   timeout=3)
        (reply,) = await bot.until(lambda: slack.responses, timeout=30)
        await asyncio.sleep(1.5)  # a second post of the brief, if there were one, would come within the pacing
    finally:
        code = await bot.stop()
    out, err = bot.stdout, bot.stderr
    assert code == 0, err[-3000:]
    assert "Traceback" not in out + err, err[-3000:]
    assert BOT_TOKEN not in out + err and APP_TOKEN not in out + err
    (posted,) = _briefs(slack)  # exactly once
    (message,) = slack.posts(TALKS)
    assert TITLE in posted["text"] and message["metadata"]["event_payload"]["key"]
    assert [c.token for c in slack.called("chat.postMessage")] == [BOT_TOKEN]
    assert ack["envelope_id"] and reply["response_type"] == "in_channel"
    assert TITLE in json.dumps(reply) and "Latest story" in json.dumps(reply)  # the brief, placed in its story
    assert TITLE in out  # the console channel too


async def test_run_with_a_refused_slack_token_keeps_the_rest_of_the_bot(slack: FakeSlack, feeds: FeedServer,
                                                                        tmp_path: Path) -> None:
    config = _slack_config(tmp_path, _feed(feeds, "/refused/talks.xml"), slack.api_url)
    config.write_text(config.read_text("utf-8").replace('level = "DEBUG"', 'level = "INFO"'), "utf-8")
    bot = await _Bot.start(config, ENV | {"SLACK_BOT_TOKEN": REVOKED, "SLACK_APP_TOKEN": APP_TOKEN})
    try:
        await bot.until(lambda: TITLE in bot.stdout)  # the console channel still gets the brief
    finally:
        code = await bot.stop()
    out, err = bot.stdout, bot.stderr
    assert code == 0, err[-3000:]
    assert "Traceback" not in out + err, err[-3000:]
    assert REVOKED not in out + err
    assert slack.called("auth.test") and not slack.called("apps.connections.open") and not slack.messages
    errors = [line for line in err.splitlines() if " ERROR " in line]
    said = [line for line in errors if " bot.adapters.slack" in line]
    assert len(said) == 1, err[-3000:]  # the adapter's one line, at start-up
    assert "invalid_auth" in said[0] and "SLACK_BOT_TOKEN" in said[0] and "keeps running" in said[0]
    queued = [line for line in errors if line not in said]  # the sender's, once: the brief waits for a restart
    assert len(queued) == 1 and "slack adapter stopped" in queued[0] and "stay queued" in queued[0], err[-3000:]


# -- Discord: cli_run._app + _run_async in this process, discord.py pointed at the fake -----------------------
@pytest.fixture
async def discord_fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    monkeypatch.setattr(discord.http.Route, "BASE", server.api_base)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(server.gateway_url))
    monkeypatch.setenv("BRIEFBOT_TEST_WIRING_DISCORD", server.token)
    try:
        yield server
    finally:
        await server.close()


async def test_run_async_posts_a_feed_item_to_discord_and_stops_cleanly(
        discord_fake: FakeDiscord, feeds: FeedServer, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings.model_validate({
        "bot": {"timezone": "UTC"},
        "store": {"url": f"sqlite:///{tmp_path / 'discord.db'}"},
        "feeds": [{"name": "Lakeside Wire", "url": _feed(feeds, "/discord/talks.xml"), "backfill": 5}],
        "fetch": {"allow_private_addresses": True},
        "channels": [{"platform": "discord", "address": str(CHANNEL_ID), "subscribe": "story"}],
        "discord": {"enabled": True, "token_env": "BRIEFBOT_TEST_WIRING_DISCORD", "guild_ids": [GUILD_ID]},
        "digest": {"enabled": False},
    })
    screen = io.StringIO()
    app = cli_run._app(settings, Console(file=screen), chat=True)
    assert set(app.sinks) == {"console", "discord"} and len(app.runners) == 1
    adapter = app.runners[0].__self__
    stop = asyncio.Event()
    caplog.set_level(logging.INFO)
    run = asyncio.create_task(cli_run._run_async(app, extra=cli_run._chat, stop=stop))
    try:
        async with asyncio.timeout(TIMEOUT):
            while not ((sent := _sent(app)) and adapter.ready.is_set()):  # posts need only a login: wait for both
                assert not run.done(), run.result()
                await asyncio.sleep(0.1)
        assert discord_fake.synced[str(GUILD_ID)][0]["name"] == "brief"
    finally:
        stop.set()
        code = await asyncio.wait_for(run, 30)
    assert code == 0
    (message,) = discord_fake.created()
    assert message["embeds"][0]["title"] == TITLE and message["allowed_mentions"] == {"parse": []}
    assert adapter.client.is_closed()
    assert not discord_fake._sockets  # the gateway connection was closed, not dropped
    assert [d.remote_id for d in sent] == [message["id"]]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


def _sent(app: Any) -> list[Any]:
    """The app's Discord deliveries that were posted (none before the store is open)."""
    return [] if app.store is None else [d for d in app.store.outbox.deliveries(platform="discord") if d.remote_id]
