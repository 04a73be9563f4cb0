"""The Slack sink: briefs to channels (story updates in threads) with chat.postMessage, tagged by idempotency key."""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import timedelta, timezone, tzinfo
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.render import brief_message, escape, fallback, story_message
from bot.deliver.sink import AdapterStopped, DeliveryError
from bot.store.records import Delivery, StoredBrief

log = logging.getLogger(__name__)

EVENT_TYPE = "briefbot_delivery"  # chat.postMessage metadata event_type carrying {"key": idempotency_key}
PERMANENT = frozenset({"not_in_channel", "channel_not_found", "is_archived", "invalid_blocks", "msg_too_long",
                       "restricted_action", "team_access_not_granted", "ekm_access_denied"})
FATAL = frozenset({"invalid_auth", "token_revoked", "account_inactive", "not_authed", "token_expired",
                   "missing_scope", "not_allowed_token_type"})
ROOT_GONE = frozenset({"thread_not_found", "message_not_found", "invalid_thread_ts"})  # a story's first post is gone
UNKNOWN_OUTCOME = "outcome unknown"  # prefix of a retry reason: look the key up before posting again
_LOOKBACK = timedelta(minutes=2)  # conversations.history / .replies start this long before the attempt
_HISTORY_PAGES = 10


class _PatientRateLimit(AsyncRateLimitErrorRetryHandler):
    """slack_sdk's 429 handler (sleeps Retry-After + jitter), but only for short waits: longer ones go to the outbox."""

    def __init__(self, max_retry_count: int = 2, longest: float = 10.0) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.longest = longest

    async def _can_retry_async(self, *, state: RetryState, request: HttpRequest,
                               response: HttpResponse | None = None, error: Exception | None = None) -> bool:
        if response is None or response.status_code != 429:
            return False
        return _retry_after(response.headers) <= self.longest


def make_client(token: str, *, base_url: str | None = None, timeout: int = 20) -> AsyncWebClient:
    """An AsyncWebClient that retries 429s itself; no blind retry of connection errors (a post could double)."""
    handlers: list[AsyncRetryHandler] = [_PatientRateLimit()]
    extra: dict[str, Any] = {"base_url": base_url} if base_url else {}
    return AsyncWebClient(token=token, timeout=timeout, retry_handlers=handlers, **extra)


