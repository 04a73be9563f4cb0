"""Abuse: hostile article text rendered for Slack, Discord and the console fires no mention and forges no link;
`feeds add` refuses loopback, private and link-local targets, however they are spelled."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from rich.console import Console

from bot.adapters.discord import render as discord_render
from bot.adapters.slack import render as slack_render
from bot.brief.types import Brief, Claim, Quote
from bot.commands.context import CommandContext
from bot.commands.handlers import handle_text
from bot.commands.replies import Reply
from bot.render.replies_console import reply_renderable, stored_brief_renderable
from bot.store import QuoteHit, StoredBrief, open_store

ARTICLE_LINK = "https://wire.example/news/talks-resume?id=7&src=rss"
HOSTILE = [  # what a compromised or mischievous feed can put in a title, a claim, a quote or a speaker's name
    "@everyone the ceasefire is off",
    "@here read this now",
    "<!channel> urgent: envoys walk out",
    "<!here|here> and <!everyone>",
    "ping <@U0123ABCD> and <@W999ZZZZ|boss>",
    "Discord ping <@123456789012345678> and <@!123456789012345678>",
    "role ping <@&987654321098765432> and <!subteam^S0123|@desk>",
    "go to <#C0123ABCD> or <#123456789012345678>",
    "<https://evil.example/login|https://bank.example/secure>",
    "[bank.example](https://evil.example/phish) and [click](<https://evil.example/x>)",
    "[link=https://evil.example]bank[/link] [bold red]ALERT[/]",
    "**bold** __under__ ~~strike~~ ||spoiler|| `code` > quote # Header",
]
SLACK_LINK = re.compile(r"<([^<>|]+)(?:\|[^<>]*)?>")
SLACK_SPECIAL = re.compile(r"<[!@#]")
DISCORD_LIVE = re.compile(r"(?<!\\)(?:\\\\)*[@<\[\]]")  # an unescaped @, <, [ or ]


def hostile_brief() -> StoredBrief:
    quotes = [Quote(text=text, speaker=f"{text} Peskov", speaker_key="peskov", role=text, cue="said",
                    method="cue", confidence=0.9) for text in HOSTILE]
    brief = Brief(title=" | ".join(HOSTILE[:3]), claims=[Claim(text, i) for i, text in enumerate(HOSTILE)],
                  quotes=quotes, text=" ".join(HOSTILE))
    when = datetime(2026, 1, 21, 12, 0, tzinfo=timezone.utc)
    return StoredBrief(id=1, article_id=1, brief=brief, claim_ids=list(range(len(HOSTILE))),
                       quote_ids=list(range(len(HOSTILE))), link=ARTICLE_LINK, published=when,
                       feed_name="<!channel> Wire @everyone", created_at=when)


def hostile_hit(text: str) -> QuoteHit:
    return QuoteHit(id=1, brief_id=1, article_id=1, text=text, speaker=f"{text} Umerov", speaker_key="umerov",
                    role=text, title=text, link=ARTICLE_LINK, published=None, feed_name="@everyone Desk")


def _slack_texts(blocks: list[dict]) -> list[str]:
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(blocks)
    return found


def assert_slack_safe(text: str, blocks: list[dict]) -> None:
    for mrkdwn in [text, *_slack_texts(blocks)]:
        assert not SLACK_SPECIAL.search(mrkdwn), mrkdwn  # no <!channel>, <@U…>, <#C…>, <!subteam…>
        for target in SLACK_LINK.findall(mrkdwn):
            assert target.replace("&amp;", "&") == ARTICLE_LINK, mrkdwn  # the only link is the article's own
    assert not re.search(r"@(everyone|here|channel)\b", text)  # broken in the notification text too


def test_slack_brief_fires_no_mention_and_forges_no_link() -> None:
    text, blocks = slack_render.brief_message(hostile_brief())
    assert_slack_safe(text, blocks)
    shown = "\n".join(_slack_texts(blocks))
    assert "&lt;!channel&gt;" in shown and "&lt;https://evil.example/login|https://bank.example/secure&gt;" in shown
    assert all(block.get("text", {}).get("verbatim", True) for block in blocks)  # no auto-linking of names


def test_slack_replies_fire_no_mention_and_forge_no_link() -> None:
    for reply in (Reply(kind="briefs", text="x", title="@everyone", briefs=(hostile_brief(),)),
                  Reply(kind="quotes", text="x", title="<!here>", quotes=tuple(hostile_hit(t) for t in HOSTILE)),
                  Reply.info("\n".join(HOSTILE))):
        assert_slack_safe(*slack_render.reply_message(reply))


def _discord_texts(embed) -> list[str]:  # noqa: ANN001
    data = embed.to_dict()
    parts = [data.get("title", ""), data.get("description", ""), data.get("footer", {}).get("text", "")]
    parts += [f[k] for f in data.get("fields", []) for k in ("name", "value")]
    return [p for p in parts if p]


def assert_discord_safe(texts: list[str]) -> None:
    for text in texts:
        unquoted = re.sub(r"<https?://[^\s<>]+>", "", text)  # <url> (link preview off) is our own quote source
        assert not DISCORD_LIVE.search(unquoted), text
        assert "](" not in text.replace("\\](", ""), text  # no masked link survives


def test_discord_brief_fires_no_mention_and_forges_no_link() -> None:
    embed = discord_render.brief_embed(hostile_brief(), colour=0x3366FF)
    assert embed.url == ARTICLE_LINK
    texts = _discord_texts(embed)
    assert_discord_safe(texts)
    assert any("\\@everyone" in t for t in texts) and any("\\[bank.example\\](https://evil" in t for t in texts)
    assert discord_render.NO_MENTIONS.everyone is False and discord_render.NO_MENTIONS.roles is False
    assert discord_render.NO_MENTIONS.users is False


def test_discord_replies_fire_no_mention_and_forge_no_link() -> None:
    for reply in (Reply(kind="briefs", text="x", title="@everyone", briefs=(hostile_brief(),)),
                  Reply(kind="quotes", text="x", title="<!here>", quotes=tuple(hostile_hit(t) for t in HOSTILE)),
                  Reply.info("\n".join(HOSTILE)), Reply.error("@everyone " + HOSTILE[9])):
        message = discord_render.reply_message(reply, colour=1)
        texts = [t for e in message.embeds for t in _discord_texts(e)]
        assert_discord_safe(texts + ([message.content] if message.content else []))


def test_console_shows_hostile_text_literally_with_no_link_but_the_articles() -> None:
    console = Console(record=True, width=400, force_terminal=True, color_system="truecolor")
    item = hostile_brief()
    renderables = [stored_brief_renderable(item),
                   reply_renderable(Reply(kind="quotes", text="x", title="q",
                                          quotes=tuple(hostile_hit(t) for t in HOSTILE)))]
    links = set()
    for renderable in renderables:
        for segment in console.render(renderable):
            if segment.style is not None and segment.style.link:
                links.add(segment.style.link)
        console.print(renderable)
    assert links <= {ARTICLE_LINK}
    shown = console.export_text()
    assert "[link=https://evil.example]bank[/link] [bold red]ALERT[/]" in shown  # rich markup not interpreted
    assert "<!channel> urgent" in shown and "[bank.example](https://evil.example/phish)" in shown
    assert "\x1b]8;" not in json.dumps(shown)  # no OSC 8 hyperlink escape in the plain export


# -- feeds add ------------------------------------------------------------------------------------------------------

REFUSED = [
    ("http://127.0.0.1/feed.xml", "loopback"),
    ("http://127.1.2.3:8080/rss", "loopback"),
    ("http://2130706433/rss", "loopback"),  # 127.0.0.1 as one number
    ("http://0x7f.1/rss", "loopback"),
    ("http://[::1]/rss", "loopback"),
    ("http://localhost:8080/feed.xml", "loopback"),  # a DNS name resolving to loopback
    ("http://LOCALHOST./feed", "loopback"),
    ("http://10.20.30.40/wire.rss", "private"),
    ("http://192.168.1.10/rss", "private"),
    ("http://172.16.5.4/rss", "private"),
    ("http://[fd00::7]/rss", "private"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://[fe80::1]/rss", "link-local"),
    ("http://[::ffff:10.0.0.1]/rss", "private"),
    ("http://0.0.0.0/rss", "unspecified"),
    ("file:///etc/passwd", "http(s) URL"),
    ("gopher://127.0.0.1/rss", "http(s) URL"),
    ("https://admin:pw@wire.example/rss", "user name or password"),
]


@pytest.fixture
def ctx(tmp_path: Path) -> CommandContext:
    store = open_store(f"sqlite:///{tmp_path / 'abuse.db'}")
    yield CommandContext(store=store, platform="slack", channel="C0123ABCD", user="U0123ABCD", is_admin=True)
    store.close()


@pytest.mark.parametrize(("url", "why"), REFUSED, ids=[u for u, _ in REFUSED])
async def test_feeds_add_refuses_local_targets(ctx: CommandContext, url: str, why: str) -> None:
    reply = await handle_text(f"feeds add {url}", ctx)
    assert reply.kind == "error" and why in reply.text and "\n" not in reply.text, reply.text
    assert ctx.store.list_feeds() == []


async def test_feeds_add_allows_local_targets_only_when_configured(ctx: CommandContext) -> None:
    ctx.allow_private = True
    reply = await handle_text("feeds add http://localhost:8080/feed.xml devbox", ctx)
    assert reply.kind == "text" and [f.url for f in ctx.store.list_feeds()] == ["http://localhost:8080/feed.xml"]
