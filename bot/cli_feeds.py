"""`briefbot feeds import FILE.opml` and `briefbot feeds export [FILE]`: the feed list in and out as OPML."""

from __future__ import annotations

import argparse
import asyncio
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

MAX_OPML_BYTES = 5 * 1024 * 1024
"""Largest OPML file read; a subscription list is a few kilobytes."""
MAX_OUTLINES = 5000
"""Most feeds one import takes."""
NAME_MAX = 200  # the store's feed name column
_CHECKS = 16  # URL checks (DNS look-ups) at a time
_ENTITY_MARKS = tuple("<!entity".encode(enc) for enc in ("ascii", "utf-16-le", "utf-16-be"))


class OpmlError(ValueError):
    """The file is not an OPML subscription list we will read; the message is one line."""


@dataclass(frozen=True)
class OpmlFeed:
    """One feed outline: its URL, a name from its title/text (None when it has neither) and its folder path."""

    url: str
    name: str | None
    folder: tuple[str, ...] = ()
    copies: int = 1  # how many outlines of the file carry this exact URL


def add_feeds_command(sub: Any) -> None:
    """Register `feeds import` and `feeds export`."""
    p = sub.add_parser("feeds", help="import or export the polled feeds as OPML")
    actions = p.add_subparsers(dest="feeds_action", metavar="ACTION", required=True)
    imp = actions.add_parser("import", help="add every feed of an OPML file (one line per feed refused)")
    imp.add_argument("file", metavar="FILE.opml", help="OPML file (- for standard input)")
    exp = actions.add_parser("export", help="write the polled feeds as OPML 2.0")
    exp.add_argument("file", nargs="?", default=None, metavar="FILE", help="output file (default: standard output)")
    for action, handler in ((imp, run_import), (exp, run_export)):
        action.add_argument("--config", metavar="PATH", help="config file (default: $BRIEFBOT_CONFIG or defaults)")
        action.set_defaults(handler=handler)


def read_opml(data: bytes) -> list[OpmlFeed]:
    """The feeds of an OPML document, nested outlines included, each URL once; OpmlError when it is refused.

    Refused before any parser sees them: files over MAX_OPML_BYTES and any XML entity declaration (an OPML
    list needs none; they are how entity bombs work).
    """
    import listparser

    if len(data) > MAX_OPML_BYTES:
        raise OpmlError(f"refused: {len(data)} bytes, more than the {MAX_OPML_BYTES}-byte limit for an OPML file")
    lowered = data.lower()
    if any(mark in lowered for mark in _ENTITY_MARKS):
        raise OpmlError("refused: XML entity declarations (possible entity bomb)")
    parsed = listparser.parse(bytes(data))
    if not str(parsed.get("version") or "").startswith("opml"):
        raise OpmlError("not an OPML file (no <opml> root element)")
    copies = _url_counts(data)
    feeds = []
    for found in parsed.feeds:
        url = str(found.get("url") or "").strip()
        if not url:
            continue
        title = " ".join(str(found.get("title") or "").split())[:NAME_MAX] or None
        folder = tuple(str(c) for c in (found.get("categories") or [[]])[0]) if found.get("categories") else ()
        feeds.append(OpmlFeed(url=url, name=title, folder=folder, copies=max(1, copies.get(url, 1))))
    if len(feeds) > MAX_OUTLINES:
        raise OpmlError(f"refused: {len(feeds)} feeds, more than {MAX_OUTLINES} in one import")
    return feeds


