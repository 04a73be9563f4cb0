"""Story updates through the real SlackSink into the fake Slack: thread replies, quiet lines, broadcast, recovery."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from bot.adapters.slack.app import SlackAdapter
from bot.adapters.slack.outbound import EVENT_TYPE, SlackSink
from bot.store import Store
from bot.store.records import Delivery, StoryContext
from tests.adapters.slack.conftest import ARTICLES, save_article
from tests.fakes.slack_server import TALKS, FakeSlack

GENEVA = ARTICLES["geneva"]
OTHERS = ["Kyiv Ledger", "Harbour Wire", "Baltic Wire"]  # Harbour Wire is the article's own outlet


def _story(*, first: bool = False, claims: tuple[int, ...] = (), quotes: tuple[int, ...] = (),
           others: list[str] | None = None) -> StoryContext:
    return StoryContext(story_id=7, title="Geneva round on the revised framework", first=first,
                        new_claims=list(claims), new_quotes=list(quotes),
                        also_reported_by=list(OTHERS if others is None else others))


async def _post(store: Store, sink: SlackSink, name: str, n: int, *, root: str | None = None,
                broadcast: bool = False, story: StoryContext | None = None, mark: bool = True) -> tuple[Delivery, str]:
    """Store article `name` (copy n), claim its delivery and post it through the sink as the sender would."""
    brief_id = save_article(store, name, n)
    [claimed] = store.outbox.claim_next("slack", lease_seconds=30)
    live = store.outbox.begin_attempt(claimed.id, claimed.lease or "", lease_seconds=30)
    item = store.get_brief(brief_id)
    assert live is not None and item is not None
    delivery = replace(live, thread_root=root, broadcast=broadcast)
    ts = await sink.post(delivery, replace(item, story=story))
    if mark:
        store.outbox.mark_sent(claimed.id, claimed.lease, ts)
    return delivery, ts


def _everything(msg: dict[str, Any]) -> str:
    return json.dumps([msg["blocks"], msg["text"]], ensure_ascii=False)


async def test_update_goes_in_the_thread_with_only_what_is_new(store: Store, fake: FakeSlack, subscribed: str,
                                                               make_adapter: Callable[..., SlackAdapter]) -> None:
    sink = make_adapter().sink
    _, root = await _post(store, sink, "geneva", 0, story=_story(first=True, others=[]))
    delivery, ts = await _post(store, sink, "geneva", 1, root=root, story=_story(claims=(1,), quotes=(1,)))
    [call] = fake.called("chat.postMessage")[1:]
    assert call.params["thread_ts"] == root and call.params["reply_broadcast"] is False
    [reply] = fake.replies(TALKS, root)
    assert reply["ts"] == ts and reply["metadata"] == {"event_type": EVENT_TYPE,
                                                       "event_payload": {"key": delivery.idempotency_key}}
    shown = _everything(reply)
    assert GENEVA["claims"][1] in shown and GENEVA["quotes"][1][0] in shown and "*Dana Whitcombe*" in shown
    assert GENEVA["claims"][0] not in shown and GENEVA["claims"][2] not in shown
    assert GENEVA["quotes"][0][0] not in shown
    assert "Also reported by: Kyiv Ledger, Baltic Wire" in shown  # not its own outlet
    assert "geneva-envoys-reconvene-20251215#1|Envoys reconvene in Geneva" in shown  # its own headline and link
    assert "Harbour Wire · 15 Dec 2025 06:01 UTC" in shown
    assert [m["ts"] for m in fake.posts(TALKS) if m.get("thread_ts") in (None, m["ts"])] == [root]


async def test_nothing_new_is_one_also_reported_line(store: Store, fake: FakeSlack, subscribed: str,
                                                      make_adapter: Callable[..., SlackAdapter]) -> None:
    sink = make_adapter().sink
    _, root = await _post(store, sink, "geneva", 0)
    await _post(store, sink, "geneva", 1, root=root, story=_story())
    [reply] = fake.replies(TALKS, root)
    [block] = reply["blocks"]
    assert block["type"] == "context"
    line = block["elements"][0]["text"]
    assert line == ("Also reported by *Harbour Wire*: <https://harbourwire.example/world/geneva-envoys-reconvene-"
                    "20251215#1|Envoys reconvene in Geneva as Kyiv weighs revised framework>")
    assert reply["text"] == "Also reported by Harbour Wire: Envoys reconvene in Geneva as Kyiv weighs revised framework"
    assert reply["metadata"]["event_type"] == EVENT_TYPE


async def test_hostile_article_as_an_update_and_as_a_quiet_line(store: Store, fake: FakeSlack, subscribed: str,
                                                               make_adapter: Callable[..., SlackAdapter]) -> None:
    sink = make_adapter().sink
    _, root = await _post(store, sink, "geneva", 0)
    hostile = ["<!channel> desk", "Evil <https://evil.example|Wire>"]
    await _post(store, sink, "hostile", 1, root=root, story=_story(claims=(0, 1), quotes=(0,), others=hostile))
    await _post(store, sink, "hostile", 2, root=root, story=_story(others=hostile))
    replies = fake.replies(TALKS, root)
    assert len(replies) == 2
    for msg in replies:
        shown = _everything(msg)
        for bad in ("<!channel>", "<!here>", "<!everyone>", "<@U0VICTIM1>", "<!subteam", "<https://evil.example"):
            assert bad not in shown
        assert "&lt;!channel&gt; talks update &amp; &lt;https://evil.example/phish|official statement&gt;" in shown
        assert "@here" not in msg["text"]
        texts = [b["text"] for b in msg["blocks"] if "text" in b] + [e for b in msg["blocks"]
                                                                     for e in b.get("elements", [])]
        assert texts and all(t["verbatim"] is True for t in texts if t["type"] == "mrkdwn")
        assert msg["params"]["link_names"] is False and msg["params"]["parse"] == "none"
    assert "Also reported by: &lt;!channel&gt; desk, Evil &lt;https://evil.example|Wire&gt;" in _everything(replies[0])


async def test_broadcast_reply_is_also_in_the_channel_and_found_again(
        store: Store, fake: FakeSlack, subscribed: str, make_adapter: Callable[..., SlackAdapter]) -> None:
    sink = make_adapter().sink
    _, root = await _post(store, sink, "geneva", 0)
    delivery, ts = await _post(store, sink, "geneva", 1, root=root, broadcast=True, story=_story(claims=(2,)),
                               mark=False)
    [reply] = fake.replies(TALKS, root)
    assert reply["subtype"] == "thread_broadcast" and reply["params"]["reply_broadcast"] is True
    assert await make_adapter().sink.find_posted(delivery) == ts  # a new process finds it in the thread
    assert await make_adapter().sink.find_posted(replace(delivery, thread_root=None)) == ts  # and in the channel


async def test_reply_found_in_the_thread_after_a_crash(store: Store, fake: FakeSlack, subscribed: str,
                                                        make_adapter: Callable[..., SlackAdapter]) -> None:
    sink = make_adapter().sink
    _, root = await _post(store, sink, "geneva", 0)
    for n in range(1, 5):  # earlier updates fill the thread, so the one looked for is on a later page
        await _post(store, sink, "geneva", n, root=root, story=_story())
    delivery, ts = await _post(store, sink, "geneva", 5, root=root, story=_story(claims=(0,)), mark=False)
    fake.page_size = 2
    fresh = make_adapter().sink  # the process died after posting, before marking the delivery sent
    assert await fresh.find_posted(delivery) == ts
    calls = fake.called("conversations.replies")
    assert len(calls) == 3 and {c.params["ts"] for c in calls} == {root}
    assert all(c.params["include_all_metadata"] in ("1", "true") for c in calls)
    assert calls[1].params["cursor"] == "2" and float(calls[0].params["oldest"]) > 0
    assert await fresh.find_posted(replace(delivery, thread_root=None)) is None  # not in the channel's history
    # Posting again after an unknown outcome looks first and finds it: nothing is posted twice.
    again = await fresh.post(replace(delivery, last_error="outcome unknown: TimeoutError"),
                             store.get_brief(delivery.brief_id))  # type: ignore[arg-type]
    assert again == ts and len(fake.replies(TALKS, root)) == 5


async def test_deleted_root_posts_the_full_brief_to_the_channel(store: Store, fake: FakeSlack, subscribed: str,
                                                                make_adapter: Callable[..., SlackAdapter]) -> None:
    sink = make_adapter().sink
    _, root = await _post(store, sink, "geneva", 0)
    fake.delete(TALKS, root)
    delivery, ts = await _post(store, sink, "geneva", 1, root=root, story=_story(claims=(1,)), mark=False)
    first, second = fake.called("chat.postMessage")[1:]
    assert first.params["thread_ts"] == root and "thread_ts" not in second.params
    [msg] = fake.posts(TALKS)
    assert msg["ts"] == ts and msg["thread_ts"] is None
    assert all(claim in _everything(msg) for claim in GENEVA["claims"])  # the full brief, not an update
    assert await make_adapter().sink.find_posted(delivery) == ts  # thread_not_found, then found in the channel


async def test_root_deleted_silently_unthreaded_is_found_in_the_channel(
        store: Store, fake: FakeSlack, subscribed: str, make_adapter: Callable[..., SlackAdapter]) -> None:
    sink = make_adapter().sink
    _, root = await _post(store, sink, "geneva", 0)
    fake.delete(TALKS, root)
    fake.orphan_replies = "unthread"  # Slack may also take the reply and post it at the top level
    delivery, ts = await _post(store, sink, "geneva", 1, root=root, story=_story(claims=(1,)), mark=False)
    assert len(fake.called("chat.postMessage")) == 2
    assert await make_adapter().sink.find_posted(delivery) == ts


async def test_root_deleted_after_replies_keeps_its_thread(store: Store, fake: FakeSlack, subscribed: str,
                                                            make_adapter: Callable[..., SlackAdapter]) -> None:
    sink = make_adapter().sink
    _, root = await _post(store, sink, "geneva", 0)
    await _post(store, sink, "geneva", 1, root=root, story=_story())
    fake.delete(TALKS, root)  # Slack leaves a tombstone: the thread goes on
    await _post(store, sink, "geneva", 2, root=root, story=_story(quotes=(0,)))
    assert len(fake.replies(TALKS, root)) == 2 and len(fake.called("chat.postMessage")) == 3


async def test_thread_reply_without_story_context_is_the_full_brief(store: Store, fake: FakeSlack, subscribed: str,
                                                                    make_adapter: Callable[..., SlackAdapter]) -> None:
    sink = make_adapter().sink
    _, root = await _post(store, sink, "geneva", 0)
    await _post(store, sink, "geneva", 1, root=root)
    [reply] = fake.replies(TALKS, root)
    shown = _everything(reply)
    assert all(c in shown for c in GENEVA["claims"]) and all(q[0] in shown for q in GENEVA["quotes"])
    assert "Also reported by" not in shown


async def test_channel_post_of_a_story_names_other_outlets(store: Store, fake: FakeSlack, subscribed: str,
                                                           make_adapter: Callable[..., SlackAdapter]) -> None:
    await _post(store, make_adapter().sink, "geneva", 0, story=_story(claims=(0,)))
    [msg] = fake.posts(TALKS)
    shown = _everything(msg)
    assert all(c in shown for c in GENEVA["claims"])  # a channel post is always the full brief
    assert "Also reported by: Kyiv Ledger, Baltic Wire" in shown and "Also reported by" in msg["text"]
    assert msg["blocks"][-1]["elements"][0]["text"].startswith("Automated brief")
