"""Render a story's later brief for a terminal: what it adds, indented under the story it updates."""

from __future__ import annotations

from datetime import timezone, tzinfo

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.style import Style
from rich.text import Text

from bot.commands import replies as fmt
from bot.store.records import StoredBrief


def story_update_renderable(item: StoredBrief, tz: tzinfo = timezone.utc) -> RenderableType:
    """An update line (story id and title, the article's outlet and headline), then its new claims and quotes and
    who else reported the story; one line when the article adds nothing."""
    ctx = item.story
    assert ctx is not None, "an update needs its story context"
    brief = item.brief
    head = Text("↳ ", style="bold magenta") + Text(f"story #{ctx.story_id}", style="magenta")
    if ctx.title and ctx.title != brief.title:  # the story may since have taken this article's headline
        head += Text(" · ") + Text(ctx.title)
    source = fmt.source_line(item.feed_name, item.published or item.created_at, None, tz)
    lines = [Text(brief.title or "(untitled)", style="bold")]
    where = Text(source, style="dim")
    if item.link:
        where += Text(" · " if source else "", style="dim") + Text(item.link, style=Style(dim=True, link=item.link))
    lines.append(where)
    if not ctx.has_news:
        lines.append(Text("Nothing new in this article.", style="dim"))
    else:
        lines += [Text("  • ") + Text(brief.claims[i].text) for i in ctx.new_claims if i < len(brief.claims)]
        for i in ctx.new_quotes:
            if i >= len(brief.quotes):
                continue
            q = brief.quotes[i]
            who = Text(" — ") + Text(q.speaker, style="bold cyan") + (Text(f", {q.role}", style="cyan")
                                                                      if q.role else Text(""))
            lines.append(Text("  “", style="italic") + Text(q.text, style="italic") + Text("”", style="italic") + who)
    if ctx.also_reported_by:
        lines.append(Text("Also reported by ", style="dim") + Text(", ".join(ctx.also_reported_by)))
    return Group(head, Padding(Group(*lines), (0, 0, 0, 2)))
