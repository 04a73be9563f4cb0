"""Wiring of the Discord adapter: the discord.py client, its `/brief` command tree, the sink and the run loop."""

from __future__ import annotations

import asyncio
import logging
from datetime import timezone, tzinfo
from typing import Any, Protocol

import aiohttp
import discord
from discord import app_commands

from bot.adapters.discord.inbound import BriefCommands, is_admin, matching
from bot.adapters.discord.outbound import DiscordSink
from bot.adapters.discord.render import NO_MENTIONS, plain
from bot.adapters.discord.respond import answer, answer_error
from bot.commands.context import CommandContext
from bot.commands.grammar import CommandError, parse_options
from bot.commands.handlers import run_command
from bot.config.schema import Settings

log = logging.getLogger("bot.adapters.discord")

SPEAKERS_FOR_AUTOCOMPLETE = 500
MAX_RATELIMIT_WAIT = 20.0  # longer 429 waits become a DeliveryError with retry_after (the outbox waits instead)
_LOGIN_RETRY_CAP = 300.0


class _App(Protocol):
    """What the adapter needs of bot.app.App."""

    settings: Settings
    store: Any

    def context(self, platform: str, channel: str, user: str, *, is_admin: bool | None = None) -> CommandContext: ...


class _Client(discord.Client):
    def __init__(self, adapter: DiscordAdapter, **options: Any) -> None:
        intents = discord.Intents.none()
        intents.guilds = True  # not privileged; commands are slash commands, so no message content is needed
        super().__init__(intents=intents, allowed_mentions=NO_MENTIONS, max_ratelimit_timeout=MAX_RATELIMIT_WAIT,
                         **options)
        self.adapter = adapter
        self.tree = app_commands.CommandTree(self)

    async def setup_hook(self) -> None:
        await self.adapter.sync_commands()


