"""Tests for bot.feeds.identity: canonical links, identity keys, content hashes."""

from __future__ import annotations

import pytest

from bot.feeds.identity import canonical_url, content_hash, identity_key, url_key


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTPS://Northline.EXAMPLE/World/Story", "https://northline.example/World/Story"),
        ("https://northline.example:443/a?b=2&a=1#frag", "https://northline.example/a?a=1&b=2"),
        ("http://northline.example:80/a", "http://northline.example/a"),
        ("http://northline.example:8080/a", "http://northline.example:8080/a"),
        (
            "https://northline.example/a?utm_source=rss&utm_medium=feed&id=7&fbclid=XyZ&gclid=1&mc_cid=2",
            "https://northline.example/a?id=7",
        ),
        ("https://northline.example/a?UTM_Campaign=x", "https://northline.example/a"),
        ("https://northline.example", "https://northline.example/"),
        ("  https://northline.example./a  ", "https://northline.example/a"),
        ("tag:kyivledger.example,2025:1", "tag:kyivledger.example,2025:1"),
        ("not a url", "not a url"),
        ("https://[::1]:8443/x", "https://[::1]:8443/x"),
    ],
)
def test_canonical_url(raw: str, expected: str) -> None:
    assert canonical_url(raw) == expected


def test_canonical_url_keeps_query_encoding_and_meaningful_params() -> None:
    url = "https://desk.example/search?q=peace%20talks&page=2&ref=home"
    assert canonical_url(url) == "https://desk.example/search?page=2&q=peace%20talks&ref=home"


def test_url_key_ignores_scheme_and_www() -> None:
    a = url_key("http://www.northline.example/world/x?utm_source=a")
    b = url_key("https://northline.example/world/x")
    assert a == b == "url:northline.example/world/x"
    assert url_key("https://northline.example/world/y") != a


def test_identity_prefers_guid_then_link_then_hash() -> None:
    feed = "https://northline.example/rss"
    assert identity_key("nl-1", "https://northline.example/a", "T", "C", feed).startswith("guid:")
    assert identity_key(None, "https://northline.example/a?utm_source=x", "T", "C", feed) == (
        "url:northline.example/a"
    )
    assert identity_key("  ", "", "Title", "Body", feed) == "hash:" + content_hash("Title", "Body")


def test_plain_guid_is_scoped_by_feed_but_url_guid_is_global() -> None:
    a = identity_key("12345", None, feed_url="https://one.example/rss")
    b = identity_key("12345", None, feed_url="https://two.example/rss")
    assert a != b
    assert identity_key("12345", None, feed_url="HTTPS://ONE.example/rss") == a
    url_guid = "https://northline.example/world/kremlin-revised-draft"
    assert identity_key(url_guid, None, feed_url="https://one.example/rss") == identity_key(
        url_guid, None, feed_url="https://two.example/rss"
    )


def test_content_hash_ignores_markup_case_and_whitespace() -> None:
    base = content_hash("Envoys meet in Geneva", "<p>Talks   resumed on Monday.</p>")
    assert base == content_hash("envoys meet in geneva", "Talks resumed\non Monday.")
    assert base != content_hash("Envoys meet in Geneva", "Talks resumed on Tuesday.")
    assert len(base) == 32
