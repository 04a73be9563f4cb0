"""`briefbot poll-once`, `console` and `run` as real processes against a local feed server and a SQLite store."""

from __future__ import annotations

import json
import os
import pty
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.feed_server import HTML_TYPE, FeedServer, rss

ENV = {k: v for k, v in os.environ.items()
       if not k.startswith(("BRIEFBOT_", "SLACK_", "DISCORD_"))} | {"HF_HUB_OFFLINE": "1", "COLUMNS": "200"}
TIMEOUT = 300  # seconds: a cold start loads MiniLM and spaCy on a small shared machine

TITLE_A = "Umerov says Abu Dhabi round narrowed gaps on ceasefire monitoring"
TITLE_B = "Kremlin says no date set for leaders' summit as envoys prepare new draft"
BODY_A = "".join((  # one line per paragraph, as most feeds carry it
    "<p>ABU DHABI, Jan 14 (Meridian Wire) - Ukraine's chief negotiator Rustem Umerov said on Wednesday "
    'that two days of U.S.-brokered talks in Abu Dhabi had narrowed the gaps over how a ceasefire would '
    'be monitored, though the question of territory remained unresolved.</p>',
    '<p>"We did not settle everything, but for the first time we are arguing about details rather than '
    'principles," Umerov told reporters outside the conference hotel.</p>',
    '<p>The talks, hosted by the United Arab Emirates, brought together military delegations from both '
    'sides for the first time since the autumn, with U.S. envoy Steve Witkoff shuttling between the two '
    'rooms.</p>',
    '<p>According to two officials familiar with the discussions, the delegations agreed in principle '
    'that a monitoring mission would report to a joint commission, but did not agree on who would staff '
    'it or how many observers it would need along a front line more than a thousand kilometres long.</p>',
    '<p>Kremlin spokesman Dmitry Peskov was more guarded. "It is premature to speak of any agreement. The'
    ' work continues," Peskov said in his daily call with reporters in Moscow.</p>',
    '<p>A senior U.S. official, speaking on condition of anonymity, said the next round could take place '
    'before the end of the month if both presidents signed off on the monitoring text.</p>',
    '<p>See also: Winter grid repairs race against the frost | Hryvnia steady ahead of central bank '
    'decision</p>',
    '<p>(Reporting by Oksana Dvornyk in Abu Dhabi and Pavel Lindqvist in Moscow; Editing by Clare '
    'Whitcombe)</p>',
))
TEASER_B = "MOSCOW (Meridian Wire) - The Kremlin said on Thursday that no date had been set for a summit... Read more"
PAGE_B = """<!doctype html><html><head><title>Kremlin says no date set for leaders' summit | Meridian Wire</title>
</head><body><nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/markets">Markets</a></nav>
<article><h1>Kremlin says no date set for leaders' summit as envoys prepare new draft</h1>
<p class="byline">By Pavel Lindqvist, Meridian Wire - 15 January, 09:40 GMT</p>
<p>MOSCOW - The Kremlin said on Thursday that no date had been set for a summit between the Russian and U.S.
presidents, as envoys from both countries prepared a new draft of the peace plan after this week's talks in
Abu Dhabi.</p>
<p>"There is no date and there cannot be one until the experts have finished their work," Kremlin spokesman
Dmitry Peskov told reporters on a conference call.</p>
<p>Peskov said Moscow had received "signals" from Washington about the monitoring proposals discussed in the
Emirates but declined to describe them.</p>
<p>U.S. envoy Steve Witkoff, speaking to reporters at Andrews air base before flying to Europe, was more upbeat.
"We have a text that both sides can read without walking out of the room. That is new," Witkoff said.</p>
<p>Ukraine has insisted that any ceasefire must come with security guarantees from its Western partners, a
demand Moscow has rejected in every round so far.</p>
</article><aside><h3>Most read</h3><ul><li>Frost grips the capital</li><li>Derby ends goalless</li></ul></aside>
<footer>Meridian Wire - fictional newsroom used for testing</footer></body></html>
"""


