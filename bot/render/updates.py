"""What a story update shows, whatever the platform: full brief, new items only, or one line; the other outlets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Literal

from bot.store.records import StoredBrief

MAX_OUTLETS = 8  # outlets named in an "Also reported by" line before "and N more"

UpdateKind = Literal["full", "news", "quiet"]


def update_kind(item: StoredBrief, *, threaded: bool) -> UpdateKind:
    """How to show `item`: in full (in the channel, without story context, or as its story's first article),
    its new claims and quotes only (a reply with news), or one "also reported" line (a reply with nothing new)."""
    story = item.story
    if not threaded or story is None or story.first:
        return "full"
    return "news" if story.has_news else "quiet"


def news_only(item: StoredBrief) -> StoredBrief:
    """The stored brief cut down to the claims and quotes its story context marks as new (in their order)."""
    if item.story is None:
        return item
    claims, quotes = set(item.story.new_claims), set(item.story.new_quotes)
    brief = replace(item.brief, claims=[c for i, c in enumerate(item.brief.claims) if i in claims],
                    quotes=[q for i, q in enumerate(item.brief.quotes) if i in quotes])
    return replace(item, brief=brief)


def also_reported(item: StoredBrief, clip: Callable[[str], str]) -> str:
    """"Also reported by: A, B and 3 more", naming the story's other outlets once each (spacing and case aside) and
    not the item's own, each passed through `clip` (the platform's trimming and escaping); "" when there are none."""
    own = (item.feed_name or "").casefold()
    names: dict[str, str] = {}
    for name in item.story.also_reported_by if item.story else []:
        key = " ".join(name.split()).casefold()
        if key and key != own:
            names.setdefault(key, clip(name))
    if not names:
        return ""
    shown = list(names.values())[:MAX_OUTLETS]
    more = len(names) - len(shown)
    return "Also reported by: " + ", ".join(shown) + (f" and {more} more" if more > 0 else "")
