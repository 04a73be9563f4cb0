"""Slack payloads in: a `/brief` slash command or an @mention becomes command text, channel, user and thread."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from typing import Any

_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|[^>]*)?>")  # <url> or <url|label>: the URL is the argument


@dataclass(frozen=True)
class SlackRequest:
    """One command asked in Slack: what was typed, where, by whom; `thread_ts` is where a reply goes (mentions)."""

    text: str
    channel: str
    user: str
    source: str  # "command" | "mention"
    thread_ts: str | None = None


def from_slash(body: dict[str, Any]) -> SlackRequest:
    """`/brief quotes Zelensky` -> text "quotes Zelensky" (empty text asks for help)."""
    return SlackRequest(text=_command_text(str(body.get("text") or "")), channel=str(body.get("channel_id") or ""),
                        user=str(body.get("user_id") or ""), source="command")


def from_mention(event: dict[str, Any], bot_user_id: str | None = None) -> SlackRequest | None:
    """`@briefbot latest 3` -> text "latest 3", answered in the mention's thread; None for other bots' messages."""
    if event.get("bot_id") or event.get("subtype") == "bot_message":
        return None
    raw = str(event.get("text") or "")
    if bot_user_id:
        raw = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", raw)
    else:
        raw = _MENTION.sub(" ", raw, count=1)
    thread = event.get("thread_ts") or event.get("ts")
    return SlackRequest(text=_command_text(raw), channel=str(event.get("channel") or ""),
                        user=str(event.get("user") or ""), source="mention",
                        thread_ts=str(thread) if thread else None)


def _command_text(raw: str) -> str:
    """Slack's markup undone: <https://x|x> -> https://x, &amp; -> &; blank -> "help"."""
    text = _LINK.sub(lambda m: m.group(1), raw)
    text = unescape(text).replace("\u00a0", " ")
    text = " ".join(text.split())
    return text or "help"
