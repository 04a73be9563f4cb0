"""Stories: one thread per event across outlets (clustering), what each later article adds, and a story's title."""

from bot.stories.cluster import Clusterer, Match, Member, StoryView, match_story
from bot.stories.desk import StoryUpdate, place_brief
from bot.stories.features import Signal, article_signal, entity_keys, lead_of
from bot.stories.novelty import has_news, repeated_claims, repeated_quotes, same_quote
from bot.stories.title import best_title, clean_headline

__all__ = [
    "Clusterer",
    "Match",
    "Member",
    "Signal",
    "StoryUpdate",
    "StoryView",
    "article_signal",
    "best_title",
    "clean_headline",
    "entity_keys",
    "has_news",
    "lead_of",
    "match_story",
    "place_brief",
    "repeated_claims",
    "repeated_quotes",
    "same_quote",
]
