"""A fake Slack on 127.0.0.1: Web API methods the adapter uses, response_url, and a Socket Mode websocket."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

BOT_TOKEN = "xoxb-fake-bot-token-000000000000"
APP_TOKEN = "xapp-fake-app-token-000000000000"
SIGNING_SECRET = "fake-signing-secret-for-tests-0001"
BOT_USER = "UBOTFAKE01"
TALKS = "C0TALKS001"  # the bot is a member
NEWSROOM = "C0NEWSRM01"  # the bot is not a member
ARCHIVE = "C0ARCHIVE1"  # archived


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    token: str | None


@dataclass
class _Trouble:
    method: str
    status: int
    body: dict[str, Any]
    headers: dict[str, str]
    left: int
    delay: float = 0.0  # answer this late (after doing the work)
    done: bool = False  # do the work first, then answer the error (a reply lost after the post happened)


@dataclass
class FakeSlack:
    """The fake's state: what was posted where, what each call asked; `fail()` schedules errors."""

    calls: list[Call] = field(default_factory=list)
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # channel or user -> messages
    responses: list[dict[str, Any]] = field(default_factory=list)  # bodies posted to response_url
    ephemeral: list[dict[str, Any]] = field(default_factory=list)
    acks: dict[str, dict[str, Any]] = field(default_factory=dict)  # envelope_id -> the client's ack
    channels: dict[str, str] = field(default_factory=lambda: {TALKS: "peace-talks", NEWSROOM: "newsroom",
                                                              ARCHIVE: "old-talks"})
    members: set[str] = field(default_factory=lambda: {TALKS, ARCHIVE})
    archived: set[str] = field(default_factory=lambda: {ARCHIVE})
    tokens: set[str] = field(default_factory=lambda: {BOT_TOKEN, APP_TOKEN})
    deleted: set[tuple[str, str]] = field(default_factory=set)  # (channel, ts) of messages deleted with no replies
    orphan_replies: str = "error"  # a reply to a deleted root: "error" (thread_not_found) or "unthread" (top level)
    page_size: int = 1000  # the most messages one conversations.history / conversations.replies page returns
    _trouble: list[_Trouble] = field(default_factory=list)
    _seq: Any = field(default_factory=lambda: itertools.count(1))
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _ws: web.WebSocketResponse | None = None
    _runner: web.AppRunner | None = None
    port: int = 0

    # -- life cycle ------------------------------------------------------------------------------------------
    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{id}", self._respond)
        app.router.add_get("/link", self._socket)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- test controls ---------------------------------------------------------------------------------------
    def fail(self, method: str, error: str = "ratelimited", *, status: int = 200, times: int = 1,
             headers: dict[str, str] | None = None, delay: float = 0.0, done: bool = False) -> None:
        """The next `times` calls of `method` answer `{"ok": false, "error": error}` with `status` (and headers).

        With error "" the call does its work and answers normally, only `delay` seconds late; with `done` it does
        its work and then answers the error. Troubles queue up: each call takes the first one with calls left.
        """
        body = {"ok": False, "error": error} if error else {}
        self._trouble.append(_Trouble(method, status, body, headers or {}, times, delay, done))

    def posts(self, channel: str) -> list[dict[str, Any]]:
        return list(self.messages.get(channel, []))

    def replies(self, channel: str, root: str) -> list[dict[str, Any]]:
        """The replies posted in the thread of message `root` (not the root itself), oldest first."""
        return [m for m in self.messages.get(channel, []) if m.get("thread_ts") == root and m["ts"] != root]

    def delete(self, channel: str, ts: str) -> None:
        """Delete a message as a user would: a root with replies stays as a tombstone, anything else is gone."""
        msgs = self.messages.get(channel, [])
        msg = next(m for m in msgs if m["ts"] == ts)
        if self.replies(channel, ts):
            msg.update(subtype="tombstone", text="This message was deleted.", blocks=None, metadata=None,
                       user="USLACKBOT", hidden=True)
            msg.pop("bot_id", None)
        else:
            msgs.remove(msg)
            self.deleted.add((channel, ts))

    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, check: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Wait until `check()` is truthy (re-checked whenever the fake receives something); returns its value."""
        async with asyncio.timeout(timeout):
            while not (value := check()):
                self._changed.clear()
                try:
                    async with asyncio.timeout(0.2):
                        await self._changed.wait()
                except TimeoutError:
                    pass
        return value

    async def envelope(self, kind: str, payload: dict[str, Any], *, timeout: float = 3.0) -> dict[str, Any]:
        """Send a Socket Mode envelope; returns the client's ack (which must come within `timeout`)."""
        await self.wait_for(lambda: self._ws is not None and not self._ws.closed, timeout=10)
        envelope_id = f"env-{next(self._seq)}"
        assert self._ws is not None
        await self._ws.send_str(json.dumps({"envelope_id": envelope_id, "type": kind, "payload": payload,
                                            "accepts_response_payload": kind != "events_api"}))
        return await self.wait_for(lambda: self.acks.get(envelope_id), timeout=timeout)

    # -- handlers --------------------------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
        elif request.can_read_body:
            params.update(dict(await request.post()))
        auth = request.headers.get("Authorization", "")
        token = params.get("token") or (auth[7:] if auth.startswith("Bearer ") else None)
        self.calls.append(Call(method, params, token))
        self._changed.set()
        trouble = next((t for t in self._trouble if t.method == method and t.left > 0), None)
        if trouble is not None:
            trouble.left -= 1
            if trouble.body and not trouble.done:
                return web.json_response(trouble.body, status=trouble.status, headers=trouble.headers)
        if token not in self.tokens:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        body = getattr(self, "_m_" + method.replace(".", "_"), self._unknown)(params)
        if trouble is not None and trouble.delay:
            await asyncio.sleep(trouble.delay)
        if trouble is not None and trouble.body:  # `done`: the work happened, the caller sees the error
            return web.json_response(trouble.body, status=trouble.status, headers=trouble.headers)
        return web.json_response(body)

    def _unknown(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": False, "error": "unknown_method"}

    def _m_auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "user_id": BOT_USER, "user": "briefbot", "team": "Fictional Desk", "team_id": "T0FAKE01",
                "bot_id": "B0FAKE01", "url": "https://fictional-desk.slack.example/"}

    def _m_apps_connections_open(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/link?ticket=t"}

    def _channel(self, ref: str) -> str | None:
        if ref.startswith("#"):
            return next((cid for cid, name in self.channels.items() if name == ref[1:]), None)
        return ref if ref in self.channels or ref.startswith("U") else None

    def _m_chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(str(params.get("channel", "")))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        if channel in self.archived:
            return {"ok": False, "error": "is_archived"}
        if not channel.startswith("U") and channel not in self.members:
            return {"ok": False, "error": "not_in_channel"}
        thread = str(params["thread_ts"]) if params.get("thread_ts") else None
        if thread is not None and (channel, thread) in self.deleted:
            if self.orphan_replies == "error":
                return {"ok": False, "error": "thread_not_found"}
            thread = None  # Slack posts the reply at the top level of the channel instead
        broadcast = thread is not None and _flag(params.get("reply_broadcast"))
        ts = f"{int(time.time())}.{next(self._seq):06d}"
        msg = {"type": "message", "ts": ts, "user": BOT_USER, "bot_id": "B0FAKE01", "text": params.get("text", ""),
               "blocks": _json(params.get("blocks")), "metadata": _json(params.get("metadata")),
               "thread_ts": thread, "params": params}
        if broadcast:
            msg["subtype"] = "thread_broadcast"
        root = self._root(channel, thread)
        if root is not None:
            msg["parent_user_id"] = root.get("user")
            root.update(thread_ts=root["ts"], reply_count=root.get("reply_count", 0) + 1, latest_reply=ts)
        self.messages.setdefault(channel, []).append(msg)
        echo = {k: msg[k] for k in ("ts", "text", "user", "thread_ts", "subtype") if msg.get(k) is not None}
        return {"ok": True, "channel": channel, "ts": ts, "message": echo}

    def _root(self, channel: str, ts: str | None) -> dict[str, Any] | None:
        return next((m for m in self.messages.get(channel, []) if m["ts"] == ts), None) if ts else None

    def _m_chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        self.ephemeral.append({**params, "blocks": _json(params.get("blocks"))})
        return {"ok": True, "message_ts": f"{int(time.time())}.{next(self._seq):06d}"}

    def _m_conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        """The channel's top-level messages, newest first: thread replies only when broadcast to the channel."""
        channel = self._channel(str(params.get("channel", "")))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        oldest = float(params.get("oldest") or 0)
        top = [m for m in reversed(self.messages.get(channel, [])) if float(m["ts"]) >= oldest
               and (m.get("thread_ts") in (None, m["ts"]) or m.get("subtype") == "thread_broadcast")]
        return self._page(top, params)

    def _m_conversations_replies(self, params: dict[str, Any]) -> dict[str, Any]:
        """A thread, oldest first: its root, then the replies (from `oldest` on); thread_not_found for no root."""
        channel = self._channel(str(params.get("channel", "")))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        root = self._root(channel, str(params.get("ts", "")))
        if root is None:
            return {"ok": False, "error": "thread_not_found"}
        oldest = float(params.get("oldest") or 0)
        thread = [root] + [m for m in self.replies(channel, root["ts"]) if float(m["ts"]) >= oldest]
        return self._page(thread, params)

    def _page(self, found: list[dict[str, Any]], params: dict[str, Any]) -> dict[str, Any]:
        """One page of messages (metadata only with include_all_metadata), with Slack's cursor pagination."""
        with_meta = _flag(params.get("include_all_metadata"))
        start = int(params.get("cursor") or 0)
        size = min(int(params.get("limit") or 100), self.page_size)
        page = [{k: v for k, v in m.items() if k != "params" and (with_meta or k != "metadata")}
                for m in found[start:start + size]]
        more = start + size < len(found)
        return {"ok": True, "messages": page, "has_more": more,
                "response_metadata": {"next_cursor": str(start + size) if more else ""}}

    def _m_conversations_list(self, params: dict[str, Any]) -> dict[str, Any]:
        chans = [{"id": cid, "name": name, "is_archived": cid in self.archived} for cid, name in self.channels.items()]
        return {"ok": True, "channels": chans, "response_metadata": {"next_cursor": ""}}

    async def _respond(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.responses.append({"id": request.match_info["id"], **body})
        self._changed.set()
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._ws = ws
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1}))
        async for msg in ws:
            if msg.type == aiohttp.WSMsgType.TEXT:
                data = json.loads(msg.data)
                if "envelope_id" in data:
                    self.acks[data["envelope_id"]] = data
                    self._changed.set()
        return ws


