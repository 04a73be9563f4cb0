"""The command handlers against a real SQLite store seeded with fictional wire copy about the talks."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from bot.brief.models import Encoder, get_encoder
from bot.brief.speakers import speaker_key
from bot.brief.types import Brief, Claim, Quote
from bot.commands import COMMANDS, CommandContext, handle_text, parse_options, run_command
from bot.commands.handlers import HANDLERS
from bot.store import Store, open_store

T0 = datetime(2025, 12, 15, 6, 0, tzinfo=timezone.utc)

# (feed, title, link, hours after T0, claims, quotes as (text, speaker, role))
ARTICLES: tuple[tuple[str, str, str, int, tuple[str, ...], tuple[tuple[str, str, str | None], ...]], ...] = (
    ("Northwire", "Zelenskyy: Kyiv will not trade land for promises",
     "https://northwire.example/world/zelenskyy-land-promises-5521", 0,
     ("Zelenskyy told reporters in Kyiv the draft needed binding guarantees.",
      "The Kremlin said it had received the revised U.S. plan."),
     (("We will not trade our land for promises on paper", "Volodymyr Zelenskyy", "Ukrainian President"),
      ("Moscow has received the document and is studying it", "Dmitry Peskov", "Kremlin spokesman"))),
    ("Kyiv Ledger", "LIVE: Delegations meet in Geneva, day one",
     "https://kyivledger.example/live/geneva-day-one", 3,
     ("Talks in Geneva are expected to resume next week.",),
     (("A halt to hostilities at the positions the armies hold today", "Zelenskiy", None),
      ("Our children must not grow up under air-raid sirens", "Olena Zelenska", "first lady"))),
    ("Meridian Post", "Analysis: Who pays for Ukraine's reconstruction?",
     "https://meridianpost.example/analysis/reconstruction-bill", 24,
     ("Kyiv wants Russian reserves held in Europe to fund rebuilding.",),
     (("Frozen Russian assets must pay for the reconstruction of our cities", "Zelensky", "president"),
      ("There is no date for a meeting of the presidents yet", "Peskov", None))),
    ("Northwire", "[bold red]@everyone Talks wrap up", "https://northwire.example/world/wrap-5590", 25,
     ("Officials declined to comment on the schedule.",), ()),
)
FEED_URLS = {"Northwire": "https://northwire.example/rss/world", "Kyiv Ledger": "https://kyivledger.example/rss",
             "Meridian Post": "https://meridianpost.example/feeds/europe.xml"}


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return get_encoder()


def seed(store: Store, clock: Clock, encoder: Encoder | None = None) -> None:
    """Store the fictional briefs, each at its own time; console:stdout follows the story."""
    feeds = {name: store.add_feed(url, name)[0] for name, url in FEED_URLS.items()}
    store.subscribe("console", "stdout")
    for i, (feed, title, link, hours, claims, quotes) in enumerate(ARTICLES):
        clock.now = T0 + timedelta(hours=hours)
        row, _ = store.upsert_article(f"guid:{i}", feed_id=feeds[feed].id, title=title, link=link,
                                      published=clock.now, text=" ".join(claims))
        store.record_filter(row.id, kept=True, reason="keyword")
        brief = Brief(title=title, claims=[Claim(c, n) for n, c in enumerate(claims)],
                      quotes=[Quote(text=t, speaker=s, speaker_key=speaker_key(s), role=r, cue="said",
                                    method="pattern", confidence=0.9) for t, s, r in quotes])
        vectors: dict[str, Any] = {}
        if encoder is not None:
            vectors["claim_embeddings"] = encoder.encode(list(claims)) if claims else None
            vectors["quote_embeddings"] = encoder.encode([q[0] for q in quotes]) if quotes else None
        store.save_brief(row.id, brief, **vectors)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Any, clock: Clock) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path}/handlers.db", clock=clock)
    try:
        seed(s, clock)
        yield s
    finally:
        s.close()


def context(store: Store, **options: Any) -> CommandContext:
    defaults: dict[str, Any] = {"platform": "slack", "channel": "C0TALKS", "user": "U0EDITOR"}
    return CommandContext(store=store, **{**defaults, **options})


def test_every_command_has_a_handler() -> None:
    assert set(HANDLERS) == set(COMMANDS)


async def test_latest_newest_first(store: Store) -> None:
    reply = await handle_text("latest 2", context(store))
    assert reply.kind == "briefs" and not reply.ephemeral
    assert [b.brief.title for b in reply.briefs] == [ARTICLES[3][1], ARTICLES[2][1]]
    assert reply.text.index("Talks wrap up") < reply.text.index("Who pays")
    assert "Meridian Post · 16 Dec 2025 06:00 UTC · https://meridianpost.example/analysis/reconstruction-bill" \
        in reply.text
    assert "“There is no date for a meeting of the presidents yet” — Peskov" in reply.text


async def test_latest_zero_gets_the_usage_line(store: Store) -> None:
    reply = await handle_text("latest 0", context(store))
    assert reply.kind == "error" and reply.ephemeral
    assert reply.text == "n must be between 1 and 20. Usage: latest [n]"


async def test_unknown_command_gets_a_hint(store: Store) -> None:
    reply = await handle_text("frobnicate now", context(store))
    assert reply.kind == "error" and reply.text == "Unknown command 'frobnicate'. Try: help"


async def test_quotes_every_spelling_newest_first_with_source(store: Store) -> None:
    reply = await handle_text("quotes Zelensky", context(store))
    assert reply.kind == "quotes"
    assert [q.speaker for q in reply.quotes] == ["Zelensky", "Zelenskiy", "Volodymyr Zelenskyy"]
    lines = reply.text.splitlines()
    assert lines[0] == "Quotes from Volodymyr Zelenskyy, newest first"
    assert lines[1] == ("“Frozen Russian assets must pay for the reconstruction of our cities” — Zelensky (president), "
                        "Meridian Post, 16 Dec 2025, https://meridianpost.example/analysis/reconstruction-bill")
    assert lines[3].startswith("“We will not trade our land for promises on paper” — Volodymyr Zelenskyy "
                               "(Ukrainian President), Northwire, 15 Dec 2025, https://northwire.example/")
    assert "Zelenska" not in reply.text and "Peskov" not in reply.text


async def test_quotes_by_full_name_limit_and_slash_options(store: Store) -> None:
    reply = await handle_text("quotes Volodymyr Zelenskiy 2", context(store))
    assert [q.speaker for q in reply.quotes] == ["Zelensky", "Zelenskiy"]
    peskov = await run_command(parse_options("quotes", {"speaker": "Dmitri Peskov", "n": 1}), context(store))
    assert [q.text for q in peskov.quotes] == ["There is no date for a meeting of the presidents yet"]


async def test_quotes_from_nobody(store: Store) -> None:
    reply = await handle_text("quotes Witherspoon", context(store))
    assert reply.kind == "text" and reply.text == "No quotes from Witherspoon yet."


async def test_speakers_with_counts(store: Store) -> None:
    reply = await handle_text("speakers 2", context(store))
    assert reply.kind == "speakers"
    assert [(s.key, s.quotes) for s in reply.speakers] == [("zelenski", 3), ("peskov", 2)]
    assert reply.text.splitlines()[2] == "Dmitry Peskov — 2 quotes, last 16 Dec 2025"  # the fuller name of a tie


async def test_search_by_words_without_encoder(store: Store) -> None:
    reply = await handle_text("search reconstruction", context(store))
    assert reply.kind == "hits" and [h.kind for h in reply.hits] == ["quote"]
    assert reply.hits[0].speaker == "Zelensky"
    nothing = await handle_text("search ceasefire along current front", context(store))
    assert nothing.kind == "text" and nothing.text == "Nothing found for “ceasefire along current front”."


async def test_search_by_meaning(tmp_path: Any, encoder: Encoder) -> None:
    clock = Clock()
    store = open_store(f"sqlite:///{tmp_path}/semantic.db", clock=clock)
    try:
        seed(store, clock, encoder)
        ctx = context(store, encoder=encoder)
        front = await handle_text("search ceasefire along current front", ctx)
        assert [h.text for h in front.hits] == ["A halt to hostilities at the positions the armies hold today"]
        rebuild = await handle_text("search who pays to rebuild Ukraine", ctx)
        assert {h.text for h in rebuild.hits} == {
            "Frozen Russian assets must pay for the reconstruction of our cities",
            "Kyiv wants Russian reserves held in Europe to fund rebuilding.",
        }
        assert rebuild.hits[0].kind == "quote"  # best match first
        both = await handle_text("search frozen assets", ctx)  # a word hit that is also a meaning hit: once
        assert [h.text for h in both.hits] == ["Frozen Russian assets must pay for the reconstruction of our cities"]
        assert "[quote] “Frozen Russian assets" in both.text and "Meridian Post, 16 Dec 2025" in both.text
    finally:
        store.close()


async def test_search_with_a_plain_callable_encoder(store: Store, encoder: Encoder) -> None:
    calls: list[list[str]] = []

    def embed(texts: list[str]) -> Any:
        calls.append(texts)
        return encoder.encode(texts)
    reply = await handle_text("search reconstruction", context(store, encoder=embed))
    assert calls == [["reconstruction"]] and len(reply.hits) == 1  # nothing stored with embeddings: words only


async def test_digest_groups_todays_briefs_by_outlet(store: Store) -> None:
    ctx = context(store, platform="console", channel="stdout", clock=lambda: T0 + timedelta(hours=30))
    reply = await handle_text("digest", ctx)
    assert reply.kind == "digest" and reply.title == "Digest for 16 Dec 2025"
    assert [b.brief.title for b in reply.briefs] == [ARTICLES[2][1], ARTICLES[3][1]]
    assert reply.text.splitlines() == [
        "Digest for 16 Dec 2025",
        "", "Meridian Post",
        "• Analysis: Who pays for Ukraine's reconstruction? — Kyiv wants Russian reserves held in Europe to fund "
        "rebuilding.",
        "", "Northwire",
        "• [bold red]@everyone Talks wrap up — Officials declined to comment on the schedule.",
    ]


async def test_digest_today_is_local(store: Store) -> None:
    late_evening_in_new_york = T0 + timedelta(hours=21)  # 16 Dec 03:00 UTC = 15 Dec 22:00 in New York
    ctx = context(store, platform="console", channel="stdout", timezone="America/New_York",
                  clock=lambda: late_evening_in_new_york)
    reply = await handle_text("digest", ctx)
    assert reply.title == "Digest for 15 Dec 2025"
    assert [b.brief.title for b in reply.briefs] == [ARTICLES[0][1], ARTICLES[1][1]]
    other = await handle_text("digest", context(store, clock=lambda: T0))  # a channel that is not subscribed
    assert other.kind == "text" and other.text == "Digest for 15 Dec 2025: no briefs for this channel today."


async def test_feeds_with_state(store: Store, clock: Clock) -> None:
    ledger = store.get_feed(FEED_URLS["Kyiv Ledger"])
    post = store.get_feed(FEED_URLS["Meridian Post"])
    assert ledger and post
    common = {"next_poll_at": None, "last_ok_at": None, "etag": None, "last_modified": None}
    store.set_feed_state(ledger.id, failures=2, paused=False, last_error="HTTP 503", **common)
    store.set_feed_state(post.id, failures=6, paused=True, last_error="HTTP 404", **common)
    reply = await handle_text("feeds", context(store))
    assert reply.kind == "feeds" and [f.name for f in reply.feeds] == ["Northwire", "Kyiv Ledger", "Meridian Post"]
    lines = reply.text.splitlines()
    assert lines[1] == "Northwire — https://northwire.example/rss/world — new — not polled yet"
    assert lines[2].startswith("Kyiv Ledger — https://kyivledger.example/rss — failing 2 (HTTP 503) — last polled")
    assert " — paused (HTTP 404) — " in lines[3]


async def test_feeds_add_is_for_admins(store: Store) -> None:
    reply = await handle_text("feeds add https://news.example.org/rss.xml", context(store))
    assert reply.kind == "error" and reply.ephemeral and reply.text == "`feeds add` is for admins."
    removed = await handle_text("feeds remove Northwire", context(store))
    assert removed.text == "`feeds remove` is for admins."
    assert len(store.list_feeds()) == 3


async def test_feeds_add_refuses_local_addresses(store: Store) -> None:
    reply = await handle_text("feeds add http://127.0.0.1/x", context(store, is_admin=True))
    assert reply.kind == "error"
    assert reply.text.startswith("Cannot add http://127.0.0.1/x: 127.0.0.1 is a loopback address")
    assert len(store.list_feeds()) == 3
    allowed = await handle_text("feeds add http://127.0.0.1:8080/x lab", context(store, is_admin=True,
                                                                                   allow_private=True))
    assert allowed.text == "Added feed lab (http://127.0.0.1:8080/x); first poll within a minute."


async def test_feeds_add_and_remove_tell_the_scheduler(store: Store) -> None:
    changes: list[str] = []

    async def rescheduled() -> None:
        changes.append("async")
    ctx = context(store, is_admin=True, on_feeds_changed=rescheduled)
    reply = await handle_text("feeds add http://93.184.215.14/feed.xml", ctx)
    assert reply.text == "Added feed 93-184-215-14 (http://93.184.215.14/feed.xml); first poll within a minute."
    assert [f.url for f in reply.feeds] == ["http://93.184.215.14/feed.xml"] and changes == ["async"]
    again = await handle_text("feeds add http://93.184.215.14/feed.xml", ctx)
    assert again.text == "Feed 93-184-215-14 (http://93.184.215.14/feed.xml) is already polled."
    clash = await handle_text("feeds add http://93.184.215.14/other.xml northwire", ctx)
    assert clash.kind == "error" and "A feed named northwire already exists" in clash.text
    assert changes == ["async"]
    ctx.on_feeds_changed = lambda: changes.append("sync")
    gone = await handle_text("feeds remove NORTHWIRE", ctx)
    assert gone.text == "Removed feed Northwire (https://northwire.example/rss/world); its briefs stay."
    assert changes == ["async", "sync"] and store.get_feed(FEED_URLS["Northwire"]) is None
    assert len(store.latest_briefs(10)) == 4
    missing = await handle_text("feeds remove Northwire", ctx)
    assert missing.kind == "error" and missing.text == "No feed named Northwire. The list: feeds"


async def test_subscribe_and_unsubscribe_this_channel(store: Store) -> None:
    ctx = context(store)
    assert (await handle_text("subscribe", ctx)).text.startswith("Subscribed")
    assert [s.channel.address for s in store.subscriptions("slack")] == ["C0TALKS"]
    assert (await handle_text("sub", ctx)).text == "This channel is already subscribed."
    assert (await handle_text("unsubscribe", ctx)).text.startswith("Unsubscribed")
    assert store.subscriptions("slack") == []
    assert (await handle_text("unsubscribe", ctx)).text == "This channel was not subscribed."


async def test_help_lists_commands_and_explains_one(store: Store) -> None:
    user = await handle_text("help", context(store))
    assert user.kind == "help" and user.ephemeral
    assert "quotes <speaker> [n] — Quotes by a speaker" in user.text and "feeds add" not in user.text
    admin = await handle_text("help", context(store, is_admin=True))
    assert {s.name for s in admin.commands} == set(COMMANDS) and "feeds add <url> [name]" in admin.text
    one = await handle_text("help quote", context(store))
    assert one.text.splitlines()[0] == "quotes <speaker> [n] — " + COMMANDS["quotes"].help
    assert "e.g. quotes Zelensky; quotes Peskov 10" in one.text
    assert (await handle_text("help feeds add", context(store))).commands == (COMMANDS["feeds.add"],)
    unknown = await handle_text("help frobnicate", context(store))
    assert unknown.kind == "error" and unknown.text == "No command 'frobnicate'. Try: help"


async def test_search_falls_back_to_words_when_the_encoder_fails(store: Store,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    def broken(texts: list[str]) -> Any:
        raise RuntimeError("model weights missing")
    reply = await handle_text("search reconstruction", context(store, encoder=broken))
    assert reply.kind == "hits" and [h.speaker for h in reply.hits] == ["Zelensky"]
    assert "model weights missing" in caplog.text


class _BrokenStore:
    def latest_entries(self, n: int) -> list[Any]:
        raise RuntimeError("database file is on fire")


async def test_unexpected_errors_are_logged_not_shown(caplog: pytest.LogCaptureFixture) -> None:
    ctx = CommandContext(store=_BrokenStore(), platform="console", channel="stdout", user="local")  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR, logger="bot.commands"):
        reply = await handle_text("latest", ctx)
    assert reply.kind == "error" and reply.text == "Something went wrong running `latest`; the error was logged."
    assert "on fire" not in reply.text
    record = next(r for r in caplog.records if r.name == "bot.commands")
    assert record.exc_info is not None and "on fire" in caplog.text
