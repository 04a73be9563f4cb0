"""Block Kit for briefs and command replies: article text escaped, never a mention or a forged link, within limits."""

from __future__ import annotations

import re
from datetime import timezone, tzinfo
from typing import Any
from urllib.parse import urlsplit

from bot.commands import replies as fmt
from bot.commands.replies import Reply
from bot.render.updates import also_reported, news_only, update_kind
from bot.store.records import QuoteHit, StoredBrief

MAX_BLOCKS = 50  # per message
MAX_SECTION = 3000  # characters of one section's text
MAX_CONTEXT = 2000  # characters we allow in one context element
MAX_TITLE = 300
MAX_FALLBACK = 3900  # the plain `text` shown in notifications (Slack truncates past 40,000; 4,000 is advised)

Block = dict[str, Any]
_SPECIAL = re.compile(r"@(?=(here|channel|everyone)\b)", re.IGNORECASE)
_WORD_JOINER = "\u2060"


def escape(text: str) -> str:
    """Slack's three control characters as entities: no <!channel>, <@U…> or <url|label> can come through."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fallback(text: str) -> str:
    """Notification text from raw text: escaped, `@here`/`@channel`/`@everyone` broken by a word joiner, trimmed."""
    return _fit(_SPECIAL.sub("@" + _WORD_JOINER, escape(text)), MAX_FALLBACK)


def link(url: str | None, label: str) -> str:
    """`<url|label>` for an http(s) URL (label escaped), or just the escaped label for anything else."""
    safe = _safe_url(url)
    return f"<{safe}|{escape(label)}>" if safe else escape(label)


def brief_message(item: StoredBrief, tz: tzinfo = timezone.utc) -> tuple[str, list[Block]]:
    """A stored brief as (fallback text, blocks)."""
    text = fallback("\n".join(fmt.brief_lines(item, tz) + _also_line(item)))
    return text, brief_blocks(item, tz, MAX_BLOCKS)


def story_message(item: StoredBrief, tz: tzinfo = timezone.utc, *, threaded: bool) -> tuple[str, list[Block]]:
    """The brief for a channel (the full brief) or, `threaded`, as a reply in its story's thread.

    A reply is an update: the headline and only the claims and quotes new to the story, or, when nothing is new,
    one "Also reported by <outlet>: <headline>" line. Without story context the full brief is posted.
    """
    kind = update_kind(item, threaded=threaded)
    if kind == "quiet":
        return quiet_message(item)
    return brief_message(news_only(item) if kind == "news" else item, tz)


def quiet_message(item: StoredBrief) -> tuple[str, list[Block]]:
    """One small line for an article that adds nothing new to its story: who else reported it, linked."""
    title = _trim(item.brief.title or "(untitled)", MAX_TITLE)
    outlet = _trim(item.feed_name, 200) if item.feed_name else None
    line = f"Also reported by *{escape(outlet)}*: " if outlet else "Also reported: "
    text = f"Also reported by {outlet}: " if outlet else "Also reported: "
    return fallback(text + title), [_context(line + link(item.link, title))]


def _also_line(item: StoredBrief) -> list[str]:
    """["Also reported by: A, B and 3 more"] (raw text) naming the story's other outlets, [] when there are none."""
    line = also_reported(item, lambda name: _trim(name, 100))
    return [line] if line else []


def brief_blocks(item: StoredBrief, tz: tzinfo = timezone.utc, budget: int = MAX_BLOCKS) -> list[Block]:
    """Headline linked to the article, outlet and time, claims as bullets, quotes with speakers, a context line."""
    brief = item.brief
    title = _trim(brief.title or "(untitled)", MAX_TITLE)
    head = [_section(f"*{link(item.link, title)}*")]
    source = fmt.source_line(item.feed_name, item.published or item.created_at, None, tz)
    if source:
        head.append(_context(escape(source)))
    claims = _chunks([f"• {escape(c.text)}" for c in brief.claims]) if brief.claims else []
    quotes = [_section(_quote_text(q.text, _speaker(q.speaker, q.role))) for q in brief.quotes]
    tail = [_context(escape(line)) for line in _also_line(item)]
    tail.append(_context("Automated brief · quotes are verbatim from the article"
                         + (f" · {link(item.link, 'read the article')}" if _safe_url(item.link) else "")))
    room = max(0, budget - len(head) - len(tail))
    body = [_section(c) for c in claims][:room]
    room -= len(body)
    if len(quotes) > room:
        kept = max(0, room - 1)
        more = len(quotes) - kept
        quotes = quotes[:kept] + ([_context(f"+{more} more quote{'s' if more > 1 else ''} in the article")]
                                  if room else [])
    return (head + body + quotes + tail)[:budget]


