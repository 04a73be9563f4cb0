"""A delivery Discord refuses for good: each configured Discord admin gets one direct message, no mentions."""

from __future__ import annotations

from pathlib import Path

from bot.config.schema import Settings
from tests.adapters.discord.conftest import Start, discord_settings, save_update
from tests.fakes.discord_server import ADMIN_ID, CHANNEL_ID, USER_ID, FakeDiscord

OTHER_ADMIN = 700000000000000302


def _with_admins(tmp_path: Path, admins: list[str]) -> Settings:
    settings = discord_settings(tmp_path)
    return settings.model_copy(update={"bot": settings.bot.model_copy(update={"admins": admins})})


async def test_forbidden_channel_tells_each_discord_admin_once(fake: FakeDiscord, start_bot: Start,
                                                               tmp_path: Path) -> None:
    admins = [f"discord:{ADMIN_ID}", f"discord:{OTHER_ADMIN}", "slack:U0EDITOR1", "console:local"]
    bot = await start_bot(_with_admins(tmp_path, admins))
    fake.channel_errors[CHANNEL_ID] = 403
    first = save_update(bot.store, 11)
    save_update(bot.store, 12)
    report = await bot.app.sender.drain(timeout=20)
    assert report.failed == 2 and report.sent == 0
    assert set(fake.dm_channels) == {ADMIN_ID, OTHER_ADMIN}  # only the Discord admins; USER_ID is not one
    for admin in (ADMIN_ID, OTHER_ADMIN):
        (dm,) = fake.direct(admin)  # two failed deliveries, same channel and reason: one message
        assert dm["content"].startswith(f"briefbot could not post brief {first} to <#{CHANNEL_ID}>: ")
        assert "403" in dm["content"] and not dm["embeds"]
        assert dm["allowed_mentions"] == {"parse": []}
    assert fake.direct(USER_ID) == []
    assert len(fake.created()) == 0


async def test_no_discord_admins_no_direct_messages(fake: FakeDiscord, start_bot: Start, tmp_path: Path) -> None:
    bot = await start_bot(_with_admins(tmp_path, ["slack:U0EDITOR1"]))
    fake.channel_errors[CHANNEL_ID] = 404
    save_update(bot.store, 13)
    report = await bot.app.sender.drain(timeout=20)
    assert report.failed == 1 and fake.dm_channels == {}
