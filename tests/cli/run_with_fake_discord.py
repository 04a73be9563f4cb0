"""Test launcher: `briefbot run` (the real entry point) with discord.py pointed at a fake Discord from env vars."""

from __future__ import annotations

import os
import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[2]
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

API_ENV = "BRIEFBOT_TEST_DISCORD_API"  # e.g. http://127.0.0.1:PORT/api/v10
GATEWAY_ENV = "BRIEFBOT_TEST_DISCORD_GATEWAY"  # e.g. ws://127.0.0.1:PORT/gateway


def main(argv: list[str]) -> int:
    """Patch discord.py's REST base and gateway (not settable by config), then run `bot.cli.main(argv)`."""
    import discord
    import yarl

    from bot.cli import main as cli_main

    discord.http.Route.BASE = os.environ[API_ENV]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ[GATEWAY_ENV])
    return cli_main(argv)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