def _flag(value: Any) -> bool:
    """A boolean argument as Slack reads it from JSON (true) or a form/query ("true", "1")."""
    return value is True or str(value).lower() in {"1", "true"}


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) and value[:1] in "[{" else value


def signed_headers(body: str, *, secret: str = SIGNING_SECRET, ts: int | None = None) -> dict[str, str]:
    """Slack's request-signing headers for `body`: v0=HMAC-SHA256(secret, "v0:{ts}:{body}")."""
    stamp = str(int(time.time()) if ts is None else ts)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def slash_body(text: str, *, response_url: str, channel: str = TALKS, user: str = "UEDITOR01") -> dict[str, str]:
    """A `/brief` slash command payload as Slack sends it (form fields)."""
    return {"token": "deprecated", "team_id": "T0FAKE01", "team_domain": "fictional-desk", "channel_id": channel,
            "channel_name": "peace-talks", "user_id": user, "user_name": "analyst", "command": "/brief",
            "text": text, "api_app_id": "A0FAKE01", "response_url": response_url, "trigger_id": "1.2.3"}


def slash_form(text: str, **kwargs: Any) -> str:
    return urlencode(slash_body(text, **kwargs))


def mention_event(text: str, *, channel: str = TALKS, user: str = "UEDITOR01", ts: str = "1765800000.000100",
                  thread_ts: str | None = None) -> dict[str, Any]:
    """An `event_callback` body carrying an app_mention."""
    event = {"type": "app_mention", "user": user, "text": text, "ts": ts, "channel": channel,
             "event_ts": ts, **({"thread_ts": thread_ts} if thread_ts else {})}
    return {"token": "deprecated", "team_id": "T0FAKE01", "api_app_id": "A0FAKE01", "event": event,
            "type": "event_callback", "event_id": f"Ev{ts.replace('.', '')}", "event_time": int(float(ts)),
            "authorizations": [{"team_id": "T0FAKE01", "user_id": BOT_USER, "is_bot": True}]}
