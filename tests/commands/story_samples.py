"""Two fictional stories and a loose article, stored through the store API as the story desk would place them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from bot.brief.speakers import speaker_key
from bot.brief.types import Brief, Claim, Quote
from bot.store import Store

T0 = datetime(2026, 3, 3, 9, 30, tzinfo=timezone.utc)
FEEDS = {
    "Northwire": "https://northwire.example/rss/world",
    "Kyiv Dispatch": "https://kyivdispatch.example/feed",
    "Meridian Times": "https://meridiantimes.example/rss.xml",
    "Baltic Courier": "https://balticcourier.example/news/rss",
}
STORY_TITLES = {"geneva": "Geneva round on security guarantees", "swap": "Prisoner swap in the UAE"}
SAID = "Every exchange is proof that negotiations can deliver results"


@dataclass(frozen=True)
class Sample:
    """An article: its feeds (first one first), story (None: not placed) and labelled claims and quotes.

    Claims/quotes with the same label in one story are the same item told again (linked to the first one).
    """

    key: str
    feeds: tuple[str, ...]
    title: str
    hours: float
    story: str | None
    claims: tuple[tuple[str, str], ...]
    quotes: tuple[tuple[str, str, str, str | None], ...] = ()  # (label, text, speaker, role)

    @property
    def link(self) -> str:
        return f"https://{self.feeds[0].lower().replace(' ', '')}.example/{self.key}"


SAMPLES: tuple[Sample, ...] = (
    Sample("geneva-open", ("Baltic Courier",), "Envoys open Geneva round on security guarantees", 0, "geneva",
           (("g1", "Envoys opened a new round in Geneva on security guarantees."),),
           (("gq1", "Guarantees must be written down, not promised", "Ilse Varga", "Nordic mediator"),)),
    Sample("swap-nw", ("Northwire",), "Russia and Ukraine swap 300 prisoners in UAE-brokered deal", 4, "swap",
           (("s1", "Each side released 300 prisoners."), ("s2", "The United Arab Emirates brokered the exchange.")),
           (("sq1", SAID, "Rustem Umerov", "defence secretary"),)),
    Sample("swap-kd", ("Kyiv Dispatch",), "300 defenders come home after swap", 6, "swap",
           (("s1", "Three hundred soldiers came home in the exchange."),
            ("s3", "Wounded soldiers were among the first to cross.")),
           (("sq1", SAID, "Rustem Umerov", None),
            ("sq2", "We are bringing every one of them home", "Olena Marchuk", "ombudsman"))),
    Sample("swap-mt", ("Meridian Times", "Baltic Courier"), "Prisoner swap: families wait at the border", 26, "swap",
           (("s1", "The swap freed 300 people on each side."),
            ("s4", "Families waited overnight at the border crossing.")),
           (("sq1", SAID, "Rustem Umerov", "defence secretary"),)),
    Sample("grain", ("Northwire",), "Grain corridor insurance rates fall", 27, None,
           (("x1", "Insurance rates for grain ships fell 12%."),),
           (("xq1", "The corridor stays open as long as the navy guards it", "Rustem Umerov", None),)),
)


@dataclass
class Seeded:
    stories: dict[str, int] = field(default_factory=dict)
    articles: dict[str, int] = field(default_factory=dict)
    briefs: dict[str, int] = field(default_factory=dict)
    claims: dict[str, list[int]] = field(default_factory=dict)  # label -> ids of every claim told with it
    quotes: dict[str, list[int]] = field(default_factory=dict)


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def quote(text: str, speaker: str, role: str | None) -> Quote:
    return Quote(text=text, speaker=speaker, speaker_key=speaker_key(speaker), role=role, cue="said",
                 method="pattern", confidence=0.9)


def seed_stories(store: Store, clock: Any, samples: tuple[Sample, ...] = SAMPLES) -> Seeded:
    """Store every sample at its hour (console:stdout follows the story), placing the articles in their stories.

    `clock` is the store's settable clock (anything with a `now` attribute).
    """
    feeds = {name: store.add_feed(url, name)[0].id for name, url in FEEDS.items()}
    store.subscribe("console", "stdout")
    out = Seeded()
    for sample in samples:
        clock.now = T0 + timedelta(hours=sample.hours)
        for n, feed in enumerate(sample.feeds):  # a minute apart: outlets have a definite first-seen order
            clock.now += timedelta(minutes=n)
            row, _ = store.upsert_article(f"guid:{sample.key}", feed_id=feeds[feed], title=sample.title,
                                          link=sample.link, published=T0 + timedelta(hours=sample.hours),
                                          text=" ".join(t for _, t in sample.claims))
        store.record_filter(row.id, kept=True, reason="keyword")
        brief = Brief(title=sample.title, claims=[Claim(t, i) for i, (_, t) in enumerate(sample.claims)],
                      quotes=[quote(t, s, r) for _, t, s, r in sample.quotes])
        brief_id = store.save_brief(row.id, brief)
        stored = store.get_brief(brief_id)
        assert stored is not None
        out.articles[sample.key], out.briefs[sample.key] = row.id, brief_id
        labels_c = [label for label, _ in sample.claims]
        labels_q = [label for label, *_ in sample.quotes]
        if sample.story is not None:
            known = out.stories.get(sample.story)
            story = store.assign_story(row.id, known, vector=[1.0, 0.0], entities=(), at=clock.now,
                                       title=STORY_TITLES[sample.story] if known is None else None)
            out.stories[sample.story] = story
            store.link_story_items(
                story,
                claims=[(cid, out.claims.get(label, [cid])[0]) for cid, label in zip(stored.claim_ids, labels_c)],
                quotes=[(qid, out.quotes.get(label, [qid])[0]) for qid, label in zip(stored.quote_ids, labels_q)])
        for cid, label in zip(stored.claim_ids, labels_c):
            out.claims.setdefault(label, []).append(cid)
        for qid, label in zip(stored.quote_ids, labels_q):
            out.quotes.setdefault(label, []).append(qid)
    return out
