"""Chat commands: one grammar and one set of handlers shared by every adapter."""

from .context import CommandContext
from .grammar import Command, CommandError, parse_options, parse_text
from .handlers import handle_text, run_command
from .replies import Reply
from .spec import COMMANDS, CommandSpec, Param
from .urlcheck import check_feed_url

__all__ = [
    "COMMANDS",
    "Command",
    "CommandContext",
    "CommandError",
    "CommandSpec",
    "Param",
    "Reply",
    "check_feed_url",
    "handle_text",
    "parse_options",
    "parse_text",
    "run_command",
]
