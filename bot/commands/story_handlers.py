"""Handlers that see stories: `stories`, `story`, and `latest`, `quotes` and `digest` grouped by story."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta

from bot.brief.speakers import query_keys
from bot.commands import replies as fmt
from bot.commands import story_replies as sfmt
from bot.commands.context import CommandContext
from bot.commands.grammar import Command
from bot.commands.registry import handles
from bot.commands.replies import Reply
from bot.store.records import QuoteHit, StoredBrief
from bot.store.story_queries import QuoteSource, StoryBrief, StoryItem

MAX_ID_DIGITS = 9  # a longer number is no story id (and would overflow an SQL integer): it is matched as words
QUOTE_FETCH_FACTOR = 4  # quotes fetched per quote shown, so repeats folded into one still leave `n` to show


@handles("stories")
async def _stories(cmd: Command, ctx: CommandContext) -> Reply:
    hours = ctx.stories_window_hours
    since = ctx.clock() - timedelta(hours=hours)
    stories = await asyncio.to_thread(ctx.store.list_stories, cmd.args["n"], since=since)
    if not stories:
        return Reply.info(f"No stories updated in the last {hours} hours.")
    title = f"Stories updated in the last {hours} h, newest first"
    lines = [sfmt.story_line(s, ctx.tz) for s in stories]
    return Reply(kind="stories", title=title, text="\n".join([title, *lines]), stories=tuple(stories))


@handles("story")
async def _story(cmd: Command, ctx: CommandContext) -> Reply:
    wanted = cmd.args["story"]
    number = wanted.removeprefix("#")
    is_id = number.isascii() and number.isdigit() and len(number) <= MAX_ID_DIGITS  # not "²"
    story = await asyncio.to_thread(ctx.store.story_brief, int(number)) if is_id else None
    if story is None:  # words, or a number that is no story's id but may be in a headline ("story 300")
        found = await asyncio.to_thread(ctx.store.find_stories, wanted, 1)
        story = await asyncio.to_thread(ctx.store.story_brief, found[0]) if found else None
    if story is None:
        missing = f"No story #{number}" if is_id else f"No story matches “{wanted}”"
        return Reply.info(f"{missing}. The list: stories")
    lines = sfmt.story_lines(story, ctx.tz)
    return Reply(kind="story", title=lines[0], text="\n".join(lines), story_briefs=(story,))


@handles("latest")
async def _latest(cmd: Command, ctx: CommandContext) -> Reply:
    entries = await asyncio.to_thread(ctx.store.latest_entries, cmd.args["n"])
    if not any(e.story_id is not None for e in entries):
        return await _latest_briefs(cmd, ctx)
    stories: list[StoryBrief] = []
    briefs: list[StoredBrief] = []
    blocks: list[list[str]] = []
    budget = sfmt.MESSAGE_BUDGET // len(entries) - 2
    for entry in entries:
        if entry.story_id is not None:
            story = await asyncio.to_thread(ctx.store.story_brief, entry.story_id)
            if story is not None:
                stories.append(story)
                blocks.append(sfmt.story_top_lines(story, ctx.tz, budget))
        elif entry.brief_id is not None:
            item = await asyncio.to_thread(ctx.store.get_brief, entry.brief_id)
            if item is not None:
                briefs.append(item)
                blocks.append(_cut(fmt.brief_lines(item, ctx.tz), budget))
    if not blocks:  # the stories went away meanwhile
        return await _latest_briefs(cmd, ctx)
    title = _latest_title(len(stories), len(briefs))
    text = "\n".join([title, "", *sfmt.fit_blocks(blocks, sfmt.MESSAGE_BUDGET - len(title))])
    return Reply(kind="stories", title=title, text=text, briefs=tuple(briefs), story_briefs=tuple(stories))


async def _latest_briefs(cmd: Command, ctx: CommandContext) -> Reply:
    """`latest` before stories: the newest single briefs."""
    briefs = await asyncio.to_thread(ctx.store.latest_briefs, cmd.args["n"])
    if not briefs:
        return Reply.info("No briefs yet.")
    title = "Latest brief" if len(briefs) == 1 else f"Latest {len(briefs)} briefs"
    text = "\n\n".join("\n".join(fmt.brief_lines(b, ctx.tz)) for b in briefs)
    return Reply(kind="briefs", title=title, text=f"{title}\n\n{text}", briefs=tuple(briefs))


def _latest_title(stories: int, briefs: int) -> str:
    if not briefs:
        return "Latest story" if stories == 1 else f"Latest {stories} stories"
    return f"Latest: {sfmt.plural(stories, 'story', 'stories')} and {sfmt.plural(briefs, 'brief')} not in a story"


def _cut(lines: list[str], budget: int) -> list[str]:
    out: list[str] = []
    for n, line in enumerate(lines):
        if out and sum(len(x) + 1 for x in out) + len(line) + 1 > budget:
            return out + [f"… +{len(lines) - n} more lines"]
        out.append(line)
    return out


@handles("quotes")
async def _quotes(cmd: Command, ctx: CommandContext) -> Reply:
    who, n = cmd.args["speaker"], cmd.args["n"]
    found = await asyncio.to_thread(ctx.store.quotes_by_speaker, query_keys(who), n * QUOTE_FETCH_FACTOR)
    if not found:
        return Reply.info(f"No quotes from {who} yet.")
    sources = await asyncio.to_thread(ctx.store.quote_sources, [h.id for h in found])
    hits = _fold_quotes(found, sources)[:n]
    keys = {h.speaker_key for h in hits}
    named = max((h.speaker for h in hits), key=len) if len(keys) == 1 else who  # one person: their fullest name
    title = f"Quotes from {named}, newest first"
    lines = [fmt.quote_line(h, ctx.tz) for h in hits]
    return Reply(kind="quotes", title=title, text="\n".join([title, *lines]), quotes=tuple(hits))


def _fold_quotes(hits: list[QuoteHit], sources: dict[int, QuoteSource]) -> list[QuoteHit]:
    """One hit per quote, newest first: the same words (same story item, or same speaker and text) once.

    The hit shown names every outlet that carried the quote, first seen first, in `feed_name`.
    """
    groups: list[tuple[QuoteHit, list[str]]] = []
    index: dict[tuple[str, object], int] = {}
    for hit in hits:
        source = sources.get(hit.id)
        keys = [("text", (hit.speaker_key, " ".join(hit.text.casefold().split())))]
        if source is not None:
            keys.append(("story", source.canonical_id))
        outlets = list(source.outlets) if source is not None and source.outlets else [hit.feed_name or ""]
        at = next((index[k] for k in keys if k in index), None)
        if at is None:
            at = len(groups)
            groups.append((hit, []))
        for k in keys:
            index.setdefault(k, at)
        names = groups[at][1]
        names += [o for o in outlets if o and o not in names]
    return [replace(hit, feed_name=", ".join(names) or hit.feed_name) for hit, names in groups]


@handles("digest")
async def _digest(cmd: Command, ctx: CommandContext) -> Reply:
    now = ctx.clock().astimezone(ctx.tz)
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + timedelta(days=1)  # wall-clock arithmetic: the next local midnight, DST or not
    briefs = await asyncio.to_thread(ctx.store.briefs_between, start, end, channel=(ctx.platform, ctx.channel))
    title = f"Digest for {fmt.day(start, ctx.tz)}"
    if not briefs:
        return Reply.info(f"{title}: no briefs for this channel today.")
    stories: dict[int, StoryBrief] = {}
    for sid in dict.fromkeys(b.story.story_id for b in briefs if b.story is not None):
        story = await asyncio.to_thread(ctx.store.story_brief, sid)
        if story is not None:
            stories[sid] = story
    ours = {b.id for b in briefs}
    lines = [title]
    for heading, items in fmt.digest_groups(briefs):
        story_ctx = items[0].story
        story = stories.get(story_ctx.story_id) if story_ctx is not None else None
        if story is None:
            lines += ["", heading, *(f"• {fmt.digest_line(b)}" for b in items)]
            continue
        fresh = [b.id for b in items]
        claims = _new_in(story.claims, start, end, ours)
        quotes = _new_in(story.quotes, start, end, ours)
        outlets = list(dict.fromkeys(o for a in story.articles if a.brief_id in fresh for o in a.outlets))
        lines += ["", *sfmt.digest_story_lines(story, claims, quotes, outlets)]
    return Reply(kind="digest", title=title, text="\n".join(lines), briefs=tuple(briefs),
                 story_briefs=tuple(stories.values()))


def _new_in(items: list[StoryItem], start: datetime, end: datetime, briefs: set[int]) -> list[StoryItem]:
    """The story's claims or quotes first stored in [start, end) and carried by one of this channel's briefs."""
    return [i for i in items if start <= i.first_stored < end and briefs.intersection(i.brief_ids)]
