"""Render a command Reply for a terminal with rich; article strings are always plain Text, never markup."""

from __future__ import annotations

from datetime import timezone, tzinfo

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.style import Style
from rich.table import Table
from rich.text import Text

from bot.commands import replies as fmt
from bot.commands.replies import Reply
from bot.render.terminal import brief_renderable
from bot.store.records import QuoteHit, StoredBrief, TextHit


def reply_renderable(reply: Reply, tz: tzinfo = timezone.utc) -> RenderableType:
    """Tables for feeds, speakers and help; brief panels; plain lines for quotes and hits; red errors."""
    if reply.kind == "error":
        return Text(reply.text, style="red")
    render = _RENDERERS.get(reply.kind)
    if render is None:
        return Text(reply.text)
    return render(reply, tz)


def stored_brief_renderable(item: StoredBrief, tz: tzinfo = timezone.utc) -> RenderableType:
    """A stored brief's panel, with its outlet, time and link; the link line is clickable where supported."""
    source = fmt.source_line(item.feed_name, item.published or item.created_at, None, tz)
    panel = brief_renderable(item.brief, source or None)
    if not item.link:
        return panel
    return Group(panel, Text("  ") + Text(item.link, style=Style(dim=True, link=item.link)))


def _heading(reply: Reply) -> Text:
    return Text(reply.title or "", style="bold")


def _briefs(reply: Reply, tz: tzinfo) -> RenderableType:
    return Group(_heading(reply), *(stored_brief_renderable(b, tz) for b in reply.briefs))


def _quote(hit: QuoteHit, tz: tzinfo) -> Text:
    line = Text("“", style="italic") + Text(hit.text, style="italic") + Text("”", style="italic")
    line += Text(" — ") + Text(hit.speaker, style="bold cyan")
    if hit.role:
        line += Text(f" ({hit.role})", style="cyan")
    where = ", ".join(p for p in (hit.feed_name, fmt.day(hit.published, tz)) if p)
    if where:
        line += Text(", ") + Text(where, style="dim")
    if hit.link:
        line += Text(", ") + Text(hit.link, style=Style(dim=True, link=hit.link))
    return line


def _quotes(reply: Reply, tz: tzinfo) -> RenderableType:
    return Group(_heading(reply), *(_quote(q, tz) for q in reply.quotes))


def _hit(hit: TextHit, tz: tzinfo) -> Text:
    line = Text(f"[{hit.kind}] ", style="dim")
    if hit.kind == "quote":
        line += Text(f"“{hit.text}”", style="italic") + Text(" — ") + Text(hit.speaker or "", style="bold cyan")
    else:
        line += Text(hit.text)
    where = ", ".join(p for p in (hit.feed_name, fmt.day(hit.published, tz), hit.link) if p)
    if where:
        line += Text(f" ({where})", style="dim")
    return line


def _hits(reply: Reply, tz: tzinfo) -> RenderableType:
    return Group(_heading(reply), *(_hit(h, tz) for h in reply.hits))


def _speakers(reply: Reply, tz: tzinfo) -> RenderableType:
    table = Table(title=Text(reply.title or "Speakers"), title_justify="left")
    table.add_column("Speaker")
    table.add_column("Quotes", justify="right")
    table.add_column("Last quoted")
    for sp in reply.speakers:
        table.add_row(Text(sp.name), Text(str(sp.quotes)), Text(fmt.day(sp.last_quoted, tz)))
    return table


def _feeds(reply: Reply, tz: tzinfo) -> RenderableType:
    table = Table(title=Text(reply.title or "Feeds"), title_justify="left")
    for column in ("Name", "URL", "State", "Last polled"):
        table.add_column(column)
    for feed in reply.feeds:
        state = fmt.feed_state(feed)
        style = "green" if state == "ok" else "red" if state == "paused" else "yellow"
        table.add_row(Text(fmt.feed_name(feed)), Text(feed.url), Text(state, style=style),
                      Text(fmt.when(feed.last_polled_at, tz) or "never"))
    return table


def _digest(reply: Reply, tz: tzinfo) -> RenderableType:
    parts: list[RenderableType] = []
    for outlet, items in fmt.digest_groups(reply.briefs):
        bullets = Table.grid(padding=(0, 1))
        bullets.add_column(width=3, justify="right")
        bullets.add_column()
        for item in items:
            bullets.add_row(Text("•"), Text(fmt.digest_line(item)))
        parts += [Text(outlet, style="bold"), bullets]
    return Panel(Group(*parts), title=Text(reply.title or "Digest", style="bold"), title_align="left")


def _help(reply: Reply, tz: tzinfo) -> RenderableType:
    if len(reply.commands) == 1:
        return Text("\n".join(fmt.help_lines(reply.commands[0])))
    table = Table(title=Text(reply.title or "Commands"), title_justify="left", show_header=False)
    table.add_column("Usage", style="bold")
    table.add_column("What it does")
    for spec in reply.commands:
        table.add_row(Text(spec.usage), Text(spec.help))
    return Group(table, Text("More on one: help <command>", style="dim"))


_RENDERERS = {
    "briefs": _briefs, "quotes": _quotes, "hits": _hits, "speakers": _speakers, "feeds": _feeds,
    "digest": _digest, "help": _help,
}
