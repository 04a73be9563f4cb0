"""Chaos for `briefbot run` against fake Slack and Discord: seeded kill -9 / restart cycles, then 429 and 5xx storms.

Every brief must reach each chat channel exactly once, in the channel's sequence order. The bot runs as a subprocess
through tests/cli/run_with_fake_discord.py (the real `bot.cli.main(["run", ...])` with discord.py pointed at the fake).
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from bot.store import Store, open_store
from tests.cli.run_with_fake_discord import API_ENV, GATEWAY_ENV
from tests.deliver.sender_worker import store_update
from tests.fakes.discord_server import CHANNEL_ID, GUILD_ID, FakeDiscord
from tests.fakes.feed_server import HTML_TYPE, FeedServer, rss
from tests.fakes.slack_server import APP_TOKEN, BOT_TOKEN, TALKS, FakeSlack

LAUNCHER = Path(__file__).parent / "cli" / "run_with_fake_discord.py"
DISCORD_TOKEN_ENV = "BRIEFBOT_TEST_CHAOS_DISCORD"
CHAT = ("slack", "discord")
ADDRESS = {"slack": TALKS, "discord": str(CHANNEL_ID)}
FEED_ITEMS = 12  # briefed by the real pipeline in the first life (the only one that loads models)
CYCLES = 50  # kill -9 / restart cycles after the first life
PER_CYCLE = 2  # briefs stored (as another process would) before each restart, so work is always queued
SEED = 20261127
SLOW_REPLY = 3.0  # seconds some posts take to be answered (after they were made)
BUDGET = 420.0  # seconds for the whole chaos test, model loading included
COLD_START = 300.0  # the first life loads MiniLM and spaCy on a small shared machine
_OPEN = ("leased", "attempting")

_PLACES = ("Geneva", "Riyadh", "Istanbul", "Miami", "Berlin", "Abu Dhabi")
_TOPICS = ("a ceasefire monitoring annex", "prisoner exchanges", "the Zaporizhzhia plant", "energy-strike pauses",
           "security guarantees", "Black Sea shipping")


# -- fictional feed ----------------------------------------------------------------------------------------------
def _item_title(n: int) -> str:
    return f"Zelensky says {_PLACES[n % 6]} round moved on {_TOPICS[n % 6]}, update {n + 1}"


def _item_body(n: int) -> str:
    place, topic = _PLACES[n % 6], _TOPICS[n % 6]
    said = f"On {topic} we moved forward, on territory we did not move at all"
    return "".join((
        f"<p>{place.upper()}, Feb {n + 2} (Harbour Line News) - Ukrainian President Volodymyr Zelensky said on "
        f"Friday that the latest U.S.-brokered peace talks in {place} had made progress on {topic}, while a "
        "full ceasefire remained out of reach.</p>",
        f'<p>"{said}," Zelensky told reporters after session {n + 1} of the talks.</p>',
        "<p>Two officials familiar with the schedule said negotiators would meet again within days to work on "
        "the ceasefire text.</p>",
        "<p>See also: Rail freight rates ease | Kyiv metro extends night service</p>",
        "<p>(Reporting by Ilona Brandt; Editing by Peter Vance)</p>",
    ))


def _serve_feed(server: FeedServer) -> str:
    now = datetime.now(timezone.utc)
    items = []
    for n in range(FEED_ITEMS):
        path = f"/chaos/story-{n + 1}"
        title = _item_title(n)
        items.append({"title": title, "link": server.url(path), "guid": f"harbourline-chaos-{n + 1}",
                      "pubDate": format_datetime(now - timedelta(minutes=60 - n)), "content": _item_body(n),
                      "description": f"Zelensky on the {_PLACES[n % 6]} round.", "author": "Ilona Brandt"})
        page = (f"<!doctype html><html><head><title>{title} | Harbour Line</title></head><body><article>"
                f"<h1>{title}</h1>{_item_body(n)}</article></body></html>")
        server.put(path, page.encode(), content_type=HTML_TYPE)
    server.put("/chaos/talks.xml", rss("Harbour Line News - Ukraine talks", items))
    return server.url("/chaos/talks.xml")


# -- config, processes -------------------------------------------------------------------------------------------
def _config(tmp: Path, slack: FakeSlack, feed_url: str | None, *, slack_pacing: float) -> Path:
    feed = f"""
[[feeds]]
name = "Harbour Line News"
url = "{feed_url}"
backfill = {FEED_ITEMS}
interval = 60
""" if feed_url else ""
    path = tmp / "briefbot.toml"
    path.write_text(f"""
[bot]
timezone = "UTC"

