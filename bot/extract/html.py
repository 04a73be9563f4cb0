"""Article title and body text from an HTML page: trafilatura first, a plain paragraph pass as fallback."""

from __future__ import annotations

import html as _html
import logging
import re
from typing import Any

from bot.extract.clean import clean_text, split_title

__all__ = ["MAX_HTML_CHARS", "html_to_article", "html_to_text"]

log = logging.getLogger("bot.extract")
if logging.getLogger("trafilatura").level == logging.NOTSET:
    # Its parse errors on broken pages are handled here (plain-pass fallback); keep them off the user's console.
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)

MAX_HTML_CHARS = 1_500_000  # characters of markup parsed, after scripts and styles are removed
MAX_TRAFILATURA_TAGS = 40_000  # pages with more tags than this skip trafilatura (too slow) for the plain pass

_ACTIVE = re.compile(r"<(script|style|svg|template|math)(?=[\s/>])|<!--", re.I)
_CLOSERS = {name: re.compile(rf"</{name}\s*>", re.I) for name in ("script", "style", "svg", "template", "math")}
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>")
_P_OPEN = re.compile(r"<p\b[^>]*>", re.I)
_P_CLOSE = re.compile(r"</p\s*>|<(?:div|section|article|ul|ol|table|h\d|p)\b", re.I)
_TAG = re.compile(r"<[^<>]*>")
_MAX_PARAGRAPH = 20_000  # characters of one <p> read by the plain pass
_COMMENTS_START = re.compile(r"""\b(?:id|class)\s*=\s*["'][\w\s-]{0,80}?(?:comment|footer)""", re.I)
_SPACES = re.compile(r"\s+")
_CLUTTER_ATTR = re.compile(
    r"comment|share|social|related|promo|newsletter|cookie|banner|advert|(^|[\s_-])ads?($|[\s_-])|sidebar|footer"
    r"|(^|[\s_-])nav|subscribe|recommend|popular|most-read|tags|byline|caption|disqus|reply|breadcrumb", re.I)
_DROP_TAGS = ("nav", "header", "footer", "aside", "form", "figure", "figcaption", "button", "noscript", "iframe")
_SITE_SUFFIX = re.compile(r"^(.*\S)\s+[|–—·•-]\s+([^|–—·•]+)$")
_KEEP_TAGS = ("html", "body", "article", "main")


def html_to_text(html: str, url: str | None = None) -> tuple[str | None, str]:
    """(title, cleaned body text) of an article page; the body is "" when no article text is found."""
    title, text, _ = html_to_article(html, url)
    return title, text


def html_to_article(html: str, url: str | None = None) -> tuple[str | None, str, bool]:
    """(title, cleaned body text, truncated): truncated when the markup was cut to MAX_HTML_CHARS."""
    markup = _XML_DECL.sub("", _strip_active(html), count=1)
    if not markup.strip():
        return None, "", False
    truncated = len(markup) > MAX_HTML_CHARS
    if truncated:
        markup = markup[:MAX_HTML_CHARS]
    title, body = None, ""
    if markup.count("<") <= MAX_TRAFILATURA_TAGS:
        title, body = _trafilatura(markup, url)
    if not body.strip() or not title:
        tree = _parse(markup)
        if not title and tree is not None:
            title = _page_title(tree)
        if not body.strip() and tree is not None:
            body = _tree_paragraphs(tree)
    if not body.strip():
        body = _split_paragraphs(markup)
    text = clean_text(body)
    return _settle_title(title, text) + (truncated,)


def _strip_active(html: str) -> str:
    """`html` without scripts, styles, inline SVG and comments; linear even on unclosed tags."""
    out: list[str] = []
    pos = 0
    while True:
        match = _ACTIVE.search(html, pos)
        if match is None:
            out.append(html[pos:])
            break
        out.append(html[pos : match.start()])
        if match.group(1) is None:
            end = html.find("-->", match.end())
            if end < 0:
                break
            pos = end + 3
            continue
        tag_end = html.find(">", match.end())
        if tag_end < 0:
            break
        if html[tag_end - 1] == "/":
            pos = tag_end + 1
            continue
        close = _CLOSERS[match.group(1).lower()].search(html, tag_end)
        if close is None:
            break
        pos = close.end()
    return "".join(out)


