"""Prometheus metrics of polls, the story filter, briefing and delivery (served by bot.health on /metrics)."""

from __future__ import annotations

from datetime import datetime, timezone

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

_BRIEF_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
_LAG_BUCKETS = (0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0, 4 * 3600.0, 24 * 3600.0)


class Metrics:
    """The bot's metrics, registered in their own registry (one per process by default: `METRICS`)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.polls = Counter("briefbot_polls", "Feed polls by outcome", ["outcome"], registry=r)
        self.items = Counter("briefbot_items_seen", "Entries found in fetched feeds", registry=r)
        self.articles = Counter("briefbot_articles", "New articles by the story filter's decision", ["decision"],
                                registry=r)
        self.briefs = Counter("briefbot_briefs", "Briefs made and stored", registry=r)
        self.brief_seconds = Histogram("briefbot_brief_seconds", "Seconds spent briefing one article (a batch's "
                                       "time shared equally by its articles)", buckets=_BRIEF_BUCKETS, registry=r)
        self.deliveries = Counter("briefbot_deliveries", "Delivery attempts by platform and outcome",
                                  ["platform", "outcome"], registry=r)
        self.delivery_lag = Histogram("briefbot_delivery_lag_seconds", "Seconds from a brief's creation to its post",
                                      ["platform"], buckets=_LAG_BUCKETS, registry=r)
        self.placed_briefs = Counter("briefbot_story_placements", "Briefs placed in stories: a new story, an update "
                                     "with news, or a quiet update", ["kind"], registry=r)
        self.feeds_paused = Gauge("briefbot_feeds_paused", "Feeds paused after repeated failures", registry=r)
        for outcome in ("ok", "not_modified", "error"):
            self.polls.labels(outcome=outcome)
        for decision in ("kept", "dropped"):
            self.articles.labels(decision=decision)
        for kind in ("new_story", "update", "quiet"):
            self.placed_briefs.labels(kind=kind)

    def polled(self, outcome: str) -> None:
        """One poll ended with `outcome`: "ok", "not_modified" or "error"."""
        self.polls.labels(outcome=outcome).inc()

    def seen(self, items: int) -> None:
        """A fetched feed held `items` entries (new or not)."""
        self.items.inc(items)

    def filtered(self, kept: int, dropped: int) -> None:
        """The story filter kept `kept` new articles and dropped `dropped`."""
        self.articles.labels(decision="kept").inc(kept)
        self.articles.labels(decision="dropped").inc(dropped)

    def placed(self, created: bool, news: bool) -> None:
        """A brief was placed in a story: one it `created`, else an update with or without `news`."""
        self.placed_briefs.labels(kind="new_story" if created else "update" if news else "quiet").inc()

    def briefed(self, count: int, seconds: float) -> None:
        """`count` briefs were made in `seconds`."""
        if count <= 0:
            return
        self.briefs.inc(count)
        for _ in range(count):
            self.brief_seconds.observe(seconds / count)

    def delivered(self, platform: str, outcome: str, created: datetime | None = None,
                  now: datetime | None = None) -> None:
        """A delivery to `platform` ended as `outcome` ("sent", "retrying" or "failed").

        For a sent one with `created` (when its brief was stored), the lag to `now` (default: the clock) is observed.
        """
        self.deliveries.labels(platform=platform, outcome=outcome).inc()
        if outcome == "sent" and created is not None:
            lag = (_aware(now or datetime.now(timezone.utc)) - _aware(created)).total_seconds()
            self.delivery_lag.labels(platform=platform).observe(max(0.0, lag))

    def paused(self, feeds: int) -> None:
        """`feeds` feeds are paused now."""
        self.feeds_paused.set(feeds)

    def exposition(self) -> bytes:
        """The registry in Prometheus' text format."""
        return generate_latest(self.registry)


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)  # the store keeps UTC


METRICS = Metrics()
"""The process's metrics: the pipeline and the sender record here, /metrics serves it."""
