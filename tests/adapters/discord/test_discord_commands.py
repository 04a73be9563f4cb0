"""End to end: `/brief` interactions from the fake gateway answered through the interaction callback."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.adapters.discord.conftest import Start, save_update, until
from tests.fakes.discord_server import FakeDiscord

NO_MENTIONS = {"parse": []}
EPHEMERAL = 64


def _command(sub: str, **options: Any) -> dict[str, Any]:
    opts = [{"name": k, "type": 4 if isinstance(v, int) else 3, "value": v} for k, v in options.items()]
    return {"id": "800000000000000001", "name": "brief", "type": 1,
            "options": [{"name": sub, "type": 1, "options": opts}]}


async def _ask(fake: FakeDiscord, data: dict[str, Any], *, kind: int = 2, admin: bool = False) -> dict[str, Any]:
    before = len(fake.callbacks)
    await fake.interact(data, kind=kind, admin=admin)
    await until(lambda: len(fake.callbacks) > before)
    return fake.callbacks[before]


async def test_brief_latest_is_answered_with_embeds_in_the_callback(fake: FakeDiscord, start_bot: Start) -> None:
    bot = await start_bot()
    save_update(bot.store, 11)
    save_update(bot.store, 12)
    callback = await _ask(fake, _command("latest", n=2))
    assert callback["type"] == 4
    data = callback["data"]
    assert data["allowed_mentions"] == NO_MENTIONS and not data.get("flags", 0) & EPHEMERAL
    titles = [e["title"] for e in data["embeds"]]
    assert titles == ["Geneva talks enter round 12 as Kyiv rules out land swap",
                      "Geneva talks enter round 11 as Kyiv rules out land swap"]


async def test_brief_quotes_zelensky_lists_his_verbatim_quotes(fake: FakeDiscord, start_bot: Start) -> None:
    bot = await start_bot()
    save_update(bot.store, 13, said="Security guarantees must come before any signature, not after it")
    save_update(bot.store, 14, speaker="Dmitry Peskov", role="Kremlin spokesman", said="Moscow is studying the text")
    data = (await _ask(fake, _command("quotes", speaker="Zelensky")))["data"]
    assert data["allowed_mentions"] == NO_MENTIONS
    (embed,) = data["embeds"]
    assert embed["title"] == "Quotes from Volodymyr Zelensky, newest first"
    (field,) = embed["fields"]
    assert field["name"] == "Volodymyr Zelensky (Ukraine's president)"
    assert field["value"].startswith("“Security guarantees must come before any signature, not after it”")
    assert "Peskov" not in str(embed)


async def test_speaker_autocomplete_is_answered(fake: FakeDiscord, start_bot: Start) -> None:
    bot = await start_bot()
    save_update(bot.store, 15)
    save_update(bot.store, 16, speaker="Dmitry Peskov", role="Kremlin spokesman", said="Moscow is studying the text")
    data = _command("quotes")
    data["options"][0]["options"] = [{"name": "speaker", "type": 3, "value": "zel", "focused": True}]
    callback = await _ask(fake, data, kind=4)
    assert callback["type"] == 8
    assert callback["data"]["choices"] == [{"name": "Volodymyr Zelensky", "value": "Volodymyr Zelensky"}]


async def test_help_and_errors_are_ephemeral(fake: FakeDiscord, start_bot: Start) -> None:
    await start_bot()
    help_data = (await _ask(fake, _command("help")))["data"]
    assert help_data["flags"] & EPHEMERAL and help_data["allowed_mentions"] == NO_MENTIONS
    assert "latest" in help_data["embeds"][0]["description"]
    refused = (await _ask(fake, _command("search", words="   ")))["data"]
    assert refused["flags"] & EPHEMERAL and "empty" in refused["content"]


async def test_feed_commands_need_manage_server(fake: FakeDiscord, start_bot: Start) -> None:
    await start_bot()
    member = (await _ask(fake, {"id": "800000000000000001", "name": "brief", "type": 1, "options": [
        {"name": "feeds", "type": 2, "options": [
            {"name": "remove", "type": 1, "options": [{"name": "name", "type": 3, "value": "kyiv-ledger"}]}]}]}))
    assert member["data"]["flags"] & EPHEMERAL and "is for admins" in member["data"]["content"]
    admin = (await _ask(fake, {"id": "800000000000000001", "name": "brief", "type": 1, "options": [
        {"name": "feeds", "type": 2, "options": [
            {"name": "remove", "type": 1, "options": [{"name": "name", "type": 3, "value": "kyiv-ledger"}]}]}]},
        admin=True))
    assert "No feed named kyiv-ledger" in admin["data"]["content"]


async def test_slow_command_defers_then_follows_up(fake: FakeDiscord, start_bot: Start,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.adapters.discord.respond.DEFER_AFTER", 0.0)
    bot = await start_bot()
    save_update(bot.store, 17)
    callback = await _ask(fake, _command("latest", n=1))
    assert callback["type"] == 5  # deferred ("thinking")
    await asyncio.wait_for(fake.got_followup.wait(), 10)
    (follow,) = fake.followups
    assert follow["allowed_mentions"] == NO_MENTIONS
    assert follow["embeds"][0]["title"] == "Geneva talks enter round 17 as Kyiv rules out land swap"


async def test_brief_story_and_stories_are_slash_commands(fake: FakeDiscord, start_bot: Start) -> None:
    import json

    from tests.commands.story_samples import STORY_TITLES, Clock, seed_stories

    bot = await start_bot()
    seeded = seed_stories(bot.store, Clock())
    story_id = seeded.stories["geneva"]
    data = (await _ask(fake, _command("story", story=str(story_id))))["data"]
    text = json.dumps(data, ensure_ascii=False)
    assert data["allowed_mentions"] == NO_MENTIONS
    assert STORY_TITLES["geneva"] in text and "Baltic Courier" in text
    assert "Guarantees must be written down, not promised" in text
    data = (await _ask(fake, _command("stories")))["data"]
    assert "stor" in json.dumps(data, ensure_ascii=False).lower()  # listed, or "no stories updated" outside the window
    missing = (await _ask(fake, _command("story", story="no such talks anywhere")))["data"]
    assert "No story matches" in json.dumps(missing, ensure_ascii=False)
