"""Redacting logs: tokens, auth headers, database passwords and secret env values never reach a log line."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from bot.logs import configure, redact

# Fictional secrets in the shapes the bot handles; none of them is a real credential.
SLACK_BOT = "xoxb-2048113579-4096224680-QmFrZWRCZWFuc0FuZFRvYXN0"
SLACK_REFRESH = "xoxe-1-My0xLTIwNDgxMTM1NzktMTIzNDU2Nzg5MC1mYWtlZmFrZQ"
SLACK_APP = "xapp-1-A0FAKE42-1234567890-0123456789abcdef0123456789abcdef"
DISCORD = "MTEyMzQ1Njc4OTAxMjM0NTY3OA.Gx7Qpw.Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0X0F"
BASIC = "YnJpZWZib3Q6bm90LWEtcmVhbC1wYXNzd29yZA=="
PG_PASSWORD = "Kyiv-Frost-2025!"
ENV_VALUE = "plainlooking-token-value-77"

CASES = [
    (f"slack said invalid_auth for {SLACK_BOT}", SLACK_BOT, "slack said invalid_auth for ***"),
    (f"rotating refresh token {SLACK_REFRESH} expired", SLACK_REFRESH, "rotating refresh token *** expired"),
    (f"socket mode with {SLACK_APP}", SLACK_APP, "socket mode with ***"),
    (f"discord login failed: token={DISCORD}", DISCORD, "discord login failed: token=***"),
    ("POST /api/chat.postMessage Authorization: Bearer abcDEF123ghiJKL456", "abcDEF123ghiJKL456",
     "POST /api/chat.postMessage Authorization: Bearer ***"),
    (f"request headers {{'user-agent': 'briefbot/0.1', 'authorization': 'Basic {BASIC}'}}", BASIC,
     "request headers {'user-agent': 'briefbot/0.1', 'authorization': 'Basic ***'}"),
    (f"store: postgresql+psycopg://briefbot:{PG_PASSWORD}@db.internal:5432/briefbot unreachable", PG_PASSWORD,
     "store: postgresql+psycopg://briefbot:***@db.internal:5432/briefbot unreachable"),
    (f"connecting with host=db.internal user=briefbot password={PG_PASSWORD} dbname=briefbot", PG_PASSWORD,
     "connecting with host=db.internal user=briefbot password=*** dbname=briefbot"),
    ("posting to https://hooks.slack.com/services/T0FAKE01/B0FAKE02/aBcDeFgHiJkLmNoPqRsTuVwX failed",
     "aBcDeFgHiJkLmNoPqRsTuVwX", "posting to https://hooks.slack.com/services/*** failed"),
]


@pytest.fixture(autouse=True)
def _restore_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "DISCORD_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    noisy = {n: logging.getLogger(n).level
             for n in ("httpx", "httpcore", "apscheduler", "alembic", "urllib3", "asyncio")}
    yield
    configure()  # forgets the secret names a test configured
    root.handlers[:], level = saved
    root.setLevel(level)
    for name, lvl in noisy.items():
        logging.getLogger(name).setLevel(lvl)


def emit(capsys: pytest.CaptureFixture[str], as_json: bool, *messages: str, **kwargs: object) -> list[str]:
    configure("INFO", as_json=as_json, **kwargs)  # type: ignore[arg-type]
    log = logging.getLogger("bot.test")
    for message in messages:
        log.warning(message)
    return capsys.readouterr().err.splitlines()


@pytest.mark.parametrize("as_json", [False, True], ids=["plain", "json"])
@pytest.mark.parametrize(("message", "secret", "shown"), CASES,
                         ids=[c[2].split()[0] + str(i) for i, c in enumerate(CASES)])
def test_secret_shapes_are_redacted(capsys, as_json: bool, message: str, secret: str, shown: str) -> None:
    lines = emit(capsys, as_json, message)
    assert len(lines) == 1
    assert secret not in lines[0]
    if as_json:
        record = json.loads(lines[0])
        assert record["message"] == shown
        assert record["level"] == "WARNING" and record["logger"] == "bot.test" and "time" in record
    else:
        assert lines[0].endswith(f" WARNING bot.test: {shown}")


@pytest.mark.parametrize("as_json", [False, True], ids=["plain", "json"])
def test_value_of_secret_env_var_is_redacted(capsys, monkeypatch, as_json: bool) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", ENV_VALUE)
    monkeypatch.setenv("TEAM_DISCORD_TOKEN", "another-plain-value-314")
    lines = emit(capsys, as_json, f"auth.test rejected {ENV_VALUE}", "login with another-plain-value-314 failed",
                 secret_env=["TEAM_DISCORD_TOKEN"])
    text = "\n".join(lines)
    assert len(lines) == 2 and ENV_VALUE not in text and "another-plain-value-314" not in text
    assert text.count("***") == 2


def test_secret_in_args_and_traceback_is_redacted(capsys) -> None:
    configure("INFO")
    log = logging.getLogger("bot.test")
    try:
        raise ConnectionError(f"could not connect to postgresql://bot:{PG_PASSWORD}@db.internal/briefbot")
    except ConnectionError:
        log.exception("delivery with %s failed", SLACK_BOT)
    err = capsys.readouterr().err
    assert SLACK_BOT not in err and PG_PASSWORD not in err
    assert "delivery with *** failed" in err
    assert "Traceback" in err and "postgresql://bot:***@db.internal/briefbot" in err


def test_json_lines_parse_and_carry_the_redacted_traceback(capsys) -> None:
    configure("INFO", as_json=True)
    log = logging.getLogger("bot.test")
    log.info("polling %s every %d min", "https://wire.example/rss", 10)
    try:
        raise RuntimeError(f"Discord said 401 for {DISCORD}")
    except RuntimeError:
        log.error("discord adapter stopped\nfor good", exc_info=True)
    log.debug("not shown at INFO")
    lines = capsys.readouterr().err.splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == 2
    assert records[0]["message"] == "polling https://wire.example/rss every 10 min"
    assert records[1]["message"] == "discord adapter stopped\nfor good"
    assert "RuntimeError: Discord said 401 for ***" in records[1]["exception"]
    assert DISCORD not in "\n".join(lines)


def test_plain_message_stays_on_one_line(capsys) -> None:
    title = "Talks resume\n2025-12-15 09:00:00,000 ERROR bot.sender: forged line"
    lines = emit(capsys, False, f"new item: {title}")
    assert len(lines) == 1
    assert lines[0].endswith("new item: Talks resume\\n2025-12-15 09:00:00,000 ERROR bot.sender: forged line")


def test_ordinary_text_is_left_alone() -> None:
    for text in (
        "polling Kyiv Ledger (http://127.0.0.1:8089/feeds/kyiv-ledger.xml) every 10 min",
        "http://127.0.0.1:8080/feeds@latest is not a password",
        "feed https://news.example.com/europe/feed.atom paused after 5 failed poll(s)",
        "authorization failed for user U012ABC3DEF",
        "quote by Dmitry Peskov: \"It is premature to speak of any agreement.\"",
    ):
        assert redact(text) == text


def test_short_env_values_are_not_redacted_everywhere(monkeypatch) -> None:
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "abc")  # too short to be a secret: would blank out ordinary words
    assert redact("abc news at abc o'clock") == "abc news at abc o'clock"


def test_configure_sets_levels_and_one_handler(capsys) -> None:
    configure("WARNING")
    configure("DEBUG")
    root = logging.getLogger()
    assert len(root.handlers) == 1 and root.level == logging.DEBUG
    assert logging.getLogger("httpx").level == logging.WARNING  # noisy libraries stay quiet even at DEBUG
    logging.getLogger("bot.test").debug("shown at DEBUG")
    assert capsys.readouterr().err.count("shown at DEBUG") == 1
