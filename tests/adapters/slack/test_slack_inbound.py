"""Slack payloads to command text: mentions stripped, Slack markup undone, threads kept."""

from __future__ import annotations

from bot.adapters.slack.inbound import from_mention, from_slash


def test_slash_text_and_where() -> None:
    req = from_slash({"text": "feeds add <https://wire.example/rss?a=1&amp;b=2>", "channel_id": "C0TALKS001",
                      "user_id": "UEDITOR01"})
    assert (req.text, req.channel, req.user, req.source) == ("feeds add https://wire.example/rss?a=1&b=2",
                                                            "C0TALKS001", "UEDITOR01", "command")
    assert from_slash({"text": "   "}).text == "help"


def test_mention_stripped_and_thread_chosen() -> None:
    top = from_mention({"text": "<@UBOT01> quotes Zelensky 3", "channel": "C1", "user": "U2", "ts": "1.5"}, "UBOT01")
    assert top is not None and (top.text, top.thread_ts) == ("quotes Zelensky 3", "1.5")
    inner = from_mention({"text": "hey <@UBOT01|briefbot>  latest", "channel": "C1", "user": "U2", "ts": "2.0",
                          "thread_ts": "1.0"}, "UBOT01")
    assert inner is not None and (inner.text, inner.thread_ts) == ("hey latest", "1.0")
    assert from_mention({"text": "<@UBOT01>", "ts": "3.0"}, None).text == "help"  # type: ignore[union-attr]


def test_other_bots_are_ignored() -> None:
    assert from_mention({"text": "<@UBOT01> latest", "bot_id": "B9", "ts": "1.0"}, "UBOT01") is None
