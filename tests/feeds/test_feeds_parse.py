"""Tests for bot.feeds.parse: RSS 0.9x/1.0/2.0 and Atom, identity of edited items, hostile XML."""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.feeds.parse import FeedParseError, parse_feed
from bot.feeds.state import select_new
from tests.fakes.feed_server import BROKEN_XML, HTML_PAGE, entity_bomb, rss, wrong_encoding_feed

Read = Callable[[str], bytes]
FEED = "https://northline.example/rss/talks.xml"


def test_rss20_items(fixture_bytes: Read) -> None:
    parsed = parse_feed(fixture_bytes("talks_rss20.xml"), FEED, "application/rss+xml")
    assert parsed.title == "Northline Wire - Ukraine talks" and parsed.warning is None
    live, kremlin, photos = parsed.items

    assert live.guid == "nl-live-8842" and live.identity.startswith("guid:")
    assert live.canonical_link == "https://northline.example/world/live-geneva-day-two?ref=1"
    assert live.published == datetime(2025, 12, 16, 18, 5, tzinfo=timezone.utc)
    assert live.author == "Marta Ilchenko and Dan Whitcombe"
    assert "the map is still the map" in live.content and live.summary.endswith("\u2026")
    assert live.needs_fulltext is False

    assert kremlin.identity == "url:northline.example/world/kremlin-revised-draft"
    assert kremlin.published == datetime(2025, 12, 16, 8, 40, tzinfo=timezone.utc)
    assert kremlin.content is None and kremlin.needs_fulltext is True

    assert photos.link == "https://northline.example/world/photos-talks-day"
    assert photos.identity == "url:northline.example/world/photos-talks-day"
    everything = repr(parsed.items)
    assert "geneva.jpg" not in everything and "gallery.zip" not in everything


def test_atom_items(fixture_bytes: Read) -> None:
    parsed = parse_feed(fixture_bytes("talks_atom.xml"), "https://kyivledger.example/diplomacy.atom")
    first, note = parsed.items
    assert first.title == "Security guarantees dominate Berlin round"
    assert first.link == "https://kyivledger.example/diplomacy/berlin-round-guarantees"
    assert first.published == datetime(2025, 12, 15, 7, 30, tzinfo=timezone.utc)
    assert first.updated == datetime(2025, 12, 15, 8, 10, tzinfo=timezone.utc)
    assert first.author == "Iryna Bondar"
    assert "brochure" in first.content and first.summary.startswith("Negotiators spent")
    assert "ep12.mp3" not in repr(first)
    assert note.published is None and note.when == datetime(2025, 12, 16, 17, 0, tzinfo=timezone.utc)
    assert note.content is None and note.needs_fulltext


@pytest.mark.parametrize(
    ("name", "title", "link"),
    [
        ("talks_rss10.rdf", "Prisoner exchange of 150 each confirmed by both sides",
         "https://dnipro-digest.example/2025/12/prisoner-exchange"),
        ("talks_rss091.xml", "Black Sea shipping corridor on agenda, aides say",
         "http://oldport.example/news/corridor.html"),
    ],
)
def test_rss10_and_rss091(fixture_bytes: Read, name: str, title: str, link: str) -> None:
    (item,) = parse_feed(fixture_bytes(name), FEED).items
    assert item.title == title and item.link == link
    assert item.identity.startswith("url:")


def test_item_edited_in_place_keeps_identity() -> None:
    before = rss("Desk", [{"guid": "nl-1", "title": "Talks to resume Monday", "link": "https://n.example/a",
                           "pubDate": "Mon, 15 Dec 2025 08:00:00 GMT"}])
    after = rss("Desk", [{"guid": "nl-1", "title": "UPDATE 2-Talks to resume Tuesday", "link": "https://n.example/a",
                          "pubDate": "Mon, 15 Dec 2025 14:30:00 GMT"}])
    (old,) = parse_feed(before, FEED).items
    (new,) = parse_feed(after, FEED).items
    assert old.identity == new.identity and old.title != new.title
    assert select_new([new], set(old.keys), first_poll=False) == []


def test_item_without_guid_or_link_uses_content_hash() -> None:
    (item,) = parse_feed(rss("Desk", [{"title": "Flash: delegations arrive", "description": "No link."}]), FEED).items
    assert item.identity.startswith("hash:") and item.keys == {item.identity}


@pytest.mark.parametrize(
    "body",
    [
        entity_bomb(),
        # the same bomb on one line: feedparser's own DOCTYPE scrubber only sees declarations at line start
        entity_bomb().replace(b"\n", b""),
        # quadratic blowup: one big plain entity, referenced many times
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY big "' + b"x" * 50_000 + b'">]><rss version="2.0">'
        b"<channel><title>q</title><item><title>" + b"&big;" * 2000 + b"</title></item></channel></rss>",
        # external entity
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY ext SYSTEM "file:///etc/passwd">]>'
        b'<rss version="2.0"><channel><title>&ext;</title></channel></rss>',
        # parameter entity
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY % p "<!ENTITY q \'x\'>"> %p;]><rss version="2.0"/>',
        # UTF-16 encoded declarations
        '<?xml version="1.0" encoding="utf-16"?><!DOCTYPE rss [<!ENTITY a "&#38;a;">]><rss/>'.encode("utf-16"),
    ],
)
def test_entity_declarations_are_refused_before_parsing(body: bytes) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    with pytest.raises(FeedParseError, match="entity"):
        parse_feed(body, FEED)
    assert time.monotonic() - started < 0.5
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 20_000  # KiB


def test_character_reference_entities_are_allowed() -> None:
    body = (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY nbsp "&#160;">\n<!ENTITY mdash "&#x2014;">\n]>\n'
        b'<rss version="2.0"><channel><title>Desk</title><item><title>Kyiv&mdash;talks&nbsp;resume</title>'
        b"<guid>e-1</guid></item></channel></rss>"
    )
    (item,) = parse_feed(body, FEED).items
    assert item.title == "Kyiv\u2014talks\u00a0resume"


def test_html_page_is_not_a_feed() -> None:
    with pytest.raises(FeedParseError, match="not an RSS/Atom feed"):
        parse_feed(HTML_PAGE, FEED, "text/html; charset=utf-8")


def test_broken_xml_without_items_is_an_error() -> None:
    with pytest.raises(FeedParseError, match="malformed"):
        parse_feed(BROKEN_XML, FEED)


def test_truncated_xml_keeps_complete_items_with_a_warning() -> None:
    body = rss("Desk", [{"guid": "t-1", "title": "Talks resume"}, {"guid": "t-2", "title": "Second"}])
    parsed = parse_feed(body[: body.rindex(b"<guid>t-2")], FEED)
    assert [i.guid for i in parsed.items][0] == "t-1"
    assert parsed.warning and parsed.warning.startswith("malformed XML")


def test_wrong_declared_encoding_is_recovered() -> None:
    parsed = parse_feed(wrong_encoding_feed(), FEED, "application/rss+xml; charset=utf-8")
    (item,) = parsed.items
    assert item.title.startswith("Zelenskyy\u2019s envoy says \u201cno deal\u201d")
    assert "caf\u00e9" in item.title
    assert parsed.warning and "encoding" in parsed.warning


def test_feed_body_is_never_taken_as_a_file_path(tmp_path: Path) -> None:
    local = tmp_path / "local.xml"
    local.write_bytes(rss("Local file", [{"guid": "secret-1", "title": "Should never be read"}]))
    with pytest.raises(FeedParseError):
        parse_feed(str(local).encode(), FEED)
