"""Block Kit rendering: escaping, safe links, and Slack's limits kept by trimming."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from bot.adapters.slack.render import MAX_BLOCKS, MAX_SECTION, brief_message, escape, fallback, link, reply_message
from bot.brief.types import Brief, Claim, Quote
from bot.commands.replies import Reply
from bot.store.records import StoredBrief

T0 = datetime(2025, 12, 15, 6, 0, tzinfo=timezone.utc)


def _stored(brief: Brief, link_: str | None = "https://harbourwire.example/a") -> StoredBrief:
    return StoredBrief(id=1, article_id=1, brief=brief, claim_ids=[], quote_ids=[], link=link_, published=T0,
                       feed_name="Harbour Wire", created_at=T0)


def _quote(text: str, speaker: str = "Marta Kovalenko") -> Quote:
    return Quote(text=text, speaker=speaker, speaker_key="kovalenko", role="deputy foreign minister", cue="said",
                 method="pattern", confidence=0.9)


def _mrkdwn(blocks: list[dict]) -> list[str]:
    out = [b["text"]["text"] for b in blocks if "text" in b]
    return out + [e["text"] for b in blocks for e in b.get("elements", [])]


def test_escape_and_fallback() -> None:
    assert escape("a & b <!here> <@U1> <https://x|y>") == "a &amp; b &lt;!here&gt; &lt;@U1&gt; &lt;https://x|y&gt;"
    assert "@here" not in fallback("ping @here and @Channel") and "@\u2060here" in fallback("ping @here")
    assert fallback("<!channel>") == "&lt;!channel&gt;"


def test_links_only_for_plain_http_urls() -> None:
    assert link("https://wire.example/a?x=1&y=2", "T<i>tle") == "<https://wire.example/a?x=1&amp;y=2|T&lt;i&gt;tle>"
    assert link("javascript:alert(1)", "Click") == "Click"
    assert link("https://wire.example/a b", "Spaced") == "Spaced"
    assert link("https://wire.example/a|fake", "Pipe") == "<https://wire.example/a%7Cfake|Pipe>"


def test_long_brief_stays_within_limits() -> None:
    claims = [Claim("Negotiators traded maps " + "and amendments " * 400, i) for i in range(5)]
    quotes = [_quote(f"Item {i} is still open & we said so " + "again " * 700) for i in range(80)]
    text, blocks = brief_message(_stored(Brief(title="T" * 900, claims=claims, quotes=quotes)))
    assert len(blocks) <= MAX_BLOCKS
    assert all(len(t) <= MAX_SECTION for t in _mrkdwn(blocks))
    assert "more quotes in the article" in json.dumps(blocks)
    assert blocks[-1]["type"] == "context" and "read the article" in blocks[-1]["elements"][0]["text"]
    assert len(text) <= 4000
    assert all("&amp" not in t or "&amp;" in t for t in _mrkdwn(blocks))  # no entity cut in half


def test_many_briefs_in_one_reply_are_trimmed_with_a_note() -> None:
    brief = Brief(title="Envoys meet again", claims=[Claim("They met.", 0)], quotes=[_quote("We met")] * 5)
    reply = Reply(kind="briefs", title="Latest 20 briefs", text="Latest 20 briefs\n...", briefs=(_stored(brief),) * 20)
    _, blocks = reply_message(reply)
    assert len(blocks) <= MAX_BLOCKS
    assert "more briefs" in json.dumps(blocks)


def test_untitled_brief_without_link_has_plain_headline() -> None:
    _, blocks = brief_message(_stored(Brief(title=None, claims=[], quotes=[]), link_=None))
    assert blocks[0]["text"]["text"] == "*(untitled)*"
    assert "read the article" not in json.dumps(blocks)


def test_error_reply_is_escaped_text() -> None:
    text, blocks = reply_message(Reply.error("Unknown command '<!channel>'. Try: help"))
    assert "<!channel>" not in json.dumps(blocks) + text
    assert blocks[0]["text"]["verbatim"] is True
