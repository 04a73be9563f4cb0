"""Pipeline fixtures: a local feed server, fictional entries, settings on a temporary SQLite store, shared models."""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
_ROOT = Path(__file__).resolve().parents[2]
if str(_ROOT) not in sys.path:  # lets `tests.fakes` import however pytest is launched
    sys.path.insert(0, str(_ROOT))

from bot.app import App, Models, story_spec  # noqa: E402
from bot.brief.engine import Briefer  # noqa: E402
from bot.config.schema import Settings  # noqa: E402
from bot.deliver.sink import Sink  # noqa: E402
from bot.pipeline.story_filter import StoryFilter  # noqa: E402
from tests.fakes.feed_server import FeedServer, rss  # noqa: E402
from tests.fakes.sink import FakeSink  # noqa: E402

FIXTURES = _ROOT / "tests" / "fixtures" / "pipeline"
T0 = datetime(2026, 1, 21, 12, 0, tzinfo=timezone.utc)
"""Publication time of the newest fictional entry; older ones are `hours_ago` before it."""
FAST_FETCH = {"connect_timeout": 1.0, "read_timeout": 1.0, "total_timeout": 1.5}
ON_STORY = ("istanbul-round-umerov", "peskov-summit-date", "prisoner-swap-list", "energy-truce-monitors",
            "coalition-guarantees-liveblog")
OFF_STORY = ("derby-football-report", "winter-soup-recipe")
HOSTILE = [  # (id, path on the feed server, what the one log line says)
    ("404", "/x/status/404", "HTTP 404"),
    ("410", "/x/status/410", "HTTP 410"),
    ("500", "/x/status/500", "HTTP 500"),
    ("slow-headers", "/x/slow-headers?delay=3", "timeout (ReadTimeout)"),
    ("slow-body", "/x/slow-body?delay=0.05", "took longer than 1.5 s"),
    ("broken-xml", "/feeds/broken", "malformed feed"),
    ("entity-bomb", "/feeds/entity-bomb", "entity bomb"),
    ("50mb-body", "/x/huge?mb=50", "more than 10485760 bytes on the wire"),
    ("50mb-declared", "/x/huge?mb=50&length=1", "Content-Length 52428800"),
    ("gzip-bomb", "/x/gzip-bomb?mb=64", "after decompression"),
    ("redirect-loop", "/x/loop/a", "too many redirects"),
    ("html-page", "/feeds/html", "not an RSS/Atom feed (text/html"),
]


@dataclass(frozen=True)
class Story:
    """A fictional article from tests/fixtures/pipeline/articles: headline and paragraphs."""

    slug: str
    title: str
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)

    @property
    def html(self) -> str:
        return "".join(f"<p>{escape(p, quote=False)}</p>" for p in self.paragraphs)


@lru_cache(maxsize=None)
def story(slug: str) -> Story:
    """The fixture article `slug`."""
    title, _, body = (FIXTURES / "articles" / f"{slug}.txt").read_text(encoding="utf-8").partition("\n")
    paragraphs = tuple(p.strip() for p in body.split("\n\n") if p.strip())
    return Story(slug, title.strip(), paragraphs)


def page(name: str) -> bytes:
    """An article page from tests/fixtures/pipeline/pages."""
    return (FIXTURES / "pages" / name).read_bytes()


def entry(slug: str, *, guid: str | None = None, link: str | None = None, hours_ago: float = 0.0,
          title: str | None = None, teaser: str | None = None) -> dict[str, str]:
    """An RSS item dict (for `rss()`) carrying the whole article, or only `teaser` as its description."""
    s = story(slug)
    item = {"title": title or s.title, "guid": guid or f"wire-{slug}",
            "link": link or f"https://wire.example/news/{slug}?utm_source=rss",
            "pubDate": format_datetime(T0 - timedelta(hours=hours_ago))}
    if teaser is not None:
        item["description"] = teaser
    else:
        item["description"] = s.paragraphs[0]
        item["content"] = s.html
    return item


def backlog(prefix: str, count: int, start_hours_ago: float = 24.0) -> list[dict[str, str]]:
    """`count` older full-text entries (on-story text under fresh guids and links): briefed if ever processed."""
    slugs = ON_STORY
    return [entry(slugs[i % len(slugs)], guid=f"{prefix}-old-{i}", link=f"https://wire.example/{prefix}/old-{i}",
                  hours_ago=start_hours_ago + i, title=f"{story(slugs[i % len(slugs)]).title} (archive {i})")
            for i in range(count)]


def cp1252_feed(slug: str, link: str) -> bytes:
    """A feed declaring UTF-8 whose bytes are Windows-1252 (curly quotes), carrying the whole article."""
    def curl(text: str) -> str:
        return re.sub(r'"([^"]*)"', "\u201c\\1\u201d", text).replace("'", "\u2019")
    s = story(slug)
    item = entry(slug, guid=f"cp-{slug}", link=link, title=curl(s.title))
    item["content"] = "".join(f"<p>{escape(curl(p), quote=False)}</p>" for p in s.paragraphs)
    item["description"] = curl(s.paragraphs[0])
    return rss("Kyiv Desk (Windows-1252)", [item]).decode("utf-8").encode("cp1252")


def settings_for(db: Path, feeds: list[dict[str, Any]], **sections: dict[str, Any]) -> Settings:
    """Settings on a SQLite file, one console channel following the story, short fetch timeouts, fast retries."""
    data: dict[str, Any] = {
        "store": {"url": f"sqlite:///{db}"},
        "feeds": feeds,
        "channels": [{"platform": "console", "address": "stdout"}],
        "fetch": {**FAST_FETCH, "allow_private_addresses": True},  # the test feeds are served on loopback
        "delivery": {"backoff_base": 0.05, "backoff_cap": 0.05},
    }
    for name, values in sections.items():
        data[name] = {**data.get(name, {}), **values} if isinstance(values, dict) else values
    return Settings.model_validate(data)


def warnings_of(caplog: pytest.LogCaptureFixture, prefix: str = "bot") -> list[logging.LogRecord]:
    """WARNING-or-worse records of loggers under `prefix`."""
    return [r for r in caplog.records if r.name.startswith(prefix) and r.levelno >= logging.WARNING]


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


@pytest.fixture(scope="session")
def models() -> Models:
    """The real briefer (spaCy + MiniLM) and the default story's filter, loaded once for the whole session."""
    briefer = Briefer()
    return Models(briefer, StoryFilter(story_spec(Settings.model_validate({})), briefer.encoder))


@pytest.fixture
def sink() -> FakeSink:
    return FakeSink("console")


OpenApp = Callable[..., Awaitable[App]]


@pytest.fixture
async def open_app(sink: FakeSink) -> AsyncIterator[OpenApp]:
    """`await open_app(settings, models=None, sinks=None)`: an opened App (closed after the test).

    With `models` the App uses the session's shared models instead of loading its own.
    """
    apps: list[App] = []

    async def make(settings: Settings, *, models: Models | None = None, sinks: dict[str, Sink] | None = None) -> App:
        app = App(settings, sinks if sinks is not None else {"console": sink})
        if models is not None:
            app._models = models  # the cache App.models() fills on first use
        apps.append(app)
        await app.open()
        return app

    yield make
    for app in apps:
        await app.close()
