"""End to end: the real discord.py client logs in to the fake Discord, and stored briefs are posted as embeds."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.deliver.sink import AdapterStopped
from bot.store.schema import FAILED, SENT
from tests.adapters.discord.conftest import Start, discord_settings, save_update
from tests.fakes.discord_server import CHANNEL_ID, GUILD_ID, FakeDiscord

NO_MENTIONS = {"parse": []}


def _deliveries(store, brief_id: int):  # noqa: ANN001, ANN202 - test helper
    return [d for d in store.outbox.deliveries(platform="discord") if d.brief_id == brief_id]


async def test_login_ready_and_brief_commands_synced_to_the_guild(fake: FakeDiscord, start_bot: Start) -> None:
    bot = await start_bot()
    assert fake.identified.is_set() and bot.adapter.client.user is not None
    assert bot.adapter.client.get_guild(GUILD_ID) is not None
    assert bot.adapter.client.intents.message_content is False and bot.adapter.client.intents.members is False
    (command,) = fake.synced[str(GUILD_ID)]
    assert command["name"] == "brief"
    subs = {o["name"]: o for o in command["options"]}
    assert set(subs) == {"latest", "stories", "story", "quotes", "speakers", "search", "digest", "feeds", "subscribe", "unsubscribe",
                         "help"}
    assert {o["name"] for o in subs["feeds"]["options"]} == {"list", "add", "remove"}
    speaker, n = subs["quotes"]["options"]
    assert speaker["name"] == "speaker" and speaker["autocomplete"] is True and speaker["required"] is True
    assert n["type"] == 4 and n["min_value"] == 1 and n["max_value"] == 20 and n["description"]
    assert all(o["description"] for s in subs.values() for o in s.get("options", []))


async def test_stored_brief_is_posted_once_as_an_embed_with_no_mentions(fake: FakeDiscord, start_bot: Start) -> None:
    bot = await start_bot()
    brief_id = save_update(bot.store, 1)
    report = await bot.app.sender.drain(timeout=20)
    assert report.sent == 1
    (body,) = fake.posts
    (delivery,) = _deliveries(bot.store, brief_id)
    assert body["allowed_mentions"] == NO_MENTIONS
    assert body["nonce"] == delivery.idempotency_key and body["enforce_nonce"] is True
    (embed,) = body["embeds"]
    assert embed["title"] == "Geneva talks enter round 1 as Kyiv rules out land swap"
    assert embed["url"] == "https://northgate.example/world/geneva-round-1"
    assert embed["color"] == 0xC0392B
    assert "• Negotiators began round 1 of talks in Geneva on Tuesday." in embed["description"]
    (field,) = embed["fields"]
    assert field["name"] == "Volodymyr Zelensky (Ukraine's president)"
    assert field["value"] == ("“We will not sign away land that our soldiers are holding, not in round 1 or any "
                              "other”")
    assert delivery.idempotency_key in embed["footer"]["text"]
    assert delivery.status == SENT and delivery.remote_id == fake.created()[0]["id"]


async def test_article_text_cannot_ping_or_forge_links(fake: FakeDiscord, start_bot: Start) -> None:
    bot = await start_bot()
    save_update(bot.store, 2, title="@everyone [Read the leaked plan](https://evil.example/x) <@&1234>",
                said="@here tell <@700000000000000301> the deal is done", speaker="Anonymous official", role=None)
    await bot.app.sender.drain(timeout=20)
    (body,) = fake.posts
    assert body["allowed_mentions"] == NO_MENTIONS
    embed = body["embeds"][0]
    assert "[Read" not in embed["title"].replace("\\[", "") and "\\[Read the leaked plan\\]" in embed["title"]
    assert "\\@everyone" in embed["title"] and "\\<\\@&1234\\>" in embed["title"]
    assert "\\<\\@700000000000000301\\>" in embed["fields"][0]["value"]


async def test_429_with_via_header_is_retried_and_the_brief_arrives_once(fake: FakeDiscord,
                                                                          start_bot: Start) -> None:
    bot = await start_bot()
    fake.rate_limits, fake.retry_after = 2, 0.2
    brief_id = save_update(bot.store, 3)
    report = await bot.app.sender.drain(timeout=20)
    assert report.sent == 1 and len(fake.posts) == 3  # two refused with 429, the third created
    assert len(fake.created()) == 1
    assert all(p["allowed_mentions"] == NO_MENTIONS for p in fake.posts)
    assert len({p["nonce"] for p in fake.posts}) == 1
    assert _deliveries(bot.store, brief_id)[0].status == SENT


async def test_forbidden_channel_fails_the_delivery_and_the_next_one_goes(fake: FakeDiscord,
                                                                          start_bot: Start) -> None:
    bot = await start_bot()
    fake.channel_errors[CHANNEL_ID] = 403
    first = save_update(bot.store, 4)
    report = await bot.app.sender.drain(timeout=20)
    assert report.failed == 1 and report.sent == 0 and len(fake.posts) == 1  # permanent: not retried
    (failed,) = _deliveries(bot.store, first)
    assert failed.status == FAILED and "403" in (failed.last_error or "")
    del fake.channel_errors[CHANNEL_ID]
    save_update(bot.store, 5)
    assert (await bot.app.sender.drain(timeout=20)).sent == 1


async def test_restart_after_a_post_whose_outcome_was_lost_posts_nothing_twice(fake: FakeDiscord, start_bot: Start,
                                                                               tmp_path: Path) -> None:
    settings = discord_settings(tmp_path)
    bot = await start_bot(settings)
    save_update(bot.store, 6)
    assert (await bot.app.sender.drain(timeout=20)).sent == 1
    lost = save_update(bot.store, 7)
    # The bot posts brief 7, then dies before recording it: the row is left `attempting` with a short lease.
    (d,) = bot.store.outbox.claim_next("discord", lease_seconds=0.2)
    live = bot.store.outbox.begin_attempt(d.id, d.lease or "", lease_seconds=0.2)
    assert live is not None
    stored = bot.store.get_brief(lost)
    assert stored is not None
    await bot.adapter.sink.post(live, stored)
    await bot.shutdown()
    await asyncio.sleep(0.3)

    again = await start_bot(settings)
    report = await again.app.sender.drain(timeout=20)
    assert report.sent == 1 and len(fake.posts) == 2  # found by its key in the channel's history: not re-sent
    titles = [m["embeds"][0]["title"] for m in fake.created()]
    assert titles == ["Geneva talks enter round 6 as Kyiv rules out land swap",
                      "Geneva talks enter round 7 as Kyiv rules out land swap"]
    assert _deliveries(again.store, lost)[0].remote_id == fake.created()[1]["id"]
    assert (await again.app.sender.drain(timeout=20)).sent == 0 and len(fake.created()) == 2


async def test_bad_token_stops_only_the_discord_adapter(fake: FakeDiscord, start_bot: Start, tmp_path: Path,
                                                         monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("BRIEFBOT_TEST_DISCORD_TOKEN", "revoked-token")
    bot = await start_bot(discord_settings(tmp_path), wait_ready=False)
    await asyncio.wait_for(bot.task, 10)  # run() returns on its own
    save_update(bot.store, 8)
    report = await bot.app.sender.drain(timeout=20)
    assert "token" in report.stopped["discord"] and not fake.posts
    try:
        await bot.adapter.sink.notify(str(CHANNEL_ID), "feed resumed")
    except AdapterStopped:
        pass
    else:
        raise AssertionError("the sink kept posting after the token was refused")
    assert not fake.identified.is_set()
