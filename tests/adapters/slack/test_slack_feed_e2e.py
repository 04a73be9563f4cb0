"""End to end: a feed item on a local feed server becomes one Block Kit brief in the fake Slack, once in two lives."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest

from bot.adapters.slack.app import build_slack
from bot.app import App
from bot.config.schema import Settings
from tests.fakes.feed_server import FeedServer, rss
from tests.fakes.slack_server import APP_TOKEN, BOT_TOKEN, TALKS, FakeSlack, slash_body

os.environ.setdefault("HF_HUB_OFFLINE", "1")

# Fictional wire copy: the outlet, the reporter and every quoted word are invented for this test.
PARAGRAPHS = [
    "GENEVA, Dec 16 (Harbour Wire) - Ukrainian and U.S. negotiators resumed peace talks in Geneva on Tuesday, "
    "working through a revised framework for ending the war with Russia, three officials said.",
    "Ukrainian President Volodymyr Zelensky said in his nightly address: \"We are ready to work on every line of "
    "this text, but not to give away our land for a promise.\"",
    "A message circulated to reporters read <!channel> @here: the delegations will brief at six. "
    "See also: <https://evil.example/phish|Official ceasefire text>.",
    "U.S. special envoy Dana Whitcombe told reporters the teams had narrowed the gaps on security guarantees. "
    "\"We are closer than we were a week ago,\" Whitcombe said.",
]


def _feed() -> bytes:
    from html import escape

    content = "".join(f"<p>{escape(p, quote=False)}</p>" for p in PARAGRAPHS)
    item = {"title": "Peace talks resume in Geneva as Zelensky vows not to trade land",
            "link": "https://harbourwire.example/world/geneva-peace-talks-resume", "guid": "hw-geneva-1216",
            "pubDate": "Tue, 16 Dec 2025 09:00:00 GMT", "description": escape(PARAGRAPHS[0]), "content": content}
    return rss("Harbour Wire", [item])


async def test_feed_item_becomes_one_posted_brief_and_restart_posts_nothing(
    fake: FakeSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_APP_TOKEN", APP_TOKEN)
    with FeedServer() as server:
        server.put("/rss/talks.xml", _feed(), etag='"v1"')
        settings = Settings.model_validate({
            "store": {"url": f"sqlite:///{tmp_path}/bot.db"},
            "feeds": [{"name": "Harbour Wire", "url": server.url("/rss/talks.xml")}],
            "channels": [{"platform": "slack", "address": TALKS}],
            "fetch": {"allow_private_addresses": True},
            "bot": {"admins": ["slack:UADMIN0001"]},
            "slack": {"enabled": True, "mode": "socket"},
        })
        for life in (1, 2):
            adapter = build_slack(settings, base_url=fake.api_url)
            assert adapter is not None
            app = App(settings, {"slack": adapter.sink})
            await app.open()
            try:
                reports = await app.poll_once()
                assert [r.status for r in reports] != ["error"], reports
                if life == 2:
                    break
                [msg] = await fake.wait_for(lambda: fake.posts(TALKS))
                stop = asyncio.Event()
                task = asyncio.create_task(adapter.serve(app.context, stop))
                await asyncio.wait_for(adapter.ready.wait(), 10)
                ask = slash_body("quotes Zelensky", response_url=f"{fake.base}/respond/9")
                await fake.envelope("slash_commands", ask)
                [answer] = await fake.wait_for(lambda: fake.responses, timeout=60)
                stop.set()
                await asyncio.wait_for(task, 10)
            finally:
                await app.close()
    assert len(fake.posts(TALKS)) == 1  # the second life found nothing new to post
    blocks = json.dumps(msg["blocks"], ensure_ascii=False)
    assert "Peace talks resume in Geneva" in blocks and "Harbour Wire" in blocks
    assert "not to give away our land for a promise" in blocks and "Volodymyr Zelensky" in blocks
    everything = blocks + msg["text"]
    assert "<!channel>" not in everything and "<https://evil.example" not in everything
    assert "not to give away our land for a promise" in json.dumps(answer["blocks"], ensure_ascii=False)
