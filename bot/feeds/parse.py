"""Feed parsing: RSS 0.9x/1.0/2.0 and Atom bytes -> FeedItem list via feedparser, entity bombs refused."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from time import struct_time
from typing import Any
from urllib.parse import urljoin

import feedparser

from bot.feeds.fulltext import html_fragment_to_text, is_teaser
from bot.feeds.identity import canonical_url, identity_key, url_key

MAX_ENTITIES = 64
"""Most character-reference entity declarations accepted in a feed's DOCTYPE."""

_FIRST_ELEMENT_RE = re.compile(rb"<[A-Za-z_]")
_ENTITY_DECL_RE = re.compile(rb"<!ENTITY\b[^>]*>", re.IGNORECASE)
_SAFE_ENTITY_RE = re.compile(rb'<!ENTITY\s+[A-Za-z_][\w.-]*\s+"&#x?[0-9A-Fa-f]{1,6};"\s*>')
_UTF16_MARKS = ("<!ENTITY".encode("utf-16-le"), "<!ENTITY".encode("utf-16-be"))
_ENCODING_ONLY = (feedparser.CharacterEncodingOverride,)


class FeedParseError(ValueError):
    """The body is not a usable feed; the message is a one-line reason."""


@dataclass(frozen=True)
class FeedItem:
    """One feed entry. `content` is content:encoded / Atom content (sanitised HTML or text)."""

    identity: str
    guid: str | None
    link: str | None
    canonical_link: str | None
    title: str | None
    summary: str | None
    content: str | None
    published: datetime | None
    updated: datetime | None
    author: str | None
    needs_fulltext: bool
    feed_url: str = ""

    @property
    def keys(self) -> frozenset[str]:
        """Every dedupe key of this item: its identity and, when it has a link, the link's key."""
        if self.canonical_link:
            return frozenset({self.identity, url_key(self.canonical_link)})
        return frozenset({self.identity})

    @property
    def when(self) -> datetime | None:
        """Publication time, else update time (UTC)."""
        return self.published or self.updated


@dataclass
class ParsedFeed:
    """A parsed feed: its title, its items, and a one-line warning when it was parsed leniently."""

    title: str | None
    items: list[FeedItem] = field(default_factory=list)
    warning: str | None = None


def parse_feed(
    data: bytes, url: str = "", content_type: str | None = None, base_url: str | None = None
) -> ParsedFeed:
    """Parse the bytes of the feed subscribed as `url`; raise FeedParseError when they are not a usable feed.

    Relative entry links are resolved against `base_url` (the URL after redirects; default `url`), and
    guids are scoped by `url`.

    XML entity declarations other than a few character references (`<!ENTITY nbsp "&#160;">`) are
    refused before any XML parser sees the body, whatever the expat version (billion laughs, quadratic
    blowup, external entities).
    """
    _refuse_entity_declarations(data)
    # No content-location: feedparser would resolve non-URL guids against it and change their identity.
    headers = {"content-type": content_type} if content_type else {}
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    items = [item for entry in parsed.entries if (item := _to_item(entry, url, base_url or url)) is not None]
    version = parsed.get("version") or ""
    if not version and not items:
        kind = (content_type or "").split(";")[0].strip() or "unknown type"
        raise FeedParseError(f"not an RSS/Atom feed ({kind}{': ' + _one_line(problem) if problem else ''})")
    if problem is not None and not items and not isinstance(problem, _ENCODING_ONLY):
        raise FeedParseError(f"malformed feed, no usable items: {_one_line(problem)}")
    title = (parsed.feed.get("title") or "").strip() or None
    warning = None
    if problem is not None:
        label = "encoding problem" if isinstance(problem, _ENCODING_ONLY) else "malformed XML"
        warning = f"{label}, parsed leniently: {_one_line(problem)}"
    return ParsedFeed(title=title, items=items, warning=warning)


def _refuse_entity_declarations(data: bytes) -> None:
    match = _FIRST_ELEMENT_RE.search(data)
    head = data[: match.start()] if match else data
    if any(mark in head for mark in _UTF16_MARKS):
        raise FeedParseError("refused: XML entity declarations in a UTF-16 prolog (possible entity bomb)")
    decls = _ENTITY_DECL_RE.findall(head)
    if head.upper().count(b"<!ENTITY") != len(decls):
        raise FeedParseError("refused: unterminated XML entity declaration (possible entity bomb)")
    if len(decls) > MAX_ENTITIES:
        raise FeedParseError(f"refused: {len(decls)} XML entity declarations (possible entity bomb)")
    for decl in decls:
        if not _SAFE_ENTITY_RE.fullmatch(decl):
            raise FeedParseError("refused: XML entity declaration that is not a character reference (possible entity bomb)")


def _to_item(entry: Any, feed_url: str, base_url: str) -> FeedItem | None:
    guid = _text(entry.get("id"))
    link = _text(entry.get("link"))
    if link and base_url:
        link = urljoin(base_url, link)
    title = _text(entry.get("title"))
    if title and "html" in ((entry.get("title_detail") or {}).get("type") or ""):
        title = html_fragment_to_text(title).replace("\n", " ") or None
    content = _best_content(entry.get("content") or [])
    summary = _text(entry.get("summary"))
    if summary is not None and summary == content:
        summary = None
    if not (guid or link or title or content or summary):
        return None
    canon = canonical_url(link) if link else None
    return FeedItem(
        identity=identity_key(guid, link, title, content or summary, feed_url),
        guid=guid,
        link=link,
        canonical_link=canon,
        title=title,
        summary=summary,
        content=content,
        published=_as_utc(dict.get(entry, "published_parsed")),  # dict.get: no feedparser aliasing
        updated=_as_utc(dict.get(entry, "updated_parsed")),
        author=_text(entry.get("author")),
        needs_fulltext=is_teaser(content or summary),
        feed_url=feed_url,
    )


def _best_content(contents: list[Any]) -> str | None:
    values = [c for c in contents if _text(c.get("value"))]
    if not values:
        return None
    html = [c for c in values if "html" in (c.get("type") or "")]
    best = max(html or values, key=lambda c: len(c.get("value") or ""))
    return _text(best.get("value"))


def _as_utc(value: struct_time | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime(*value[:6], tzinfo=timezone.utc)
    except (TypeError, ValueError):
        return None


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def _one_line(exc: BaseException | None) -> str:
    text = " ".join(str(exc or "").split()) or type(exc).__name__
    return text[:200]
