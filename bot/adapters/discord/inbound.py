"""Inbound Discord: the `/brief` slash commands, each turned into a core Command and the asker's CommandContext."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import discord
from discord import app_commands

from bot.commands.spec import COMMANDS

Answer = Callable[[discord.Interaction, str, dict[str, Any]], Awaitable[None]]
Speakers = Callable[[discord.Interaction, str], Awaitable[list[str]]]
AUTOCOMPLETE_MAX = 25


def _help(name: str) -> str:
    return COMMANDS[name].help[:100]


def _params(name: str) -> dict[str, str]:
    return {p.name: p.help[:100] for p in COMMANDS[name].params}


class _Feeds(app_commands.Group):
    """`/brief feeds list|add|remove`."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(name="feeds", description="The feeds being polled; admins add and remove them.")
        self._answer = answer

    @app_commands.command(name="list", description=_help("feeds"))
    async def list_(self, interaction: discord.Interaction) -> None:
        await self._answer(interaction, "feeds", {})

    @app_commands.command(name="add", description=_help("feeds.add"))
    @app_commands.describe(**_params("feeds.add"))
    async def add(self, interaction: discord.Interaction, url: str, name: str | None = None) -> None:
        await self._answer(interaction, "feeds.add", {"url": url, "name": name})

    @app_commands.command(name="remove", description=_help("feeds.remove"))
    @app_commands.describe(**_params("feeds.remove"))
    async def remove(self, interaction: discord.Interaction, name: str) -> None:
        await self._answer(interaction, "feeds.remove", {"name": name})


class BriefCommands(app_commands.Group):
    """`/brief <subcommand>`: one subcommand per core command, options typed and described from the specs."""

    def __init__(self, answer: Answer, speakers: Speakers) -> None:
        super().__init__(name="brief", description="Briefs, quotes and feeds on the story.", guild_only=True)
        self._answer = answer
        self._speakers = speakers
        self.add_command(_Feeds(answer))

    @app_commands.command(name="latest", description=_help("latest"))
    @app_commands.describe(**_params("latest"))
    async def latest(self, interaction: discord.Interaction, n: app_commands.Range[int, 1, 20] | None = None) -> None:
        await self._answer(interaction, "latest", {"n": n})

    @app_commands.command(name="stories", description=_help("stories"))
    @app_commands.describe(**_params("stories"))
    async def stories(self, interaction: discord.Interaction,
                      n: app_commands.Range[int, 1, 20] | None = None) -> None:
        await self._answer(interaction, "stories", {"n": n})

    @app_commands.command(name="story", description=_help("story"))
    @app_commands.describe(**_params("story"))
    async def story(self, interaction: discord.Interaction, story: app_commands.Range[str, 1, 300]) -> None:
        await self._answer(interaction, "story", {"story": story})

    @app_commands.command(name="quotes", description=_help("quotes"))
    @app_commands.describe(**_params("quotes"))
    async def quotes(self, interaction: discord.Interaction, speaker: app_commands.Range[str, 1, 300],
                     n: app_commands.Range[int, 1, 20] | None = None) -> None:
        await self._answer(interaction, "quotes", {"speaker": speaker, "n": n})

    @quotes.autocomplete("speaker")
    async def _speaker_names(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        names = await self._speakers(interaction, current)
        return [app_commands.Choice(name=n[:100], value=n[:100]) for n in names[:AUTOCOMPLETE_MAX]]

    @app_commands.command(name="speakers", description=_help("speakers"))
    @app_commands.describe(**_params("speakers"))
    async def speakers(self, interaction: discord.Interaction,
                       n: app_commands.Range[int, 1, 50] | None = None) -> None:
        await self._answer(interaction, "speakers", {"n": n})

    @app_commands.command(name="search", description=_help("search"))
    @app_commands.describe(**_params("search"))
    async def search(self, interaction: discord.Interaction, words: app_commands.Range[str, 1, 300]) -> None:
        await self._answer(interaction, "search", {"words": words})

    @app_commands.command(name="digest", description=_help("digest"))
    async def digest(self, interaction: discord.Interaction) -> None:
        await self._answer(interaction, "digest", {})

    @app_commands.command(name="subscribe", description=_help("subscribe"))
    async def subscribe(self, interaction: discord.Interaction) -> None:
        await self._answer(interaction, "subscribe", {})

    @app_commands.command(name="unsubscribe", description=_help("unsubscribe"))
    async def unsubscribe(self, interaction: discord.Interaction) -> None:
        await self._answer(interaction, "unsubscribe", {})

    @app_commands.command(name="help", description=_help("help"))
    @app_commands.describe(**_params("help"))
    async def help(self, interaction: discord.Interaction, command: str | None = None) -> None:
        await self._answer(interaction, "help", {"command": command})


def is_admin(interaction: discord.Interaction, *, admin_roles: Iterable[str], listed: bool) -> bool:
    """Manage Server in this guild, a configured admin role (by id or name), or listed in [bot] admins."""
    if listed:
        return True
    if interaction.guild_id is None:
        return False
    if interaction.permissions.manage_guild or interaction.permissions.administrator:
        return True
    wanted = {r.strip().lstrip("@").casefold() for r in admin_roles}
    roles = getattr(interaction.user, "roles", [])
    return any(str(role.id) in wanted or role.name.casefold() in wanted for role in roles)


def matching(names: Iterable[str], current: str) -> list[str]:
    """Speaker names for autocomplete: those starting with what was typed first, then those containing it."""
    typed = " ".join(current.split()).casefold()
    starts, contains = [], []
    for name in dict.fromkeys(names):
        folded = name.casefold()
        if not typed or folded.startswith(typed) or any(w.startswith(typed) for w in folded.split()):
            starts.append(name)
        elif typed in folded:
            contains.append(name)
    return (starts + contains)[:AUTOCOMPLETE_MAX]
