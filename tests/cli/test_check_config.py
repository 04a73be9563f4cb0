"""Tests for `briefbot check-config`: output, exit codes, and never a traceback."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli_config import add_check_config_command, main, run_check_config
from bot.config.load import ENV_OVERRIDES

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "briefbot.example.toml"
BAD = """
[bot]
timezone = "Europe/Kyiv"
admins = ["olena"]

[[feeds]]
name = "Example Wire"
url = "https://www.example.org/world/rss.xml"
interval = 0
"""


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in [*ENV_OVERRIDES, "BRIEFBOT_CONFIG", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "DISCORD_BOT_TOKEN"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_valid_file_prints_counts_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(EXAMPLE)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("config OK: 4 feeds, 1 channels") and err == ""


def test_invalid_file_lists_problems_on_stderr_and_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(BAD, encoding="utf-8")
    assert main([str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines()[0] == f"invalid configuration in {path} (2 problems):"
    assert "  - bot.admins[0]: " in err and "  - feeds[0].interval: must be greater than or equal to 1" in err


def test_no_path_checks_the_built_in_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    assert capsys.readouterr().out == "config OK: 0 feeds, 1 channels (built-in defaults)\n"


def test_registers_as_a_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="briefbot")
    add_check_config_command(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["check-config", str(EXAMPLE)])
    assert args.handler is run_check_config and args.path == str(EXAMPLE)
    assert args.handler(args) == 0
    assert "config OK" in capsys.readouterr().out


@pytest.mark.parametrize("content", [BAD, "[bot\nname = 1\n", None])
def test_command_line_exits_2_without_a_traceback(tmp_path: Path, content: str | None) -> None:
    path = tmp_path / "briefbot.toml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ENV_OVERRIDES and k != "BRIEFBOT_CONFIG"}
    proc = subprocess.run([sys.executable, "-m", "bot.cli_config", str(path)], capture_output=True, text=True,
                          env={**env, "HF_HUB_OFFLINE": "1"}, timeout=120)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith(f"invalid configuration in {path}")
    assert "Traceback" not in proc.stderr
