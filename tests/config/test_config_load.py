"""Tests for bot.config.load: files, environment overrides and the one message listing every problem."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config.load import ENV_OVERRIDES, ConfigError, Problem, load_settings

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "briefbot.example.toml"
SLACK_BOT = "xoxb-" + "-".join(["4821937465", "5930184726", "Qw3rTy8uIoPaSdFgHjKlZxCv"])


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in [*ENV_OVERRIDES, "BRIEFBOT_CONFIG", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET",
                 "DISCORD_BOT_TOKEN"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def _write(tmp_path: Path, text: str, name: str = "briefbot.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    return info.value


THREE_PROBLEMS = """
[[feeds]]
name = "Example Wire"
url = "https://www.example.org/world/rss.xml"

[[feeds]]
name = "Example Daily"
url = "www.example.com/feed"

[[channels]]
platform = "skype"
address = "stdout"

[digest]
cron = "0 18 * *"
"""


def test_every_problem_is_listed_in_one_message(tmp_path: Path) -> None:
    error = _problems(_write(tmp_path, THREE_PROBLEMS))
    assert [p.path for p in error.problems] == ["feeds[1].url", "channels[0].platform", "digest.cron"]
    lines = str(error).splitlines()
    assert lines[0] == f"invalid configuration in {tmp_path / 'briefbot.toml'} (3 problems):"
    assert lines[1] == "  - feeds[1].url: must be an http:// or https:// URL with a host name"
    assert lines[2] == "  - channels[0].platform: must be 'console', 'slack' or 'discord'"
    assert lines[3].startswith('  - digest.cron: bad cron expression "0 18 * *"')
    assert len(lines) == 4


def test_field_and_cross_section_problems_come_together_grouped_by_table(tmp_path: Path) -> None:
    text = THREE_PROBLEMS.replace('name = "Example Daily"', 'name = "Example Wire"') + """
[[channels]]
platform = "console"
address = "stdout"
subscribe = ["Example Wir"]
"""
    paths = [p.path for p in _problems(_write(tmp_path, text)).problems]
    assert paths == ["feeds[1].url", "feeds[1].name", "channels[0].platform", "channels[1].subscribe[0]",
                     "digest.cron"]


def test_toml_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    error = _problems(_write(tmp_path, '[bot]\nname = "briefbot"\ntimezone = Europe/Kyiv\n'))
    assert error.problems == [Problem("", "TOML syntax error at line 3, column 12: Invalid value")]
    assert str(error).endswith("  - TOML syntax error at line 3, column 12: Invalid value")


def test_missing_file_and_bad_encoding(tmp_path: Path) -> None:
    error = _problems(tmp_path / "nope.toml")
    assert str(error) == f"invalid configuration in {tmp_path / 'nope.toml'} (1 problem):\n  - file not found"
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(b'[bot]\nname = "Kyiv \xe9dition"\n')
    assert "line 2: not UTF-8" in str(_problems(bad))
    assert "is a directory" in str(_problems(tmp_path))


def test_unknown_keys_get_a_suggestion(tmp_path: Path) -> None:
    text = """
[feed]
name = "x"

[[feeds]]
name = "Example Wire"
url = "https://www.example.org/rss"
intervall = 5

[stories]
window = 24
"""
    problems = {p.path: p.message for p in _problems(_write(tmp_path, text)).problems}
    assert problems["feed"] == 'unknown key (did you mean "feeds"?)'
    assert problems["feeds[0].intervall"] == 'unknown key (did you mean "interval"?)'
    assert problems["stories.window"] == 'unknown key (did you mean "window_hours"?)'


def test_table_instead_of_array_of_tables_gets_a_hint(tmp_path: Path) -> None:
    error = _problems(_write(tmp_path, '[feeds]\nname = "Wire"\nurl = "https://www.example.org/rss"\n'))
    assert error.problems == [Problem("feeds", "must be a list of tables: start each one with its own [[feeds]] header")]


def test_secrets_in_the_file_are_refused_without_echoing_them(tmp_path: Path) -> None:
    text = f"""
[slack]
bot_token = "{SLACK_BOT}"

