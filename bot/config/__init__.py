"""briefbot's configuration: the schema (`Settings`) and `load_settings`, which lists every problem at once."""

from __future__ import annotations

from bot.config.load import CONFIG_ENV, ENV_OVERRIDES, ConfigError, Problem, load_settings
from bot.config.schema import ChannelSettings, FeedSettings, Settings, StorySettings

__all__ = [
    "CONFIG_ENV",
    "ENV_OVERRIDES",
    "ChannelSettings",
    "ConfigError",
    "FeedSettings",
    "Problem",
    "Settings",
    "StorySettings",
    "load_settings",
]
