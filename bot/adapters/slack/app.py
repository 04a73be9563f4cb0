"""The Slack adapter: a Bolt app for `/brief` and @mentions over Socket Mode or HTTP, and its sink for deliveries."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.adapters.slack.inbound import SlackRequest, from_mention, from_slash
from bot.adapters.slack.outbound import FATAL, SlackSink, make_client
from bot.adapters.slack.render import reply_message
from bot.commands.context import CommandContext
from bot.commands.handlers import handle_text
from bot.config.schema import Settings
from bot.config.sections import SlackSettings

log = logging.getLogger(__name__)

COMMAND = "/brief"
EVENTS_PATH = "/slack/events"
ContextFactory = Callable[[str, str, str], CommandContext]  # (platform, channel, user) -> context, like App.context


class SlackAdapter:
    """Inbound (Bolt listeners) and outbound (`sink`) halves; `run(app, stop)` serves until `stop` or a bad token."""

    def __init__(self, conf: SlackSettings, *, bot_token: str, app_token: str | None = None,
                 signing_secret: str | None = None, admins: list[str] = (), tz: tzinfo = timezone.utc,
                 base_url: str | None = None) -> None:
        self.conf = conf
        self.tz = tz
        self.client = make_client(bot_token, base_url=base_url)
        self.sink = SlackSink(self.client, admins=list(admins), tz=tz)
        self._app_token = app_token
        self.bolt = AsyncApp(client=self.client, signing_secret=signing_secret or "",
                             request_verification_enabled=conf.mode == "http", process_before_response=False)
        self.bolt.command(COMMAND)(self._on_command)
        self.bolt.event("app_mention")(self._on_mention)
        self._contexts: ContextFactory | None = None
        self.bot_user_id: str | None = None
        self.http_port: int | None = None  # the bound port once HTTP mode is serving
        self.ready = asyncio.Event()

    async def run(self, app: Any, stop: asyncio.Event) -> None:
        """For bot.cli_run._run_async(extra=...): serve with `app.context` until `stop`."""
        await self.serve(app.context, stop)

    async def serve(self, contexts: ContextFactory, stop: asyncio.Event) -> None:
        """Check the token, then take commands until `stop` is set or Slack refuses the token (the bot goes on)."""
        self._contexts = contexts
        if not await self._check_token():
            return
        try:
            if self.conf.mode == "http":
                await self._serve_http(stop)
            else:
                await self._serve_socket(stop)
        finally:
            self.ready.clear()
        if self.sink.stopped.is_set():
            log.error("slack adapter stopped: %s. The rest of the bot keeps running.", self.sink.stop_reason)

    async def _check_token(self) -> bool:
        try:
            auth = await self.client.auth_test()
        except SlackApiError as exc:
            error = str(exc.response.get("error") or exc.response.status_code)
            if error in FATAL:
                self.sink.stop_reason = f"Slack refused the bot token ({error})"
                self.sink.stopped.set()
            log.error("slack adapter not started: auth.test failed (%s); check the bot token (env %s). "
                      "The rest of the bot keeps running.", error, self.conf.bot_token_env)
            return False
        self.bot_user_id = auth.get("user_id")
        log.info("slack: signed in as %s in team %s", auth.get("user"), auth.get("team"))
        return True

    async def _serve_socket(self, stop: asyncio.Event) -> None:
        handler = AsyncSocketModeHandler(self.bolt, self._app_token, web_client=self.client)
        await handler.connect_async()
        self.ready.set()
        try:
            await _first(stop, self.sink.stopped)
        finally:
            await handler.close_async()

    async def _serve_http(self, stop: asyncio.Event) -> None:
        runner = web.AppRunner(self.bolt.web_app(path=EVENTS_PATH))
        await runner.setup()
        site = web.TCPSite(runner, self.conf.http_host, self.conf.http_port)
        await site.start()
        server = getattr(site, "_server", None)
        sockets = getattr(server, "sockets", None) or []
        self.http_port = sockets[0].getsockname()[1] if sockets else self.conf.http_port
        log.info("slack: HTTP endpoint on %s:%s%s", self.conf.http_host, self.http_port, EVENTS_PATH)
        self.ready.set()
        try:
            await _first(stop, self.sink.stopped)
        finally:
            await runner.cleanup()

    # -- listeners: ack first (Slack's 3 s), then run the command ------------------------------------------------
    async def _on_command(self, ack: Any, body: dict[str, Any], respond: Any) -> None:
        await ack()
        req = from_slash(body)
        text, blocks, ephemeral = await self._answer(req)
        await respond(text=text, blocks=blocks, response_type="ephemeral" if ephemeral else "in_channel",
                      replace_original=False)

    async def _on_mention(self, ack: Any, event: dict[str, Any], client: Any) -> None:
        await ack()
        req = from_mention(event, self.bot_user_id)
        if req is None:
            return
        text, blocks, ephemeral = await self._answer(req)
        common = {"channel": req.channel, "text": text, "blocks": blocks, "thread_ts": req.thread_ts}
        if ephemeral:
            await client.chat_postEphemeral(user=req.user, **common)
        else:
            await client.chat_postMessage(unfurl_links=False, unfurl_media=False, parse="none", link_names=False,
                                          **common)

    async def _answer(self, req: SlackRequest) -> tuple[str, list[dict[str, Any]], bool]:
        assert self._contexts is not None, "serve() sets the context factory"
        ctx = self._contexts("slack", req.channel, req.user)
        reply = await handle_text(req.text, ctx)
        text, blocks = reply_message(reply, self.tz)
        return text, blocks, reply.ephemeral


def build_slack(settings: Settings, *, base_url: str | None = None) -> SlackAdapter | None:
    """The Slack adapter from [slack] and the tokens in the environment; None when Slack is not enabled.

    The Web API base (and so Socket Mode's apps.connections.open) is `base_url`, else [slack] api_url.
    """
    conf = settings.slack
    if not conf.enabled:
        return None
    token = settings.secret(conf.bot_token_env)
    if token is None:
        raise ValueError(f"environment variable {conf.bot_token_env} is not set")
    tz = timezone.utc if settings.bot.timezone.upper() == "UTC" else ZoneInfo(settings.bot.timezone)
    return SlackAdapter(conf, bot_token=token, app_token=settings.secret(conf.app_token_env),
                        signing_secret=settings.secret(conf.signing_secret_env), admins=settings.bot.admins,
                        tz=tz, base_url=base_url or conf.api_url)


async def _first(*events: asyncio.Event) -> None:
    waits = [asyncio.create_task(e.wait()) for e in events]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waits:
            w.cancel()