[[channels]]
platform = "console"
address = "stdout"
name = "{SLACK_BOT}"
"""
    error = _problems(_write(tmp_path, text))
    problems = {p.path: p.message for p in error.problems}
    assert problems["channels[0].name"].startswith("secrets must come from environment variables")
    assert problems["slack.bot_token"].startswith('unknown key (did you mean "bot_token_env"?)')
    assert "secrets must come from environment variables" in problems["slack.bot_token"]
    assert SLACK_BOT not in str(error) and SLACK_BOT not in repr(error)
    assert "Qw3rTy8u" not in str(error)


def test_enabled_slack_without_tokens_names_the_variables(tmp_path: Path) -> None:
    error = _problems(_write(tmp_path, '[slack]\nenabled = true\nbot_token_env = "TALKS_SLACK_BOT"\n'))
    assert [str(p) for p in error.problems] == [
        "slack.bot_token_env: environment variable TALKS_SLACK_BOT is not set (slack is enabled)",
        "slack.app_token_env: environment variable SLACK_APP_TOKEN is not set (slack is enabled)",
    ]


def test_no_path_means_built_in_defaults(tmp_path: Path) -> None:
    settings = load_settings(None)
    assert settings.source is None and settings.feeds == []
    assert [c.key for c in settings.channels] == ["console:stdout"] and settings.channels[0].follows_story
    assert settings.store.url == f"sqlite:///{tmp_path / 'briefbot.db'}"


def test_briefbot_config_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, '[[feeds]]\nname = "Example Wire"\nurl = "https://www.example.org/rss"\n', "chosen.toml")
    monkeypatch.setenv("BRIEFBOT_CONFIG", str(path))
    settings = load_settings()
    assert settings.source == path and [f.name for f in settings.feeds] == ["Example Wire"]


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, '[store]\nurl = "sqlite:///from-file.db"\n[logging]\nlevel = "INFO"\n')
    url = "postgresql+psycopg://briefbot:tr0ub4dor-staple@db.example.internal:5432/briefbot"
    monkeypatch.setenv("BRIEFBOT_DATABASE_URL", url)
    monkeypatch.setenv("BRIEFBOT_LOG_LEVEL", "warning")
    monkeypatch.setenv("BRIEFBOT_LOG_JSON", "true")
    settings = load_settings(path)
    assert settings.store.url == url
    assert settings.logging.level == "WARNING" and settings.logging.json_logs is True
    assert "tr0ub4dor-staple" not in repr(settings)


def test_bad_environment_value_names_the_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFBOT_LOG_LEVEL", "LOUD")
    error = _problems(_write(tmp_path, "[bot]\n"))
    assert [p.path for p in error.problems] == ["logging.level (from $BRIEFBOT_LOG_LEVEL)"]


def test_relative_data_dir_is_taken_from_the_config_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    conf = tmp_path / "etc"
    conf.mkdir()
    path = _write(conf, '[store]\ndata_dir = "../var"\nurl = "sqlite:///briefs.db"\n')
    assert load_settings(path).store.url == f"sqlite:///{(tmp_path / 'var').resolve() / 'briefs.db'}"
    monkeypatch.setenv("BRIEFBOT_DATA_DIR", "state")  # relative to the current directory
    assert load_settings(path).store.data_dir == tmp_path / "state"


def test_example_config_validates_as_is() -> None:
    settings = load_settings(EXAMPLE)
    assert len(settings.feeds) == 4 and [c.key for c in settings.channels] == ["console:stdout"]
    assert all(f.url.startswith("https://") and "example." in f.url for f in settings.feeds)
    assert "Witkoff" in settings.story.include_keywords and "football" in settings.story.exclude_keywords
    assert settings.slack.enabled is False and settings.discord.enabled is False


def test_example_commented_chat_channels_validate_once_enabled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    text = re.sub(r"^# (\[\[channels\]\]|platform =|address =|name =|subscribe =|thread =)", r"\1", text, flags=re.M)
    text = re.sub(r"^enabled = false", "enabled = true", text, flags=re.M)
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "DISCORD_BOT_TOKEN"):
        monkeypatch.setenv(name, "fictional-value")
    settings = load_settings(_write(tmp_path, text))
    assert [c.platform for c in settings.channels] == ["console", "slack", "discord"]
    assert settings.channels[2].feed_names == ("Example Wire - World", "Example Kyiv Live")