[store]
url = "sqlite:///{tmp / 'store.db'}"
{feed}
[story]
include_keywords = ["Zelensky", "ceasefire"]

[fetch]
allow_private_addresses = true

[[channels]]
platform = "console"
address = "stdout"
subscribe = "story"

[[channels]]
platform = "slack"
address = "{TALKS}"
subscribe = "story"

[[channels]]
platform = "discord"
address = "{CHANNEL_ID}"
subscribe = "story"

[digest]
enabled = false

[delivery]
max_attempts = 100
backoff_base = 0.3
backoff_cap = 2.0

[delivery.pacing]
slack = {slack_pacing}
discord = 0.3

[slack]
enabled = true
mode = "socket"
api_url = "{slack.api_url}"

[discord]
enabled = true
token_env = "{DISCORD_TOKEN_ENV}"
guild_ids = [{GUILD_ID}]

[logging]
level = "INFO"
""", encoding="utf-8")
    return path


def _env(discord: FakeDiscord) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRIEFBOT_", "SLACK_", "DISCORD_"))}
    return env | {"HF_HUB_OFFLINE": "1", "COLUMNS": "200", "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN,
                  DISCORD_TOKEN_ENV: discord.token, API_ENV: discord.api_base, GATEWAY_ENV: discord.gateway_url}


class _Life:
    """One `briefbot run` process; stdout and stderr appended to the run's log files."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    @classmethod
    async def start(cls, config: Path, env: dict[str, str]) -> _Life:
        with (config.parent / "stdout.txt").open("ab") as o, (config.parent / "stderr.txt").open("ab") as e:
            proc = await asyncio.create_subprocess_exec(sys.executable, str(LAUNCHER), "run", "--config",
                                                        str(config), stdin=asyncio.subprocess.DEVNULL, stdout=o,
                                                        stderr=e, env=env, cwd=config.parent)
        return cls(proc)

    async def until(self, check: Callable[[], Any], timeout: float) -> Any:
        async with asyncio.timeout(timeout):
            while not (value := check()):
                assert self.proc.returncode is None, f"briefbot exited by itself ({self.proc.returncode})"
                await asyncio.sleep(0.05)
        return value

    async def kill(self) -> int | None:
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)
        return await asyncio.wait_for(self.proc.wait(), 10)

    async def stop(self) -> int:
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.proc.wait(), 30)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
            raise


# -- what the fakes received, what the store holds ---------------------------------------------------------------
def _posted_keys(platform: str, slack: FakeSlack, discord: FakeDiscord) -> list[str]:
    """Delivery keys of the briefs posted to the platform's channel, in the order the fake created them."""
    if platform == "slack":
        metas = [m.get("metadata") or {} for m in slack.posts(TALKS)]
        return [str(m["event_payload"]["key"]) for m in metas if m.get("event_type") == "briefbot_delivery"]
    return [str(m["nonce"]) for m in discord.with_threads(CHANNEL_ID) if m.get("nonce")]


def _db(tmp: Path) -> sqlite3.Connection:
    return sqlite3.connect(tmp / "store.db", timeout=10)


