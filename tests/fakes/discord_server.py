"""A fake Discord REST API and gateway on 127.0.0.1 for driving the real discord.py client in tests."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import defaultdict
from datetime import datetime, timezone
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.discord_threads import REPLY, FakeThreads

APP_ID = 700000000000000001
BOT_ID = 700000000000000002
GUILD_ID = 700000000000000100
CHANNEL_ID = 700000000000000200
ADMIN_ID = 700000000000000300
USER_ID = 700000000000000301
MANAGE_GUILD = 1 << 5
_JSON = "application/json"  # exactly: discord.py reads ";charset=utf-8" bodies as text


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(status=status, body=json.dumps(data).encode(), headers={"Content-Type": _JSON, **(headers or {})})


def _user(uid: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {"id": str(uid), "username": name, "discriminator": "0", "global_name": name, "avatar": None, "bot": bot}


class FakeDiscord(FakeThreads):
    """Records what the client sends; tests steer it with `rate_limits`, `channel_errors` and `dispatch`."""

    def __init__(self, token: str = "fake-bot-token") -> None:
        self.token = token
        self.posts: list[dict[str, Any]] = []  # every POST /channels/{id}/messages body, in order (incl. refused)
        self.messages: dict[int, list[dict[str, Any]]] = defaultdict(list)  # created messages per channel
        self.callbacks: list[dict[str, Any]] = []  # interaction callback bodies
        self.followups: list[dict[str, Any]] = []  # webhook follow-ups and edits of the original response
        self.synced: dict[str, list[dict[str, Any]]] = {}  # "global" or guild id -> commands
        self.rate_limits = 0  # answer this many message posts with 429 (with a Via header)
        self.retry_after = 0.3
        self.channel_errors: dict[int, int] = {}  # channel id -> HTTP status (403, 404)
        self.server_errors: list[int] = []  # answer the next message posts with these statuses (500, 502, 503)
        self.lost_replies = 0  # create this many posted messages, then answer 502 as if the reply were lost
        self.slow_replies = 0  # create this many posted messages, then answer only `reply_delay` seconds later
        self.reply_delay = 3.0
        self.dm_channels: dict[int, int] = {}  # user id -> DM channel id opened with POST /users/@me/channels
        self.identified = asyncio.Event()
        self.got_callback = asyncio.Event()
        self.got_followup = asyncio.Event()
        self._ids = itertools.count(900000000000000001)
        self._seq = itertools.count(1)
        self._sockets: list[web.WebSocketResponse] = []
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._init_threads(GUILD_ID, BOT_ID)

    # -- life cycle -------------------------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application(middlewares=[self._auth])
        r = app.router
        r.add_get("/gateway", self._gateway)
        r.add_get("/api/v10/users/@me", self._me)
        r.add_get("/api/v10/oauth2/applications/@me", self._application)
        r.add_put("/api/v10/applications/{app}/commands", self._sync)
        r.add_put("/api/v10/applications/{app}/guilds/{guild}/commands", self._sync)
        r.add_post("/api/v10/users/@me/channels", self._open_dm)
        r.add_post("/api/v10/channels/{channel}/messages", self._post_message)
        r.add_get("/api/v10/channels/{channel}/messages", self._history)
        r.add_post("/api/v10/channels/{channel}/messages/{message}/threads", self._start_thread)
        r.add_post("/api/v10/interactions/{id}/{token}/callback", self._callback)
        r.add_post("/api/v10/webhooks/{app}/{token}", self._followup)
        r.add_patch("/api/v10/webhooks/{app}/{token}/messages/@original", self._followup)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def close(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # -- test helpers -----------------------------------------------------------------------------------------
    def created(self, channel: int = CHANNEL_ID) -> list[dict[str, Any]]:
        return list(self.messages[channel])

    def direct(self, user_id: int) -> list[dict[str, Any]]:
        """The messages the bot sent to `user_id` in a direct message."""
        return list(self.messages[self.dm_channels[user_id]]) if user_id in self.dm_channels else []

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        for ws in list(self._sockets):
            await ws.send_str(json.dumps({"op": 0, "t": event, "s": next(self._seq), "d": data}))

    async def interact(self, data: dict[str, Any], *, kind: int = 2, admin: bool = False) -> str:
        """Send an INTERACTION_CREATE from a guild member; returns the interaction token."""
        iid = next(self._ids)
        token = f"itoken-{iid}"
        user_id = ADMIN_ID if admin else USER_ID
        member = {"user": _user(user_id, "analyst"), "roles": [], "joined_at": _now(), "deaf": False, "mute": False,
                  "flags": 0, "permissions": str(MANAGE_GUILD if admin else 0)}
        await self.dispatch("INTERACTION_CREATE", {
            "id": str(iid), "application_id": str(APP_ID), "type": kind, "data": data, "guild_id": str(GUILD_ID),
            "channel_id": str(CHANNEL_ID), "channel": _channel(CHANNEL_ID), "member": member, "token": token,
            "version": 1, "locale": "en-GB", "guild_locale": "en-US", "app_permissions": "0", "context": 0,
            "entitlements": [], "authorizing_integration_owners": {"0": str(GUILD_ID)},
            "attachment_size_limit": 10 * 1024 * 1024,
        })
        return token

    # -- REST -------------------------------------------------------------------------------------------------
    @web.middleware
    async def _auth(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path.startswith("/api/") and "/interactions/" not in request.path \
                and "/webhooks/" not in request.path and request.headers.get("Authorization") != f"Bot {self.token}":
            return _json({"message": "401: Unauthorized", "code": 0}, 401)
        return await handler(request)

    async def _me(self, _: web.Request) -> web.Response:
        return _json(_user(BOT_ID, "briefbot", bot=True))

    async def _application(self, _: web.Request) -> web.Response:
        return _json({"id": str(APP_ID), "name": "briefbot", "description": "", "icon": None, "bot_public": False,
                      "bot_require_code_grant": False, "owner": _user(ADMIN_ID, "owner"), "verify_key": "00" * 32,
                      "flags": 0})

    async def _sync(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.synced[request.match_info.get("guild", "global")] = body
        return _json([{**c, "id": str(next(self._ids)), "application_id": str(APP_ID), "version": "1"}
                      for c in body])

    async def _open_dm(self, request: web.Request) -> web.Response:
        user_id = int((await request.json())["recipient_id"])
        channel = self.dm_channels.setdefault(user_id, next(self._ids))
        return _json({"id": str(channel), "type": 1, "last_message_id": None,
                      "recipients": [_user(user_id, f"user{user_id % 1000}")]})

    async def _post_message(self, request: web.Request) -> web.Response:
        channel = int(request.match_info["channel"])
        body = await request.json()
        self.posts.append(body)
        if channel in self.channel_errors:
            status = self.channel_errors[channel]
            code, text = (50001, "Missing Access") if status == 403 else (10003, "Unknown Channel")
            return _json({"message": text, "code": code}, status)
        if self.rate_limits > 0:
            self.rate_limits -= 1
            return _json({"message": "You are being rate limited.", "retry_after": self.retry_after, "global": False},
                         429, {"Via": "1.1 google", "X-RateLimit-Scope": "user"})
        if self.server_errors:
            return _json({"message": "Server error", "code": 0}, self.server_errors.pop(0))
        refusal = self._post_refusal(channel, body)
        if refusal is not None:
            return refusal
        nonce = body.get("nonce")
        if nonce and body.get("enforce_nonce"):
            for old in self.messages[channel]:
                if old.get("nonce") == nonce:
                    return _json(old)
        message = _message(next(self._ids), channel, self._created_from(channel, body))
        self.messages[channel].append(message)
        if self.lost_replies > 0:
            self.lost_replies -= 1
            return _json({"message": "Bad Gateway", "code": 0}, 502)
        if self.slow_replies > 0:
            self.slow_replies -= 1
            await asyncio.sleep(self.reply_delay)
        return _json(message)

    async def _history(self, request: web.Request) -> web.Response:
        channel = int(request.match_info["channel"])
        if channel in self.channel_errors:
            return _json({"message": "Missing Access", "code": 50001}, self.channel_errors[channel])
        if self._no_channel(channel):
            return _json({"message": "Unknown Channel", "code": 10003}, 404)
        limit = int(request.query.get("limit", "50"))
        # Like Discord, history does not return message nonces: only the create response and gateway event do.
        return _json([{**m, "nonce": None} for m in reversed(self.messages[channel])][:limit])

    async def _callback(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.callbacks.append(body)
        self.got_callback.set()
        iid = request.match_info["id"]
        flags = (body.get("data") or {}).get("flags", 0)
        interaction = {"id": iid, "type": 2, "response_message_loading": body["type"] == 5,
                       "response_message_ephemeral": bool(flags & 64)}
        if body["type"] in (4, 5):
            message = _message(next(self._ids), CHANNEL_ID, body.get("data") or {})
            return _json({"interaction": {**interaction, "response_message_id": message["id"]},
                          "resource": {"type": body["type"], "message": message}})
        return _json({"interaction": interaction})

    async def _followup(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.followups.append(body)
        self.got_followup.set()
        return _json(_message(next(self._ids), CHANNEL_ID, body))

    # -- gateway ----------------------------------------------------------------------------------------------
    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                break
            frame = json.loads(msg.data)
            if frame["op"] == 1:
                await ws.send_str(json.dumps({"op": 11}))
            elif frame["op"] == 2:
                if frame["d"].get("token") != self.token:
                    await ws.close(code=4004, message=b"Authentication failed.")
                    break
                self._sockets.append(ws)
                await self.dispatch("READY", self._ready())
                await self.dispatch("GUILD_CREATE", _guild())
                self.identified.set()
        if ws in self._sockets:
            self._sockets.remove(ws)
        return ws

    def _ready(self) -> dict[str, Any]:
        return {"v": 10, "user": _user(BOT_ID, "briefbot", bot=True), "guilds": [{"id": str(GUILD_ID),
                "unavailable": True}], "session_id": "fake-session", "resume_gateway_url": self.gateway_url,
                "application": {"id": str(APP_ID), "flags": 0}, "private_channels": [], "relationships": []}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


def _channel(cid: int) -> dict[str, Any]:
    return {"id": str(cid), "type": 0, "name": "peace-talks", "guild_id": str(GUILD_ID), "position": 0,
            "permission_overwrites": [], "nsfw": False, "parent_id": None, "topic": None, "last_message_id": None,
            "rate_limit_per_user": 0}


def _guild() -> dict[str, Any]:
    everyone = {"id": str(GUILD_ID), "name": "@everyone", "permissions": "0", "position": 0, "color": 0,
                "hoist": False, "managed": False, "mentionable": False, "flags": 0}
    bot_member = {"user": _user(BOT_ID, "briefbot", bot=True), "roles": [], "joined_at": _now(), "deaf": False,
                  "mute": False, "flags": 0}
    return {"id": str(GUILD_ID), "name": "Newsroom", "icon": None, "owner_id": str(ADMIN_ID), "roles": [everyone],
            "channels": [_channel(CHANNEL_ID)], "members": [bot_member], "member_count": 3, "features": [],
            "emojis": [], "stickers": [], "threads": [], "presences": [], "voice_states": [], "large": False,
            "unavailable": False, "joined_at": _now(), "premium_tier": 0, "verification_level": 0,
            "default_message_notifications": 0, "explicit_content_filter": 0, "mfa_level": 0, "nsfw_level": 0,
            "preferred_locale": "en-US", "system_channel_flags": 0}


def _message(mid: int, channel: int, body: dict[str, Any]) -> dict[str, Any]:
    ref = body.get("message_reference")
    return {"id": str(mid), "channel_id": str(channel), "author": _user(BOT_ID, "briefbot", bot=True),
            "content": body.get("content") or "", "timestamp": _now(), "edited_timestamp": None, "tts": False,
            "mention_everyone": False, "mentions": [], "mention_roles": [], "attachments": [],
            "embeds": body.get("embeds") or [], "pinned": False, "type": REPLY if ref else 0,
            "flags": body.get("flags", 0), "nonce": body.get("nonce"), "allowed_mentions": body.get("allowed_mentions"),
            **({"message_reference": _reference(ref, channel)} if ref else {})}


def _reference(ref: dict[str, Any], channel: int) -> dict[str, Any]:
    """A message_reference as Discord returns it: ids as strings, no fail_if_not_exists."""
    return {"type": ref.get("type", 0), "message_id": str(ref["message_id"]),
            "channel_id": str(ref.get("channel_id") or channel), "guild_id": str(GUILD_ID)}
