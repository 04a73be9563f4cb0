"""The console adapter: a REPL over the shared handlers, and a sink that prints delivered briefs literally."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from io import StringIO
from typing import Any

import pytest
from rich.console import Console

from bot.adapters import ConsoleAdapter, console_context
from bot.adapters.console import PROMPT
from bot.brief.speakers import speaker_key
from bot.brief.types import Brief, Claim, Quote
from bot.commands import Reply
from bot.render.replies_console import reply_renderable
from bot.store import Delivery, Store, open_store

T0 = datetime(2025, 12, 15, 9, 30, tzinfo=timezone.utc)
HOSTILE_TITLE = "[bold red]@everyone Kremlin rejects plan"
HOSTILE_QUOTE = "[link=https://evil.example]Read the full plan[/link] before you judge it"


class Lines:
    """An `input` replacement: hands out the given lines, then raises EOFError; records prompts and threads."""

    def __init__(self, *lines: str) -> None:
        self.lines = list(lines)
        self.prompts: list[str] = []
        self.threads: set[str] = set()

    def __call__(self, prompt: str) -> str:
        self.prompts.append(prompt)
        self.threads.add(threading.current_thread().name)
        if not self.lines:
            raise EOFError
        return self.lines.pop(0)


@pytest.fixture
def store(tmp_path: Any) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path}/console.db", clock=lambda: T0)
    feed, _ = s.add_feed("https://eastgate.example/rss/talks", "Eastgate Wire")
    s.subscribe("console", "stdout")
    row, _ = s.upsert_article("guid:eastgate-301", feed_id=feed.id, title=HOSTILE_TITLE,
                              link="https://eastgate.example/talks/kremlin-rejects-301", published=T0)
    brief = Brief(title=HOSTILE_TITLE, claims=[Claim("The Kremlin rejected the latest draft, @here said nobody.", 0)],
                  quotes=[Quote(text=HOSTILE_QUOTE, speaker="Dmitry Peskov", speaker_key=speaker_key("Dmitry Peskov"),
                                role="Kremlin spokesman", cue="said", method="pattern", confidence=0.9)])
    s.save_brief(row.id, brief)
    try:
        yield s
    finally:
        s.close()


def _console() -> tuple[Console, StringIO]:
    out = StringIO()
    return Console(file=out, width=100), out


async def test_repl_answers_until_quit(store: Store) -> None:
    console, out = _console()
    lines = Lines("help", "   ", "quotes peskov", "frobnicate", "latest 0", "quit", "latest")
    await ConsoleAdapter(console).repl(lambda: console_context(store), input=lines, console=console)
    text = " ".join(out.getvalue().split())  # undo the console's wrapping
    assert "quotes <speaker> [n]" in text and "feeds add <url> [name]" in text  # the console user is an admin
    assert f"“{HOSTILE_QUOTE}” — Dmitry Peskov (Kremlin spokesman), Eastgate Wire, 15 Dec 2025" in text
    assert "Unknown command 'frobnicate'. Try: help" in text
    assert "n must be between 1 and 20. Usage: latest [n]" in text
    assert "Traceback" not in text and HOSTILE_TITLE not in text  # `latest` after quit was never read
    assert lines.prompts == [PROMPT] * 6 and lines.lines == ["latest"]
    assert threading.current_thread().name not in lines.threads


async def test_repl_ends_at_end_of_input(store: Store) -> None:
    console, out = _console()
    lines = Lines("speakers")
    await asyncio.wait_for(ConsoleAdapter(console).repl(lambda: console_context(store), input=lines), 10)
    assert "Dmitry Peskov" in out.getvalue() and lines.prompts == [PROMPT, PROMPT]


async def test_loop_keeps_running_while_waiting_for_input(store: Store) -> None:
    console, _ = _console()
    release = threading.Event()
    ticks = 0

    def slow_input(prompt: str) -> str:
        release.wait(10)
        return "exit"

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            if ticks == 5:
                release.set()
            await asyncio.sleep(0.01)
    task = asyncio.create_task(ticker())
    await asyncio.wait_for(ConsoleAdapter(console).repl(lambda: console_context(store), input=slow_input), 10)
    task.cancel()
    assert ticks >= 5


async def test_hostile_article_text_printed_literally(store: Store) -> None:
    console, out = _console()
    lines = Lines("latest 1", "search plan", "digest")
    await ConsoleAdapter(console).repl(lambda: console_context(store, clock=lambda: T0), input=lines)
    text = out.getvalue()
    assert text.count(HOSTILE_TITLE) == 2  # the brief's panel and the digest
    assert text.count("[link=https://evil.example]Read the full plan[/link]") == 2  # the panel and the search hit
    assert "@here said nobody" in text and "Digest for 15 Dec 2025" in text


def _delivery(brief_id: int) -> Delivery:
    return Delivery(id=42, channel_id=1, platform="console", address="stdout", brief_id=brief_id, seq=1,
                    idempotency_key="k" * 24, status="leased", attempts=1, lease="l", lease_expires_at=None,
                    next_attempt_at=T0, last_error=None, remote_id=None, created_at=T0, attempted_at=T0,
                    finished_at=None)


async def test_sink_prints_briefs_and_notices(store: Store) -> None:
    console, out = _console()
    adapter = ConsoleAdapter(console)
    brief = store.latest_briefs(1)[0]
    assert adapter.platform == "console"
    assert await adapter.post(_delivery(brief.id), brief) == "console-42"
    assert await adapter.find_posted(_delivery(brief.id)) is None
    await adapter.notify("stdout", "Feed [b]Eastgate Wire[/b] paused after 5 failures.")
    text = out.getvalue()
    for part in (HOSTILE_TITLE, "Eastgate Wire · 15 Dec 2025 09:30 UTC", "The Kremlin rejected the latest draft",
                 HOSTILE_QUOTE, "Dmitry Peskov", "https://eastgate.example/talks/kremlin-rejects-301",
                 "Feed [b]Eastgate Wire[/b] paused after 5 failures."):
        assert part in text


async def test_feeds_table_and_error_line(store: Store) -> None:
    console, out = _console()
    ctx = console_context(store)
    await ConsoleAdapter(console).repl(lambda: ctx, input=Lines("feeds", "feeds add http://10.1.1.1/rss"))
    text = out.getvalue()
    assert "Eastgate Wire" in text and "https://eastgate.example/rss/talks" in text and "never" in text
    assert "Cannot add http://10.1.1.1/rss: 10.1.1.1 is a private address" in text
    assert ctx.is_admin and ctx.platform == "console" and ctx.user == "local" and ctx.channel == "stdout"


def test_error_replies_render_red() -> None:
    console = Console(file=StringIO(), width=100, force_terminal=True, color_system="standard")
    with console.capture() as cap:
        console.print(reply_renderable(Reply.error("[bold]nope[/bold]")))
    assert "\x1b[31m" in cap.get() and "[bold]nope[/bold]" in cap.get()


async def test_sink_prints_a_story_update_under_its_story(store: Store) -> None:
    from dataclasses import replace

    from bot.store import StoryContext

    console, out = _console()
    adapter = ConsoleAdapter(console)
    brief = store.latest_briefs(1)[0]
    news = StoryContext(story_id=7, title="[i]Kremlin and the draft", first=False, new_claims=[], new_quotes=[0],
                        also_reported_by=["Northwire", "[b]Kyiv Dispatch"])
    await adapter.post(replace(_delivery(brief.id), story_id=7, thread_root="console-1"), replace(brief, story=news))
    text = out.getvalue()
    assert "↳ story #7 · [i]Kremlin and the draft" in text and HOSTILE_TITLE in text
    assert HOSTILE_QUOTE in text and "Dmitry Peskov" in text
    assert "The Kremlin rejected the latest draft" not in text  # not new: left out
    assert "Also reported by Northwire, [b]Kyiv Dispatch" in text and "Key claims" not in text

    console, out = _console()
    quiet = replace(news, new_quotes=[])
    await ConsoleAdapter(console).post(replace(_delivery(brief.id), story_id=7, thread_root="console-1"),
                                       replace(brief, story=quiet))
    text = out.getvalue()
    assert "Nothing new in this article." in text and HOSTILE_QUOTE not in text

    console, out = _console()  # the story's first post in this channel: the whole brief, under its story number
    await ConsoleAdapter(console).post(replace(_delivery(brief.id), story_id=7), replace(brief, story=news))
    text = out.getvalue()
    assert text.startswith("story #7") and "Key claims" in text and "The Kremlin rejected the latest draft" in text