def opml_document(feeds: Sequence[Any], title: str = "briefbot feeds", now: datetime | None = None) -> bytes:
    """An OPML 2.0 document (UTF-8 bytes) with one `rss` outline per feed record (`url`, `name`)."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(now or datetime.now(timezone.utc), usegmt=True)
    body = ET.SubElement(root, "body")
    for feed in feeds:
        name = feed.name or feed.url
        ET.SubElement(body, "outline", type="rss", text=name, title=name, xmlUrl=feed.url)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


async def import_feeds(store: Any, feeds: Sequence[OpmlFeed], *, allow_private: bool = False) -> tuple[int, list[str]]:
    """Add `feeds` to the store; returns (how many were added, one line per feed added, skipped or refused)."""
    from bot.commands.urlcheck import check_feed_url
    from bot.feeds import canonical_url

    gate = asyncio.Semaphore(_CHECKS)

    async def check(url: str) -> str | None:
        async with gate:
            return await check_feed_url(url, allow_private=allow_private)

    reasons = await asyncio.gather(*(check(f.url) for f in feeds))
    existing = await asyncio.to_thread(store.list_feeds)
    by_url = {canonical_url(f.url): f for f in existing}
    names = {(f.name or "").casefold() for f in existing}
    added, lines = 0, []
    for feed, reason in zip(feeds, reasons):
        if feed.copies > 1:
            lines.append(f"duplicate: {feed.url} appears {feed.copies} times in the file; taken once")
        if reason is not None and not reason.startswith("cannot resolve"):
            lines.append(f"refused: {feed.url}: {reason}")
            continue
        same = by_url.get(canonical_url(feed.url))
        if same is not None:
            lines.append(f"skipped: {feed.url} is already polled as {same.name or same.url}")
            continue
        name = _unique(feed.name or _host(feed.url), names)
        record, created = await asyncio.to_thread(store.add_feed, feed.url, name)
        by_url[canonical_url(feed.url)] = record
        if created:
            names.add(name.casefold())
            added += 1
            note = f" (warning: {reason} now; the poller checks it on every fetch)" if reason else ""
            lines.append(f"added: {name} ({feed.url}){note}")
    return added, lines


def run_import(args: argparse.Namespace) -> int:
    """0 when every feed was added or already polled, 1 when some were refused, 2 when the file was refused."""
    settings = _settings(args.config)
    try:
        feeds = read_opml(_read_capped(args.file))
    except (OpmlError, OSError) as exc:
        message = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        print(f"briefbot: {args.file}: {message}", file=sys.stderr)
        return 2
    store = _open(settings)
    if store is None:
        return 1
    try:
        added, lines = asyncio.run(import_feeds(store, feeds,
                                                allow_private=settings.fetch.allow_private_addresses))
    finally:
        store.close()
    for line in lines:
        print(line)
    refused = sum(line.startswith("refused:") for line in lines)
    skipped = sum(line.startswith("skipped:") for line in lines)
    print(f"{added} feeds added, {skipped} already polled, {refused} refused ({len(feeds)} in {args.file})")
    return 1 if refused else 0


def run_export(args: argparse.Namespace) -> int:
    """Write the store's feeds as OPML 2.0 to FILE or standard output; the count goes to standard error."""
    settings = _settings(args.config)
    store = _open(settings)
    if store is None:
        return 1
    try:
        feeds = store.list_feeds()
    finally:
        store.close()
    document = opml_document(feeds, title=f"{settings.bot.name} feeds")
    if args.file in (None, "-"):
        sys.stdout.buffer.write(document)
        sys.stdout.flush()
    else:
        try:
            Path(args.file).write_bytes(document)
        except OSError as exc:
            print(f"briefbot: {args.file}: {exc.strerror or exc}", file=sys.stderr)
            return 1
    print(f"exported {len(feeds)} feeds to {args.file or 'standard output'}", file=sys.stderr)
    return 0


def _url_counts(data: bytes) -> Counter[str]:
    """How many outlines carry each xmlUrl (listparser keeps one of each; the count is for the report)."""
    import lxml.etree

    parser = lxml.etree.HTMLParser(recover=True, no_network=True)
    root = lxml.etree.fromstring(data, parser)
    if root is None:
        return Counter()
    return Counter((el.get("xmlurl") or "").strip() for el in root.iter("outline") if el.get("xmlurl"))


def _unique(name: str, taken: set[str]) -> str:
    base, n = name[:NAME_MAX], 1
    while name.casefold() in taken:
        n += 1
        suffix = f" ({n})"
        name = base[: NAME_MAX - len(suffix)] + suffix
    return name


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return (urlsplit(url).hostname or url).removeprefix("www.")


def _read_capped(path: str) -> bytes:
    stream = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115 - closed below
    try:
        return stream.read(MAX_OPML_BYTES + 1)  # one byte more than allowed is enough to refuse it
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def _settings(path: str | None) -> Any:
    from bot.cli_run import _settings as load

    return load(path)


def _open(settings: Any) -> Any:
    """The store, or None after one line on stderr (unreachable, unwritable, unknown revision)."""
    from bot.config.checks import mask_password
    from bot.logs import redact
    from bot.store import open_store

    try:
        return open_store(settings.store.url)
    except Exception as exc:  # noqa: BLE001 - one line, not a traceback
        reason = (str(exc).strip().splitlines() or [""])[0] or type(exc).__name__
        print(redact(f"briefbot: cannot open the store {mask_password(settings.store.url)}: {reason}"),
              file=sys.stderr)
        return None