def _count_briefs(tmp: Path) -> int:
    try:
        with _db(tmp) as db:
            return int(db.execute("SELECT count(*) FROM briefs").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0


def _expire_leases(tmp: Path) -> Counter[str]:
    """Fast-forward past the dead process's 60 s leases (what a restart would otherwise wait out); counts by status."""
    with _db(tmp) as db:
        held = Counter(str(r[0]) for r in db.execute("SELECT status FROM deliveries WHERE status IN (?, ?)", _OPEN))
        db.execute("UPDATE deliveries SET lease_expires_at = '2000-01-01 00:00:00.000000' WHERE status IN (?, ?)",
                   _OPEN)
    return held


def _open_left(store: Store) -> int:
    return sum(1 for p in CHAT for d in store.outbox.deliveries(platform=p) if d.status != "sent")


def _check_exactly_once(store: Store, slack: FakeSlack, discord: FakeDiscord, briefs: int) -> dict[str, list[str]]:
    """Each brief reached each chat channel once, in seq order; returns the posted keys per platform."""
    posted: dict[str, list[str]] = {}
    for platform in CHAT:
        deliveries = store.outbox.deliveries(platform=platform)
        keys = _posted_keys(platform, slack, discord)
        twice = [k for k, n in Counter(keys).items() if n > 1]
        assert twice == [], f"{platform}: posted twice: {twice}"
        assert len(deliveries) == briefs, f"{platform}: {len(deliveries)} deliveries for {briefs} briefs"
        assert {d.status for d in deliveries} == {"sent"}, Counter(d.status for d in deliveries)
        by_key = {d.idempotency_key: d for d in deliveries}
        assert set(keys) == set(by_key), f"{platform}: lost {set(by_key) - set(keys)}, unknown {set(keys) - set(by_key)}"
        assert [by_key[k].seq for k in keys] == list(range(1, briefs + 1)), f"{platform}: out of order"
        assert len({d.brief_id for d in deliveries}) == briefs
        posted[platform] = keys
    slack_ts = {m["metadata"]["event_payload"]["key"]: m["ts"] for m in slack.posts(TALKS) if m.get("metadata")}
    discord_ids = {m["nonce"]: m["id"] for m in discord.with_threads(CHANNEL_ID)}
    for d in store.outbox.deliveries(platform="slack"):
        assert d.remote_id == slack_ts[d.idempotency_key]
    for d in store.outbox.deliveries(platform="discord"):
        assert d.remote_id == discord_ids[d.idempotency_key]
    return posted


# -- fixtures ----------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as s:
        yield s


@pytest.fixture
async def fakes() -> AsyncIterator[tuple[FakeSlack, FakeDiscord]]:
    slack = await FakeSlack().start()
    discord = FakeDiscord()
    await discord.start()
    try:
        yield slack, discord
    finally:
        await discord.close()
        await slack.stop()


# -- (a) kill -9 / restart ---------------------------------------------------------------------------------------
async def test_kill_9_restart_cycles_lose_nothing_post_nothing_twice_keep_order(
        fakes: tuple[FakeSlack, FakeDiscord], feeds: FeedServer, tmp_path: Path) -> None:
    slack, discord = fakes
    begun = time.monotonic()
    config = _config(tmp_path, slack, _serve_feed(feeds), slack_pacing=0.6)
    env = _env(discord)
    total = lambda: sum(len(_posted_keys(p, slack, discord)) for p in CHAT)  # noqa: E731

    life = await _Life.start(config, env)  # life 0: polls the feed, loads the models, briefs every item
    try:
        await life.until(lambda: _count_briefs(tmp_path) >= FEED_ITEMS and total() > 0, COLD_START)
        await asyncio.sleep(random.Random(SEED).uniform(0.0, 0.5))
    finally:
        await life.kill()
    cold = time.monotonic() - begun
    assert _count_briefs(tmp_path) == FEED_ITEMS

    store = await asyncio.to_thread(open_store, f"sqlite:///{tmp_path / 'store.db'}")
    rng = random.Random(SEED)
    killed = mid_delivery = 0
    held: Counter[str] = Counter()
    posts_per_life: list[int] = []
    try:
        for cycle in range(CYCLES):
            assert time.monotonic() - begun < BUDGET, f"chaos cycles took too long ({cycle} done)"
            held += await asyncio.to_thread(_expire_leases, tmp_path)
            for n in range(cycle * PER_CYCLE, (cycle + 1) * PER_CYCLE):
                assert await asyncio.to_thread(store_update, store, n) is not None  # new briefs to deliver
            if cycle % 4 == 1:  # this life's first posts are created at once but answered late: kill in between
                slack.fail("chat.postMessage", "", times=1, delay=SLOW_REPLY)
                discord.slow_replies, discord.reply_delay = 1, SLOW_REPLY
            before = total()
            life = await _Life.start(config, env)
            try:
                if cycle % 2:  # wait for this life's first post, then kill within the next moments
                    try:
                        await life.until(lambda: total() > before, 10)
                        mid_delivery += 1
                    except TimeoutError:
                        pass
                    await asyncio.sleep(rng.uniform(0.0, 0.6))
                else:  # anywhere from start-up to mid-delivery
                    await asyncio.sleep(rng.uniform(0.5, 4.0))
            finally:
                code = await life.kill()
            killed += code == -signal.SIGKILL
            posts_per_life.append(total() - before)
        briefs = FEED_ITEMS + CYCLES * PER_CYCLE
        posted_while_crashing = total()
        assert killed == CYCLES, f"only {killed} of {CYCLES} lives were killed (the others ended by themselves)"
        assert 0 < posted_while_crashing < 2 * briefs, "the kills did not land while work was left"
        assert sum(1 for n in posts_per_life if n) >= CYCLES // 2, f"too few lives posted: {posts_per_life}"

        held += await asyncio.to_thread(_expire_leases, tmp_path)
        calm_start = time.monotonic()
        life = await _Life.start(config, env)  # the calm run drains the rest
        try:
            await life.until(lambda: _open_left(store) == 0, 120)
            await asyncio.sleep(1.0)  # a second post of anything would come within this
        finally:
            code = await life.stop()
        calm = time.monotonic() - calm_start
        assert code == 0
        posted = _check_exactly_once(store, slack, discord, briefs)
        again = [d for p in CHAT for d in store.outbox.deliveries(platform=p) if d.attempts > 1]
    finally:
        await asyncio.to_thread(store.close)
    err = (tmp_path / "stderr.txt").read_text("utf-8", "replace")
    assert "Traceback" not in err, err[-3000:]
    assert BOT_TOKEN not in err and discord.token not in err
    found = {p: sum(1 for line in err.splitlines() if f" {p}: delivery " in line and "had been posted before a "
                    "restart" in line) for p in CHAT}  # killed between the post and mark_sent: found by key
    assert held["attempting"] > 0 and held["leased"] > 0, held  # kills landed inside both windows
    assert found["slack"] > 0 and found["discord"] > 0, found
    print(f"\nchaos: {CYCLES} kill -9 cycles (+ cold life {cold:.1f} s), {briefs} briefs, "
          f"{sum(len(v) for v in posted.values())} posts (slack {len(posted['slack'])}, discord "
          f"{len(posted['discord'])}), {posted_while_crashing} posted before the calm run, lives killed right "
          f"after a post {mid_delivery}, rows left by a kill {dict(held)}, found posted by key after a "
          f"restart {found}, posted again after a kill before the post {len(again)}, posts per life {posts_per_life}, calm run {calm:.1f} s, total "
          f"{time.monotonic() - begun:.1f} s")


# -- (b) 429 and 5xx storms --------------------------------------------------------------------------------------
STORM_BRIEFS = 10


async def test_429_and_5xx_storms_from_both_fakes_deliver_everything_once(
        fakes: tuple[FakeSlack, FakeDiscord], tmp_path: Path) -> None:
    slack, discord = fakes
    config = _config(tmp_path, slack, None, slack_pacing=0.2)
    store = await asyncio.to_thread(open_store, f"sqlite:///{tmp_path / 'store.db'}")
    try:
        for platform, address in (("console", "stdout"), *((p, ADDRESS[p]) for p in CHAT)):
            await asyncio.to_thread(store.subscribe, platform, address)
        for n in range(STORM_BRIEFS):  # stored before start: no feed, so no model is loaded
            await asyncio.to_thread(store_update, store, n)
        post = "chat.postMessage"
        slack.fail(post, "ratelimited", status=429, times=7, headers={"Retry-After": "1"})
        slack.fail(post, "internal_error", status=500, times=2)
        slack.fail(post, "bad_gateway", status=502, times=1)
        slack.fail(post, "service_unavailable", status=503, times=2, done=True)  # posted, but the reply is an error
        slack.fail(post, "ratelimited", status=429, times=3, headers={"Retry-After": "1"})
        discord.rate_limits, discord.retry_after = 8, 0.5
        discord.server_errors = [503, 500, 503, 502, 503]
        discord.lost_replies = 2  # created, then answered 502: retried with the same nonce

        begun = time.monotonic()
        life = await _Life.start(config, _env(discord))
        try:
            await life.until(lambda: _open_left(store) == 0, 150)
            await asyncio.sleep(1.5)
        finally:
            code = await life.stop()
        took = time.monotonic() - begun
        assert code == 0
        posted = _check_exactly_once(store, slack, discord, STORM_BRIEFS)
        retried = {p: sum(d.attempts - 1 for d in store.outbox.deliveries(platform=p)) for p in CHAT}
    finally:
        await asyncio.to_thread(store.close)
    assert all(t.left == 0 for t in slack._trouble), "the Slack storm was not all served"
    assert discord.rate_limits == 0 and discord.server_errors == [] and discord.lost_replies == 0
    # every refusal cost a call; the two posted-then-503 ones were found by key, not posted again
    assert len(slack.called(post)) == STORM_BRIEFS + 13 and len(slack.called("conversations.history")) >= 2
    assert len(discord.posts) >= STORM_BRIEFS + 15  # each 429, 5xx and lost reply was answered to one POST
    assert retried["slack"] > 0 and retried["discord"] > 0, retried
    err = (tmp_path / "stderr.txt").read_text("utf-8", "replace")
    assert "Traceback" not in err, err[-3000:]
    print(f"\nstorms: {STORM_BRIEFS} briefs; slack {len(slack.called(post))} postMessage calls for "
          f"{len(posted['slack'])} posts, discord {len(discord.posts)} message POSTs for {len(posted['discord'])} "
          f"posts; outbox re-attempts {retried}; drained in {took:.1f} s")
