"""Slack adapter fixtures: the fake Slack, a store with fictional briefs, and adapters pointed at the fake."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

_ROOT = Path(__file__).resolve().parents[3]
if str(_ROOT) not in sys.path:  # lets `tests.fakes` import however pytest is launched
    sys.path.insert(0, str(_ROOT))

from bot.adapters.slack.app import SlackAdapter  # noqa: E402
from bot.brief.speakers import speaker_key  # noqa: E402
from bot.brief.types import Brief, Claim, Quote  # noqa: E402
from bot.commands.context import CommandContext  # noqa: E402
from bot.config.sections import SlackSettings  # noqa: E402
from bot.store import Store, open_store  # noqa: E402
from tests.fakes.slack_server import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, TALKS, FakeSlack  # noqa: E402

ADMIN = "UADMIN0001"
T0 = datetime(2025, 12, 15, 6, 0, tzinfo=timezone.utc)

# Fictional wire copy (outlets, envoys and every quote invented for these tests).
ARTICLES = {
    "geneva": dict(
        title="Envoys reconvene in Geneva as Kyiv weighs revised framework",
        link="https://harbourwire.example/world/geneva-envoys-reconvene-20251215",
        claims=["Delegations met for a second day at a lakeside hotel in Geneva.",
                "The revised framework trims the draft from 28 points to 19, two officials said.",
                "A follow-up round is pencilled in before the end of the month."],
        quotes=[("We will not sign anything that trades our land for a pause", "Volodymyr Zelensky",
                 "Ukrainian President"),
                ("The text is better than it was on Friday, and still not good enough", "Dana Whitcombe",
                 "U.S. special envoy")],
    ),
    "hostile": dict(
        title="LIVE <!channel> talks update & <https://evil.example/phish|official statement>",
        link="https://harbourwire.example/live/talks-day-three",
        claims=["Heads up @here: <!here> delegations returned after a two-hour break.",
                "A spokesman tagged <@U0VICTIM1> and <!subteam^S0TEAM|@editors> in a statement."],
        quotes=[("Nobody should read <!everyone> into a coffee break & a handshake", "Volodymyr Zelensky",
                 None)],
    ),
}


def make_brief(name: str) -> Brief:
    a = ARTICLES[name]
    quotes = [Quote(text=t, speaker=s, speaker_key=speaker_key(s), role=r, cue="said", method="pattern",
                    confidence=0.9) for t, s, r in a["quotes"]]
    return Brief(title=a["title"], claims=[Claim(c, i) for i, c in enumerate(a["claims"])], quotes=quotes)


def save_article(store: Store, name: str, n: int = 0) -> int:
    """Store the fictional article `name` (its n-th copy) and its brief; returns the brief id."""
    feed, _ = store.add_feed("https://harbourwire.example/rss/talks.xml", "Harbour Wire")
    a = ARTICLES[name]
    article, _ = store.upsert_article(f"guid:harbourwire-{name}-{n}", feed_id=feed.id, title=a["title"],
                                      link=f"{a['link']}#{n}", published=T0 + timedelta(minutes=n))
    store.record_filter(article.id, kept=True, reason="keyword:talks")
    return store.save_brief(article.id, make_brief(name))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path}/slack.db")
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    server = await FakeSlack().start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
def contexts(store: Store) -> Callable[[str, str, str], CommandContext]:
    def make(platform: str, channel: str, user: str) -> CommandContext:
        return CommandContext(store, platform, channel, user, is_admin=user == ADMIN)
    return make


@pytest.fixture
def make_adapter(fake: FakeSlack) -> Callable[..., SlackAdapter]:
    def make(mode: str = "socket", token: str = BOT_TOKEN) -> SlackAdapter:
        conf = SlackSettings(mode=mode).model_copy(update={"http_host": "127.0.0.1", "http_port": 0})
        return SlackAdapter(conf, bot_token=token, app_token=APP_TOKEN, signing_secret=SIGNING_SECRET,
                            admins=[f"slack:{ADMIN}"], base_url=fake.api_url)
    return make


@pytest.fixture
def subscribed(store: Store) -> str:
    store.subscribe("slack", TALKS)
    return TALKS