class SlackSink:
    """The outbound half of the Slack adapter (a bot.deliver.sink.Sink)."""

    platform = "slack"

    def __init__(self, client: AsyncWebClient, *, admins: list[str] = (), tz: tzinfo = timezone.utc) -> None:
        self.client = client
        self.admins = [a.split(":", 1)[1] for a in admins if a.startswith("slack:")]
        self.tz = tz
        self.stopped = asyncio.Event()  # set when Slack refuses the token: the inbound half closes too
        self.stop_reason: str | None = None
        self._ids: dict[str, str] = {}  # "#name" -> channel id

    async def post(self, delivery: Delivery, brief: StoredBrief) -> str:
        """Post the brief as Block Kit with the delivery's key in its metadata; returns the message ts.

        With `delivery.thread_root` the brief is a reply in the thread of its story's first post (an update: only
        what is new, or one "also reported by" line), shown in the channel too when `delivery.broadcast`. If that
        root message was deleted, the full brief goes to the channel instead: better posted than lost.
        """
        if (delivery.last_error or "").startswith(UNKNOWN_OUTCOME):
            found = await self.find_posted(delivery)
            if found is not None:
                return found
        root = delivery.thread_root
        text, blocks = story_message(brief, self.tz, threaded=root is not None)
        meta = {"event_type": EVENT_TYPE, "event_payload": {"key": delivery.idempotency_key}}
        common = {"channel": delivery.address, "metadata": meta, "unfurl_links": False, "unfurl_media": False,
                  "parse": "none", "link_names": False}
        if root is None:
            resp = await self._call("chat_postMessage", text=text, blocks=blocks, **common)
        else:
            try:
                resp = await self._call("chat_postMessage", text=text, blocks=blocks, thread_ts=root,
                                        reply_broadcast=delivery.broadcast, **common)
            except DeliveryError as exc:
                if exc.reason not in ROOT_GONE:
                    raise
                log.warning("slack: the story's first post %s in %s is gone (%s); posting brief %d to the channel",
                            root, delivery.address, exc.reason, delivery.brief_id)
                text, blocks = brief_message(brief, self.tz)
                resp = await self._call("chat_postMessage", text=text, blocks=blocks, **common)
            else:
                if not (resp.get("message") or {}).get("thread_ts"):
                    log.info("slack: %s answered a reply to %s with a top-level message (root deleted?)",
                             delivery.address, root)
        if isinstance(resp.get("channel"), str):
            self._ids[delivery.address] = resp["channel"]
        return str(resp["ts"])

    async def find_posted(self, delivery: Delivery) -> str | None:
        """The ts of a message carrying this delivery's key, posted since shortly before the attempt.

        A story update is looked for in its thread first (conversations.replies), then in the channel itself, where
        it lands when broadcast or when its thread root was gone.
        """
        channel = await self._channel_id(delivery.address)
        if channel is None:
            return None
        since = delivery.attempted_at or delivery.created_at
        if since.tzinfo is None:
            since = since.replace(tzinfo=timezone.utc)
        oldest = f"{(since - _LOOKBACK).timestamp():.6f}"
        if delivery.thread_root is not None:
            try:
                found = await self._find_in("conversations_replies", delivery.idempotency_key, channel=channel,
                                            ts=delivery.thread_root, oldest=oldest)
            except DeliveryError as exc:
                if exc.reason not in ROOT_GONE:
                    raise
                found = None
            if found is not None:
                return found
        return await self._find_in("conversations_history", delivery.idempotency_key, channel=channel, oldest=oldest)

    async def _find_in(self, method: str, key: str, **kwargs: Any) -> str | None:
        """Page through conversations.history or .replies for a message whose metadata carries `key`."""
        cursor: str | None = None
        for _ in range(_HISTORY_PAGES):
            resp = await self._call(method, limit=200, include_all_metadata=True, **kwargs,
                                    **({"cursor": cursor} if cursor else {}))
            for msg in resp.get("messages") or []:
                meta = msg.get("metadata") or {}
                payload = meta.get("event_payload") or {}
                if meta.get("event_type") == EVENT_TYPE and payload.get("key") == key:
                    return str(msg["ts"])
            cursor = (resp.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                break
        return None

    async def notify(self, address: str, text: str) -> None:
        """A short plain notice in the channel (text escaped: it may quote a feed's own words)."""
        await self._call("chat_postMessage", channel=address, text=fallback(text), parse="none",
                         link_names=False, unfurl_links=False, unfurl_media=False)

    async def on_delivery_failed(self, delivery: Delivery, reason: str) -> None:
        """Tell each configured Slack admin, by direct message, that a delivery failed for good (the Sender's hook)."""
        where = f"<#{delivery.address}>" if delivery.address[:1] in "CGD" else escape(delivery.address)
        text = (f"briefbot could not post brief {delivery.brief_id} to {where}: {escape(reason)}. "
                "Invite the bot to the channel (/invite @briefbot) or fix the channel in the config.")
        for user in self.admins:
            try:
                await self._call("chat_postMessage", channel=user, text=text, parse="none", link_names=False)
            except (DeliveryError, AdapterStopped) as exc:
                log.warning("slack: could not tell admin %s about a failed delivery: %s", user, exc)

    async def _channel_id(self, address: str) -> str | None:
        """Channel ids pass through; a public "#name" is looked up once with conversations.list."""
        if not address.startswith("#"):
            return address
        if address in self._ids:
            return self._ids[address]
        cursor: str | None = None
        for _ in range(_HISTORY_PAGES):
            resp = await self._call("conversations_list", types="public_channel", limit=1000,
                                    exclude_archived=True, **({"cursor": cursor} if cursor else {}))
            for ch in resp.get("channels") or []:
                if ch.get("name") == address[1:]:
                    self._ids[address] = ch["id"]
                    return str(ch["id"])
            cursor = (resp.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                break
        return None

    async def _call(self, method: str, **kwargs: Any) -> Any:
        """One Web API call; Slack's refusals become DeliveryError / AdapterStopped."""
        if self.stopped.is_set():  # the token was refused already: do not spend calls on it
            raise AdapterStopped(self.stop_reason or "the Slack adapter stopped")
        try:
            return await getattr(self.client, method)(**kwargs)
        except SlackApiError as exc:
            raise self._classify(exc) from exc
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise DeliveryError(f"{UNKNOWN_OUTCOME}: {type(exc).__name__}: {exc}"[:300]) from exc

    def _classify(self, exc: SlackApiError) -> Exception:
        resp = exc.response
        status = getattr(resp, "status_code", 200)
        error = str(resp.get("error") or "") if resp is not None else ""
        if error in FATAL:
            self.stop_reason = f"Slack refused the bot token ({error}); check SLACK_BOT_TOKEN and reinstall the app"
            self.stopped.set()
            return AdapterStopped(self.stop_reason)
        if error in PERMANENT:
            return DeliveryError(error, permanent=True)
        if status == 429 or error == "ratelimited":
            return DeliveryError("ratelimited", retry_after=_retry_after(getattr(resp, "headers", {}) or {}))
        if status >= 500:
            return DeliveryError(f"{UNKNOWN_OUTCOME}: HTTP {status} {error}".strip())
        return DeliveryError(error or f"HTTP {status}")


def _retry_after(headers: Any) -> float:
    for key, value in dict(headers).items():
        if key.lower() == "retry-after":
            raw = value[0] if isinstance(value, list) else value
            try:
                return max(0.0, float(raw))
            except (TypeError, ValueError):
                break
    return 1.0 + random.random()
