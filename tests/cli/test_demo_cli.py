"""`briefbot demo` as a real process: offline, the real pipeline, briefs printed, a REPL only on a terminal."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
import time
from pathlib import Path

import feedparser
import pytest

from bot.demo import DATA_DIR

ENV = {k: v for k, v in os.environ.items()
       if not k.startswith(("BRIEFBOT_", "SLACK_", "DISCORD_"))} | {"HF_HUB_OFFLINE": "1", "COLUMNS": "200"}
TIMEOUT = 300  # a cold start loads MiniLM and spaCy on a small shared machine
OFF_STORY = ("kl-sport-podil-derby", "cr-winter-kitchen-bean-stew")  # the football report and the cooking column
COUNT_LINE = re.compile(r"^13 new articles, 11 about the story, 2 dropped by the story filter\.$", re.M)


def leftovers(scratch: Path) -> list[str]:
    """What a run left in its TMPDIR; torch's per-user cache folder (created empty on import, shared by every
    later run) is not the demo's to remove."""
    return sorted(p.name for p in scratch.iterdir()
                  if not (p.name.startswith("torchinductor_") and p.is_dir() and not any(p.iterdir())))


def entries() -> list[tuple[str, str]]:
    """(title, link) of every item in the bundled demo feeds."""
    out = []
    for path in sorted((DATA_DIR / "feeds").glob("*.xml")):
        out += [(e.title, e.link) for e in feedparser.parse(path.read_bytes()).entries]
    return out


def demo(tmp_path: Path, **kwargs: object) -> tuple[subprocess.CompletedProcess[str], float, Path]:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "bot.cli", "demo"], capture_output=True, text=True, timeout=TIMEOUT,
                          env=ENV | {"TMPDIR": str(scratch)}, cwd=tmp_path, **kwargs)  # type: ignore[call-overload]
    return proc, time.monotonic() - start, scratch


@pytest.fixture(scope="module")
def piped(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], float, Path]:
    """One `briefbot demo` run with stdin not a terminal."""
    return demo(tmp_path_factory.mktemp("demo"), stdin=subprocess.DEVNULL)


def test_demo_without_a_terminal_prints_briefs_and_exits_0(piped) -> None:
    proc, took, _ = piped
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert took < TIMEOUT
    out = proc.stdout
    assert "Traceback" not in out + proc.stderr and "ERROR" not in proc.stderr, proc.stderr[-3000:]
    assert out.startswith("briefbot demo: 3 fictional feeds served at http://127.0.0.1:")
    assert COUNT_LINE.search(out), out[-500:]
    # 11 on-story articles: each a brief, or (a second outlet's take on a story already shown) an update under it
    assert out.count("Key claims") + out.count("↳ story #") == 11 and "Quotes (" in out
    assert out.count("↳ story #") >= 1 and "Also reported by" in out


def test_demo_briefs_the_story_and_drops_the_rest(piped) -> None:
    out = piped[0].stdout
    on_story = [title for title, link in entries() if not any(slug in link for slug in OFF_STORY)]
    shown = [title for title in on_story if title in out]
    assert len(shown) >= 11, set(on_story) - set(shown)  # one story is carried by two outlets: briefed once
    for title, link in entries():
        if any(slug in link for slug in OFF_STORY):
            assert title not in out


def test_demo_quotes_name_their_speakers(piped) -> None:
    out = piped[0].stdout
    speakers = re.findall(r"^\W*— (.+?)  \(", out, re.M)
    assert any(re.match(r"(?:Volodymyr )?Zelensk(?:y|iy|yy)\b", s) for s in speakers), speakers
    assert any(re.match(r"(?:Dmitry )?Peskov\b", s) for s in speakers), speakers
    assert sum(s.startswith(("Dmitry Peskov", "Peskov")) for s in speakers) >= 3
    assert "We will not react to rumours. We will react to facts," in out  # verbatim, across the panel's wrap


def test_demo_leaves_no_temporary_files(piped) -> None:
    _, _, scratch = piped
    assert leftovers(scratch) == []


def test_demo_on_a_terminal_answers_commands(tmp_path: Path) -> None:
    """With stdin a (pseudo-)terminal the demo prompts for commands after the briefs, until `quit`."""
    master, slave = pty.openpty()
    try:
        os.write(master, b"quotes Peskov 2\nfrobnicate\nspeakers 3\nquit\n")  # typed ahead: the tty buffers them
        proc, _, scratch = demo(tmp_path, stdin=slave)
    finally:
        os.close(slave)
        os.close(master)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stdout + proc.stderr
    out = proc.stdout
    assert COUNT_LINE.search(out)
    after = out[COUNT_LINE.search(out).end():]
    assert "Try: latest 3" in after and "briefbot> " in after
    assert "Quotes from Dmitry Peskov, newest first" in after
    assert len(re.findall(r"” — Dmitry Peskov", after)) == 2
    assert "Unknown command 'frobnicate'. Try: help" in after
    assert "Most quoted" in after
    assert leftovers(scratch) == []
