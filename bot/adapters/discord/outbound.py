"""The Discord sink: posts delivered briefs as embeds (nonce = idempotency key), finds them again, posts notices."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from datetime import timezone, tzinfo

import aiohttp
import discord

from bot.adapters.discord.render import CONTENT_MAX, NO_MENTIONS, brief_embed, plain, ref_of
from bot.deliver.sink import AdapterStopped, DeliveryError
from bot.store.records import Delivery, StoredBrief

log = logging.getLogger("bot.adapters.discord")

HISTORY_LIMIT = 100  # recent messages read back when checking whether a delivery was posted before a restart
LOGIN_WAIT = 20.0  # how long a post waits for the client to log in before it is retried later


class DiscordSink:
    """Posts to Discord channels by id through a discord.py client's HTTP session (no gateway needed)."""

    platform = "discord"

    def __init__(self, client: discord.Client, *, colour: int, tz: tzinfo = timezone.utc,
                 admins: Iterable[str] = ()) -> None:
        self._client = client
        self._colour = colour
        self._tz = tz
        self.admins = [int(a.split(":", 1)[1]) for a in admins if a.startswith("discord:")]  # "discord:<user id>"
        self._ready = asyncio.Event()  # set once logged in, or once stopped
        self._stopped: str | None = None

    def logged_in(self) -> None:
        """The client has logged in: posts may go."""
        self._ready.set()

    def stop(self, reason: str) -> None:
        """The platform refused the bot (bad or revoked token): every further call raises AdapterStopped."""
        self._stopped = reason
        self._ready.set()

    async def post(self, delivery: Delivery, brief: StoredBrief) -> str:
        channel = await self._channel(delivery.address)
        embed = brief_embed(brief, colour=self._colour, tz=self._tz, key=delivery.idempotency_key)
        try:
            message = await channel.send(embed=embed, nonce=delivery.idempotency_key, allowed_mentions=NO_MENTIONS)
        except Exception as exc:
            raise self._translate(exc, delivery.address, "posting to") from exc
        return str(message.id)

    async def find_posted(self, delivery: Delivery) -> str | None:
        """The id of a recent message of ours carrying the delivery's key (as nonce or in the footer ref)."""
        channel = await self._channel(delivery.address)
        key = delivery.idempotency_key
        me = self._client.user.id if self._client.user else None
        try:
            async for message in channel.history(limit=HISTORY_LIMIT):
                if me is not None and message.author.id != me:
                    continue
                if str(message.nonce or "") == key or any(ref_of(key) in (e.footer.text or "") for e in message.embeds):
                    return str(message.id)
        except discord.Forbidden:
            # No Read Message History: post again with the same nonce, which Discord deduplicates for a while.
            log.warning("discord: cannot read the history of channel %s to check delivery %d (grant Read Message "
                        "History); posting it again with the same nonce", delivery.address, delivery.id)
            return None
        except Exception as exc:
            raise self._translate(exc, delivery.address, "reading the history of") from exc
        return None

    async def notify(self, address: str, text: str) -> None:
        channel = await self._channel(address)
        try:
            await channel.send(content=plain(text, CONTENT_MAX), allowed_mentions=NO_MENTIONS)
        except Exception as exc:
            raise self._translate(exc, address, "posting a notice to") from exc

    async def on_delivery_failed(self, delivery: Delivery, reason: str) -> None:
        """DM each configured Discord admin that a delivery failed for good (the Sender calls it once per reason)."""
        if not self.admins:
            return
        where = f"<#{delivery.address}>" if delivery.address.isdigit() else plain(delivery.address, 100)
        text = f"briefbot could not post brief {delivery.brief_id} to {where}: {plain(reason, CONTENT_MAX - 200)}"
        for user_id in self.admins:
            try:
                if self._stopped is not None:
                    raise AdapterStopped(self._stopped)
                dm = await self._client.create_dm(discord.Object(user_id))
                await dm.send(content=text, allowed_mentions=NO_MENTIONS)
            except (discord.HTTPException, aiohttp.ClientError, OSError, AdapterStopped) as exc:
                log.warning("discord: could not tell admin %s about a failed delivery: %s", user_id, exc)

    async def _channel(self, address: str) -> discord.PartialMessageable:
        if self._stopped is not None:
            raise AdapterStopped(self._stopped)
        try:
            channel_id = int(address)
        except ValueError:
            raise DeliveryError(f"{address!r} is not a Discord channel id", permanent=True) from None
        if not self._ready.is_set():
            try:
                async with asyncio.timeout(LOGIN_WAIT):
                    await self._ready.wait()
            except TimeoutError:
                raise DeliveryError("the Discord client has not logged in yet", retry_after=LOGIN_WAIT) from None
        if self._stopped is not None:
            raise AdapterStopped(self._stopped)
        return self._client.get_partial_messageable(channel_id)

    def _translate(self, exc: BaseException, address: str, doing: str) -> BaseException:
        """A discord.py error as the sender's DeliveryError or AdapterStopped (other errors pass through)."""
        where = f"channel {address}"
        if isinstance(exc, discord.Forbidden):
            return DeliveryError(f"Discord refused {doing} {where} (403 {_detail(exc)}): check that the bot is in "
                                 "the channel and may send messages and embed links there", permanent=True)
        if isinstance(exc, discord.NotFound):
            return DeliveryError(f"Discord does not know {where} (404 {_detail(exc)})", permanent=True)
        if isinstance(exc, discord.RateLimited):
            return DeliveryError(f"rate limited {doing} {where} for {exc.retry_after:.0f} s",
                                 retry_after=exc.retry_after)
        if isinstance(exc, discord.HTTPException):
            if exc.status == 401:
                reason = "Discord rejected the bot token (401 Unauthorized); set a valid token and restart"
                self.stop(reason)
                return AdapterStopped(reason)
            if exc.status >= 500 or exc.status == 429:
                return DeliveryError(f"Discord error {exc.status} {doing} {where}: {_detail(exc)}")
            return DeliveryError(f"Discord refused {doing} {where} ({exc.status} {_detail(exc)})", permanent=True)
        if isinstance(exc, (aiohttp.ClientError, OSError)):
            return DeliveryError(f"network error {doing} {where}: {type(exc).__name__}: {exc}")
        return exc


def _detail(exc: discord.HTTPException) -> str:
    return (exc.text or "").strip().splitlines()[0][:200] if (exc.text or "").strip() else str(exc.code)
