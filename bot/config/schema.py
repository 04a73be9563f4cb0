"""Pydantic models of briefbot's configuration: the root `Settings`, the story, feeds, channels and storage."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, PrivateAttr, ValidationError, ValidationInfo, field_validator, model_validator

from bot.config.checks import check_timezone, cross_problems, fail, mask_password, merge, regex_problem, resolve_sqlite
from bot.config.sections import (
    DEFAULT_SPACY,
    DeliverySettings,
    DigestSettings,
    DiscordSettings,
    FetchSettings,
    HealthSettings,
    LoggingSettings,
    ModelsSettings,
    PacingSettings,
    Section,
    SlackSettings,
    StoriesSettings,
)

__all__ = [
    "DEFAULT_DATABASE_URL", "DEFAULT_SPACY", "BotSettings", "ChannelSettings", "DeliverySettings", "DigestSettings",
    "DiscordSettings", "FeedSettings", "FetchSettings", "HealthSettings", "LoggingSettings", "ModelsSettings",
    "PacingSettings", "Platform", "Section", "Settings", "SlackSettings", "StoreSettings", "StoriesSettings",
    "StorySettings", "default_story",
]

Platform = Literal["console", "slack", "discord"]
DEFAULT_DATABASE_URL = "sqlite:///briefbot.db"
_ADMIN_IDS = {"console": r"[\w.@-]+", "slack": r"[UW][A-Z0-9]{6,}", "discord": r"\d{15,21}"}
_ADDRESSES = {"console": r"stdout", "slack": r"[CGD][A-Z0-9]{6,}|#[a-z0-9._-]+", "discord": r"\d{15,21}"}
_ADDRESS_HELP = {
    "console": '"stdout"',
    "slack": 'a channel id such as "C012AB3CD" (or "#channel-name")',
    "discord": 'a numeric channel id such as "123456789012345678"',
}


class BotSettings(Section):
    name: str = Field("briefbot", min_length=1)
    timezone: str = "UTC"
    admins: list[str] = []  # "platform:user_id", e.g. "slack:U012ABC", "discord:1234...", "console:local"

    _tz = field_validator("timezone")(check_timezone)

    @field_validator("admins")
    @classmethod
    def _admins(cls, admins: list[str]) -> list[str]:
        fail([((i,), 'must be "platform:user_id" with platform console, slack or discord, e.g. "slack:U012ABC"')
              for i, admin in enumerate(admins) if not _is_admin_id(admin)])
        return admins


def _is_admin_id(admin: str) -> bool:
    platform, _, user = admin.partition(":")
    return platform in _ADMIN_IDS and re.fullmatch(_ADMIN_IDS[platform], user) is not None


class StoreSettings(Section):
    url: str = DEFAULT_DATABASE_URL  # relative SQLite paths are resolved against data_dir
    data_dir: Path | None = None  # None: the current directory; relative: against the config file's directory

    @field_validator("url")
    @classmethod
    def _url(cls, url: str, info: ValidationInfo) -> str:
        scheme, sep, _ = url.partition("://")
        if not sep or scheme.split("+")[0].lower() not in ("sqlite", "postgresql", "postgres"):
            raise ValueError('must be a database URL such as "sqlite:///briefbot.db" or "postgresql://host/db"')
        if urlsplit(url).password and "store.url" not in (info.context or {}).get("from_env", ()):
            raise ValueError("secrets must come from environment variables: put a URL with a password "
                             "in $BRIEFBOT_DATABASE_URL instead")
        return url

    @model_validator(mode="after")
    def _resolve(self, info: ValidationInfo) -> StoreSettings:
        base = Path((info.context or {}).get("base_dir") or Path.cwd())
        data_dir = self.data_dir.expanduser() if self.data_dir is not None else Path.cwd()
        self.data_dir = data_dir if data_dir.is_absolute() else (base / data_dir).resolve()
        self.url = resolve_sqlite(self.url, self.data_dir)
        return self

    def __repr_args__(self) -> Any:
        for name, value in super().__repr_args__():
            yield name, (mask_password(value) if name == "url" else value)


class StorySettings(Section):
    name: str = Field("story", min_length=1)
    description: str = ""
    include_keywords: list[str] = []
    exclude_keywords: list[str] = []
    include_regexes: list[str] = []
    exclude_regexes: list[str] = []
    similarity_threshold: float = Field(0.35, ge=0.0, le=1.0)
    require: Literal["any", "keyword", "semantic"] = "any"

    @field_validator("include_keywords", "exclude_keywords")
    @classmethod
    def _keywords(cls, words: list[str]) -> list[str]:
        fail([((i,), "must not be blank") for i, word in enumerate(words) if not word.strip()])
        return [word.strip() for word in words]

    @field_validator("include_regexes", "exclude_regexes")
    @classmethod
    def _regexes(cls, patterns: list[str]) -> list[str]:
        fail([((i,), problem) for i, pattern in enumerate(patterns) if (problem := regex_problem(pattern))])
        return patterns

    @model_validator(mode="after")
    def _matchable(self) -> StorySettings:
        keywords = bool(self.include_keywords or self.include_regexes)
        if self.require in ("any", "semantic") and not self.description.strip() and not keywords:
            fail([(("description",), "the story needs a description or include keywords/regexes to match anything")])
        if self.require == "semantic" and not self.description.strip():
            fail([(("description",), 'must not be empty when require = "semantic"')])
        if self.require == "keyword" and not keywords:
            fail([(("include_keywords",), 'list at least one keyword or regex when require = "keyword"')])
        return self


class FeedSettings(Section):
    name: str = Field(min_length=1)
    url: str
    interval: int = Field(15, ge=1, le=7 * 24 * 60)  # minutes between polls
    backfill: int = Field(3, ge=0)  # newest items taken from a feed seen for the first time
    enabled: bool = True

    @field_validator("name")
    @classmethod
    def _name(cls, name: str) -> str:
        if not name.strip():
            raise ValueError("must not be blank")
        return name.strip()

    @field_validator("url")
    @classmethod
    def _url(cls, url: str) -> str:
        parts = urlsplit(url.strip())
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// URL with a host name")
        return url.strip()


class ChannelSettings(Section):
    platform: Platform
    address: str  # channel id, or "stdout" for the console
    name: str | None = None
    subscribe: Literal["story"] | list[str] = "story"  # "story", or a list of feed names
    thread: Literal["story", "none"] = "story"  # "story": updates to a story are replies under its first post

    @field_validator("address", mode="before")
    @classmethod
    def _address_text(cls, address: Any) -> Any:
        return str(address) if isinstance(address, int) and not isinstance(address, bool) else address

    @field_validator("subscribe", mode="before")
    @classmethod
    def _subscribe(cls, subscribe: Any) -> Any:
        if subscribe == "story":
            return subscribe
        if not isinstance(subscribe, list) or not subscribe:
            raise ValueError('must be "story" or a non-empty list of feed names, e.g. ["Example Wire"]')
        fail([((i,), "must be a feed name") for i, name in enumerate(subscribe) if not isinstance(name, str)])
        return [name.strip() for name in subscribe]

    @field_validator("address")
    @classmethod
    def _address(cls, address: str, info: ValidationInfo) -> str:
        platform = info.data.get("platform")  # absent when the platform itself is invalid
        if platform in _ADDRESSES and not re.fullmatch(_ADDRESSES[platform], address):
            raise ValueError(f"a {platform} channel address must be {_ADDRESS_HELP[platform]}")
        return address

    @property
    def key(self) -> str:
        """"platform:address", unique among the channels."""
        return f"{self.platform}:{self.address}"

    @property
    def follows_story(self) -> bool:
        return self.subscribe == "story"

    @property
    def feed_names(self) -> tuple[str, ...]:
        return () if self.subscribe == "story" else tuple(self.subscribe)


def default_story() -> StorySettings:
    """The built-in story: the US-brokered Russia-Ukraine peace talks."""
    return StorySettings(
        name="Russia-Ukraine peace talks",
        description="Negotiations brokered by the United States to end Russia's war in Ukraine: "
                    "ceasefire proposals, peace plans, security guarantees and territorial questions.",
        include_keywords=["peace talks", "peace plan", "ceasefire", "security guarantees", "Witkoff", "Kushner",
                          "Zelensky", "Umerov", "Peskov", "Ushakov", "Dmitriev", "Rubio"],
        exclude_keywords=["football", "Champions League", "tennis", "Eurovision"],
    )


def _console() -> list[ChannelSettings]:
    return [ChannelSettings(platform="console", address="stdout", subscribe="story")]


class Settings(Section):
    """The whole configuration; build it with `bot.config.load_settings`."""

    bot: BotSettings = Field(default_factory=BotSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    models: ModelsSettings = Field(default_factory=ModelsSettings)
    story: StorySettings = Field(default_factory=default_story)
    feeds: list[FeedSettings] = []
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    channels: list[ChannelSettings] = Field(default_factory=_console)
    digest: DigestSettings = Field(default_factory=DigestSettings)
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    slack: SlackSettings = Field(default_factory=SlackSettings)
    discord: DiscordSettings = Field(default_factory=DiscordSettings)
    health: HealthSettings = Field(default_factory=HealthSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)
    stories: StoriesSettings = Field(default_factory=StoriesSettings)
    _source: Path | None = PrivateAttr(None)

    @model_validator(mode="wrap")
    @classmethod
    def _every_problem(cls, data: Any, handler: Any) -> Settings:
        problems = cross_problems(data)
        try:
            settings = handler(data)
        except ValidationError as exc:
            raise (merge(exc, problems) if problems else exc) from None
        fail(problems)
        settings.digest.timezone = settings.digest.timezone or settings.bot.timezone
        return settings

    @property
    def source(self) -> Path | None:
        """The file these settings came from (None: built-in defaults)."""
        return self._source

    @staticmethod
    def secret(name: str) -> str | None:
        """The value of environment variable `name` (None when unset or empty); never stored in the settings."""
        return os.environ.get(name) or None

    def is_admin(self, platform: str, user_id: str) -> bool:
        """Whether the user is listed in [bot] admins."""
        return f"{platform}:{user_id}" in self.bot.admins

    def feed(self, name: str) -> FeedSettings | None:
        """The feed called `name`, if any."""
        return next((feed for feed in self.feeds if feed.name == name), None)

