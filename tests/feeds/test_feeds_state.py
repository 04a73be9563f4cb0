"""Tests for bot.feeds.state: backoff, pause/resume events, conditional-GET memory, backfill selection."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from bot.feeds.fetch import FetchResult
from bot.feeds.identity import identity_key
from bot.feeds.parse import FeedItem
from bot.feeds.state import BackoffPolicy, FeedState, next_state, select_new

URL = "https://northline.example/rss"
T0 = datetime(2025, 12, 16, 12, 0, tzinfo=timezone.utc)
POLICY = BackoffPolicy(interval=900, backoff_max=4 * 3600, pause_after=4, paused_interval=6 * 3600)


def _err(reason: str = "HTTP 500 Internal Server Error", status: int | None = 500, **kw: object) -> FetchResult:
    return FetchResult(status="error", url=URL, http_status=status, error=reason, **kw)  # type: ignore[arg-type]


def _ok(**kw: object) -> FetchResult:
    return FetchResult(status="ok", url=URL, http_status=200, **kw)  # type: ignore[arg-type]


def test_success_schedules_next_poll_and_remembers_validators() -> None:
    state, events = next_state(FeedState(), _ok(etag='"v1"', last_modified="Tue, 16 Dec 2025 11:00:00 GMT"), T0, POLICY)
    assert events == []
    assert state.etag == '"v1"' and state.last_modified.startswith("Tue")
    assert state.next_poll == T0 + timedelta(seconds=900)
    assert not state.first_poll and state.last_ok == T0
    assert not state.due(T0 + timedelta(seconds=899)) and state.due(T0 + timedelta(seconds=900))


def test_not_modified_keeps_old_validators_and_ok_replaces_them() -> None:
    state = FeedState(etag='"v1"', last_modified="Mon, 15 Dec 2025 10:00:00 GMT")
    kept, _ = next_state(state, FetchResult(status="not_modified", url=URL, http_status=304), T0, POLICY)
    assert kept.etag == '"v1"' and kept.last_modified == state.last_modified
    new, _ = next_state(kept, _ok(etag='"v2"'), T0, POLICY)
    assert new.etag == '"v2"' and new.last_modified is None


def test_backoff_doubles_and_is_capped() -> None:
    policy = BackoffPolicy(interval=900, backoff_max=3 * 3600, pause_after=10)
    state, delays = FeedState(), []
    for _ in range(5):
        state, events = next_state(state, _err(), T0, policy)
        assert events == []
        delays.append((state.next_poll - T0).total_seconds())
    assert delays == [1800, 3600, 7200, 10800, 10800]
    assert state.failures == 5 and state.last_error.startswith("HTTP 500")


def test_pause_after_n_failures_is_announced_once_then_resume_once() -> None:
    state = FeedState(etag='"v1"')
    kinds: list[str] = []
    for i in range(7):
        state, events = next_state(state, _err(), T0 + timedelta(hours=i), POLICY)
        kinds += [e.kind for e in events]
        if i == 3:
            assert state.paused and events[0].failures == 4 and "HTTP 500" in events[0].message()
    assert kinds == ["paused"]
    assert state.paused and state.next_poll == T0 + timedelta(hours=6) + timedelta(seconds=6 * 3600)
    assert state.etag == '"v1"'
    state, events = next_state(state, FetchResult(status="not_modified", url=URL, http_status=304), T0, POLICY)
    assert [e.kind for e in events] == ["resumed"] and URL in events[0].message()
    assert not state.paused and state.failures == 0 and state.last_error is None
    state, events = next_state(state, _ok(), T0, POLICY)
    assert events == []


def test_gone_pauses_at_once() -> None:
    state, events = next_state(FeedState(), _err("HTTP 410 Gone", 410), T0, POLICY)
    assert state.paused and [e.kind for e in events] == ["paused"]


def test_retry_after_is_respected_but_capped() -> None:
    state, _ = next_state(FeedState(), _err("HTTP 503", 503, retry_after=5000.0), T0, POLICY)
    assert state.next_poll == T0 + timedelta(seconds=5000)
    state, _ = next_state(FeedState(), _err("HTTP 429", 429, retry_after=10**9), T0, POLICY)
    assert state.next_poll == T0 + timedelta(seconds=POLICY.retry_after_max)


def test_state_round_trips_through_json() -> None:
    state, _ = next_state(FeedState(), _ok(etag='"v9"'), T0, POLICY)
    state, _ = next_state(state, _err(), T0, POLICY)
    again = FeedState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert again == state


def _item(n: int, hours_ago: int | None, feed: str = URL, link: str | None = None) -> FeedItem:
    link = link or f"https://northline.example/world/story-{n}"
    when = None if hours_ago is None else T0 - timedelta(hours=hours_ago)
    return FeedItem(
        identity=identity_key(f"g{n}", link, feed_url=feed), guid=f"g{n}", link=link,
        canonical_link=link, title=f"Story {n}", summary=None, content=None, published=when,
        updated=when, author=None, needs_fulltext=True, feed_url=feed,
    )


def test_first_poll_keeps_only_newest_backfill_oldest_first() -> None:
    items = [_item(1, 5), _item(2, 1), _item(3, 9), _item(4, 3)]
    chosen = select_new(items, set(), first_poll=True, backfill=2)
    assert [i.title for i in chosen] == ["Story 4", "Story 2"]
    assert select_new(items, set(), first_poll=True, backfill=0) == []


def test_later_polls_return_only_unseen_and_backlog_never_floods() -> None:
    backlog = [_item(n, n) for n in range(1, 21)]
    known: set[str] = set()
    first = select_new(backlog, known, first_poll=True, backfill=3)
    assert len(first) == 3
    for item in backlog:  # the caller records every fetched item, as documented
        known |= item.keys
    new = _item(99, 0)
    assert select_new([new, *backlog], known, first_poll=False, backfill=3) == [new]


def test_undated_items_follow_feed_order() -> None:
    items = [_item(1, None), _item(2, None), _item(3, None)]
    assert [i.title for i in select_new(items, set(), True, 2)] == ["Story 2", "Story 1"]


def test_same_article_through_two_feeds_is_selected_once() -> None:
    a = _item(1, 2, feed="https://one.example/rss", link="https://northline.example/x?utm_source=one")
    b = _item(7, 2, feed="https://two.example/rss", link="http://www.northline.example/x?utm_source=two")
    assert a.identity != b.identity
    assert select_new([a, b], set(), first_poll=False) == [a]
    assert select_new([b], set(a.keys), first_poll=False) == []
