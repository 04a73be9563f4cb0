"""The commands' handlers, one per spec: every adapter parses into a Command and gets back the same Reply."""

from __future__ import annotations

import asyncio
import inspect
import logging
import re
from urllib.parse import urlsplit

import numpy as np

from bot.commands import replies as fmt
from bot.commands import story_handlers  # noqa: F401 - registers latest, stories, story, quotes and digest
from bot.commands.context import CommandContext
from bot.commands.grammar import Command, CommandError, parse_text
from bot.commands.registry import HANDLERS, Handler, check_registry, handles
from bot.commands.replies import Reply
from bot.commands.spec import COMMANDS
from bot.commands.urlcheck import check_feed_url
from bot.store.records import FeedRecord, TextHit

log = logging.getLogger("bot.commands")

SEARCH_LIMIT = 8
SEMANTIC_THRESHOLD = 0.40  # cosine of MiniLM unit vectors; below this a match is mostly noise
SEMANTIC_MARGIN = 0.15  # and no further than this below the best match (fp32 MiniLM scores spread wider)


async def run_command(cmd: Command, ctx: CommandContext) -> Reply:
    """Run a parsed command. Never raises for the command's own failures: the user gets a one-line reply."""
    spec = COMMANDS[cmd.name]
    shown = spec.name.replace(".", " ")
    if spec.admin and not ctx.is_admin:
        return Reply.error(f"`{shown}` is for admins.")
    try:
        return await HANDLERS[cmd.name](cmd, ctx)
    except CommandError as exc:
        return Reply.error(str(exc))
    except Exception:
        log.exception("command %r failed (platform %s, channel %s, user %s)", cmd, ctx.platform, ctx.channel,
                      ctx.user)
        return Reply.error(f"Something went wrong running `{shown}`; the error was logged.")


async def handle_text(text: str, ctx: CommandContext) -> Reply:
    """Parse a typed command line and run it; a bad line gets its one-line usage message."""
    try:
        cmd = parse_text(text)
    except CommandError as exc:
        return Reply.error(str(exc))
    return await run_command(cmd, ctx)


@handles("speakers")
async def _speakers(cmd: Command, ctx: CommandContext) -> Reply:
    people = await asyncio.to_thread(ctx.store.speakers, cmd.args["n"])
    if not people:
        return Reply.info("No one has been quoted yet.")
    title = "Most quoted"
    lines = [fmt.speaker_line(p, ctx.tz) for p in people]
    return Reply(kind="speakers", title=title, text="\n".join([title, *lines]), speakers=tuple(people))


@handles("search")
async def _search(cmd: Command, ctx: CommandContext) -> Reply:
    words = cmd.args["words"]
    found = await asyncio.to_thread(ctx.store.search_text, words, SEARCH_LIMIT)
    try:
        found += await _semantic(words, ctx)
    except Exception:  # a broken encoder must not take the word search down with it
        log.exception("search by meaning failed for %r; answering by words only", words)
    hits = _dedupe(found)[:SEARCH_LIMIT]
    if not hits:
        return Reply.info(f"Nothing found for “{words}”.")
    title = f"Search: {words}"
    lines = [fmt.hit_line(h, ctx.tz) for h in hits]
    return Reply(kind="hits", title=title, text="\n".join([title, *lines]), hits=tuple(hits))


async def _semantic(words: str, ctx: CommandContext) -> list[TextHit]:
    """Stored claims and quotes closest in meaning to `words`, best first (none without an encoder)."""
    if ctx.encoder is None:
        return []
    query = await asyncio.to_thread(ctx.embed, words)
    if query is None:
        return []
    scored: list[tuple[float, str, int]] = []
    for kind in ("claim", "quote"):
        ids, matrix = await asyncio.to_thread(ctx.store.embeddings, kind)
        if not ids:
            continue
        if matrix.shape[1] != query.shape[0]:
            log.warning("search: stored %s embeddings have %d dimensions, the encoder %d; skipped",
                        kind, matrix.shape[1], query.shape[0])
            continue
        sims = matrix @ query
        for i in np.argsort(-sims)[:SEARCH_LIMIT]:
            scored.append((float(sims[i]), kind, ids[i]))
    if not scored:
        return []
    best = max(s for s, _, _ in scored)
    keep = sorted((s, k, i) for s, k, i in scored if s >= SEMANTIC_THRESHOLD and s >= best - SEMANTIC_MARGIN)
    keep.reverse()
    hits: list[TextHit] = []
    for kind in ("claim", "quote"):
        ids = [i for _, k, i in keep if k == kind]
        hits += await asyncio.to_thread(ctx.store.hits_by_ids, kind, ids)
    rank = {(k, i): n for n, (_, k, i) in enumerate(keep)}
    return sorted(hits, key=lambda h: rank[(h.kind, h.id)])


