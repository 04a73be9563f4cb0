"""The sender against a real store and fake sinks: order, retries, failures, stopped adapters, wake-up and pacing."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest

from bot.config.sections import DeliverySettings, PacingSettings
from bot.deliver.sender import DrainReport, Sender
from bot.deliver.sink import AdapterStopped, DeliveryError
from bot.store import Delivery, Store
from tests.deliver.sender_worker import wire_title
from tests.fakes.sink import FakeSink

AddBrief = Callable[[int], int]
UNPACED = DeliverySettings(pacing=PacingSettings(slack=0.0), backoff_base=0.01, backoff_cap=0.05)


@asynccontextmanager
async def running(sender: Sender) -> AsyncIterator[asyncio.Task[None]]:
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    try:
        yield task
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)


async def until(check: Callable[[], bool], timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not await asyncio.to_thread(check):
            await asyncio.sleep(0.01)


def rows(store: Store, platform: str | None = None) -> list[Delivery]:
    return store.outbox.deliveries(platform=platform)


async def test_every_channel_gets_every_brief_once_and_in_order(store: Store, add_brief: AddBrief) -> None:
    rooms = ("#talks-desk", "#europe-desk", "#wire-watch")
    for room in rooms:
        store.subscribe("discord", room)
    sink = FakeSink("discord", delay=0.002)
    sender = Sender(store, {"discord": sink})
    for n in range(10):
        add_brief(n)
    async with running(sender):
        for n in range(10, 25):  # more briefs while the sender is busy
            await asyncio.to_thread(add_brief, n)
            sender.wake()
        await sink.wait_posts(75)
        await asyncio.sleep(0.2)
    assert len(sink.posts) == 75
    assert len({p.key for p in sink.posts}) == 75
    for room in rooms:
        posts = sink.posted_to(room)
        assert [p.title for p in posts] == [wire_title(n) for n in range(25)]
        assert [p.seq for p in posts] == list(range(1, 26))
    remote = {p.key: p.remote_id for p in sink.posts}
    assert all(d.status == "sent" and d.remote_id == remote[d.idempotency_key] for d in rows(store))


async def test_retryable_failures_are_retried_and_the_brief_posted_once(store: Store, add_brief: AddBrief) -> None:
    store.subscribe("discord", "#talks-desk")
    sink = FakeSink("discord")
    sink.fail(DeliveryError("HTTP 429: You are being rate limited.", retry_after=0.25), times=2)
    sender = Sender(store, {"discord": sink}, settings=UNPACED)
    add_brief(0)
    async with running(sender):
        await sink.wait_posts(1)
        await asyncio.sleep(0.2)
    assert len(sink.posts) == 1 and len(sink.calls) == 3
    times = [t for _, t in sink.calls]
    assert all(b - a >= 0.24 for a, b in zip(times, times[1:]))  # retry_after beats the shorter backoff
    [d] = rows(store)
    assert (d.status, d.attempts, d.remote_id) == ("sent", 3, sink.posts[0].remote_id)
    assert d.last_error == "HTTP 429: You are being rate limited."


async def test_drain_delivers_what_is_due_and_leaves_later_retries(store: Store, add_brief: AddBrief) -> None:
    store.subscribe("discord", "#talks-desk")
    store.subscribe("discord", "#europe-desk")
    sink = FakeSink("discord")
    sink.fail(DeliveryError("HTTP 503", retry_after=30), address="#talks-desk")
    sender = Sender(store, {"discord": sink}, settings=UNPACED)
    add_brief(0)
    assert await sender.drain() == DrainReport(sent=1, failed=0, retrying=1)
    assert [p.address for p in sink.posts] == ["#europe-desk"]
    waiting = store.outbox.deliveries(status="pending")
    assert [d.address for d in waiting] == ["#talks-desk"]
    assert (waiting[0].next_attempt_at - store.outbox.deliveries(status="sent")[0].finished_at).total_seconds() > 29
    assert await sender.drain(timeout=5) == DrainReport()  # nothing due: returns at once


async def test_permanent_failure_is_final_reported_once_and_the_channel_goes_on(
    store: Store, add_brief: AddBrief, caplog: pytest.LogCaptureFixture
) -> None:
    store.subscribe("slack", "C0GONE")
    sink = FakeSink("slack")
    sink.fail(DeliveryError("channel_not_found", permanent=True), times=2)
    told: list[tuple[int, str]] = []

    async def tell_admins(d: Delivery, reason: str) -> None:
        told.append((d.brief_id, reason))

    sender = Sender(store, {"slack": sink}, settings=UNPACED, on_failure=tell_admins)
    ids = [add_brief(n) for n in range(3)]
    with caplog.at_level(logging.DEBUG, logger="bot.deliver.sender"):
        assert await sender.drain() == DrainReport(sent=1, failed=2)
    assert [(d.brief_id, d.status, d.last_error, d.attempts) for d in rows(store)] == [
        (ids[0], "failed", "channel_not_found", 1),
        (ids[1], "failed", "channel_not_found", 1),
        (ids[2], "sent", None, 1),
    ]
    assert len(sink.calls) == 3  # never retried
    assert told == [(ids[0], "channel_not_found")]
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING and "channel_not_found" in r.getMessage()]
    assert len(loud) == 1
    # the channel worked in between, so a new failure there is news again
    sink.fail(DeliveryError("channel_not_found", permanent=True))
    add_brief(3)
    await sender.drain()
    assert len(told) == 2


async def test_retryable_failures_give_up_after_max_attempts(store: Store, add_brief: AddBrief) -> None:
    store.subscribe("discord", "#talks-desk")
    sink = FakeSink("discord")
    sink.fail(DeliveryError("HTTP 502 Bad Gateway"), times=None)
    told: list[str] = []

    async def tell_admins(d: Delivery, reason: str) -> None:
        told.append(reason)

    settings = DeliverySettings(max_attempts=3, backoff_base=0.01, backoff_cap=0.02)
    sender = Sender(store, {"discord": sink}, settings=settings, on_failure=tell_admins)
    add_brief(0)
    async with running(sender):
        await until(lambda: rows(store)[0].status == "failed")
    [d] = rows(store)
    assert (d.attempts, d.last_error) == (3, "gave up after 3 attempts: HTTP 502 Bad Gateway")
    assert len(sink.calls) == 3 and told == [d.last_error]


async def test_unexpected_errors_are_retried_with_one_traceback(
    store: Store, add_brief: AddBrief, caplog: pytest.LogCaptureFixture
) -> None:
    store.subscribe("discord", "#talks-desk")
    sink = FakeSink("discord")
    sink.fail(ConnectionResetError("peer reset the connection\nwhile reading the response"), times=3)
    sender = Sender(store, {"discord": sink}, settings=UNPACED)
    add_brief(0)
    with caplog.at_level(logging.WARNING, logger="bot.deliver.sender"):
        async with running(sender):
            await sink.wait_posts(1)
    [d] = rows(store)
    assert (d.status, d.attempts) == ("sent", 4)
    assert d.last_error == "ConnectionResetError: peer reset the connection"
    mentions = [r for r in caplog.records if "peer reset" in r.getMessage()]
    assert len(mentions) == 3 and sum(r.exc_info is not None for r in mentions) == 1


async def test_a_stopped_adapter_stops_only_its_platform(
    store: Store, add_brief: AddBrief, caplog: pytest.LogCaptureFixture
) -> None:
    store.subscribe("slack", "C0TALKS")
    store.subscribe("discord", "#talks-desk")
    slack, discord = FakeSink("slack"), FakeSink("discord")
    slack.fail(AdapterStopped("invalid_auth: the Slack bot token is invalid or was revoked"), times=None)
    sender = Sender(store, {"slack": slack, "discord": discord}, settings=UNPACED)
    add_brief(0)
    add_brief(1)
    with caplog.at_level(logging.WARNING, logger="bot.deliver.sender"):
        async with running(sender) as task:
            await discord.wait_posts(2)
            await until(lambda: bool(sender.stopped))
            await asyncio.to_thread(add_brief, 2)
            sender.wake()
            await discord.wait_posts(3)
            assert not task.done()
    assert sender.stopped == {"slack": "invalid_auth: the Slack bot token is invalid or was revoked"}
    assert slack.posts == [] and len(slack.calls) == 1
    assert {d.status for d in rows(store, "slack")} == {"pending"}  # kept for when the adapter is back
    assert {d.status for d in rows(store, "discord")} == {"sent"}
    stopped = [r for r in caplog.records if "slack adapter stopped" in r.getMessage()]
    assert len(stopped) == 1 and "invalid_auth" in stopped[0].getMessage()


async def test_wake_posts_a_new_brief_at_once(store: Store, add_brief: AddBrief) -> None:
    store.subscribe("discord", "#talks-desk")
    sink = FakeSink("discord")
    sender = Sender(store, {"discord": sink})
    woken: list[float] = []

    def save_and_wake(n: int) -> None:  # as the pipeline does, from a worker thread
        add_brief(n)
        woken.append(time.monotonic())
        sender.wake()

    async with running(sender):
        await asyncio.sleep(0.3)  # nothing to do: the sender sleeps
        await asyncio.to_thread(add_brief, 0)
        await asyncio.sleep(0.6)
        assert sink.posts == []  # saved without wake(): waits for the next look, no busy polling
        await asyncio.to_thread(save_and_wake, 1)
        await sink.wait_posts(2)
    assert sink.posts[-1].at - woken[0] < 0.5
    assert [p.title for p in sink.posts] == [wire_title(0), wire_title(1)]


async def test_pacing_spaces_posts_per_channel_without_holding_others(store: Store, add_brief: AddBrief) -> None:
    store.subscribe("slack", "C0DESK")
    sink = FakeSink("slack")
    sender = Sender(store, {"slack": sink})  # Slack: one post a second per channel
    add_brief(0)
    add_brief(1)
    async with running(sender):
        await sink.wait_posts(1)
        await asyncio.to_thread(store.subscribe, "slack", "C0WIRE")
        saved = time.monotonic()
        await asyncio.to_thread(add_brief, 2)
        sender.wake()
        await sink.wait_posts(4, timeout=10)
    desk, wire = sink.posted_to("C0DESK"), sink.posted_to("C0WIRE")
    assert [p.title for p in desk] == [wire_title(n) for n in range(3)]
    assert all(b.at - a.at >= 0.99 for a, b in zip(desk, desk[1:]))
    assert [p.title for p in wire] == [wire_title(2)]
    assert wire[0].at - saved < 0.5 and wire[0].at < desk[1].at


async def test_stop_returns_at_once_and_hands_back_a_row_waiting_for_its_turn(
    store: Store, add_brief: AddBrief
) -> None:
    store.subscribe("slack", "C0DESK")
    sink = FakeSink("slack")
    sender = Sender(store, {"slack": sink}, settings=DeliverySettings(pacing=PacingSettings(slack=5.0)))
    add_brief(0)
    add_brief(1)
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    await sink.wait_posts(1)
    await until(lambda: rows(store)[1].status == "leased")  # claimed, waiting out the pacing
    began = time.monotonic()
    stop.set()
    await asyncio.wait_for(task, 5)
    assert time.monotonic() - began < 1.0
    second = rows(store)[1]
    assert (second.status, second.attempts, second.lease) == ("pending", 0, None)
    assert len(sink.posts) == 1


async def test_rows_left_mid_post_are_checked_by_key_before_posting(store: Store, add_brief: AddBrief) -> None:
    store.subscribe("discord", "#talks-desk")
    store.subscribe("discord", "#europe-desk")
    sink = FakeSink("discord")
    brief_id = add_brief(0)
    brief = store.get_brief(brief_id)
    assert brief is not None
    # a sender that died mid-post: both rows attempting, only #talks-desk got the message
    for d in store.outbox.claim_next("discord", lease_seconds=0.2):
        live = store.outbox.begin_attempt(d.id, d.lease or "", lease_seconds=0.2)
        assert live is not None
        if d.address == "#talks-desk":
            await sink.post(live, brief)
    await asyncio.sleep(0.3)
    report = await Sender(store, {"discord": sink}).drain()
    assert report.sent == 2
    assert sorted(p.address for p in sink.posts) == ["#europe-desk", "#talks-desk"]
    assert len(sink.lookups) == 2
    remote = {p.key: p.remote_id for p in sink.posts}
    assert all(d.status == "sent" and d.remote_id == remote[d.idempotency_key] for d in rows(store))


async def test_a_post_without_answer_is_resolved_by_key_not_posted_twice(store: Store, add_brief: AddBrief) -> None:
    store.subscribe("discord", "#talks-desk")
    sink = FakeSink("discord")
    sink.stall(5.0)  # the message lands, the answer never comes
    sender = Sender(store, {"discord": sink}, lease_seconds=0.5)
    add_brief(0)
    async with running(sender):
        await until(lambda: rows(store)[0].status == "sent")
    [d] = rows(store)
    assert len(sink.posts) == 1 and len(sink.calls) == 1
    assert sink.lookups == [d.idempotency_key] and d.remote_id == sink.posts[0].remote_id
