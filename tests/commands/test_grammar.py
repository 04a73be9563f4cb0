"""One grammar: typed text and slash-command options build the same Command."""

from __future__ import annotations

import pytest

from bot.commands import COMMANDS, Command, CommandError, parse_options, parse_text


@pytest.mark.parametrize(
    "text,expected",
    [
        ("latest", Command("latest", {"n": 5})),
        ("LATEST 3", Command("latest", {"n": 3})),
        ("quotes Zelensky", Command("quotes", {"speaker": "Zelensky", "n": 5})),
        ("quotes Volodymyr  Zelensky 10", Command("quotes", {"speaker": "Volodymyr Zelensky", "n": 10})),
        ('quotes "Ursula von der Leyen" 2', Command("quotes", {"speaker": "Ursula von der Leyen", "n": 2})),
        ("search security guarantees", Command("search", {"words": "security guarantees"})),
        ("feeds", Command("feeds", {})),
        ("feeds add https://news.example.org/rss.xml", Command("feeds.add", {"url": "https://news.example.org/rss.xml"})),
        ("feeds remove kyiv-ledger", Command("feeds.remove", {"name": "kyiv-ledger"})),
        ("help quotes", Command("help", {"command": "quotes"})),
        ("stories", Command("stories", {"n": 10})),
        ("Stories 3", Command("stories", {"n": 3})),
        ("story 12", Command("story", {"story": "12"})),
        ("story #12", Command("story", {"story": "#12"})),
        ("story  prisoner   swap", Command("story", {"story": "prisoner swap"})),
        ("unsub", Command("unsubscribe", {})),
    ],
)
def test_typed_text(text, expected):
    assert parse_text(text) == expected


@pytest.mark.parametrize(
    "name,options,text",
    [
        ("quotes", {"speaker": "Zelensky", "n": 3}, "quotes Zelensky 3"),
        ("latest", {}, "latest"),
        ("feeds add", {"url": "https://a.example/feed"}, "feeds add https://a.example/feed"),
        ("feeds.remove", {"name": "x"}, "feeds remove x"),
        ("search", {"words": "prisoner exchange"}, "search prisoner exchange"),
        ("stories", {"n": 4}, "stories 4"),
        ("story", {"story": "prisoner swap"}, "story prisoner swap"),
        ("story", {"story": "12"}, "story 12"),
    ],
)
def test_options_and_text_agree(name, options, text):
    assert parse_options(name, options) == parse_text(text)


@pytest.mark.parametrize(
    "text,fragment,usage",
    [
        ("frobnicate", "Unknown command 'frobnicate'", "Try: help"),
        ("", "No command given", "Try: help"),
        ("latest many", "n must be a whole number", "Usage: latest [n]"),
        ("latest 0", "between 1 and 20", "Usage: latest [n]"),
        ("quotes", "Missing speaker", "Usage: quotes <speaker> [n]"),
        ("feeds add ftp://example.org/x", "http(s) URL", "Usage: feeds add <url> [name]"),
        ("feeds remove", "Missing name", "Usage: feeds remove <name>"),
        ("digest now please", "Unexpected", "Usage: digest"),
        ("stories 21", "between 1 and 20", "Usage: stories [n]"),
        ("story", "Missing story", "Usage: story <story>"),
    ],
)
def test_errors_are_one_line_with_usage(text, fragment, usage):
    with pytest.raises(CommandError) as err:
        parse_text(text)
    message = str(err.value)
    assert fragment in message and message.endswith(usage) and "\n" not in message


def test_unknown_option_rejected():
    with pytest.raises(CommandError, match="Unknown option 'colour'"):
        parse_options("latest", {"colour": "red"})


def test_every_command_has_help_and_usage():
    for spec in COMMANDS.values():
        assert spec.help.endswith(".") and spec.usage.startswith(spec.name.replace(".", " "))


def test_admin_commands_are_marked():
    assert {n for n, s in COMMANDS.items() if s.admin} == {"feeds.add", "feeds.remove"}
