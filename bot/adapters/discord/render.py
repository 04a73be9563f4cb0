"""Briefs and command replies as Discord embeds: article text shown literally, always within Discord's limits."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timezone, tzinfo
from urllib.parse import quote, urlsplit

import discord

from bot.commands import replies as fmt
from bot.commands.replies import Reply
from bot.render.updates import also_reported, news_only, update_kind
from bot.store.records import QuoteHit, StoredBrief

NO_MENTIONS = discord.AllowedMentions.none()
TITLE_MAX, DESCRIPTION_MAX, FIELDS_MAX, FIELD_NAME_MAX, FIELD_VALUE_MAX = 256, 4096, 25, 256, 1024
FOOTER_MAX, EMBED_TOTAL_MAX, EMBEDS_PER_MESSAGE, CONTENT_MAX = 2048, 6000, 10, 2000
REF_PREFIX = "ref "
THREAD_NAME_MAX = 100
_QUOTES_RESERVE = 1500  # characters of the 6,000 kept for quote fields when the claims are very long
_MARKUP = re.compile(r"([\\*_~`|>\[\]<@])")


def plain(text: str, limit: int) -> str:
    """`text` with every markdown character escaped (no masked links, headers, mentions), at most `limit` long."""
    return _trim(_MARKUP.sub(r"\\\1", " ".join(text.split())), limit)


def _trim(text: str, limit: int) -> str:
    """`text` (already escaped) cut to `limit` with an ellipsis, never ending on a lone backslash."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - 1)]
    if (len(cut) - len(cut.rstrip("\\"))) % 2:
        cut = cut[:-1]
    return cut.rstrip() + "…"


def safe_link(url: str | None) -> str | None:
    """The URL if it is a plain http(s) link Discord accepts as an embed URL, else None."""
    if not url or len(url) > 2048 or any(c.isspace() or c in "<>\"" for c in url):
        return None
    parts = urlsplit(url)
    return url if parts.scheme in {"http", "https"} and parts.hostname else None


def ref_of(key: str) -> str:
    return f"{REF_PREFIX}{key}"


def brief_embed(item: StoredBrief, *, colour: int, tz: tzinfo = timezone.utc, key: str | None = None) -> discord.Embed:
    """The brief as one embed: linked title, claims, a field per quote, outlet and time (and ref) in the footer."""
    brief = item.brief
    embed = discord.Embed(title=plain(brief.title or "(untitled)", TITLE_MAX), url=safe_link(item.link),
                          colour=colour, timestamp=item.published or item.created_at)
    footer = " · ".join(p for p in (item.feed_name, fmt.when(item.published or item.created_at, tz)) if p)
    footer = plain(footer, 200) if footer else ""
    embed.set_footer(text=" · ".join(p for p in (footer, ref_of(key) if key else "") if p) or None)
    claims = "\n".join(f"• {plain(c.text, FIELD_VALUE_MAX)}" for c in brief.claims)
    also = _also_line(item)
    room = min(DESCRIPTION_MAX, EMBED_TOTAL_MAX - _QUOTES_RESERVE - _size(embed)) - len(also) - 2
    embed.description = "\n\n".join(p for p in (_cut_lines(claims, room), also) if p) or None
    budget = EMBED_TOTAL_MAX - _size(embed)
    shown = 0
    for q in brief.quotes[:FIELDS_MAX]:
        name = plain(fmt.speaker_label(q.speaker, q.role), FIELD_NAME_MAX)
        value = f"“{plain(q.text, FIELD_VALUE_MAX - 2)}”"
        if len(name) + len(value) > budget:
            break
        embed.add_field(name=name, value=value, inline=False)
        budget -= len(name) + len(value)
        shown += 1
    left = len(brief.quotes) - shown
    if left and embed.footer.text and len(embed.footer.text) + 30 < FOOTER_MAX and budget > 30:
        embed.set_footer(text=f"{embed.footer.text} · {left} more quote{'s' if left > 1 else ''}")
    return embed


def story_embed(item: StoredBrief, *, colour: int, tz: tzinfo = timezone.utc, key: str | None = None,
                threaded: bool) -> discord.Embed:
    """The brief for a channel (the full brief) or, `threaded`, as a reply in its story's thread.

    A reply is an update: the headline and only the claims and quotes new to the story, or, when nothing is new,
    one "Also reported by <outlet>: <headline>" line. Without story context the full brief is posted.
    """
    kind = update_kind(item, threaded=threaded)
    if kind == "quiet":
        return quiet_embed(item, colour=colour, key=key)
    return brief_embed(news_only(item) if kind == "news" else item, colour=colour, tz=tz, key=key)


