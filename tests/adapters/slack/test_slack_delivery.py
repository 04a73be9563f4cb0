"""Briefs through the real Sender and SlackSink into the fake Slack: posted once, 429s, errors, a restart."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable

from bot.adapters.slack.app import SlackAdapter
from bot.adapters.slack.outbound import EVENT_TYPE
from bot.config.sections import DeliverySettings
from bot.deliver.sender import Sender
from bot.store import Store
from tests.adapters.slack.conftest import ADMIN, save_article
from tests.fakes.slack_server import ARCHIVE, NEWSROOM, TALKS, FakeSlack

ARTICLE_TITLE = "Envoys reconvene in Geneva as Kyiv weighs revised framework"
FAST = DeliverySettings(max_attempts=5, backoff_base=0.05, backoff_cap=0.2)


def _sender(store: Store, adapter: SlackAdapter, **kwargs: object) -> Sender:
    return Sender(store, {"slack": adapter.sink}, settings=FAST, on_failure=adapter.sink.on_delivery_failed,
                  **kwargs)  # type: ignore[arg-type]


def _deliveries(store: Store) -> list[tuple[str, str | None, str | None]]:
    from sqlalchemy import text

    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT status, last_error, remote_id FROM deliveries"))]


async def test_brief_posted_as_block_kit_with_key(store: Store, fake: FakeSlack,
                                                  make_adapter: Callable[..., SlackAdapter], subscribed: str) -> None:
    save_article(store, "geneva")
    adapter = make_adapter()
    report = await _sender(store, adapter).drain("slack", timeout=20)
    assert report.sent == 1
    [msg] = fake.posts(TALKS)
    blocks = json.dumps(msg["blocks"], ensure_ascii=False)
    assert "<https://harbourwire.example/world/geneva-envoys-reconvene-20251215#0|Envoys reconvene in Geneva" in blocks
    assert "Harbour Wire · 15 Dec 2025 06:00 UTC" in blocks
    assert "• The revised framework trims the draft from 28 points to 19" in blocks
    assert "We will not sign anything that trades our land for a pause" in blocks and "*Volodymyr Zelensky*" in blocks
    assert "Envoys reconvene in Geneva" in msg["text"]  # the notification fallback
    key = msg["metadata"]["event_payload"]["key"]
    assert msg["metadata"]["event_type"] == EVENT_TYPE and len(key) == 24
    assert msg["params"]["unfurl_links"] is False
    assert _deliveries(store) == [("sent", None, msg["ts"])]


async def test_hostile_article_posts_no_mention_or_forged_link(store: Store, fake: FakeSlack,
                                                              make_adapter: Callable[..., SlackAdapter],
                                                              subscribed: str) -> None:
    save_article(store, "hostile")
    await _sender(store, make_adapter()).drain("slack", timeout=20)
    [msg] = fake.posts(TALKS)
    everything = json.dumps([msg["blocks"], msg["text"]], ensure_ascii=False)
    for bad in ("<!channel>", "<!here>", "<!everyone>", "<@U0VICTIM1>", "<!subteam", "<https://evil.example"):
        assert bad not in everything
    assert "&lt;!channel&gt; talks update &amp; &lt;https://evil.example/phish|official statement&gt;" in everything
    assert "@here" not in msg["text"]  # the notification text breaks the bare keyword too
    texts = [b["text"] for b in msg["blocks"] if "text" in b]
    texts += [e for b in msg["blocks"] for e in b.get("elements", [])]
    assert all(t["verbatim"] is True for t in texts if t["type"] == "mrkdwn")
    assert msg["params"]["link_names"] is False and msg["params"]["parse"] == "none"


async def test_429_is_retried_and_the_brief_arrives_once(store: Store, fake: FakeSlack,
                                                         make_adapter: Callable[..., SlackAdapter],
                                                         subscribed: str) -> None:
    save_article(store, "geneva")
    fake.fail("chat.postMessage", "ratelimited", status=429, headers={"Retry-After": "0"}, times=2)
    report = await _sender(store, make_adapter()).drain("slack", timeout=20)
    assert report.sent == 1 and report.retrying == 0  # slack_sdk's retry handler took both 429s
    assert len(fake.called("chat.postMessage")) == 3
    assert len(fake.posts(TALKS)) == 1


async def test_long_retry_after_goes_back_to_the_outbox(store: Store, fake: FakeSlack,
                                                        make_adapter: Callable[..., SlackAdapter],
                                                        subscribed: str) -> None:
    save_article(store, "geneva")
    fake.fail("chat.postMessage", "ratelimited", status=429, headers={"Retry-After": "60"}, times=1)
    report = await _sender(store, make_adapter()).drain("slack", timeout=20)
    assert report.sent == 0 and report.retrying == 1
    [(status, error, _)] = _deliveries(store)
    assert status == "pending" and error == "ratelimited"
    assert fake.posts(TALKS) == []


async def test_pacing_about_one_message_a_second_per_channel(store: Store, fake: FakeSlack,
                                                             make_adapter: Callable[..., SlackAdapter],
                                                             subscribed: str) -> None:
    for n in range(3):
        save_article(store, "geneva", n)
    settings = DeliverySettings(max_attempts=5, backoff_base=0.05, backoff_cap=0.2)
    sender = Sender(store, {"slack": make_adapter().sink}, settings=settings)
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert (await sender.drain("slack", timeout=30)).sent == 3
    assert loop.time() - started >= 1.9  # three posts, two gaps of settings.pacing.slack (1 s)
    assert [m["text"].split("\n")[0] for m in fake.posts(TALKS)] == [ARTICLE_TITLE] * 3


async def test_channel_errors_fail_the_delivery_and_tell_admins_once(store: Store, fake: FakeSlack,
                                                                     make_adapter: Callable[..., SlackAdapter],
                                                                     caplog) -> None:  # noqa: ANN001
    store.subscribe("slack", NEWSROOM)
    store.subscribe("slack", ARCHIVE)
    store.subscribe("slack", "C0GONE0001")
    save_article(store, "geneva", 0)
    save_article(store, "geneva", 1)
    with caplog.at_level(logging.ERROR, logger="bot.deliver.sender"):
        report = await _sender(store, make_adapter()).drain("slack", timeout=20)
    assert report.failed == 6 and report.sent == 0
    assert sorted({e for s, e, _ in _deliveries(store)}) == ["channel_not_found", "is_archived", "not_in_channel"]
    dms = fake.posts(ADMIN)
    assert len(dms) == 3  # one per channel and reason, not one per brief
    assert any("not_in_channel" in m["text"] and f"<#{NEWSROOM}>" in m["text"] for m in dms)
    assert len([r for r in caplog.records if "failed for good" in r.getMessage()]) == 3


async def test_revoked_token_stops_only_slack(store: Store, fake: FakeSlack, make_adapter: Callable[..., SlackAdapter],
                                              subscribed: str) -> None:
    save_article(store, "geneva")
    adapter = make_adapter()
    fake.fail("chat.postMessage", "token_revoked", times=1)
    report = await _sender(store, adapter).drain("slack", timeout=20)
    assert "token_revoked" in report.stopped["slack"]
    assert adapter.sink.stopped.is_set()
    [(status, _, _)] = _deliveries(store)
    assert status == "pending"  # kept for when the adapter comes back
    assert fake.posts(TALKS) == []


async def test_restart_after_crash_mid_post_posts_nothing_twice(store: Store, fake: FakeSlack,
                                                                make_adapter: Callable[..., SlackAdapter],
                                                                subscribed: str) -> None:
    save_article(store, "geneva")
    # First life: claimed, attempt recorded, posted to Slack, then the process died before mark_sent.
    [d] = store.outbox.claim_next("slack", lease_seconds=0.3)
    live = store.outbox.begin_attempt(d.id, d.lease or "", lease_seconds=0.3)
    assert live is not None
    await make_adapter().sink.post(live, store.get_brief(d.brief_id))  # type: ignore[arg-type]
    assert len(fake.posts(TALKS)) == 1
    await asyncio.sleep(0.4)  # the dead sender's lease runs out
    # Second life: a new client and sender recover the row by its key.
    report = await _sender(store, make_adapter(), lease_seconds=2.0).drain("slack", timeout=20)
    assert report.sent == 1
    assert len(fake.posts(TALKS)) == 1
    [history] = fake.called("conversations.history")
    assert history.params["channel"] == TALKS
    assert [(s, r) for s, _, r in _deliveries(store)] == [("sent", fake.posts(TALKS)[0]["ts"])]


async def test_answer_lost_after_posting_is_not_posted_again(store: Store, fake: FakeSlack,
                                                             make_adapter: Callable[..., SlackAdapter],
                                                             subscribed: str) -> None:
    save_article(store, "geneva")
    adapter = make_adapter()
    adapter.client.timeout = 1
    fake.fail("chat.postMessage", "", delay=2.0)  # the message lands; the answer comes too late
    sender = _sender(store, adapter)
    first = await sender.drain("slack", timeout=20)
    assert first.retrying == 1 and len(fake.posts(TALKS)) == 1
    [(status, error, _)] = _deliveries(store)
    assert status == "pending" and error.startswith("outcome unknown")
    await asyncio.sleep(0.3)  # past the backoff
    second = await sender.drain("slack", timeout=20)
    assert second.sent == 1
    assert len(fake.posts(TALKS)) == 1
    assert [s for s, _, _ in _deliveries(store)] == ["sent"]
