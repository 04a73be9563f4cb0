"""Full text of an entry: teaser detection, article page fetch and extraction, fallback to the entry."""

from __future__ import annotations

import html as _html
import re
from typing import TYPE_CHECKING

import lxml.html
from lxml import etree

if TYPE_CHECKING:
    from bot.feeds.fetch import FeedFetcher
    from bot.feeds.parse import FeedItem

TEASER_CHARS = 1200
"""An entry body shorter than this (as plain text) is treated as a teaser."""

_READ_MORE_RE = re.compile(
    r"(\u2026|\.\.\.|\[\s*(?:\u2026|\.\.\.)\s*\]|read more\W*|continue reading\W*|read the full (?:story|article)\W*"
    r"|the post .{1,300} appeared first on .{1,200})\s*$",
    re.IGNORECASE | re.DOTALL,
)
_BLOCK_TAGS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 blockquote pre tr table section article header footer figure"
    " figcaption dd dt hr".split()
)
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "svg")
_TAG_HINT_RE = re.compile(r"<[a-zA-Z!/]")
_SPACES_RE = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANKS_RE = re.compile(r"\n\s*\n+")


def html_fragment_to_text(fragment: str | None) -> str:
    """Plain text of an HTML (or plain-text) fragment, with one paragraph per line."""
    if not fragment or not fragment.strip():
        return ""
    if not _TAG_HINT_RE.search(fragment):
        return _tidy(_html.unescape(fragment))
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return _tidy(_html.unescape(re.sub(r"<[^>]*>", " ", fragment)))
    for bad in root.xpath("|".join(f".//{t}" for t in _DROP_TAGS)):
        bad.drop_tree()
    for el in root.iter():  # line breaks inside HTML text are only wrapping; blocks make paragraphs
        if el.text:
            el.text = el.text.replace("\n", " ")
        if el.tail:
            el.tail = el.tail.replace("\n", " ")
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() in _BLOCK_TAGS:
            el.tail = "\n" + (el.tail or "")
            if el.tag.lower() != "br":
                el.text = "\n" + (el.text or "")
    return _tidy(root.text_content())


def is_teaser(body: str | None, min_chars: int = TEASER_CHARS) -> bool:
    """True when an entry body (HTML or text) is missing, short, or a cut-off excerpt ("…", "Read more")."""
    text = html_fragment_to_text(body)
    if len(text) < min_chars:
        return True
    return len(text) < 3 * min_chars and bool(_READ_MORE_RE.search(text[-400:]))


async def full_text(fetcher: FeedFetcher, item: FeedItem) -> tuple[str | None, str]:
    """(title, text) of an item: the extracted article page when the entry is a teaser, else the entry's own.

    The page is fetched through `fetcher` (same client, caps and per-host limits) and extracted by
    `bot.extract.html.html_to_text`. When that fails, or yields less text than the entry carries, the
    entry's own content (or summary) is used.
    """
    own = html_fragment_to_text(item.content or item.summary)
    if item.needs_fulltext and item.link:
        page = await fetcher.fetch_page(item.link)
        if page is not None and len(page[1]) > len(own):
            return (item.title or page[0], page[1])
    return (item.title, own)


def _tidy(text: str) -> str:
    lines = (_SPACES_RE.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANKS_RE.sub("\n", "\n".join(lines)).strip()
