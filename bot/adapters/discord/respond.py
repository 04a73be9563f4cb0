"""Answering a slash command: reply at once when quick, otherwise defer and follow up; never any mentions."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from datetime import tzinfo
from typing import Any

import discord

from bot.adapters.discord.render import NO_MENTIONS, Message, reply_message
from bot.commands.replies import Reply

log = logging.getLogger("bot.adapters.discord")

DEFER_AFTER = 1.5  # seconds; Discord wants an answer within 3 s, so slower commands defer and follow up


async def answer(interaction: discord.Interaction, work: Awaitable[Reply], *, colour: int, tz: tzinfo,
                 defer_after: float | None = None) -> None:
    """Run `work` and answer the interaction with its reply (errors and help only to the asker)."""
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=DEFER_AFTER if defer_after is None else defer_after)
    if done:
        message = reply_message(task.result(), colour=colour, tz=tz)
        await interaction.response.send_message(**_send_args(message), ephemeral=message.ephemeral)
        return
    await interaction.response.defer(thinking=True)
    reply = await task
    message = reply_message(reply, colour=colour, tz=tz)
    # The first follow-up replaces the public "thinking…" message, so it cannot be made ephemeral any more.
    await interaction.followup.send(**_send_args(message), wait=True)


async def answer_error(interaction: discord.Interaction, text: str) -> None:
    """A one-line problem, only to the asker, whether or not the interaction was answered yet."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text[:2000], ephemeral=True, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.response.send_message(text[:2000], ephemeral=True, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException as exc:
        log.warning("could not tell the user about an error: %s", exc)


def _send_args(message: Message) -> dict[str, Any]:
    args: dict[str, Any] = {"allowed_mentions": NO_MENTIONS}
    if message.content:
        args["content"] = message.content
    if message.embeds:
        args["embeds"] = message.embeds
    if not message.content and not message.embeds:
        args["content"] = "(nothing to show)"
    return args
