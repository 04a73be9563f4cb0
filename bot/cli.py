"""The `briefbot` command line: a tiny entry point that dispatches to subcommands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from bot import __version__
from bot.cli_backfill import add_backfill_command
from bot.cli_brief import add_brief_command
from bot.cli_config import add_check_config_command
from bot.cli_feeds import add_feeds_command
from bot.cli_run import add_run_commands

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    """The parser for every subcommand."""
    parser = argparse.ArgumentParser(prog="briefbot", description="Briefs of key claims and attributed quotes.")
    parser.add_argument("--version", action="version", version=f"briefbot {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_brief_command(sub)
    add_check_config_command(sub)
    add_run_commands(sub)
    add_feeds_command(sub)
    add_backfill_command(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
