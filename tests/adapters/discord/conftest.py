"""Discord adapter fixtures: the fake Discord on 127.0.0.1, a real App on SQLite, the real discord.py client."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import discord
import pytest
import yarl

os.environ.setdefault("HF_HUB_OFFLINE", "1")
_ROOT = Path(__file__).resolve().parents[3]
if str(_ROOT) not in sys.path:  # lets `tests.fakes` import however pytest is launched
    sys.path.insert(0, str(_ROOT))

from bot.adapters.discord import DiscordAdapter, build_discord  # noqa: E402
from bot.app import App  # noqa: E402
from bot.brief.speakers import speaker_key  # noqa: E402
from bot.brief.types import Brief, Claim, Quote  # noqa: E402
from bot.config.schema import Settings  # noqa: E402
from bot.store import Store  # noqa: E402
from tests.fakes.discord_server import CHANNEL_ID, GUILD_ID, FakeDiscord  # noqa: E402

T0 = datetime(2026, 2, 3, 9, 30, tzinfo=timezone.utc)


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    """The fake Discord, with discord.py's REST base and gateway URL pointed at it (restored afterwards)."""
    server = FakeDiscord()
    await server.start()
    monkeypatch.setattr(discord.http.Route, "BASE", server.api_base)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(server.gateway_url))
    monkeypatch.setenv("BRIEFBOT_TEST_DISCORD_TOKEN", server.token)
    try:
        yield server
    finally:
        await server.close()


def discord_settings(tmp_path: Path, **discord_options: Any) -> Settings:
    return Settings.model_validate({
        "store": {"url": f"sqlite:///{tmp_path}/discord.db"},
        "channels": [{"platform": "discord", "address": str(CHANNEL_ID)}],
        "delivery": {"backoff_base": 0.05, "backoff_cap": 0.2},
        "discord": {"enabled": True, "token_env": "BRIEFBOT_TEST_DISCORD_TOKEN", "guild_ids": [GUILD_ID],
                    "colour": "#c0392b", **discord_options},
        "digest": {"enabled": False},
    })


@dataclass
class Running:
    """A running bot: the App (store, sender), the Discord adapter, and how to stop it."""

    app: App
    adapter: DiscordAdapter
    stop: asyncio.Event
    task: asyncio.Task[None]
    closed: bool = False

    @property
    def store(self) -> Store:
        assert self.app.store is not None
        return self.app.store

    async def shutdown(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.stop.set()
        await asyncio.wait_for(self.task, 10)
        await self.app.close()


Start = Callable[..., Awaitable[Running]]


@pytest.fixture
async def start_bot(fake: FakeDiscord, tmp_path: Path) -> AsyncIterator[Start]:
    """`await start_bot(settings=None)`: App + adapter connected to the fake (READY seen); stopped afterwards."""
    bots: list[Running] = []

    async def start(settings: Settings | None = None, *, wait_ready: bool = True) -> Running:
        settings = settings or discord_settings(tmp_path)
        adapter = build_discord(settings, guild_ready_timeout=0.1)
        app = App(settings, {"discord": adapter.sink})
        await app.open()
        stop = asyncio.Event()
        bot = Running(app, adapter, stop, asyncio.create_task(adapter.run(app, stop)))
        bots.append(bot)
        if wait_ready:
            await asyncio.wait_for(adapter.ready.wait(), 10)
        return bot

    yield start
    for bot in bots:
        await bot.shutdown()


def save_update(store: Store, n: int, *, title: str | None = None, said: str | None = None,
                speaker: str = "Volodymyr Zelensky", role: str | None = "Ukraine's president") -> int:
    """Store a fictional wire update with a one-quote brief; returns the brief id (deliveries are queued)."""
    said = said or f"We will not sign away land that our soldiers are holding, not in round {n} or any other"
    text = (f"GENEVA, Feb 3 (Northgate Wire) - Talks entered round {n} on Tuesday. \"{said},\" {speaker} told "
            f"reporters outside the Intercontinental. See also: Markets steady as talks resume.")
    start = text.index(said)
    quote = Quote(text=said, speaker=speaker, speaker_key=speaker_key(speaker), role=role, cue="told",
                  method="pattern", confidence=0.9, start=start, end=start + len(said))
    brief = Brief(title=title or f"Geneva talks enter round {n} as Kyiv rules out land swap",
                  claims=[Claim(f"Negotiators began round {n} of talks in Geneva on Tuesday.", 0),
                          Claim("Kyiv said it would not cede territory its forces hold.", 1)],
                  quotes=[quote], text=text)
    article, _ = store.upsert_article(f"guid:northgate-geneva-{n}", title=brief.title,
                                      link=f"https://northgate.example/world/geneva-round-{n}", published=T0)
    store.record_filter(article.id, kept=True, reason="keyword:talks")
    brief_id = store.save_brief(article.id, brief)
    assert brief_id is not None
    return brief_id


async def until(check: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait until `check()` is true (polling), or fail the test."""
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.02)
