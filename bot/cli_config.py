"""`briefbot check-config [PATH]`: validate the configuration, list every problem, and exit."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from bot.config import ConfigError, load_settings


def add_check_config_command(sub: Any) -> None:
    """Register the `check-config` subcommand."""
    p = sub.add_parser("check-config", help="validate a configuration file and list every problem")
    _add_arguments(p)
    p.set_defaults(handler=run_check_config)


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", default=None, metavar="PATH",
                        help="TOML configuration file (default: $BRIEFBOT_CONFIG, else the built-in defaults)")


def run_check_config(args: argparse.Namespace) -> int:
    """Print "config OK: N feeds, M channels" and return 0, or print the problems to stderr and return 2."""
    try:
        settings = load_settings(args.path)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - a check must end in a message, never a traceback
        print(f"briefbot: could not check the configuration: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    source = settings.source if settings.source is not None else "built-in defaults"
    print(f"config OK: {len(settings.feeds)} feeds, {len(settings.channels)} channels ({source})")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """`check-config` on its own: `python -m bot.cli_config [PATH]`; returns the exit code."""
    parser = argparse.ArgumentParser(prog="briefbot check-config", description=__doc__)
    _add_arguments(parser)
    return run_check_config(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
