"""Chat commands: one grammar and one set of handlers shared by every adapter."""

from .grammar import Command, CommandError, parse_options, parse_text
from .spec import COMMANDS, CommandSpec, Param

__all__ = ["COMMANDS", "Command", "CommandError", "CommandSpec", "Param", "parse_options", "parse_text"]
