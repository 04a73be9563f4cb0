"""Story updates through the real discord.py client into the fake Discord: threads on the story's first post."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Any

import pytest

from bot.adapters.discord.outbound import DiscordSink
from bot.brief.speakers import speaker_key
from bot.brief.types import Brief, Claim, Quote
from bot.deliver.sink import DeliveryError
from bot.store import Store
from bot.store.records import Delivery, StoredBrief, StoryContext
from tests.adapters.discord.conftest import T0, Running, Start
from tests.fakes.discord_server import CHANNEL_ID, FakeDiscord

NO_MENTIONS = {"parse": []}
STORY = "Geneva round on the revised framework"
CLAIMS = ["Negotiators met for a third day in Geneva.", "The draft now runs to 19 points.",
          "A follow-up round is pencilled in for next week."]
QUOTES = [("We will not trade land for a pause", "Volodymyr Zelensky", "Ukraine's president"),
          ("The text is better than it was, and still not good enough", "Dana Whitcombe", "U.S. envoy")]


def _story(*, first: bool = False, claims: tuple[int, ...] = (), quotes: tuple[int, ...] = (),
           others: tuple[str, ...] = ("Kyiv Ledger", "Northgate Wire", "Baltic Wire")) -> StoryContext:
    return StoryContext(story_id=3, title=STORY, first=first, new_claims=list(claims), new_quotes=list(quotes),
                        also_reported_by=list(others))


def _save(store: Store, n: int, *, title: str | None = None, link: str | None = None,
          claims: list[str] | None = None, said: tuple[str, str, str | None] | None = None) -> int:
    """A fictional Northgate Wire article (copy n) with three claims and two quotes; returns the brief id."""
    feed, _ = store.add_feed("https://northgate.example/rss/talks.xml", "Northgate Wire")
    quotes = [said] if said else QUOTES
    brief = Brief(title=title or f"Geneva talks, day {n}: envoys trim the draft",
                  claims=[Claim(c, i) for i, c in enumerate(claims or CLAIMS)],
                  quotes=[Quote(text=t, speaker=s, speaker_key=speaker_key(s), role=r, cue="said", method="pattern",
                                confidence=0.9) for t, s, r in quotes])
    article, _ = store.upsert_article(f"guid:northgate-story-{n}", feed_id=feed.id, title=brief.title,
                                      link=link or f"https://northgate.example/world/geneva-day-{n}", published=T0)
    store.record_filter(article.id, kept=True, reason="keyword:talks")
    brief_id = store.save_brief(article.id, brief)
    assert brief_id is not None
    return brief_id


async def _post(bot: Running, n: int, *, sink: DiscordSink | None = None, root: str | None = None,
                broadcast: bool = False, story: StoryContext | None = None, mark: bool = True,
                **article: Any) -> tuple[Delivery, str]:
    """Store article n, claim its delivery and post it through the sink as the sender would."""
    delivery, item = _claim(bot.store, n, **article)
    delivery = replace(delivery, thread_root=root, broadcast=broadcast)
    remote = await (sink or bot.adapter.sink).post(delivery, replace(item, story=story))
    if mark:
        bot.store.outbox.mark_sent(delivery.id, delivery.lease, remote)
    return delivery, remote


def _claim(store: Store, n: int, **article: Any) -> tuple[Delivery, StoredBrief]:
    """Store article n and claim its delivery, recording that a post is about to happen."""
    brief_id = _save(store, n, **article)
    (claimed,) = store.outbox.claim_next("discord", lease_seconds=30)
    live = store.outbox.begin_attempt(claimed.id, claimed.lease or "", lease_seconds=30)
    item = store.get_brief(brief_id)
    assert live is not None and item is not None
    return live, item


def _embed(message: dict[str, Any]) -> dict[str, Any]:
    (embed,) = message["embeds"]
    return embed


def _text(embed: dict[str, Any]) -> str:
    return " ".join([embed.get("title") or "", embed.get("description") or "", (embed.get("footer") or {}).get(
        "text", "")] + [f"{f['name']} {f['value']}" for f in embed.get("fields", [])])


def _fresh_sink(bot: Running) -> DiscordSink:
    """A sink as after a restart: same client and channel, nothing remembered."""
    sink = DiscordSink(bot.adapter.client, colour=0xC0392B)
    sink.logged_in()
    return sink


async def test_update_goes_into_a_thread_started_on_the_first_post(fake: FakeDiscord, start_bot: Start) -> None:
    bot = await start_bot()
    _, root = await _post(bot, 1, story=_story(first=True, others=()))
    delivery, remote = await _post(bot, 2, root=root, story=_story(claims=(1,), quotes=(1,)))
    (start,) = fake.thread_starts
    assert (start["channel"], start["message"], start["status"]) == (CHANNEL_ID, int(root), 201)
    assert start["body"]["name"] == STORY and start["body"]["auto_archive_duration"] == 10080
    (reply,) = fake.in_thread(root)
    assert reply["id"] == remote and reply["channel_id"] == root
    body = fake.posts[-1]
    assert body["nonce"] == delivery.idempotency_key and body["allowed_mentions"] == NO_MENTIONS
    embed = _embed(reply)
    assert embed["title"] == "Geneva talks, day 2: envoys trim the draft"
    assert embed["url"] == "https://northgate.example/world/geneva-day-2"
    assert embed["description"] == "• The draft now runs to 19 points.\n\n*Also reported by: Kyiv Ledger, Baltic Wire*"
    assert [(f["name"], f["value"]) for f in embed["fields"]] == [
        ("Dana Whitcombe (U.S. envoy)", "“The text is better than it was, and still not good enough”")]
    assert delivery.idempotency_key in embed["footer"]["text"] and "Northgate Wire" in embed["footer"]["text"]
    assert [m["id"] for m in fake.created()] == [root]  # the channel itself only has the story's first post


async def test_thread_is_started_once_and_reused_after_a_restart(fake: FakeDiscord, start_bot: Start) -> None:
    bot = await start_bot()
    _, root = await _post(bot, 1)
    await _post(bot, 2, root=root, story=_story(claims=(0,)))
    await _post(bot, 3, root=root, story=_story())
    assert len(fake.thread_starts) == 1  # remembered: the second update did not ask again
    await _post(bot, 4, sink=_fresh_sink(bot), root=root, story=_story(quotes=(0,)))
    assert [s["status"] for s in fake.thread_starts] == [201, 400]  # 160004: it exists, and has the root's id
    assert len(fake.in_thread(root)) == 3 and len(fake.created()) == 1


async def test_nothing_new_is_one_also_reported_line(fake: FakeDiscord, start_bot: Start) -> None:
    bot = await start_bot()
    _, root = await _post(bot, 1)
    delivery, _ = await _post(bot, 2, root=root, story=_story())
    embed = _embed(fake.in_thread(root)[0])
    assert embed["description"] == ("Also reported by **Northgate Wire**: [Geneva talks, day 2: envoys trim the "
                                    "draft](https://northgate.example/world/geneva-day-2)")
    assert "title" not in embed and "fields" not in embed
    assert embed["footer"]["text"] == f"ref {delivery.idempotency_key}"


async def test_hostile_article_as_an_update_and_as_a_quiet_line(fake: FakeDiscord, start_bot: Start) -> None:
    bot = await start_bot()
    _, root = await _post(bot, 1)
    hostile = dict(title="@everyone [Read the leaked plan](https://evil.example/x) <@&1234>",
                   link="https://northgate.example/a)[Click](https://evil.example/y",
                   claims=["Ping <@700000000000000301> and @here now", "**bold** `code` > quote"],
                   said=("@here tell <@700000000000000301> the deal is done", "Anonymous [official](https://e.x)",
                         None))
    await _post(bot, 2, root=root, story=_story(claims=(0, 1), quotes=(0,), others=("@everyone Wire",)), **hostile)
    await _post(bot, 3, root=root, story=_story(others=("<@&1234> Post",)), **hostile)
    update, quiet = (_embed(m) for m in fake.in_thread(root))
    assert all(p["allowed_mentions"] == NO_MENTIONS for p in fake.posts)
    shown = _text(update)
    assert "\\@everyone" in update["title"] and "\\[Read the leaked plan\\]" in update["title"]
    assert "\\<\\@700000000000000301\\>" in shown and "\\@here" in shown and "\\*\\*bold\\*\\*" in shown
    assert "*Also reported by: \\@everyone Wire*" in update["description"]
    line = quiet["description"]
    assert line.startswith("Also reported by **Northgate Wire**: [\\@everyone \\[Read the leaked plan\\]")
    assert line.endswith("](https://northgate.example/a%29%5BClick%5D%28https://evil.example/y)")
    assert len(re.findall(r"(?<!\\)\]\(", line)) == 1  # the headline and URL cannot close the link and open another


async def test_broadcast_replies_to_the_first_post_in_the_channel(fake: FakeDiscord, start_bot: Start) -> None:
    bot = await start_bot()
    _, root = await _post(bot, 1)
    delivery, remote = await _post(bot, 2, root=root, broadcast=True, story=_story(claims=(2,)), mark=False)
    assert not fake.thread_starts and not fake.threads
    first, reply = fake.created()
    assert reply["id"] == remote and reply["message_reference"]["message_id"] == root
    assert fake.posts[-1]["message_reference"]["fail_if_not_exists"] is False
    assert "A follow-up round" in _embed(reply)["description"]
    assert await _fresh_sink(bot).find_posted(delivery) == remote  # no thread: looked up in the channel


async def test_broadcast_without_read_history_posts_without_the_reply(fake: FakeDiscord, start_bot: Start) -> None:
    bot = await start_bot()
    _, root = await _post(bot, 1)
    fake.replies_refused = True
    _, remote = await _post(bot, 2, root=root, broadcast=True, story=_story(claims=(2,)))
    assert [p.get("message_reference") is not None for p in fake.posts] == [False, True, False]
    assert fake.created()[-1]["id"] == remote and "message_reference" not in fake.created()[-1]


async def test_reply_found_in_the_thread_after_a_crash(fake: FakeDiscord, start_bot: Start) -> None:
    bot = await start_bot()
    _, root = await _post(bot, 1)
    _, other = await _post(bot, 2, root=root, story=_story())
    delivery, remote = await _post(bot, 3, root=root, story=_story(claims=(1,)), mark=False)
    assert remote != other
    fresh = _fresh_sink(bot)  # the process died after posting, before marking the delivery sent
    assert await fresh.find_posted(delivery) == remote
    assert await fresh.find_posted(replace(delivery, thread_root=None)) is None  # not in the channel


async def test_lookup_of_a_story_whose_thread_was_never_started(fake: FakeDiscord, start_bot: Start) -> None:
    bot = await start_bot()
    _, root = await _post(bot, 1)
    delivery, _ = _claim(bot.store, 2)  # an update about to go out when the process died; no thread on the root
    assert await bot.adapter.sink.find_posted(replace(delivery, thread_root=root)) is None
    assert not fake.threads and not fake.thread_starts


async def test_archived_thread_is_posted_to_and_reopens(fake: FakeDiscord, start_bot: Start) -> None:
    bot = await start_bot()
    _, root = await _post(bot, 1)
    await _post(bot, 2, root=root, story=_story())
    fake.archive_thread(root)
    await _post(bot, 3, root=root, story=_story(claims=(0,)))
    assert len(fake.in_thread(root)) == 2 and fake.threads[int(root)]["thread_metadata"]["archived"] is False


@pytest.mark.parametrize("close", ["lock", "archive_and_lock", "delete"])
async def test_closed_thread_sends_the_full_brief_to_the_channel(fake: FakeDiscord, start_bot: Start, close: str,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    bot = await start_bot()
    _, root = await _post(bot, 1)
    await _post(bot, 2, root=root, story=_story())
    {"lock": fake.lock_thread, "delete": fake.delete_thread,
     "archive_and_lock": lambda t: fake.archive_thread(t, locked=True)}[close](root)
    with caplog.at_level(logging.WARNING, logger="bot.adapters.discord"):
        delivery, remote = await _post(bot, 3, root=root, story=_story(claims=(0,)), mark=False)
    assert fake.created()[-1]["id"] == remote and len(fake.created()) == 2
    embed = _embed(fake.created()[-1])
    assert all(c in embed["description"] for c in CLAIMS) and len(embed["fields"]) == 2  # the full brief
    assert "cannot post in the thread" in caplog.text
    assert await _fresh_sink(bot).find_posted(delivery) == remote


async def test_deleted_first_post_sends_the_full_brief_to_the_channel(fake: FakeDiscord, start_bot: Start) -> None:
    bot = await start_bot()
    _, root = await _post(bot, 1)
    fake.delete_message(CHANNEL_ID, root)
    _, remote = await _post(bot, 2, root=root, story=_story(claims=(1,)))
    assert [s["status"] for s in fake.thread_starts] == [404]  # Unknown Message: no thread to start
    (only,) = fake.created()
    assert only["id"] == remote and all(c in _embed(only)["description"] for c in CLAIMS)


async def test_no_permission_to_start_threads_sends_to_the_channel(fake: FakeDiscord, start_bot: Start) -> None:
    bot = await start_bot()
    _, root = await _post(bot, 1)
    fake.no_thread_permission.add(CHANNEL_ID)
    _, remote = await _post(bot, 2, root=root, story=_story(claims=(1,)))
    assert [s["status"] for s in fake.thread_starts] == [403] and not fake.threads
    assert fake.created()[-1]["id"] == remote and all(c in _embed(fake.created()[-1])["description"] for c in CLAIMS)


async def test_channel_refusing_the_bot_fails_the_update_for_good(fake: FakeDiscord, start_bot: Start) -> None:
    bot = await start_bot()
    _, root = await _post(bot, 1)
    fake.channel_errors[CHANNEL_ID] = 403
    with pytest.raises(DeliveryError) as refused:  # thread refused, then the channel too: permanent, no loop
        await _post(bot, 2, root=root, story=_story(claims=(1,)))
    assert refused.value.permanent and "403" in refused.value.reason
    assert [s["status"] for s in fake.thread_starts] == [403] and len(fake.posts) == 2