def quiet_embed(item: StoredBrief, *, colour: int, key: str | None = None) -> discord.Embed:
    """One line for an article that adds nothing new to its story: who else reported it, its headline linked."""
    title = plain(item.brief.title or "(untitled)", TITLE_MAX)
    url = safe_link(item.link)
    who = f"Also reported by **{plain(item.feed_name, 200)}**: " if item.feed_name else "Also reported: "
    line = who + (f"[{title}]({_masked_target(url)})" if url else title)
    embed = discord.Embed(description=line, colour=colour, timestamp=item.published or item.created_at)
    return embed.set_footer(text=ref_of(key) if key else None)


def thread_name(item: StoredBrief) -> str:
    """The name of a story's thread: the story's title, else the headline (at most 100 characters, plain)."""
    name = " ".join(((item.story.title if item.story else None) or item.brief.title or "").split()) or "Story"
    return name if len(name) <= THREAD_NAME_MAX else name[: THREAD_NAME_MAX - 1].rstrip() + "…"


def _also_line(item: StoredBrief) -> str:
    """"*Also reported by: A, B and 3 more*" (escaped), naming the story's other outlets; "" when there are none."""
    line = also_reported(item, lambda name: plain(name, 100))
    return f"*{line}*" if line else ""


def _masked_target(url: str) -> str:
    """A safe_link URL with the characters that could end a masked link early (`( ) [ ] \\`) percent-encoded."""
    return quote(url, safe="".join(chr(c) for c in range(33, 127) if chr(c) not in "()[]\\"))


@dataclass
class Message:
    """What to send: plain content and/or embeds, and whether only the asker sees it."""

    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    ephemeral: bool = False


def reply_message(reply: Reply, *, colour: int, tz: tzinfo = timezone.utc) -> Message:
    """A command's reply as one Discord message (at most 10 embeds and 6,000 characters of embeds in all)."""
    if reply.kind == "briefs":
        embeds = _fit([brief_embed(b, colour=colour, tz=tz) for b in reply.briefs])
        more = len(reply.briefs) - len(embeds)
        content = plain(reply.title or "", 200) + (f" (showing {len(embeds)}; ask for fewer to see all)" if more else "")
        return Message(content or None, embeds, reply.ephemeral)
    if reply.kind == "quotes":
        return Message(None, [_quotes_embed(reply, colour, tz)], reply.ephemeral)
    if reply.kind in ("text", "error"):
        return Message(plain(reply.text, CONTENT_MAX), [], reply.ephemeral)
    lines = reply.text.splitlines()
    if reply.title and lines and lines[0] == reply.title:
        lines = lines[1:]
    body = _cut_lines("\n".join(plain(line, FIELD_VALUE_MAX) if line else "" for line in lines), DESCRIPTION_MAX)
    embed = discord.Embed(title=plain(reply.title or "briefbot", TITLE_MAX), description=body or None, colour=colour)
    return Message(None, [embed], reply.ephemeral)


def _quotes_embed(reply: Reply, colour: int, tz: tzinfo) -> discord.Embed:
    embed = discord.Embed(title=plain(reply.title or "Quotes", TITLE_MAX), colour=colour)
    budget = EMBED_TOTAL_MAX - _size(embed)
    for hit in reply.quotes[:FIELDS_MAX]:
        name, value = _quote_field(hit, tz)
        if len(name) + len(value) > budget:
            break
        embed.add_field(name=name, value=value, inline=False)
        budget -= len(name) + len(value)
    return embed


def _quote_field(hit: QuoteHit, tz: tzinfo) -> tuple[str, str]:
    name = plain(fmt.speaker_label(hit.speaker, hit.role), FIELD_NAME_MAX)
    where = ", ".join(plain(p, 200) for p in (hit.feed_name, fmt.day(hit.published, tz)) if p)
    link = safe_link(hit.link)
    tail = "\n" + " · ".join(p for p in (where, f"<{link}>" if link and len(link) < 400 else "") if p)
    quote = f"“{plain(hit.text, FIELD_VALUE_MAX - len(tail) - 2)}”"
    return name, (quote + tail.rstrip()) if tail.strip() else quote


def _fit(embeds: list[discord.Embed]) -> list[discord.Embed]:
    """As many embeds, in order, as one message may carry."""
    out: list[discord.Embed] = []
    total = 0
    for embed in embeds[:EMBEDS_PER_MESSAGE]:
        size = _size(embed)
        if total + size > EMBED_TOTAL_MAX:
            break
        out.append(embed)
        total += size
    return out


def _size(embed: discord.Embed) -> int:
    """Characters Discord counts towards the 6,000 limit (title, description, field names and values, footer)."""
    return len(embed)


def _cut_lines(text: str, limit: int) -> str:
    """`text` cut at a line boundary so it fits `limit` (the first line is cut mid-line if it must be)."""
    if len(text) <= limit:
        return text
    kept: list[str] = []
    size = 0
    for line in text.split("\n"):
        if size + len(line) + 1 > limit - 2:
            break
        kept.append(line)
        size += len(line) + 1
    return "\n".join(kept) + "\n…" if kept else _trim(text, limit)
