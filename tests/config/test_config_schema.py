"""Tests for bot.config.schema: defaults, per-field checks, cross-section checks and the secrets rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from bot.config.load import ENV_OVERRIDES
from bot.config.schema import ChannelSettings, Settings

# Fictional credentials, built so that no real token appears in the source.
SLACK_BOT = "xoxb-" + "-".join(["4821937465", "5930184726", "Qw3rTy8uIoPaSdFgHjKlZxCv"])
SLACK_APP = "xapp-1-" + "A07FAKE1234-5550001112223-" + "0f" * 16
DISCORD = "MTA5" + "x" * 22 + "." + "GhT7qP" + "." + "z" * 30
SIGNING = "8f14e45fceea167a5a36dedd4bea2543"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in [*ENV_OVERRIDES, "BRIEFBOT_CONFIG", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET",
                 "DISCORD_BOT_TOKEN"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def _errors(data: dict[str, Any], **kwargs: Any) -> dict[tuple[str | int, ...], str]:
    with pytest.raises(ValidationError) as info:
        Settings.model_validate(data, **kwargs)
    return {tuple(e["loc"]): e["msg"] for e in info.value.errors()}


def _feed(name: str, url: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "url": url, **extra}


def test_defaults_follow_the_peace_talks_story_on_the_console(tmp_path: Path) -> None:
    settings = Settings()
    assert settings.feeds == []
    assert [(c.platform, c.address, c.follows_story) for c in settings.channels] == [("console", "stdout", True)]
    assert "Witkoff" in settings.story.include_keywords
    assert settings.story.description
    assert settings.digest.cron == "0 18 * * *" and settings.digest.timezone == "UTC"
    assert settings.store.url == f"sqlite:///{tmp_path / 'briefbot.db'}"
    assert (settings.slack.enabled, settings.discord.enabled, settings.health.enabled) == (False, False, False)
    assert (settings.health.host, settings.health.port) == ("127.0.0.1", 8089)
    assert settings.stories.window_hours == 48 and settings.stories.quiet_updates == "one_line"
    assert settings.delivery.pacing_for("slack") == 1.0
    assert settings.fetch.max_bytes == 10 * 1024 * 1024 and settings.fetch.allow_private_addresses is False


def test_digest_timezone_defaults_to_the_bot_timezone() -> None:
    settings = Settings.model_validate({"bot": {"timezone": "Europe/Kyiv"}})
    assert settings.digest.timezone == "Europe/Kyiv"
    other = Settings.model_validate({"bot": {"timezone": "Europe/Kyiv"}, "digest": {"timezone": "America/New_York"}})
    assert other.digest.timezone == "America/New_York"


def test_bad_regex_is_reported_with_its_index_and_pattern() -> None:
    errors = _errors({"story": {"description": "Talks.", "include_regexes": [r"\bGeneva\b", "(Witkoff|Kushner"]}})
    assert list(errors) == [("story", "include_regexes", 1)]
    assert '"(Witkoff|Kushner"' in errors[("story", "include_regexes", 1)]


@pytest.mark.parametrize("token", [SLACK_BOT, SLACK_APP, DISCORD, SIGNING,
                                   "https://hooks.slack.com/services/T000/B000/abcdefabcdef"])
def test_anything_that_looks_like_a_secret_is_refused_and_never_echoed(token: str) -> None:
    data = {"bot": {"name": token},
            "story": {"description": "Talks.", "include_keywords": ["ceasefire", token]},
            "feeds": [_feed("Wire", "https://www.example.org/rss", )],
            "channels": [{"platform": "console", "address": "stdout", "name": token}]}
    with pytest.raises(ValidationError) as info:
        Settings.model_validate(data)
    errors = {tuple(e["loc"]): e["msg"] for e in info.value.errors()}
    assert set(errors) == {("bot", "name"), ("story", "include_keywords", 1), ("channels", 0, "name")}
    assert all(msg.startswith("secrets must come from environment variables") for msg in errors.values())
    assert token not in str(info.value) and token not in repr(info.value)


def test_env_variable_names_cannot_hold_values() -> None:
    errors = _errors({"slack": {"bot_token_env": "not a name"}})
    assert "NAME of an environment variable" in errors[("slack", "bot_token_env")]


def test_enabled_slack_needs_its_env_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    errors = _errors({"slack": {"enabled": True}})
    assert errors == {("slack", "bot_token_env"): "environment variable SLACK_BOT_TOKEN is not set (slack is enabled)",
                      ("slack", "app_token_env"): "environment variable SLACK_APP_TOKEN is not set (slack is enabled)"}
    errors = _errors({"slack": {"enabled": True, "mode": "http", "signing_secret_env": "MY_SIGNING"}})
    assert set(errors) == {("slack", "bot_token_env"), ("slack", "signing_secret_env")}
    assert "MY_SIGNING" in errors[("slack", "signing_secret_env")]
    monkeypatch.setenv("SLACK_BOT_TOKEN", SLACK_BOT)
    monkeypatch.setenv("SLACK_APP_TOKEN", SLACK_APP)
    settings = Settings.model_validate({"slack": {"enabled": True},
                                        "channels": [{"platform": "slack", "address": "C0123ABCDEF"}]})
    assert settings.secret(settings.slack.bot_token_env) == SLACK_BOT
    assert SLACK_BOT not in repr(settings) and SLACK_BOT not in str(settings)


def test_enabled_discord_needs_its_token_and_other_problems_still_show() -> None:
    errors = _errors({"discord": {"enabled": True, "guild_ids": [0]}})
    assert errors[("discord", "token_env")] == "environment variable DISCORD_BOT_TOKEN is not set (discord is enabled)"
    assert ("discord", "guild_ids", 0) in errors


def test_secret_reads_the_environment_and_treats_empty_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFBOT_TEST_SECRET", "")
    assert Settings.secret("BRIEFBOT_TEST_SECRET") is None
    monkeypatch.setenv("BRIEFBOT_TEST_SECRET", "s3cret")
    assert Settings.secret("BRIEFBOT_TEST_SECRET") == "s3cret"


def test_admins_must_be_platform_and_user_id() -> None:
    good = ["slack:U012ABC3DEF", "discord:123456789012345678", "console:local"]
    assert Settings.model_validate({"bot": {"admins": good}}).is_admin("slack", "U012ABC3DEF")
    errors = _errors({"bot": {"admins": ["U012ABC3DEF", "discord:olena", "console:local", "teams:U1"]}})
    assert set(errors) == {("bot", "admins", 0), ("bot", "admins", 1), ("bot", "admins", 3)}


def test_cron_is_checked_and_day_numbers_are_refused() -> None:
    assert ("digest", "cron") in _errors({"digest": {"cron": "0 25 * * *"}})
    assert "names" in _errors({"digest": {"cron": "0 9 * * 1-5"}})[("digest", "cron")]
    assert Settings.model_validate({"digest": {"cron": "30 8 * * mon-fri"}}).digest.cron == "30 8 * * mon-fri"
    assert Settings.model_validate({"digest": {"cron": "*/30 * * * *"}}).digest.cron == "*/30 * * * *"


def test_unknown_time_zone() -> None:
    errors = _errors({"bot": {"timezone": "Europe/Atlantis"}, "digest": {"timezone": "Mars/Olympus"}})
    assert set(errors) == {("bot", "timezone"), ("digest", "timezone")}


def test_feed_names_and_urls_must_be_unique() -> None:
    errors = _errors({"feeds": [_feed("Wire", "https://www.example.org/rss"),
                                _feed("wire", "https://www.example.org/other"),
                                _feed("Daily", "HTTPS://WWW.EXAMPLE.ORG/rss/")]})
    assert errors == {("feeds", 1, "name"): "duplicate feed name, already used by feeds[0]",
                      ("feeds", 2, "url"): "duplicate feed URL, already used by feeds[0]"}


def test_feed_fields() -> None:
    errors = _errors({"feeds": [_feed("Wire", "ftp://www.example.org/rss", interval=0, backfill=-1),
                                {"url": "https://www.example.org/b"}]})
    assert set(errors) == {("feeds", 0, "url"), ("feeds", 0, "interval"), ("feeds", 0, "backfill"),
                           ("feeds", 1, "name")}


def test_subscriptions_must_name_existing_feeds() -> None:
    feeds = [_feed("Example Wire", "https://www.example.org/rss"), _feed("Kyiv Live", "https://live.example.net/rss")]
    errors = _errors({"feeds": feeds, "channels": [
        {"platform": "console", "address": "stdout", "subscribe": ["Kyiv Live", "Exmaple Wire"]}]})
    assert errors == {("channels", 0, "subscribe", 1): 'unknown feed "Exmaple Wire"; did you mean "Example Wire"?'}
    errors = _errors({"channels": [{"platform": "console", "address": "stdout", "subscribe": "everything"}]})
    assert ("channels", 0, "subscribe") in errors
    settings = Settings.model_validate({"feeds": feeds, "channels": [
        {"platform": "console", "address": "stdout", "subscribe": ["Kyiv Live"]}]})
    assert settings.channels[0].feed_names == ("Kyiv Live",) and not settings.channels[0].follows_story


def test_chat_channels_need_their_connection_and_a_valid_address(monkeypatch: pytest.MonkeyPatch) -> None:
    errors = _errors({"channels": [{"platform": "slack", "address": "C0123ABCDEF"},
                                   {"platform": "discord", "address": "general"},
                                   {"platform": "console", "address": "stdout"},
                                   {"platform": "console", "address": "stdout"}]})
    assert set(errors) == {("channels", 0, "platform"), ("channels", 1, "platform"), ("channels", 1, "address"),
                           ("channels", 3, "address")}
    assert "enabled = true in [slack]" in errors[("channels", 0, "platform")]
    assert errors[("channels", 3, "address")] == "duplicate channel, already used by channels[2]"
    monkeypatch.setenv("DISCORD_BOT_TOKEN", DISCORD)
    channel = Settings.model_validate({"discord": {"enabled": True}, "channels": [
        {"platform": "discord", "address": 123456789012345678}]}).channels[0]
    assert channel.address == "123456789012345678" and channel.key == "discord:123456789012345678"


def test_channel_settings_check_the_address_on_their_own() -> None:
    with pytest.raises(ValidationError):
        ChannelSettings(platform="console", address="/dev/tty")


def test_sqlite_paths_are_resolved_against_the_data_dir(tmp_path: Path) -> None:
    base = tmp_path / "etc"
    settings = Settings.model_validate({"store": {"url": "sqlite:///db/briefbot.db", "data_dir": "state"}},
                                       context={"base_dir": base})
    assert settings.store.data_dir == base / "state"
    assert settings.store.url == f"sqlite:///{base / 'state' / 'db' / 'briefbot.db'}"
    absolute = Settings.model_validate({"store": {"url": "sqlite:////var/lib/briefbot/b.db"}})
    assert absolute.store.url == "sqlite:////var/lib/briefbot/b.db"
    memory = Settings.model_validate({"store": {"url": "sqlite:///:memory:"}})
    assert memory.store.url == "sqlite:///:memory:"


def test_database_password_only_from_the_environment() -> None:
    url = "postgresql://briefbot:hunter2-horse@db.internal/briefbot"
    errors = _errors({"store": {"url": url}})
    assert "secrets must come from environment variables" in errors[("store", "url")]
    settings = Settings.model_validate({"store": {"url": url}}, context={"from_env": {"store.url"}})
    assert settings.store.url == url
    assert "hunter2-horse" not in repr(settings) and "hunter2-horse" not in str(settings.store)
    assert ("store", "url") in _errors({"store": {"url": "mysql://db/briefbot"}})


def test_story_must_be_able_to_match_something() -> None:
    errors = _errors({"story": {"name": "Empty"}})
    assert ("story", "description") in errors
    errors = _errors({"story": {"description": "Talks.", "require": "keyword", "similarity_threshold": 1.5}})
    assert set(errors) == {("story", "similarity_threshold")}
    errors = _errors({"story": {"description": "Talks.", "require": "keyword"}})
    assert set(errors) == {("story", "include_keywords")}


def test_logging_level_is_case_insensitive_and_json_is_the_toml_key() -> None:
    settings = Settings.model_validate({"logging": {"level": "debug", "json": True}})
    assert settings.logging.level == "DEBUG" and settings.logging.json_logs is True
    assert ("logging", "level") in _errors({"logging": {"level": "chatty"}})


def test_discord_colour_accepts_hex_strings() -> None:
    assert Settings.model_validate({"discord": {"colour": "#2f6fde"}}).discord.colour == 0x2F6FDE
    assert ("discord", "colour") in _errors({"discord": {"colour": "blue"}})
