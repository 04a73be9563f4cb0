"""Tests for bot.feeds.fulltext: teaser detection, article page fetch + extraction, fallback to the entry."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

import pytest

from bot.feeds.fetch import FeedFetcher
from bot.feeds.fulltext import full_text, html_fragment_to_text, is_teaser
from bot.feeds.parse import FeedItem, parse_feed
from tests.fakes.feed_server import FeedServer, rss

Read = Callable[[str], bytes]
LONG_PARAGRAPH = (
    "<p>ISTANBUL (Northline) - Delegations met for six hours on Thursday at a palace on the Bosphorus, "
    "their third meeting in the city this year, and agreed on a further exchange of prisoners of war, "
    "officials from both sides said after the session ended late in the evening.</p>"
)


def test_html_fragment_to_text() -> None:
    html = "<p>One &amp; two</p><script>var x = 1;</script><ul><li>alpha</li><li>beta</li></ul>tail<br>end"
    assert html_fragment_to_text(html) == "One & two\nalpha\nbeta\ntail\nend"
    assert html_fragment_to_text("Plain text &mdash; no tags") == "Plain text \u2014 no tags"
    assert html_fragment_to_text(None) == "" and html_fragment_to_text("   ") == ""


@pytest.mark.parametrize(
    ("body", "teaser"),
    [
        (None, True),
        ("", True),
        ("<p>MOSCOW (Northline) - The Kremlin said on Tuesday it had not yet received a draft.</p>", True),
        (LONG_PARAGRAPH * 6, False),
        (LONG_PARAGRAPH * 6 + "<p>Continue reading\u2026</p>", True),
        (LONG_PARAGRAPH * 6 + "<p>The post Talks resume appeared first on Northline.</p>", True),
        (LONG_PARAGRAPH * 30 + "<p>Read more</p>", False),
    ],
)
def test_is_teaser(body: str | None, teaser: bool) -> None:
    assert is_teaser(body) is teaser


def _teaser_item(server: FeedServer, path: str) -> FeedItem:
    feed = rss("Northline", [{
        "guid": "nl-kremlin", "title": "Kremlin says it has not yet seen revised U.S. draft",
        "link": server.url(path),
        "description": "MOSCOW (Northline) - The Kremlin said on Tuesday it had not yet received a revised draft\u2026",
    }])
    (item,) = parse_feed(feed, server.url("/feeds/northline")).items
    assert item.needs_fulltext
    return item


async def test_teaser_gets_article_page_without_comments(feed_server: FeedServer, fixture_bytes: Read) -> None:
    feed_server.put("/world/kremlin-revised-draft", fixture_bytes("article_kremlin_draft.html"),
                    content_type="text/html; charset=utf-8")
    item = _teaser_item(feed_server, "/world/kremlin-revised-draft")
    async with FeedFetcher(allow_private=True) as fetcher:
        title, text = await full_text(fetcher, item)
    assert feed_server.hits["/world/kremlin-revised-draft"] == 1
    assert title == "Kremlin says it has not yet seen revised U.S. draft"
    assert "We have not seen any new text. When we see it, we will study it carefully," in text
    assert "a new font on an old page" in text
    assert "COMMENT-MARKER" not in text


async def test_full_entry_is_not_fetched_again(feed_server: FeedServer, fixture_bytes: Read) -> None:
    (live, *_rest) = parse_feed(fixture_bytes("talks_rss20.xml"), feed_server.url("/feeds/northline")).items
    live = replace(live, link=feed_server.url("/world/live"))
    async with FeedFetcher(allow_private=True) as fetcher:
        title, text = await full_text(fetcher, live)
    assert feed_server.hits["/world/live"] == 0
    assert title.startswith("LIVE: Envoys end second day")
    assert "\u201cWe have narrowed the gaps, but the map is still the map,\u201d said Oleksandr Marchenko" in text
    assert "<p>" not in text


@pytest.mark.parametrize(
    ("path", "reason"),
    [("/x/status/404", "HTTP 404"), ("/files/talks.pdf", "not an HTML page"), ("/x/huge?mb=50&type=html", "cut off")],
)
async def test_page_failure_falls_back_to_entry_with_one_log_line(
    feed_server: FeedServer, caplog: pytest.LogCaptureFixture, path: str, reason: str
) -> None:
    feed_server.put("/files/talks.pdf", b"%PDF-1.7 fictional", content_type="application/pdf")
    item = _teaser_item(feed_server, path)
    caplog.set_level(logging.DEBUG, logger="bot.feeds")
    async with FeedFetcher(allow_private=True) as fetcher:
        title, text = await full_text(fetcher, item)
    assert title == item.title
    assert text.startswith("MOSCOW (Northline) - The Kremlin said on Tuesday")
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.feeds" and r.levelno >= logging.WARNING]
    assert len(lines) == 1 and reason in lines[0] and item.link in lines[0]
