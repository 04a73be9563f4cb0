"""Chat adapters: each turns its platform's messages into commands and posts replies and briefs its own way."""

from bot.adapters.console import ConsoleAdapter, console_context

__all__ = ["ConsoleAdapter", "console_context"]
