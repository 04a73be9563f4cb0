"""The offline demo: three fictional outlets' feeds and pages, served locally, and the story they cover."""

from __future__ import annotations

from bot.demo.server import DATA_DIR, PLACEHOLDER, DemoServer
from bot.pipeline.story_filter import StorySpec

__all__ = ["DATA_DIR", "DEMO_FEEDS", "DEMO_STORY", "PLACEHOLDER", "DemoServer"]

DEMO_FEEDS: dict[str, str] = {
    "kyiv-ledger": "Kyiv Ledger",  # RSS 2.0, full text in content:encoded
    "baltic-wire": "Baltic Wire",  # Atom, teasers only: the article pages must be fetched
    "continental-review": "Continental Review",  # RSS 2.0, short descriptions, cluttered pages
}
"""Feed name on the demo server (DemoServer.feed_urls key) -> outlet name."""

DEMO_STORY = StorySpec(
    description=(
        "US-brokered negotiations to end Russia's war in Ukraine: ceasefire proposals, peace plans, "
        "security guarantees for Ukraine, territorial questions and prisoner exchanges."
    ),
    include=("peace talks", "peace plan", "ceasefire", "security guarantees", "Witkoff", "Kushner", "Zelensky",
             "Umerov", "Peskov", "Ushakov", "Rubio"),
    exclude=("football",),
)
"""The story the demo follows: keeps the 11 talks articles, drops the football report and the cooking column."""
