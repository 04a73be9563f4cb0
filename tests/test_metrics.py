"""bot.metrics on its own registry: names, labels, the delivery lag and the shared brief time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from prometheus_client import CollectorRegistry

from bot.metrics import METRICS, Metrics

T = datetime(2026, 1, 21, 12, 0, tzinfo=timezone.utc)


def test_counters_move_with_their_labels() -> None:
    m = Metrics(CollectorRegistry())
    value = m.registry.get_sample_value
    assert value("briefbot_polls_total", {"outcome": "not_modified"}) == 0  # every outcome is exported from start
    m.polled("ok")
    m.polled("ok")
    m.polled("error")
    m.seen(12)
    m.filtered(kept=3, dropped=9)
    assert value("briefbot_polls_total", {"outcome": "ok"}) == 2
    assert value("briefbot_polls_total", {"outcome": "error"}) == 1
    assert value("briefbot_items_seen_total") == 12
    assert value("briefbot_articles_total", {"decision": "kept"}) == 3
    assert value("briefbot_articles_total", {"decision": "dropped"}) == 9
    assert METRICS.registry is not m.registry  # a second Metrics does not clash with the process's


def test_a_batch_time_is_shared_by_its_briefs() -> None:
    m = Metrics(CollectorRegistry())
    m.briefed(4, 6.0)
    m.briefed(0, 1.0)  # nothing briefed: nothing observed
    value = m.registry.get_sample_value
    assert value("briefbot_briefs_total") == 4
    assert value("briefbot_brief_seconds_count") == 4
    assert value("briefbot_brief_seconds_sum") == 6.0
    assert value("briefbot_brief_seconds_bucket", {"le": "1.0"}) == 0
    assert value("briefbot_brief_seconds_bucket", {"le": "2.5"}) == 4


def test_delivery_lag_is_observed_for_sent_deliveries_only() -> None:
    m = Metrics(CollectorRegistry())
    m.delivered("slack", "sent", T - timedelta(seconds=42), now=T)
    m.delivered("slack", "sent", (T - timedelta(seconds=3)).replace(tzinfo=None), now=T)  # naive: UTC, as stored
    m.delivered("slack", "retrying", T - timedelta(hours=1), now=T)
    m.delivered("discord", "failed", T - timedelta(hours=1), now=T)
    value = m.registry.get_sample_value
    assert value("briefbot_deliveries_total", {"platform": "slack", "outcome": "sent"}) == 2
    assert value("briefbot_deliveries_total", {"platform": "slack", "outcome": "retrying"}) == 1
    assert value("briefbot_deliveries_total", {"platform": "discord", "outcome": "failed"}) == 1
    assert value("briefbot_delivery_lag_seconds_count", {"platform": "slack"}) == 2
    assert value("briefbot_delivery_lag_seconds_sum", {"platform": "slack"}) == 45.0
    assert value("briefbot_delivery_lag_seconds_count", {"platform": "discord"}) is None


def test_paused_feeds_gauge_and_text_format() -> None:
    m = Metrics(CollectorRegistry())
    m.paused(3)
    m.paused(2)
    text = m.exposition().decode()
    assert "# TYPE briefbot_feeds_paused gauge" in text and "briefbot_feeds_paused 2.0" in text
    assert "# TYPE briefbot_delivery_lag_seconds histogram" in text
