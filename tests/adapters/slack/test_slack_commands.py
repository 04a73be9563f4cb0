"""`/brief` and @mentions through real Bolt, over Socket Mode and signed HTTP, answered from the store."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import aiohttp

from bot.adapters.slack.app import EVENTS_PATH, SlackAdapter
from bot.commands.context import CommandContext
from bot.store import Store
from tests.adapters.slack.conftest import ADMIN, save_article
from tests.fakes.slack_server import TALKS, FakeSlack, mention_event, signed_headers, slash_body, slash_form

Contexts = Callable[[str, str, str], CommandContext]


@asynccontextmanager
async def serving(adapter: SlackAdapter, contexts: Contexts) -> AsyncIterator[SlackAdapter]:
    stop = asyncio.Event()
    task = asyncio.create_task(adapter.serve(contexts, stop))
    try:
        async with asyncio.timeout(10):
            await adapter.ready.wait()
        yield adapter
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


def _text(blocks: list[dict]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


async def test_socket_slash_latest_acked_then_answered_in_channel(store: Store, fake: FakeSlack, contexts: Contexts,
                                                                  make_adapter: Callable[..., SlackAdapter]) -> None:
    save_article(store, "geneva")
    async with serving(make_adapter("socket"), contexts):
        started = time.monotonic()
        ack = await fake.envelope("slash_commands", slash_body("latest", response_url=f"{fake.base}/respond/1"))
        assert time.monotonic() - started < 3.0
        assert "payload" not in ack  # a bare ack: the answer follows through response_url
        [reply] = await fake.wait_for(lambda: fake.responses)
    assert reply["response_type"] == "in_channel" and reply["id"] == "1"
    blocks = _text(reply["blocks"])
    assert "Latest brief" in blocks and "Envoys reconvene in Geneva" in blocks
    assert "We will not sign anything that trades our land for a pause" in blocks


async def test_socket_slash_quotes_zelensky(store: Store, fake: FakeSlack, contexts: Contexts,
                                            make_adapter: Callable[..., SlackAdapter]) -> None:
    save_article(store, "geneva")
    async with serving(make_adapter("socket"), contexts):
        await fake.envelope("slash_commands", slash_body("quotes Zelensky", response_url=f"{fake.base}/respond/2"))
        [reply] = await fake.wait_for(lambda: fake.responses)
    blocks = _text(reply["blocks"])
    assert "Quotes from Volodymyr Zelensky" in blocks
    assert "> “We will not sign anything that trades our land for a pause”" in blocks
    assert "Dana Whitcombe" not in blocks  # only the asked-for speaker
    assert reply["response_type"] == "in_channel"


async def test_socket_errors_and_admin_commands_are_ephemeral(store: Store, fake: FakeSlack, contexts: Contexts,
                                                             make_adapter: Callable[..., SlackAdapter]) -> None:
    async with serving(make_adapter("socket"), contexts):
        url = f"{fake.base}/respond/3"
        await fake.envelope("slash_commands", slash_body("frobnicate", response_url=url))
        await fake.envelope("slash_commands", slash_body("feeds add https://wire.example/rss", response_url=url))
        await fake.envelope("slash_commands", slash_body("", response_url=url))
        replies = await fake.wait_for(lambda: len(fake.responses) == 3 and fake.responses)
    assert all(r["response_type"] == "ephemeral" for r in replies)
    assert any("Unknown command" in r["text"] for r in replies)
    assert any("is for admins" in r["text"] for r in replies)
    assert any(r["text"].startswith("Commands:") for r in replies)  # an empty /brief shows help
    assert store.list_feeds() == []


async def test_socket_mention_answered_in_its_thread(store: Store, fake: FakeSlack, contexts: Contexts,
                                                     make_adapter: Callable[..., SlackAdapter]) -> None:
    save_article(store, "geneva")
    body = mention_event("<@UBOTFAKE01> quotes Whitcombe", ts="1765800000.000200")
    async with serving(make_adapter("socket"), contexts):
        await fake.envelope("events_api", body)
        [msg] = await fake.wait_for(lambda: fake.posts(TALKS))
    assert msg["thread_ts"] == "1765800000.000200"
    assert "The text is better than it was on Friday, and still not good enough" in _text(msg["blocks"])


async def test_socket_mention_admin_command_by_admin(store: Store, fake: FakeSlack, contexts: Contexts,
                                                     make_adapter: Callable[..., SlackAdapter]) -> None:
    body = mention_event("<@UBOTFAKE01> subscribe", user=ADMIN, ts="1765800000.000300", thread_ts="1765800000.000100")
    async with serving(make_adapter("socket"), contexts):
        await fake.envelope("events_api", body)
        [msg] = await fake.wait_for(lambda: fake.posts(TALKS))
    assert msg["thread_ts"] == "1765800000.000100"  # a mention inside a thread is answered in that thread
    assert "Subscribed" in msg["text"]
    assert [s.channel.address for s in store.subscriptions("slack")] == [TALKS]


async def test_bad_token_at_start_stops_only_the_adapter(store: Store, fake: FakeSlack, contexts: Contexts,
                                                         make_adapter: Callable[..., SlackAdapter]) -> None:
    adapter = make_adapter("socket", token="xoxb-revoked-000000000000")
    await asyncio.wait_for(adapter.serve(contexts, asyncio.Event()), 10)  # returns instead of hanging or raising
    assert adapter.sink.stopped.is_set() and "invalid_auth" in (adapter.sink.stop_reason or "")


# -- HTTP mode --------------------------------------------------------------------------------------------------
async def _post(adapter: SlackAdapter, body: str, headers: dict[str, str], ctype: str) -> tuple[int, str]:
    url = f"http://127.0.0.1:{adapter.http_port}{EVENTS_PATH}"
    async with aiohttp.ClientSession() as session:
        async with session.post(url, data=body.encode(), headers={**headers, "Content-Type": ctype}) as resp:
            return resp.status, await resp.text()


FORM = "application/x-www-form-urlencoded"


async def test_http_signed_slash_command_runs(store: Store, fake: FakeSlack, contexts: Contexts,
                                              make_adapter: Callable[..., SlackAdapter]) -> None:
    save_article(store, "geneva")
    async with serving(make_adapter("http"), contexts) as adapter:
        body = slash_form("latest 1", response_url=f"{fake.base}/respond/4")
        started = time.monotonic()
        status, _ = await _post(adapter, body, signed_headers(body), FORM)
        assert status == 200 and time.monotonic() - started < 3.0
        [reply] = await fake.wait_for(lambda: fake.responses)
    assert "Envoys reconvene in Geneva" in _text(reply["blocks"])


async def test_http_bad_or_stale_signature_is_401_and_runs_nothing(store: Store, fake: FakeSlack,
                                                                   contexts: Contexts,
                                                                   make_adapter: Callable[..., SlackAdapter]) -> None:
    save_article(store, "geneva")
    async with serving(make_adapter("http"), contexts) as adapter:
        body = slash_form("subscribe", user=ADMIN, response_url=f"{fake.base}/respond/5")
        wrong = signed_headers(body, secret="not-the-signing-secret-000")
        stale = signed_headers(body, ts=int(time.time()) - 600)
        tampered = signed_headers(body.replace("subscribe", "latest"))
        for headers in (wrong, stale, tampered, {}):
            status, _ = await _post(adapter, body, headers, FORM)
            assert status == 401
        await asyncio.sleep(0.5)
    assert fake.responses == [] and store.subscriptions("slack") == []


async def test_http_mention_answered_in_thread(store: Store, fake: FakeSlack, contexts: Contexts,
                                               make_adapter: Callable[..., SlackAdapter]) -> None:
    save_article(store, "geneva")
    async with serving(make_adapter("http"), contexts) as adapter:
        body = json.dumps(mention_event("<@UBOTFAKE01>   latest", ts="1765800000.000400"))
        status, _ = await _post(adapter, body, signed_headers(body), "application/json")
        assert status == 200
        [msg] = await fake.wait_for(lambda: fake.posts(TALKS))
    assert msg["thread_ts"] == "1765800000.000400" and "Envoys reconvene in Geneva" in msg["text"]
