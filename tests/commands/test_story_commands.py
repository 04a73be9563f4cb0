"""`stories`, `story`, and `latest`, `quotes`, `digest` by story, on stores placed like the story desk does."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from bot.brief.types import Brief, Claim
from bot.commands import CommandContext, handle_text, parse_options, run_command
from bot.render.replies_console import reply_renderable
from bot.store import Store
from story_samples import SAID, SAMPLES, T0, Clock, Seeded, quote, seed_stories
from tests.fakes.databases import empty_store

NOW = T0 + timedelta(hours=28)  # 4 Mar 2026 13:30 UTC
ALL_SWAP = "Northwire, Kyiv Dispatch, Meridian Times, Baltic Courier"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path, clock: Clock) -> Iterator[Store]:
    with empty_store(request.param, tmp_path, "story_commands", clock=clock) as s:
        yield s


@pytest.fixture
def seeded(store: Store, clock: Clock) -> Seeded:
    return seed_stories(store, clock)


def context(store: Store, **options: Any) -> CommandContext:
    defaults: dict[str, Any] = {"platform": "slack", "channel": "C0TALKS", "user": "U0EDITOR", "clock": lambda: NOW}
    return CommandContext(store=store, **{**defaults, **options})


async def test_stories_lists_active_stories_newest_update_first(store: Store, seeded: Seeded) -> None:
    reply = await handle_text("stories", context(store))
    swap, geneva = seeded.stories["swap"], seeded.stories["geneva"]
    assert reply.kind == "stories" and [s.id for s in reply.stories] == [swap, geneva]
    assert reply.text.splitlines() == [
        "Stories updated in the last 48 h, newest first",
        f"#{swap} Prisoner swap in the UAE — 3 articles, 4 outlets (Northwire, Kyiv Dispatch, Meridian Times "
        "+1 more) — updated 4 Mar 2026 11:31 UTC",
        f"#{geneva} Geneva round on security guarantees — 1 article, 1 outlet (Baltic Courier) — "
        "updated 3 Mar 2026 09:30 UTC",
    ]
    recent = await handle_text("stories", context(store, stories_window_hours=24, timezone="Europe/Kyiv"))
    assert [s.id for s in recent.stories] == [swap]  # Geneva was last updated 28 hours ago
    assert recent.text.endswith("updated 4 Mar 2026 13:31 EET")
    assert [s.id for s in (await run_command(parse_options("stories", {"n": 1}), context(store))).stories] == [swap]
    later = await handle_text("stories", context(store, clock=lambda: NOW + timedelta(days=3)))
    assert later.kind == "text" and later.text == "No stories updated in the last 48 hours."


async def test_story_by_id_shows_the_merged_brief(store: Store, seeded: Seeded) -> None:
    swap = seeded.stories["swap"]
    reply = await handle_text(f"story {swap}", context(store))
    assert reply.kind == "story" and reply.title == f"Story #{swap}: Prisoner swap in the UAE"
    assert [s.id for s in reply.story_briefs] == [swap]
    assert reply.text.splitlines() == [
        f"Story #{swap}: Prisoner swap in the UAE",
        f"3 articles · 4 outlets: {ALL_SWAP} · updated 4 Mar 2026 11:31 UTC",
        "Claims:",
        f"• Each side released 300 prisoners. — {ALL_SWAP} [1, 2, 3]",
        "• The United Arab Emirates brokered the exchange. — Northwire [1]",
        "• Wounded soldiers were among the first to cross. — Kyiv Dispatch [2]",
        "• Families waited overnight at the border crossing. — Meridian Times, Baltic Courier [3]",
        "Quotes:",
        f"• “{SAID}” — Rustem Umerov (defence secretary) — {ALL_SWAP} [1, 2, 3]",
        "• “We are bringing every one of them home” — Olena Marchuk (ombudsman) — Kyiv Dispatch [2]",
        "Articles:",
        "[1] Russia and Ukraine swap 300 prisoners in UAE-brokered deal · Northwire · 3 Mar 2026 13:30 UTC · "
        "https://northwire.example/swap-nw",
        "[2] 300 defenders come home after swap · Kyiv Dispatch · 3 Mar 2026 15:30 UTC · "
        "https://kyivdispatch.example/swap-kd",
        "[3] Prisoner swap: families wait at the border · Meridian Times, Baltic Courier · 4 Mar 2026 11:30 UTC · "
        "https://meridiantimes.example/swap-mt",
    ]
    assert reply.text.count("Three hundred soldiers") == 0  # a repeated claim is shown once, as first told
    same = await run_command(parse_options("story", {"story": f"#{swap}"}), context(store))
    assert same.text == reply.text


async def test_story_by_words_and_unknown(store: Store, seeded: Seeded) -> None:
    swap, geneva = seeded.stories["swap"], seeded.stories["geneva"]
    assert (await handle_text("story geneva guarantees", context(store))).story_briefs[0].id == geneva
    assert (await handle_text("story families at the border", context(store))).story_briefs[0].id == swap
    assert (await handle_text("story security swap", context(store))).story_briefs[0].id == swap  # tie: newest
    assert (await handle_text("story 300", context(store))).story_briefs[0].id == swap  # no story #300: words
    huge = await handle_text("story 12345678901234567890", context(store))
    assert huge.text == "No story matches “12345678901234567890”. The list: stories"
    missing = await handle_text("story 999", context(store))
    assert missing.kind == "text" and missing.text == "No story #999. The list: stories"
    nothing = await handle_text("story zeppelin hangar", context(store))
    assert nothing.text == "No story matches “zeppelin hangar”. The list: stories"
    usage = await handle_text("story", context(store))
    assert usage.kind == "error" and usage.text == "Missing story. Usage: story <story>"


async def test_latest_returns_stories_with_the_top_of_their_brief(store: Store, seeded: Seeded) -> None:
    reply = await handle_text("latest", context(store))
    swap, geneva = seeded.stories["swap"], seeded.stories["geneva"]
    assert reply.kind == "stories" and reply.title == "Latest: 2 stories and 1 brief not in a story"
    assert [s.id for s in reply.story_briefs] == [swap, geneva]
    assert [b.brief.title for b in reply.briefs] == ["Grain corridor insurance rates fall"]
    text = reply.text
    assert text.index("Grain corridor") < text.index(f"Story #{swap}:") < text.index(f"Story #{geneva}:")
    swap_block = text[text.index(f"Story #{swap}:"):text.index(f"Story #{geneva}:")].strip().splitlines()
    assert swap_block[1] == ("3 articles · 4 outlets: Northwire, Kyiv Dispatch, Meridian Times +1 more · "
                             "updated 4 Mar 2026 11:31 UTC")
    assert swap_block[2] == f"• Each side released 300 prisoners. — {ALL_SWAP}"  # most widely carried first
    assert swap_block[3] == f"• “{SAID}” — Rustem Umerov (defence secretary) — {ALL_SWAP}"
    assert swap_block[-1] == f"+1 more in the full brief: story {swap}"
    assert text.count(SAID) == 1
    only = await handle_text("latest 2", context(store))
    assert [s.id for s in only.story_briefs] == [swap] and only.title == "Latest: 1 story and 1 brief not in a story"


async def test_latest_without_stories_is_single_briefs(store: Store, clock: Clock) -> None:
    seed_stories(store, clock, tuple(s for s in SAMPLES if s.story is None))
    reply = await handle_text("latest", context(store))
    assert reply.kind == "briefs" and reply.title == "Latest brief" and not reply.story_briefs
    assert reply.text.splitlines()[2] == "Grain corridor insurance rates fall"


async def test_latest_fits_one_chat_message(store: Store, clock: Clock) -> None:
    feed, _ = store.add_feed("https://northwire.example/rss/world", "Northwire")
    for n in range(20):
        clock.now = T0 + timedelta(minutes=n)
        row, _ = store.upsert_article(f"guid:long-{n}", feed_id=feed.id, title=f"Round {n} of talks", published=T0)
        claims = [Claim(f"Delegation {n} restated position {k} at length, " + "word " * 40, k) for k in range(6)]
        store.save_brief(row.id, Brief(f"Round {n}", claims, [quote("We stay " + "firm " * 30, "Ilse Varga", None)]))
        store.assign_story(row.id, None, vector=[1.0, 0.0], entities=(), at=clock.now, title=f"Round {n}")
    reply = await handle_text("latest 20", context(store))
    assert reply.kind == "stories" and len(reply.text) <= 3800 and len(reply.story_briefs) == 20
    assert "+7 more in the full brief: story" in reply.text  # every story shows its top and points to the rest


async def test_quotes_show_a_repeated_quote_once_with_every_outlet(store: Store, seeded: Seeded) -> None:
    reply = await handle_text("quotes Umerov", context(store))
    assert reply.kind == "quotes" and len(reply.quotes) == 2
    assert reply.text.splitlines() == [
        "Quotes from Rustem Umerov, newest first",
        "“The corridor stays open as long as the navy guards it” — Rustem Umerov, Northwire, 4 Mar 2026, "
        "https://northwire.example/grain",
        f"“{SAID}” — Rustem Umerov (defence secretary), {ALL_SWAP}, 4 Mar 2026, https://meridiantimes.example/swap-mt",
    ]
    assert reply.quotes[1].feed_name == ALL_SWAP  # what the Slack and Discord renderers show as its source
    one = await handle_text("quotes Umerov 1", context(store))
    assert [q.text for q in one.quotes] == ["The corridor stays open as long as the navy guards it"]


async def test_quotes_fold_the_same_words_outside_stories(store: Store, clock: Clock) -> None:
    feeds = [store.add_feed(f"https://{name.lower()}.example/rss", name)[0] for name in ("Northwire", "Eastgate")]
    for n, feed in enumerate(feeds):
        clock.now = T0 + timedelta(hours=n)
        row, _ = store.upsert_article(f"guid:fold-{n}", feed_id=feed.id, title="Talks", published=clock.now)
        store.save_brief(row.id, Brief("Talks", [], [quote("No  deal without the   map", "Ilse Varga", None)]))
    reply = await handle_text("quotes varga", context(store))
    assert [q.feed_name for q in reply.quotes] == ["Eastgate, Northwire"]  # newest first, then the older outlet


async def test_digest_groups_by_story_with_what_it_added(store: Store, seeded: Seeded) -> None:
    swap, geneva = seeded.stories["swap"], seeded.stories["geneva"]
    ctx = context(store, platform="console", channel="stdout")
    reply = await handle_text("digest", ctx)
    assert reply.kind == "digest" and reply.title == "Digest for 4 Mar 2026"
    assert reply.text.splitlines() == [
        "Digest for 4 Mar 2026",
        "", f"Story #{swap}: Prisoner swap in the UAE — Meridian Times, Baltic Courier",
        "• Families waited overnight at the border crossing. — Meridian Times, Baltic Courier",
        "", "Northwire",
        "• Grain corridor insurance rates fall — Insurance rates for grain ships fell 12%.",
    ]
    swap_brief = next(b for b in reply.briefs if b.story is not None)
    assert swap_brief.story is not None and swap_brief.story.new_claims == [1] and swap_brief.story.new_quotes == []
    out = StringIO()
    Console(file=out, width=120).print(reply_renderable(reply, ctx.tz))
    assert f"Story #{swap}: Prisoner swap in the UAE" in out.getvalue()
    assert "Prisoner swap: families wait at the border — Families waited overnight" in out.getvalue()
    day_one = await handle_text("digest", context(store, platform="console", channel="stdout", clock=lambda: T0))
    lines = day_one.text.splitlines()
    assert lines[2] == f"Story #{geneva}: Geneva round on security guarantees — Baltic Courier"
    assert f"Story #{swap}: Prisoner swap in the UAE — Northwire, Kyiv Dispatch" in lines
    assert f"• “{SAID}” — Rustem Umerov (defence secretary) — {ALL_SWAP}" in lines
    assert sum("300" in line for line in lines) == 1  # the swap's repeated claim: once


async def test_digest_of_a_story_with_nothing_new(store: Store, clock: Clock) -> None:
    seeded = seed_stories(store, clock)
    feed = store.get_feed("https://northwire.example/rss/world")
    assert feed is not None
    clock.now = T0 + timedelta(hours=50)  # the next day: only a recap of what the story had
    row, _ = store.upsert_article("guid:again", feed_id=feed.id, title="Swap recap", published=clock.now)
    brief_id = store.save_brief(row.id, Brief("Swap recap", [Claim("All 300 were freed on each side.", 0)], []))
    stored = store.get_brief(brief_id)
    assert stored is not None
    swap = seeded.stories["swap"]
    store.assign_story(row.id, swap, vector=[1.0, 0.0], entities=(), at=clock.now)
    store.link_story_items(swap, claims=[(stored.claim_ids[0], seeded.claims["s1"][0])])
    ctx = context(store, platform="console", channel="stdout", clock=lambda: T0 + timedelta(hours=52))
    reply = await handle_text("digest", ctx)
    assert reply.text.splitlines() == [
        "Digest for 5 Mar 2026", "", f"Story #{swap}: Prisoner swap in the UAE — Northwire",
        "• nothing new: its articles repeated what the story already had",
    ]


async def test_help_explains_the_story_commands(store: Store) -> None:
    listed = await handle_text("help", context(store))
    assert "stories [n] — Stories updated lately" in listed.text and "story <story> — One story's merged" in listed.text
    one = await handle_text("help story", context(store))
    assert "  story: the story's number (see stories) or words from its headline" in one.text
    assert "e.g. story 12; story prisoner swap" in one.text
