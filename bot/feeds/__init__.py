"""Feeds stage: fetch RSS/Atom feeds politely and safely, parse entries, give each article one identity."""

from __future__ import annotations

from bot.feeds.fetch import USER_AGENT, FeedFetcher, FetchResult
from bot.feeds.fulltext import full_text, html_fragment_to_text, is_teaser
from bot.feeds.identity import canonical_url, content_hash, identity_key, url_key
from bot.feeds.parse import FeedItem, FeedParseError, ParsedFeed, parse_feed
from bot.feeds.state import BackoffPolicy, FeedEvent, FeedState, next_state, select_new

__all__ = [
    "USER_AGENT",
    "BackoffPolicy",
    "FeedEvent",
    "FeedFetcher",
    "FeedItem",
    "FeedParseError",
    "FeedState",
    "FetchResult",
    "ParsedFeed",
    "canonical_url",
    "content_hash",
    "full_text",
    "html_fragment_to_text",
    "identity_key",
    "is_teaser",
    "next_state",
    "parse_feed",
    "select_new",
    "url_key",
]
