"""End to end: an item in a local RSS feed goes through the real pipeline and is posted to Discord as an embed."""

from __future__ import annotations

from email.utils import format_datetime
from html import escape
from pathlib import Path

from tests.adapters.discord.conftest import T0, Start, discord_settings
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.feed_server import FeedServer, rss

TITLE = "Zelensky says Geneva draft 'still has holes' as envoys extend talks"
PARAGRAPHS = (
    "GENEVA, Feb 3 (Northgate Wire) - Ukrainian and U.S. negotiators extended peace talks in Geneva into a third "
    "day on Tuesday, as President Volodymyr Zelensky said the latest draft of the peace plan still left key "
    "questions open.",
    "\"The draft still has holes where the security guarantees should be, and we will not sign holes,\" Zelensky "
    "told reporters in Kyiv before flying to Brussels.",
    "Two officials familiar with the talks said the U.S. team had proposed a ceasefire monitoring mission led by "
    "neutral states, an idea Moscow has previously rejected.",
    "See also: Swiss hotels report record bookings as delegations arrive",
    "Reporting by Lena Kovalchuk; Editing by Tom Ashdown",
)


async def test_feed_item_becomes_a_posted_embed(fake: FakeDiscord, start_bot: Start, tmp_path: Path) -> None:
    with FeedServer() as feeds:
        feeds.put("/feeds/northgate", rss("Northgate Wire", [{
            "title": TITLE, "guid": "northgate-geneva-day3", "link": "https://northgate.example/world/geneva-day-3",
            "pubDate": format_datetime(T0), "description": PARAGRAPHS[0],
            "content": "".join(f"<p>{escape(p, quote=False)}</p>" for p in PARAGRAPHS)}]))
        settings = discord_settings(tmp_path)
        settings = settings.model_copy(update={
            "feeds": settings.model_validate({"feeds": [{"name": "Northgate Wire",
                                                          "url": feeds.url("/feeds/northgate")}]}).feeds,
            "fetch": settings.fetch.model_copy(update={"allow_private_addresses": True})})
        bot = await start_bot(settings)
        reports = await bot.app.poll_once()
    assert [r.kept for r in reports] == [1], reports
    (body,) = fake.posts
    assert body["allowed_mentions"] == {"parse": []}
    (embed,) = body["embeds"]
    assert embed["title"] == TITLE
    assert embed["url"] == "https://northgate.example/world/geneva-day-3"
    assert "Northgate Wire" in embed["footer"]["text"]
    quotes = {f["name"]: f["value"] for f in embed["fields"]}
    assert any(name.startswith("Volodymyr Zelensky") for name in quotes), quotes
    (said,) = quotes.values()
    assert said.startswith("“The draft still has holes where the security guarantees should be, and we will not "
                           "sign holes")
    assert len(fake.created()) == 1