class Feed:
    """A local feed server with one RSS feed of two fictional items: one full text, one teaser with a page."""

    def __init__(self, server: FeedServer, path: str = "/wire/talks.xml",
                 page_path: str = "/wire/kremlin-date") -> None:
        self.server, self.url = server, server.url(path)
        now = datetime.now(timezone.utc)
        items = [
            {"title": TITLE_B, "link": server.url(page_path), "guid": f"meridian{path}-b",
             "pubDate": format_datetime(now - timedelta(hours=1)), "description": TEASER_B},
            {"title": TITLE_A, "link": server.url(page_path + "-a"), "guid": f"meridian{path}-a",
             "pubDate": format_datetime(now - timedelta(hours=2)), "content": BODY_A,
             "description": "Ukraine's negotiator says gaps narrowed.", "author": "Oksana Dvornyk"},
        ]
        server.put(path, rss("Meridian Wire - Ukraine talks", items))
        server.put(page_path, PAGE_B.encode(), content_type=HTML_TYPE)


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    with FeedServer() as s:
        yield s


def write_config(dir: Path, feed_url: str, *, db: Path | None = None, extra: str = "") -> Path:
    db = db or dir / "store.db"
    path = dir / "briefbot.toml"
    path.write_text(f"""
[bot]
timezone = "UTC"
admins = ["console:local"]

[store]
url = "sqlite:///{db}"

[[feeds]]
name = "Meridian Wire"
url = "{feed_url}"
interval = 1
backfill = 10

[fetch]
allow_private_addresses = true
{extra}
[[channels]]
platform = "console"
address = "stdout"
subscribe = "story"

[digest]
enabled = false
""", encoding="utf-8")
    return path


def briefbot(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True, text=True,
                          env=ENV, cwd=cwd, timeout=TIMEOUT, stdin=None if stdin is not None else subprocess.DEVNULL)


def shown(out: str) -> int:
    """Briefs printed in full, plus story updates printed under the story they belong to."""
    return out.count("Key claims") + out.count("↳ story #")


def assert_clean(proc: subprocess.CompletedProcess[str] | str) -> None:
    text = proc if isinstance(proc, str) else proc.stdout + proc.stderr
    assert "Traceback" not in text and "Error running job" not in text, text[-3000:]


@pytest.fixture(scope="module")
def polled(server: FeedServer,
           tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[subprocess.CompletedProcess[str]]]:
    """Two `poll-once` processes, one after the other, on one store: (config, [first, second])."""
    work = tmp_path_factory.mktemp("poll-once")
    feed = Feed(server)
    config = write_config(work, feed.url)
    first = briefbot("poll-once", "--config", str(config), cwd=work)
    second = briefbot("poll-once", "--config", str(config), cwd=work)
    return config, [first, second]


def test_poll_once_prints_the_briefs_of_new_items(polled) -> None:
    _, (first, _) = polled
    assert first.returncode == 0, first.stderr[-3000:]
    assert_clean(first)
    out = first.stdout
    assert TITLE_A in out and TITLE_B in out
    assert shown(out) == 2
    assert "Rustem Umerov" in out and "Dmitry Peskov" in out
    assert "premature to speak of any agreement" in out  # a quote from the full-text item
    assert "There is no date and there cannot be one" in out  # a quote only on the teaser's article page
    assert out.index(TITLE_A) < out.index(TITLE_B)  # oldest first


def test_second_poll_once_prints_nothing_new(polled, server: FeedServer) -> None:
    _, (first, second) = polled
    assert first.returncode == 0 and second.returncode == 0, second.stderr[-3000:]
    assert_clean(second)
    assert "Key claims" not in second.stdout and TITLE_A not in second.stdout and TITLE_B not in second.stdout
    assert server.hits["/wire/talks.xml"] >= 2  # the second process really polled the feed


def test_console_answers_commands_and_usage_for_unknown(polled) -> None:
    config, (first, _) = polled
    assert first.returncode == 0
    proc = briefbot("console", "--config", str(config), cwd=config.parent,
                    stdin="latest 1\nquotes Peskov\nfrobnicate\nquit\n")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert_clean(proc)
    out = proc.stdout
    # both items report one event: one story, titled by the first headline (equally central headlines tie)
    assert "Latest story" in out and TITLE_A in out
    assert "Quotes from Dmitry Peskov" in out and "premature to speak of any agreement" in out
    assert re.search(r"Unknown command 'frobnicate'\. Try: help", out)