class DiscordAdapter:
    """The Discord side of the bot: `sink` goes in App's sinks, `run(app, stop)` runs beside the scheduler."""

    platform = "discord"

    def __init__(self, settings: Settings, *, tz: tzinfo = timezone.utc, **client_options: Any) -> None:
        self.settings = settings
        self.token = settings.secret(settings.discord.token_env)
        self.client = _Client(self, **client_options)
        self.sink = DiscordSink(self.client, colour=settings.discord.colour, tz=tz, admins=settings.bot.admins)
        self.ready = asyncio.Event()  # the gateway said READY and the guilds arrived
        self._app: _App | None = None
        self.client.tree.add_command(BriefCommands(self._answer, self._speakers))
        self.client.tree.on_error = self._on_tree_error  # type: ignore[method-assign]
        self.client.event(self.on_ready)

    async def on_ready(self) -> None:
        log.info("discord: connected as %s to %d guild(s)", self.client.user, len(self.client.guilds))
        self.ready.set()

    async def run(self, app: _App, stop: asyncio.Event) -> None:
        """Log in, connect to the gateway and answer commands until `stop`; a bad token stops only this adapter."""
        self._app = app
        try:
            if await self._login(stop):
                await self._connect(stop)
        finally:
            await self.client.close()

    async def sync_commands(self) -> None:
        """Register `/brief` in the configured guilds (at once), or globally (may take up to an hour to show)."""
        tree = self.client.tree
        try:
            if self.settings.discord.guild_ids:
                for gid in self.settings.discord.guild_ids:
                    guild = discord.Object(gid)
                    tree.copy_global_to(guild=guild)
                    await tree.sync(guild=guild)
                log.info("discord: /brief synced to %d guild(s)", len(self.settings.discord.guild_ids))
            else:
                await tree.sync()
                log.info("discord: /brief synced globally")
        except discord.HTTPException as exc:  # posting briefs still works; commands may be stale
            log.error("discord: could not sync the slash commands (%s %s)", exc.status, exc.text[:200])

    # -- connection ---------------------------------------------------------------------------------------------
    async def _login(self, stop: asyncio.Event) -> bool:
        if not self.token:
            self._stop(f"no Discord bot token: environment variable {self.settings.discord.token_env} is not set")
            return False
        wait = 5.0
        while not stop.is_set():
            try:
                await self.client.login(self.token)
            except discord.LoginFailure:
                self._stop("Discord rejected the bot token (401 Unauthorized); set a valid token and restart")
                return False
            except (aiohttp.ClientError, OSError, discord.DiscordServerError) as exc:
                log.warning("discord: cannot reach Discord to log in (%s: %s), again in %.0f s",
                            type(exc).__name__, exc, wait)
                try:
                    async with asyncio.timeout(wait):
                        await stop.wait()
                except TimeoutError:
                    pass
                wait = min(_LOGIN_RETRY_CAP, wait * 2)
                continue
            self.sink.logged_in()
            return True
        return False

    async def _connect(self, stop: asyncio.Event) -> None:
        connect = asyncio.create_task(self.client.connect(reconnect=True), name="discord-gateway")
        halt = asyncio.create_task(stop.wait())
        try:
            await asyncio.wait({connect, halt}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            halt.cancel()
        if not connect.done():
            return  # stopping: run() closes the client, which ends connect()
        exc = connect.exception()
        if isinstance(exc, discord.PrivilegedIntentsRequired):
            self._stop("Discord refused the gateway connection: a privileged intent was requested")
        elif isinstance(exc, (discord.LoginFailure, discord.ConnectionClosed)) and getattr(exc, "code", 4004) == 4004:
            self._stop("Discord rejected the bot token on the gateway (4004); set a valid token and restart")
        elif exc is not None:
            log.error("discord: the gateway connection ended: %s: %s", type(exc).__name__, exc)

    def _stop(self, reason: str) -> None:
        log.error("discord adapter stopped: %s. The rest of the bot keeps running.", reason)
        self.sink.stop(reason)

    # -- commands -----------------------------------------------------------------------------------------------
    def _context(self, interaction: discord.Interaction) -> CommandContext:
        if self._app is None:
            raise RuntimeError("the Discord adapter is not running")
        user = str(interaction.user.id)
        admin = is_admin(interaction, admin_roles=self.settings.discord.admin_roles,
                         listed=self.settings.is_admin("discord", user))
        return self._app.context("discord", str(interaction.channel_id), user, is_admin=admin)

    async def _answer(self, interaction: discord.Interaction, name: str, options: dict[str, Any]) -> None:
        ctx = self._context(interaction)
        try:
            cmd = parse_options(name, {k: v for k, v in options.items() if v is not None})
        except CommandError as exc:
            await answer_error(interaction, plain(str(exc), 2000))
            return
        await answer(interaction, run_command(cmd, ctx), colour=self.settings.discord.colour, tz=ctx.tz)

    async def _speakers(self, interaction: discord.Interaction, current: str) -> list[str]:
        store = self._context(interaction).store
        people = await asyncio.to_thread(store.speakers, SPEAKERS_FOR_AUTOCOMPLETE)
        return matching([p.name for p in people], current)

    async def _on_tree_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        log.error("discord: /brief failed for user %s in channel %s", interaction.user.id, interaction.channel_id,
                  exc_info=error)
        if interaction.type == discord.InteractionType.application_command:
            await answer_error(interaction, "Something went wrong running that command; the error was logged.")


def build_discord(settings: Settings, *, tz: tzinfo | None = None, **client_options: Any) -> DiscordAdapter:
    """The Discord adapter for `settings`: put `.sink` in App's sinks and pass `.run` as cli_run's `extra`."""
    zone: tzinfo = tz or _zone(settings.bot.timezone)
    return DiscordAdapter(settings, tz=zone, **client_options)


def _zone(name: str) -> tzinfo:
    from zoneinfo import ZoneInfo

    return timezone.utc if name.upper() == "UTC" else ZoneInfo(name)


__all__ = ["DiscordAdapter", "build_discord"]