def _dedupe(hits: list[TextHit]) -> list[TextHit]:
    seen: set[tuple[str, int] | tuple[str, str]] = set()
    out = []
    for h in hits:
        text_key = (h.kind, " ".join(h.text.lower().split()))
        if (h.kind, h.id) in seen or text_key in seen:
            continue
        seen.update({(h.kind, h.id), text_key})
        out.append(h)
    return out


@handles("feeds")
async def _feeds(cmd: Command, ctx: CommandContext) -> Reply:
    feeds = await asyncio.to_thread(ctx.store.list_feeds)
    if not feeds:
        return Reply.info("No feeds yet." + (" Add one with: feeds add <url>" if ctx.is_admin else ""))
    title = f"Feeds ({len(feeds)})"
    lines = [fmt.feed_line(f, ctx.tz) for f in feeds]
    return Reply(kind="feeds", title=title, text="\n".join([title, *lines]), feeds=tuple(feeds))


@handles("feeds.add")
async def _feeds_add(cmd: Command, ctx: CommandContext) -> Reply:
    url = cmd.args["url"]
    reason = await check_feed_url(url, allow_private=ctx.allow_private)
    if reason is not None:
        return Reply.error(f"Cannot add {url}: {reason}.")
    feeds = await asyncio.to_thread(ctx.store.list_feeds)
    same_url = next((f for f in feeds if f.url == url), None)
    if same_url is not None:
        return Reply.info(f"Feed {fmt.feed_name(same_url)} ({url}) is already polled.", feeds=[same_url])
    name = cmd.args.get("name") or _name_for(url, feeds)
    if _find_feed(name, feeds) is not None:
        return Reply.error(f"A feed named {name} already exists; give this one another name: feeds add {url} NAME")
    feed, _ = await asyncio.to_thread(ctx.store.add_feed, url, name)
    await _feeds_changed(ctx)
    return Reply.info(f"Added feed {name} ({url}); first poll within a minute.", feeds=[feed])


@handles("feeds.remove")
async def _feeds_remove(cmd: Command, ctx: CommandContext) -> Reply:
    wanted = cmd.args["name"]
    feed = _find_feed(wanted, await asyncio.to_thread(ctx.store.list_feeds))
    if feed is None:
        return Reply.error(f"No feed named {wanted}. The list: feeds")
    await asyncio.to_thread(ctx.store.remove_feed, feed.id)
    await _feeds_changed(ctx)
    return Reply.info(f"Removed feed {fmt.feed_name(feed)} ({feed.url}); its briefs stay.", feeds=[feed])


def _find_feed(wanted: str, feeds: list[FeedRecord]) -> FeedRecord | None:
    """A feed by name (any case), URL or id."""
    for f in feeds:
        if (f.name or "").casefold() == wanted.casefold() or f.url == wanted or str(f.id) == wanted.lstrip("#"):
            return f
    return None


def _name_for(url: str, feeds: list[FeedRecord]) -> str:
    """A short unused name from the URL's host: news.example.org -> news-example-org."""
    host = (urlsplit(url).hostname or "feed").removeprefix("www.")
    base = re.sub(r"[^a-z0-9]+", "-", host.lower()).strip("-")[:40] or "feed"
    name, n = base, 1
    while _find_feed(name, feeds) is not None:
        n += 1
        name = f"{base}-{n}"
    return name


async def _feeds_changed(ctx: CommandContext) -> None:
    if ctx.on_feeds_changed is None:
        return
    result = ctx.on_feeds_changed()
    if inspect.isawaitable(result):
        await result


@handles("subscribe")
async def _subscribe(cmd: Command, ctx: CommandContext) -> Reply:
    added = await asyncio.to_thread(ctx.store.subscribe, ctx.platform, ctx.channel)
    if not added:
        return Reply.info("This channel is already subscribed.")
    return Reply.info("Subscribed: new briefs on the story will be posted in this channel.")


@handles("unsubscribe")
async def _unsubscribe(cmd: Command, ctx: CommandContext) -> Reply:
    removed = await asyncio.to_thread(ctx.store.unsubscribe, ctx.platform, ctx.channel)
    if not removed:
        return Reply.info("This channel was not subscribed.")
    return Reply.info("Unsubscribed: no more briefs will be posted in this channel.")


@handles("help")
async def _help(cmd: Command, ctx: CommandContext) -> Reply:
    topic = cmd.args.get("command")
    if topic:
        try:
            spec = parse_text(topic).spec
        except CommandError as exc:
            if exc.spec is None:
                return Reply.error(f"No command {topic[:40]!r}. Try: help")
            spec = exc.spec
        return Reply(kind="help", title=spec.usage, text="\n".join(fmt.help_lines(spec)), commands=(spec,),
                     ephemeral=True)
    specs = tuple(s for s in COMMANDS.values() if ctx.is_admin or not s.admin)
    lines = ["Commands:", *(f"{s.usage} — {s.help}" for s in specs), "More on one: help <command>"]
    return Reply(kind="help", title="Commands", text="\n".join(lines), commands=specs, ephemeral=True)


check_registry()


__all__ = ["HANDLERS", "Handler", "handle_text", "handles", "run_command"]
