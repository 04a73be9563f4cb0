"""Render a brief for a terminal with rich, treating every article string as plain text."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from bot.brief.types import Brief


def brief_renderable(brief: Brief, source: str | None = None) -> Panel:
    """A rich panel: title, key claims as bullets, quotes with speaker, role and how they were found."""
    parts: list[Text] = []
    if brief.claims:
        parts.append(Text("Key claims", style="bold"))
        for claim in brief.claims:
            parts.append(Text("  • ") + Text(claim.text))
    else:
        parts.append(Text("No key claims found.", style="dim"))
    parts.append(Text(""))
    if brief.quotes:
        parts.append(Text(f"Quotes ({len(brief.quotes)})", style="bold"))
        for q in brief.quotes:
            line = Text("  “", style="italic") + Text(q.text, style="italic") + Text("”", style="italic")
            who = Text("      — ") + Text(q.speaker, style="bold cyan")
            if q.role:
                who += Text(f", {q.role}", style="cyan")
            who += Text(f"  ({q.method}, {q.confidence:.2f})", style="dim")
            parts.extend([line, who])
    else:
        parts.append(Text("No direct quotes.", style="dim"))
    for note in brief.notes:
        parts.append(Text(f"note: {note}", style="yellow"))
    title = Text(brief.title or "(untitled)", style="bold")
    subtitle = Text(source, style="dim") if source else None
    return Panel(Group(*parts), title=title, title_align="left", subtitle=subtitle, subtitle_align="right")


def print_brief(console: Console, brief: Brief, source: str | None = None) -> None:
    """Print one brief to `console`."""
    console.print(brief_renderable(brief, source))
