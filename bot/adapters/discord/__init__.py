"""The Discord adapter: briefs as embeds, `/brief` slash commands, delivery through the outbox."""

from bot.adapters.discord.app import DiscordAdapter, build_discord
from bot.adapters.discord.outbound import DiscordSink

__all__ = ["DiscordAdapter", "DiscordSink", "build_discord"]
