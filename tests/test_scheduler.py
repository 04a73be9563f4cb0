"""APScheduler jobs: a jittered, non-overlapping, coalescing poll job per stored feed, backoff honoured, digest."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.app import App
from bot.config.schema import Settings
from bot.scheduler import Jobs
from bot.store import FeedRecord

WIRE = "https://wire.example/world/rss.xml"
LIVE = "https://live.example.net/ukraine/rss"


class NoticeSink:
    """A sink that records what it is told (the digest and feed notices)."""

    platform = "console"

    def __init__(self) -> None:
        self.notices: list[tuple[str, str]] = []

    async def post(self, delivery: Any, brief: Any) -> str:
        return f"test-{delivery.id}"

    async def find_posted(self, delivery: Any) -> str | None:
        return None

    async def notify(self, address: str, text: str) -> None:
        self.notices.append((address, text))


class Polls:
    """Stands in for App.poll_feeds: records which feeds were polled, and can hold polls until released."""

    def __init__(self) -> None:
        self.calls: list[int] = []
        self.running = 0
        self.peak = 0
        self.release = asyncio.Event()
        self.release.set()

    async def __call__(self, feeds: list[FeedRecord]) -> list[Any]:
        self.calls += [f.id for f in feeds]
        self.running += 1
        self.peak = max(self.peak, self.running)
        try:
            await self.release.wait()
        finally:
            self.running -= 1
        return []


def settings(tmp_path: Path, **digest: Any) -> Settings:
    return Settings.model_validate({
        "bot": {"timezone": "UTC"},
        "store": {"url": f"sqlite:///{tmp_path / 'jobs.db'}"},
        "feeds": [{"name": "Example Wire", "url": WIRE, "interval": 10},
                  {"name": "Example Kyiv Live", "url": LIVE, "interval": 5}],
        "digest": digest or {"enabled": False},
    }, context={"base_dir": tmp_path})


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


MakeJobs = Callable[..., Awaitable[tuple[App, Jobs, Polls]]]


@pytest.fixture
async def make_jobs(tmp_path: Path) -> AsyncIterator[MakeJobs]:
    opened: list[tuple[App, Jobs]] = []

    async def make(start: bool = True, **digest: Any) -> tuple[App, Jobs, Polls]:
        app = App(settings(tmp_path, **digest), {"console": NoticeSink()})
        await app.open()
        polls = Polls()
        app.poll_feeds = polls  # type: ignore[method-assign]  # no network, no models
        jobs = Jobs(app)
        opened.append((app, jobs))
        if start:
            jobs.start()
        return app, jobs, polls

    yield make
    for app, jobs in opened:
        await jobs.stop()
        await app.close()


def feed_ids(app: App) -> dict[str, int]:
    assert app.store is not None
    return {f.url: f.id for f in app.store.list_feeds()}


async def test_start_schedules_one_jittered_job_per_feed(make_jobs: MakeJobs) -> None:
    app, jobs, polls = await make_jobs()
    ids = feed_ids(app)
    await until(lambda: len(polls.calls) == 2)  # the resync runs at once, and each feed's first poll too
    assert sorted(polls.calls) == sorted(ids.values())
    poll_jobs = {j.id: j for j in jobs.scheduler.get_jobs() if j.id.startswith("poll:")}
    assert set(poll_jobs) == {f"poll:{ids[WIRE]}", f"poll:{ids[LIVE]}"}
    for url, minutes, jitter in ((WIRE, 10, 60), (LIVE, 5, 30)):
        job = poll_jobs[f"poll:{ids[url]}"]
        assert isinstance(job.trigger, IntervalTrigger)
        assert job.trigger.interval == timedelta(minutes=minutes)
        assert job.trigger.jitter == jitter
        assert job.max_instances == 1 and job.coalesce is True
        assert job.misfire_grace_time == minutes * 60
        assert job.args == (ids[url],)
        assert job.next_run_time > datetime.now(timezone.utc)  # the next poll is an interval away
    assert jobs.scheduler.get_job("resync") is not None
    assert jobs.scheduler.get_job("digest") is None  # disabled


async def test_resync_adds_and_removes_jobs(make_jobs: MakeJobs) -> None:
    app, jobs, polls = await make_jobs()
    assert app.store is not None
    await until(lambda: len(polls.calls) == 2)
    added, created = app.store.add_feed("https://desk.example.org/peace-talks.xml", "Desk")
    assert created
    await jobs.resync()
    job = jobs.scheduler.get_job(f"poll:{added.id}")
    assert job is not None and job.trigger.interval == timedelta(minutes=15)  # not in the config: the default
    await until(lambda: added.id in polls.calls)
    assert app.store.remove_feed(WIRE)
    await jobs.resync()
    assert jobs.scheduler.get_job(f"poll:{feed_ids(app).get(WIRE, -1)}") is None
    assert {j.id for j in jobs.scheduler.get_jobs() if j.id.startswith("poll:")} == {
        f"poll:{i}" for i in feed_ids(app).values()}
    assert len(feed_ids(app)) == 2


async def test_poll_of_a_removed_feed_does_nothing(make_jobs: MakeJobs) -> None:
    app, jobs, polls = await make_jobs(start=False)
    assert app.store is not None
    wire = feed_ids(app)[WIRE]
    app.store.remove_feed(wire)
    await jobs.poll(wire)
    assert polls.calls == []


@pytest.mark.parametrize(("next_in", "paused", "polled"), [
    (timedelta(hours=1), False, False),  # backing off after failures
    (timedelta(hours=6), True, False),  # paused: retried every few hours only
    (timedelta(seconds=-5), False, True),  # due
    (timedelta(seconds=30), False, True),  # a jittered tick a little early still polls
])
async def test_backoff_decides_whether_a_tick_polls(make_jobs: MakeJobs, next_in: timedelta, paused: bool,
                                                    polled: bool) -> None:
    app, jobs, polls = await make_jobs(start=False)
    assert app.store is not None
    await jobs.resync()  # knows the intervals, without starting the scheduler
    wire = feed_ids(app)[WIRE]
    app.store.set_feed_state(wire, failures=3 if paused or not polled else 0, paused=paused,
                             next_poll_at=datetime.now(timezone.utc) + next_in, last_ok_at=None,
                             last_error="HTTP 503" if not polled else None, etag=None, last_modified=None)
    await jobs.poll(wire)
    assert polls.calls == ([wire] if polled else [])


async def test_runs_of_one_feed_never_overlap(make_jobs: MakeJobs, caplog: pytest.LogCaptureFixture) -> None:
    app, jobs, polls = await make_jobs()
    polls.release.clear()  # polls hang until released
    await until(lambda: polls.running == 2)
    wire = feed_ids(app)[WIRE]
    caplog.set_level(logging.WARNING, logger="apscheduler")
    for _ in range(3):  # the next ticks come while the first poll still runs
        jobs.scheduler.get_job(f"poll:{wire}").modify(next_run_time=datetime.now(timezone.utc))
        await asyncio.sleep(0.1)
    assert polls.calls.count(wire) == 1 and polls.peak == 2  # two feeds at once, never one feed twice
    assert "maximum number of running instances reached" in caplog.text
    polls.release.set()
    await until(lambda: polls.running == 0)
    jobs.scheduler.get_job(f"poll:{wire}").modify(next_run_time=datetime.now(timezone.utc))
    await until(lambda: polls.calls.count(wire) == 2)


async def test_polls_share_a_concurrency_limit(make_jobs: MakeJobs) -> None:
    app, jobs, polls = await make_jobs(start=False)
    assert app.store is not None
    for i in range(6):
        app.store.add_feed(f"https://desk{i}.example.org/talks.xml", f"Desk {i}")
    polls.release.clear()
    jobs.concurrency = 3
    jobs.start()
    await until(lambda: polls.running == 3)
    await asyncio.sleep(0.2)
    assert polls.running == 3 and polls.peak == 3  # 8 feeds due at once, 3 polled at a time
    polls.release.set()
    await until(lambda: len(polls.calls) == 8)
    assert polls.peak == 3


async def test_stop_ends_polls_under_way_without_errors(make_jobs: MakeJobs,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    app, jobs, polls = await make_jobs()
    polls.release.clear()
    await until(lambda: polls.running == 2)
    caplog.set_level(logging.INFO)
    await asyncio.wait_for(jobs.stop(), 5)
    await asyncio.sleep(0.1)
    assert polls.running == 0
    assert not jobs.scheduler.running
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_digest_job_follows_the_configured_cron(make_jobs: MakeJobs) -> None:
    app, jobs, _ = await make_jobs(enabled=True, cron="30 7 * * mon-fri", timezone="Europe/Kyiv")
    job = jobs.scheduler.get_job("digest")
    assert job is not None and isinstance(job.trigger, CronTrigger)
    fields = {f.name: str(f) for f in job.trigger.fields}
    assert (fields["minute"], fields["hour"], fields["day_of_week"]) == ("30", "7", "mon-fri")
    assert str(job.trigger.timezone) == "Europe/Kyiv"
    assert job.max_instances == 1 and job.coalesce is True
    when = job.next_run_time.astimezone(job.trigger.timezone)
    assert (when.hour, when.minute) == (7, 30) and when.weekday() < 5
    sink = app.sinks["console"]
    job.modify(next_run_time=datetime.now(timezone.utc))  # run it now: the console channel gets the digest
    await until(lambda: bool(sink.notices))
    address, text = sink.notices[0]
    assert address == "stdout" and text.strip()


async def test_digest_timezone_defaults_to_the_bot_timezone(tmp_path: Path) -> None:
    s = Settings.model_validate({"bot": {"timezone": "Europe/Kyiv"}, "store": {"url": f"sqlite:///{tmp_path}/d.db"},
                                 "digest": {"cron": "0 18 * * *"}})
    app = App(s, {"console": NoticeSink()})
    await app.open()
    jobs = Jobs(app)
    try:
        jobs.start()
        job = jobs.scheduler.get_job("digest")
        assert str(job.trigger.timezone) == "Europe/Kyiv"
        assert job.next_run_time.astimezone(job.trigger.timezone).hour == 18
    finally:
        await jobs.stop()
        await app.close()


async def test_stop_right_after_start_is_quiet(make_jobs: MakeJobs, caplog: pytest.LogCaptureFixture) -> None:
    """SIGTERM during start-up: jobs the scheduler submitted but that never began end without an error either."""
    caplog.set_level(logging.INFO)
    app, jobs, polls = await make_jobs(start=False)
    jobs.start()
    await asyncio.wait_for(jobs.stop(), 5)
    await asyncio.sleep(0.2)
    assert not jobs.scheduler.running and polls.calls == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
