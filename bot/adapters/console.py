"""The console adapter: a REPL for the chat commands, and the sink that prints deliveries to the terminal."""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import threading
from collections.abc import Callable
from datetime import timezone, tzinfo
from typing import Any

from rich.console import Console
from rich.text import Text

from bot.commands.context import CommandContext
from bot.commands.handlers import handle_text
from bot.render.replies_console import reply_renderable, stored_brief_renderable
from bot.render.story_console import story_update_renderable
from bot.render.updates import update_kind
from bot.store import Delivery, Store, StoredBrief

PROMPT = "briefbot> "
_QUIT = {"quit", "exit"}


def console_context(store: Store, **options: Any) -> CommandContext:
    """The console's command context: channel "stdout", user "local", an admin. `options` go to CommandContext."""
    return CommandContext(store=store, platform="console", channel="stdout", user="local", is_admin=True, **options)


class ConsoleAdapter:
    """Reads commands from a terminal and prints replies; as a Sink, prints the briefs delivered to "stdout"."""

    platform = "console"

    def __init__(self, console: Console | None = None, *, tz: tzinfo = timezone.utc) -> None:
        self.console = console or Console()
        self.tz = tz

    async def repl(
        self,
        ctx_factory: Callable[[], CommandContext],
        *,
        input: Callable[[str], str] = builtins.input,
        console: Console | None = None,
    ) -> None:
        """Answer commands until `quit`, `exit` or end of input. `input` runs in a thread: the loop keeps going."""
        out = console or self.console
        while True:
            try:
                line = await _read_line(input, PROMPT)
            except EOFError:
                break
            line = line.strip()
            if not line:
                continue
            if line.lower() in _QUIT:
                break
            ctx = ctx_factory()
            reply = await handle_text(line, ctx)
            out.print(reply_renderable(reply, ctx.tz))

    async def post(self, delivery: Delivery, brief: StoredBrief) -> str:
        """Print the brief's panel, or, for a later article of a story already shown here, what it adds, indented
        under the story; the message id is "console-<delivery id>"."""
        if update_kind(brief, threaded=delivery.thread_root is not None) != "full":
            self.console.print(story_update_renderable(brief, self.tz))
        else:
            if brief.story is not None:
                self.console.print(Text(f"story #{brief.story.story_id}", style="magenta"))
            self.console.print(stored_brief_renderable(brief, self.tz))
        return f"console-{delivery.id}"

    async def find_posted(self, delivery: Delivery) -> str | None:
        """The console cannot look back at what it printed."""
        return None

    async def notify(self, address: str, text: str) -> None:
        self.console.print(Text(text, style="yellow"))


async def _read_line(read: Callable[[str], str], prompt: str) -> str:
    """Call `read(prompt)` in a daemon thread, so a blocked read never holds up the loop or the process's exit."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[str] = loop.create_future()

    def settle(value: str | None, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value or "")

    def work() -> None:
        value: str | None = None
        error: BaseException | None = None
        try:
            value = read(prompt)
        except BaseException as exc:  # EOFError and KeyboardInterrupt travel to the awaiting task
            error = exc
        with contextlib.suppress(RuntimeError):  # the loop closed while we were reading: nobody is waiting
            loop.call_soon_threadsafe(settle, value, error)

    threading.Thread(target=work, name="console-input", daemon=True).start()
    return await future