def test_console_ends_at_end_of_input(polled) -> None:
    config, _ = polled
    proc = briefbot("console", "--config", str(config), cwd=config.parent, stdin="speakers\n")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert_clean(proc)
    assert "Most quoted" in proc.stdout and "Peskov" in proc.stdout


def test_poll_once_json_logs_keep_credentials_out(server: FeedServer, tmp_path: Path) -> None:
    """A failing feed whose URL carries a password: JSON log lines, the password in none of them."""
    url = server.url("/x/status/503").replace("http://", "http://briefbot:Kyiv-Frost-2025@")
    config = write_config(tmp_path, url, extra='[logging]\njson = true\n')
    proc = briefbot("poll-once", "--config", str(config), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert_clean(proc)
    assert "Kyiv-Frost-2025" not in proc.stdout + proc.stderr
    summary = [line for line in proc.stderr.splitlines() if line.startswith("briefbot: ")]
    assert summary == ["briefbot: feed Meridian Wire: HTTP 503 Service Unavailable"]
    records = [json.loads(line) for line in proc.stderr.splitlines() if not line.startswith("briefbot: ")]
    assert any("briefbot:***@127.0.0.1" in r["message"] and r["level"] == "WARNING" for r in records), records


class Proc:
    """A `briefbot` process whose stdout and stderr are collected by threads as they come."""

    def __init__(self, *args: str, cwd: Path, stdin: int = subprocess.DEVNULL) -> None:
        self.p = subprocess.Popen([sys.executable, "-m", "bot.cli", *args], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, stdin=stdin, env=ENV, cwd=cwd)
        self._out: list[bytes] = []
        self._err: list[bytes] = []
        self._readers = [threading.Thread(target=_collect, args=(stream, into), daemon=True)
                         for stream, into in ((self.p.stdout, self._out), (self.p.stderr, self._err))]
        for reader in self._readers:
            reader.start()

    @property
    def out(self) -> str:
        return b"".join(self._out).decode("utf-8", "replace")

    def wait_for(self, text: str, timeout: float) -> bool:
        """Whether `text` shows up on stdout (a line or a prompt) within `timeout` s while the process runs."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.out:
                return True
            if self.p.poll() is not None:
                return False
            time.sleep(0.1)
        return False

    def stop(self, timeout: float, sig: int = signal.SIGTERM) -> tuple[int, float]:
        """Send `sig`, then (exit code, seconds it took)."""
        start = time.monotonic()
        self.p.send_signal(sig)
        try:
            code = self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            raise
        return code, time.monotonic() - start

    def text(self) -> str:
        """stdout then stderr (after the process ended: everything)."""
        for reader in self._readers:
            reader.join(timeout=5 if self.p.poll() is not None else 0)
        return self.out + b"".join(self._err).decode("utf-8", "replace")


def _collect(stream: Any, into: list[bytes]) -> None:
    while chunk := os.read(stream.fileno(), 65536):
        into.append(chunk)


def test_console_on_a_terminal_exits_130_on_ctrl_c(polled) -> None:
    """Ctrl-C at the prompt while the reader thread waits on the terminal: exit 130, no interpreter abort."""
    config, _ = polled
    master, slave = pty.openpty()
    try:
        proc = Proc("console", "--config", str(config), cwd=config.parent, stdin=slave)
        try:
            assert proc.wait_for("briefbot> ", TIMEOUT), proc.text()[-3000:]
        finally:
            code, took = proc.stop(timeout=30, sig=signal.SIGINT)
    finally:
        os.close(slave)
        os.close(master)
    text = proc.text()
    assert code == 130 and took < 10, text[-3000:]
    assert "Fatal Python error" not in text
    assert_clean(text)


def test_run_posts_the_brief_then_stops_on_sigterm(server: FeedServer, tmp_path: Path) -> None:
    feed = Feed(server, "/run/talks.xml", "/run/kremlin-date")
    proc = Proc("run", "--config", str(write_config(tmp_path, feed.url)), cwd=tmp_path)
    try:
        assert proc.wait_for(TITLE_B, TIMEOUT), proc.text()[-3000:]
    finally:
        code, took = proc.stop(timeout=30)
    text = proc.text()
    assert code == 0, text[-3000:]
    assert took < 15, f"took {took:.1f}s to stop"
    assert_clean(text)
    assert TITLE_A in text and shown(text) == 2


def test_run_stops_promptly_in_the_middle_of_a_poll(server: FeedServer, tmp_path: Path) -> None:
    """SIGTERM while a poll waits on a slow article page: exit 0, promptly, no traceback of a cancelled job."""
    items = [{"title": "Envoys to meet again in Geneva next week", "guid": "slow-1",
              "link": server.url("/x/slow-headers?delay=60"), "description": "GENEVA - Envoys will meet again..."}]
    server.put("/slow/talks.xml", rss("Slow Desk", items))
    config = write_config(tmp_path, server.url("/slow/talks.xml"), extra="read_timeout = 90.0\ntotal_timeout = 120.0\n")
    proc = Proc("run", "--config", str(config), cwd=tmp_path)
    deadline = time.monotonic() + TIMEOUT
    while server.hits["/x/slow-headers"] == 0 and time.monotonic() < deadline and proc.p.poll() is None:
        time.sleep(0.2)
    assert server.hits["/x/slow-headers"] == 1, proc.text()[-3000:]
    code, took = proc.stop(timeout=30)
    text = proc.text()
    assert code == 0, text[-3000:]
    assert took < 15, f"took {took:.1f}s to stop"
    assert_clean(text)


def test_run_stopped_while_briefing_loses_nothing(server: FeedServer, tmp_path: Path) -> None:
    """SIGTERM after the items are stored, while models load: the next process briefs and posts them, once."""
    feed = Feed(server, "/midway/talks.xml", "/midway/kremlin-date")
    config = write_config(tmp_path, feed.url)
    proc = Proc("run", "--config", str(config), cwd=tmp_path)
    deadline = time.monotonic() + TIMEOUT
    while server.hits["/midway/kremlin-date"] == 0 and time.monotonic() < deadline and proc.p.poll() is None:
        time.sleep(0.05)
    time.sleep(0.5)
    code, took = proc.stop(timeout=60)
    first = proc.text()
    assert code == 0 and took < 30, first[-3000:]
    assert_clean(first)
    second = briefbot("poll-once", "--config", str(config), cwd=tmp_path)
    assert second.returncode == 0, second.stderr[-3000:]
    assert_clean(second)
    both = proc.out + second.stdout  # stdout only: the logs on stderr name the titles too
    # A is posted once in full, B once as an update that names its story (titled by A)
    assert shown(both) == 2 and both.count(TITLE_A) == 2 and both.count(TITLE_B) == 1


BAD_CONFIG = """
[bot]
timezone = "Mars/Olympus_Mons"

[[feeds]]
name = "Meridian Wire"
url = "ftp://wire.example/talks.xml"
interval = 0
"""


@pytest.mark.parametrize("command", ["run", "poll-once", "console"])
def test_bad_config_is_one_line_per_problem_and_exit_2(tmp_path: Path, command: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(BAD_CONFIG, encoding="utf-8")
    proc = briefbot(command, "--config", str(path), cwd=tmp_path)
    assert proc.returncode == 2
    assert_clean(proc)
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert lines[0] == f"invalid configuration in {path} (3 problems):"
    assert len(lines) == 4 and all(line.startswith("  - ") for line in lines[1:])
    where = [line.split(":")[0] for line in lines[1:]]
    assert where == ["  - bot.timezone", "  - feeds[0].url", "  - feeds[0].interval"]


def test_missing_config_file_is_one_message(tmp_path: Path) -> None:
    proc = briefbot("run", "--config", str(tmp_path / "nope.toml"), cwd=tmp_path)
    assert proc.returncode == 2
    assert_clean(proc)
    assert proc.stderr.strip().splitlines() == [f"invalid configuration in {tmp_path / 'nope.toml'} (1 problem):",
                                                "  - file not found"]


def test_unusable_store_is_one_line_not_a_traceback(tmp_path: Path, server: FeedServer) -> None:
    (tmp_path / "not-a-dir").write_text("a file where the store's folder should be")
    config = write_config(tmp_path, server.url("/wire/none.xml"), db=tmp_path / "not-a-dir" / "store.db")
    proc = briefbot("poll-once", "--config", str(config), cwd=tmp_path)
    assert proc.returncode == 1
    assert_clean(proc)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("briefbot: cannot open the store"), proc.stderr
