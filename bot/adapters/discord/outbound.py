"""The Discord sink: briefs as embeds (nonce = idempotency key), story updates in threads; finds them again."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from datetime import timezone, tzinfo

import aiohttp
import discord

from bot.adapters.discord.render import CONTENT_MAX, NO_MENTIONS, brief_embed, plain, ref_of, story_embed, thread_name
from bot.deliver.sink import AdapterStopped, DeliveryError
from bot.store.records import Delivery, StoredBrief

log = logging.getLogger("bot.adapters.discord")

HISTORY_LIMIT = 100  # recent messages read back when checking whether a delivery was posted before a restart
LOGIN_WAIT = 20.0  # how long a post waits for the client to log in before it is retried later
THREAD_ARCHIVE_MINUTES = 10080  # a story's thread is hidden after a week without posts (a post unarchives it)
THREADS_REMEMBERED = 4096  # story threads known to exist, so that later updates skip the create call
THREAD_EXISTS = 160004  # "A thread has already been created for this message": its id is the message's id
CANNOT_REPLY = 160002  # "Cannot reply without permission to read message history"
# archived (and locked), locked, too many active threads, not a channel that has threads
_THREAD_CLOSED = frozenset({50083, 160005, 160006, 50024})


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
        self._threads: dict[int, None] = {}  # story messages known to carry a thread, oldest first

    def logged_in(self) -> None:
        """The client has logged in: posts may go."""
        self._ready.set()

    def stop(self, reason: str) -> None:
        """The platform refused the bot (bad or revoked token): every further call raises AdapterStopped."""
        self._stopped = reason
        self._ready.set()

    async def post(self, delivery: Delivery, brief: StoredBrief) -> str:
        """Post the brief; returns the message id.

        With `delivery.thread_root` (the id of the message that opened the brief's story in this channel) the brief
        is an update posted in a thread started on that message: the thread's id is the message's id, so creating
        it again only answers 160004 and it is looked up by id. Discord has no "also send to channel" for thread
        replies: with `delivery.broadcast` the update is posted in the channel as a reply to the story's message
        instead of in the thread. When the thread cannot be used (root deleted, thread locked, no permission to
        create threads) the full brief goes to the channel: better posted than lost.
        """
        channel = await self._channel(delivery.address)
        root = _snowflake(delivery.thread_root)
        key = delivery.idempotency_key
        embed = story_embed(brief, colour=self._colour, tz=self._tz, key=key, threaded=root is not None)
        try:
            if root is not None and delivery.broadcast:
                return await self._reply(channel, delivery, embed, root)
            if root is not None and (thread := await self._thread(channel.id, root, brief)) is not None:
                try:
                    return await self._send(thread, delivery, embed)
                except discord.HTTPException as exc:
                    if not _unusable(exc):
                        raise
                    self._threads.pop(root, None)
                    log.warning("discord: cannot post in the thread of message %s in channel %s (%s); posting "
                                "brief %d to the channel", root, delivery.address, _detail(exc), delivery.brief_id)
            if root is not None:
                embed = brief_embed(brief, colour=self._colour, tz=self._tz, key=key)
            return await self._send(channel, delivery, embed)
        except Exception as exc:
            raise self._translate(exc, delivery.address, "posting to") from exc

    async def find_posted(self, delivery: Delivery) -> str | None:
        """The id of a recent message of ours carrying the delivery's key (as nonce or in the footer ref).

        A story update is looked for in its thread first, then in the channel (where it goes when broadcast, or
        when its thread could not be used).
        """
        channel = await self._channel(delivery.address)
        root = _snowflake(delivery.thread_root)
        places = ([self._client.get_partial_messageable(root)] if root is not None else []) + [channel]
        for place in places:
            try:
                found = await self._search(place, delivery.idempotency_key)
            except discord.NotFound as exc:
                if place is channel:
                    raise self._translate(exc, delivery.address, "reading the history of") from exc
                continue  # no thread was ever started on the story's message
            except discord.Forbidden:
                # No Read Message History: post again with the same nonce, which Discord deduplicates for a while.
                log.warning("discord: cannot read the history of channel %s to check delivery %d (grant Read "
                            "Message History); posting it again with the same nonce", place.id, delivery.id)
                continue
            except Exception as exc:
                raise self._translate(exc, delivery.address, "reading the history of") from exc
            if found is not None:
                return found
        return None

    async def _search(self, place: discord.PartialMessageable, key: str) -> str | None:
        me = self._client.user.id if self._client.user else None
        async for message in place.history(limit=HISTORY_LIMIT):
            if me is not None and message.author.id != me:
                continue
            if str(message.nonce or "") == key or any(ref_of(key) in (e.footer.text or "") for e in message.embeds):
                return str(message.id)
        return None

    async def _send(self, target: discord.PartialMessageable, delivery: Delivery, embed: discord.Embed,
                    reference: discord.MessageReference | None = None) -> str:
        message = await target.send(embed=embed, nonce=delivery.idempotency_key, allowed_mentions=NO_MENTIONS,
                                    **({"reference": reference} if reference else {}))
        return str(message.id)

    async def _reply(self, channel: discord.PartialMessageable, delivery: Delivery, embed: discord.Embed,
                     root: int) -> str:
        """The update in the channel as a reply to the story's message (posted plain if that message is gone)."""
        ref = discord.MessageReference(message_id=root, channel_id=channel.id, fail_if_not_exists=False)
        try:
            return await self._send(channel, delivery, embed, ref)
        except discord.HTTPException as exc:
            if exc.code != CANNOT_REPLY:
                raise
            log.warning("discord: cannot reply in channel %s without Read Message History; posting brief %d there "
                        "without the reply", delivery.address, delivery.brief_id)
            return await self._send(channel, delivery, embed)

    async def _thread(self, channel_id: int, root: int, brief: StoredBrief) -> discord.PartialMessageable | None:
        """The thread on message `root`, started if need be; None when it cannot be (root gone, no permission)."""
        if root not in self._threads:
            try:
                await self._client.http.start_thread_with_message(
                    channel_id, root, name=thread_name(brief), auto_archive_duration=THREAD_ARCHIVE_MINUTES)
            except discord.HTTPException as exc:
                if exc.code != THREAD_EXISTS:
                    if not _unusable(exc):
                        raise
                    log.warning("discord: cannot start a thread on message %s in channel %s (%s)", root, channel_id,
                                _detail(exc))
                    return None
            self._threads[root] = None
            while len(self._threads) > THREADS_REMEMBERED:
                self._threads.pop(next(iter(self._threads)))
        return self._client.get_partial_messageable(root)

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


def _snowflake(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _unusable(exc: discord.HTTPException) -> bool:
    """A refusal that closes a story's thread to the bot (post the brief in the channel instead)."""
    return exc.status in (403, 404) or exc.code in _THREAD_CLOSED


def _detail(exc: discord.HTTPException) -> str:
    return (exc.text or "").strip().splitlines()[0][:200] if (exc.text or "").strip() else str(exc.code)