def _trafilatura(markup: str, url: str | None) -> tuple[str | None, str]:
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(markup, url=url, include_comments=False, include_tables=False,
                                          favor_precision=True, with_metadata=True)
    except Exception as exc:  # noqa: BLE001 - a parser failure on a hostile page falls back to the plain pass
        log.debug("trafilatura failed on %s: %s", url or "page", exc)
        return None, ""
    if doc is None:
        return None, ""
    title = getattr(doc, "title", None) or None
    return (title.strip() if title else None), getattr(doc, "text", None) or ""


def _parse(markup: str) -> Any | None:
    import lxml.html

    try:
        parser = lxml.html.HTMLParser(huge_tree=True, remove_comments=True, remove_pis=True)
        return lxml.html.document_fromstring(markup, parser=parser)
    except Exception as exc:  # noqa: BLE001 - empty or unparseable markup
        log.debug("lxml could not parse page: %s", exc)
        return None


def _tree_paragraphs(tree: Any) -> str:
    """Text of the <p> elements of the article (or main, or body), skipping navigation and boxes."""
    for el in list(tree.iter(*_DROP_TAGS)):
        if el.getparent() is not None:
            el.drop_tree()
    for el in list(tree.iter()):
        attrs = f"{el.get('class', '')} {el.get('id', '')}" if isinstance(el.tag, str) else ""
        if attrs.strip() and el.tag not in _KEEP_TAGS and el.getparent() is not None and _CLUTTER_ATTR.search(attrs):
            el.drop_tree()
    root = next(tree.iter("article"), None)
    root = root if root is not None else next(tree.iter("main"), None)
    root = root if root is not None else tree
    texts = (_SPACES.sub(" ", p.text_content()).strip() for p in root.iter("p"))
    return "\n".join(t for t in texts if t)


def _split_paragraphs(markup: str) -> str:
    """Last resort for markup too deep for a tree parser: the text between <p> tags, found without parsing."""
    boxes = _COMMENTS_START.search(markup)
    if boxes is not None and _P_OPEN.search(markup, 0, boxes.start()):
        markup = markup[: boxes.start()]
    out = []
    for chunk in _P_OPEN.split(markup)[1:]:
        end = _P_CLOSE.search(chunk)
        chunk = chunk[: end.start()] if end else chunk[:_MAX_PARAGRAPH]
        text = _SPACES.sub(" ", _html.unescape(_TAG.sub(" ", chunk[:_MAX_PARAGRAPH]))).strip()
        if text:
            out.append(text)
    return "\n".join(out)


def _page_title(tree: Any) -> str | None:
    """og:title, else the <h1>, else <title> without a trailing site name."""
    for meta in tree.iter("meta"):
        if (meta.get("property") or meta.get("name") or "").lower() in ("og:title", "twitter:title"):
            content = _SPACES.sub(" ", meta.get("content") or "").strip()
            if content:
                return content
    for tag in ("h1", "title"):
        el = next(tree.iter(tag), None)
        text = _SPACES.sub(" ", el.text_content()).strip() if el is not None else ""
        site = _SITE_SUFFIX.match(text) if tag == "title" else None
        if site and len(site.group(2).split()) <= 4:
            text = site.group(1)
        if text:
            return text
    return None


def _settle_title(title: str | None, text: str) -> tuple[str | None, str]:
    """Drop the headline from the top of the body when it repeats the title; find one when there is none."""
    if not title:
        return split_title(text)
    title = " ".join(title.split()) or None
    first, _, rest = text.partition("\n")
    if title and rest and _same_headline(first, title):
        return title, rest
    return title, text


def _same_headline(line: str, title: str) -> bool:
    a, b = _words(line), _words(title)
    if not a or not b:
        return False
    return a == b or (len(a & b) >= 0.8 * max(len(a), len(b)) and len(line) < 2 * len(title))


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))
