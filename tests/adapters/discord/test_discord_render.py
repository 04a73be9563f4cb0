"""Brief embeds stay within Discord's limits however long the brief, and never carry markup from articles."""

from __future__ import annotations

from datetime import datetime, timezone

from bot.adapters.discord.render import brief_embed, plain, reply_message
from bot.brief.types import Brief, Claim, Quote
from bot.commands.replies import Reply
from bot.store.records import StoredBrief

WHEN = datetime(2026, 2, 3, 9, 30, tzinfo=timezone.utc)


def _stored(claims: int, quotes: int, words: int) -> StoredBrief:
    said = " ".join(["guarantees"] * words)
    brief = Brief(title="LIVE: " + "Geneva round drags on " * 30,
                  claims=[Claim(f"Claim {i}: " + "negotiators met again " * words, i) for i in range(claims)],
                  quotes=[Quote(text=said, speaker=f"Envoy Number{i}", speaker_key=f"number{i}", role="envoy",
                                cue="said", method="pattern", confidence=0.8) for i in range(quotes)])
    return StoredBrief(id=1, article_id=1, brief=brief, claim_ids=list(range(claims)), quote_ids=list(range(quotes)),
                       link="https://northgate.example/live/geneva", published=WHEN, feed_name="Northgate Wire",
                       created_at=WHEN)


def test_a_huge_brief_is_trimmed_to_the_embed_limits() -> None:
    embed = brief_embed(_stored(claims=40, quotes=40, words=120), colour=0x2F6FDE, key="a" * 24)
    assert len(embed) <= 6000 and len(embed.title or "") <= 256 and len(embed.description or "") <= 4096
    assert 0 < len(embed.fields) <= 25 and all(len(f.value or "") <= 1024 for f in embed.fields)
    assert "ref " + "a" * 24 in (embed.footer.text or "") and "more quotes" in (embed.footer.text or "")
    assert embed.description and embed.description.endswith("…")


def test_many_briefs_in_one_reply_fit_one_message() -> None:
    briefs = tuple(_stored(claims=5, quotes=5, words=40) for _ in range(20))
    message = reply_message(Reply(kind="briefs", text="", title="Latest 20 briefs", briefs=briefs), colour=1)
    assert 1 <= len(message.embeds) <= 10 and sum(len(e) for e in message.embeds) <= 6000
    assert "showing" in (message.content or "")


def test_plain_escapes_links_and_mentions_and_never_ends_on_a_lone_backslash() -> None:
    shown = plain("[x](https://evil.example) @everyone <@1>", 100)
    assert shown == "\\[x\\](https://evil.example) \\@everyone \\<\\@1\\>"
    assert plain("a" * 9 + "*****", 11) == "a" * 9 + "…"  # "\\*" is not split in half
    assert plain("a" * 8 + "*****", 11) == "a" * 8 + "\\*…"