def reply_message(reply: Reply, tz: tzinfo = timezone.utc) -> tuple[str, list[Block]]:
    """A command reply as (fallback text, blocks): briefs and quotes laid out, everything else as escaped text."""
    if reply.kind == "briefs" and reply.briefs:
        blocks = _briefs_blocks(reply, tz)
    elif reply.kind == "quotes" and reply.quotes:
        blocks = _quotes_blocks(reply, tz)
    else:
        blocks = [_section(c) for c in _chunks([escape(line) for line in reply.text.splitlines()])]
    if len(blocks) > MAX_BLOCKS:
        blocks = blocks[: MAX_BLOCKS - 1] + [_context("(trimmed: more than Slack shows in one message)")]
    return fallback(reply.text), blocks


def _briefs_blocks(reply: Reply, tz: tzinfo) -> list[Block]:
    blocks: list[Block] = [_section(f"*{escape(reply.title or 'Briefs')}*")]
    for n, item in enumerate(reply.briefs):
        room = MAX_BLOCKS - len(blocks) - 2  # a divider, and a line saying what was left out
        if room < 3:
            left = len(reply.briefs) - n
            blocks.append(_context(f"+{left} more brief{'s' if left > 1 else ''}: ask for fewer, e.g. `latest 2`"))
            break
        blocks.append({"type": "divider"})
        blocks += brief_blocks(item, tz, room)
    return blocks


def _quotes_blocks(reply: Reply, tz: tzinfo) -> list[Block]:
    blocks: list[Block] = [_section(f"*{escape(reply.title or 'Quotes')}*")]
    return blocks + [_section(_quote_text(h.text, _quote_source(h, tz))) for h in reply.quotes]


def _quote_source(hit: QuoteHit, tz: tzinfo) -> str:
    parts = [escape(p) for p in (hit.feed_name, fmt.day(hit.published, tz)) if p]
    if _safe_url(hit.link):
        parts.append(link(hit.link, _trim(hit.title or "article", 120)))
    return _speaker(hit.speaker, hit.role) + (", " + ", ".join(parts) if parts else "")


def _speaker(name: str, role: str | None) -> str:
    return f"*{escape(_trim(name, 200))}*" + (f" ({escape(_trim(role, 200))})" if role else "")


def _quote_text(text: str, credit: str) -> str:
    """`> “quote”` on quoted lines, then `— credit`; a long quote is cut (with …) so the section fits."""
    room = MAX_SECTION - len(credit) - 16
    body = _fit(escape(" ".join(text.split())), room)
    return f"> “{body}”\n— {credit}"


def _chunks(lines: list[str]) -> list[str]:
    """Escaped lines packed into section texts of at most MAX_SECTION characters (a longer line is cut)."""
    out: list[str] = []
    for line in (_fit(raw, MAX_SECTION) for raw in lines):
        if out and len(out[-1]) + 1 + len(line) <= MAX_SECTION:
            out[-1] += "\n" + line
        else:
            out.append(line)
    return out or [" "]


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text or " ", "verbatim": True}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _fit(text, MAX_CONTEXT), "verbatim": True}]}


def _safe_url(url: str | None) -> str | None:
    """The URL ready to go inside <…|…> when it is a plain http(s) URL; None otherwise."""
    if not url or any(ch.isspace() for ch in url):
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return None
    return escape(url).replace("|", "%7C")


def _trim(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _fit(text: str, limit: int) -> str:
    """Cut already-escaped text to `limit` characters without splitting an entity such as &amp;."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - 1)]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut.rstrip() + "…"
