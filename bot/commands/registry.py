"""The handler registry: one async handler per command spec, registered with `@handles(name)`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.commands.context import CommandContext
from bot.commands.grammar import Command
from bot.commands.replies import Reply
from bot.commands.spec import COMMANDS

Handler = Callable[[Command, CommandContext], Awaitable[Reply]]
HANDLERS: dict[str, Handler] = {}


def handles(name: str) -> Callable[[Handler], Handler]:
    """Register the handler of the command spec called `name`."""
    if name not in COMMANDS:
        raise KeyError(f"no command spec named {name!r}")

    def register(fn: Handler) -> Handler:
        HANDLERS[name] = fn
        return fn
    return register


def check_registry() -> None:
    """Fail at import when a command spec has no handler."""
    missing = sorted(set(COMMANDS) - set(HANDLERS))
    if missing:
        raise RuntimeError(f"commands without a handler: {', '.join(missing)}")
