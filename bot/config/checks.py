"""Configuration checks shared by the schema: secret detection, value checks and cross-section problems."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

Loc = tuple[str | int, ...]
Problems = list[tuple[Loc, str]]

_SECRETS = (
    ("a Slack token", re.compile(r"\bxox[a-z]-[A-Za-z0-9-]{6,}")),
    ("a Slack app-level token", re.compile(r"\bxapp-[A-Za-z0-9-]{6,}")),
    ("a Slack webhook URL", re.compile(r"hooks\.slack\.com/(?:services|workflows|triggers)/")),
    ("a Discord webhook URL", re.compile(r"discord(?:app)?\.com/api/webhooks/")),
    ("a Discord bot token", re.compile(r"[A-Za-z0-9_-]{24,}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}")),
    ("a signing secret", re.compile(r"^[0-9a-f]{32}$")),
)
_ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def secret_kind(value: Any) -> str | None:
    """What kind of secret `value` (a string, or strings nested in lists and tables) looks like; None if none."""
    if isinstance(value, str):
        return next((kind for kind, pattern in _SECRETS if pattern.search(value)), None)
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return next((kind for item in value if (kind := secret_kind(item))), None)
    return None


def secret_message(kind: str) -> str:
    """The problem reported for a secret found in the configuration (never the value itself)."""
    return f"secrets must come from environment variables; this value looks like {kind}"


def fail(problems: Problems) -> None:
    """Raise one ValidationError holding every problem (locations relative to the model being validated)."""
    if problems:
        raise ValidationError.from_exception_data("Settings", [
            InitErrorDetails(type=PydanticCustomError("briefbot", "{message}", {"message": msg}), loc=loc, input=None)
            for loc, msg in problems], hide_input=True)


def merge(exc: ValidationError, problems: Problems) -> ValidationError:
    """`exc` with `problems` added after its own errors."""
    details = [InitErrorDetails(type=PydanticCustomError(e["type"], "{message}", {"message": e["msg"]}),
                                loc=e["loc"], input=e["input"]) for e in exc.errors(include_url=False)]
    details += [InitErrorDetails(type=PydanticCustomError("briefbot", "{message}", {"message": msg}),
                                 loc=loc, input=None) for loc, msg in problems]
    return ValidationError.from_exception_data(exc.title, details, hide_input=True)


def check_timezone(value: str | None) -> str | None:
    """An IANA time zone name (or None), else ValueError."""
    if value is None:
        return value
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f'unknown time zone "{value}"; use an IANA name such as "Europe/Kyiv" or "UTC"') from None
    return value


def is_env_name(value: Any) -> bool:
    """Whether `value` can be the name of an environment variable."""
    return isinstance(value, str) and _ENV_NAME_RE.match(value) is not None


def check_env_name(value: str) -> str:
    """The name of an environment variable, else ValueError (which does not repeat the value)."""
    if not is_env_name(value):
        raise ValueError("must be the NAME of an environment variable (letters, digits and _), not its value")
    return value


def regex_problem(pattern: str) -> str | None:
    """Why `pattern` is not a valid Python regular expression, or None."""
    try:
        re.compile(pattern)
    except re.error as exc:
        return f'bad regular expression "{pattern}": {exc}'
    return None


def resolve_sqlite(url: str, data_dir: Path) -> str:
    """`url` with a relative SQLite file path made absolute under `data_dir`; other URLs unchanged."""
    scheme, _, rest = url.partition("://")
    if not scheme.lower().startswith("sqlite") or not rest.startswith("/"):
        return url
    path, q, query = rest[1:].partition("?")
    if not path or path == ":memory:" or path.startswith("file:"):
        return url
    full = Path(path).expanduser()
    return f"{scheme}:///{full if full.is_absolute() else data_dir / full}{q}{query}"


def mask_password(url: str) -> str:
    """`url` with its password, if any, replaced by ***."""
    password = urlsplit(url).password
    return url.replace(f":{password}@", ":***@", 1) if password else url


def cross_problems(data: Any) -> Problems:
    """Problems across sections, found in the raw (possibly invalid) input: names, duplicates, subscriptions."""
    if not isinstance(data, dict):
        return []
    feeds = _tables(data.get("feeds"))
    problems = _duplicates(feeds, "feeds", "name", lambda t: _text(t.get("name")).casefold() or None, "feed name")
    problems += _duplicates(feeds, "feeds", "url", lambda t: _url_key(_text(t.get("url"))), "feed URL")
    names = [name for feed in feeds if (name := _text(feed.get("name")))]
    channels = _tables(data.get("channels"))
    for i, channel in enumerate(channels):
        subscribe = channel.get("subscribe")
        for k, name in enumerate(subscribe if isinstance(subscribe, list) else []):
            if isinstance(name, str) and name.strip() not in names:
                problems.append((("channels", i, "subscribe", k), _unknown_feed(name.strip(), names)))
        platform = channel.get("platform")
        section = data.get(platform) if platform in ("slack", "discord") else None
        if platform in ("slack", "discord") and not (isinstance(section, dict) and section.get("enabled") is True):
            problems.append((("channels", i, "platform"),
                             f"a {platform} channel needs the {platform} connection: set enabled = true in [{platform}]"))
    problems += _duplicates(channels, "channels", "address", _channel_key, "channel")
    return problems


def _tables(value: Any) -> list[dict[str, Any]]:
    return [item if isinstance(item, dict) else {} for item in value] if isinstance(value, list) else []


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _channel_key(table: dict[str, Any]) -> str | None:
    address = table.get("address")
    return f"{table.get('platform')}:{str(address).strip()}" if isinstance(address, (str, int)) else None


def _duplicates(tables: list[dict[str, Any]], section: str, field: str,
                key: Callable[[dict[str, Any]], str | None], what: str) -> Problems:
    first: dict[str, int] = {}
    problems: Problems = []
    for i, table in enumerate(tables):
        k = key(table)
        if k is None:
            continue
        if k in first:
            problems.append(((section, i, field), f"duplicate {what}, already used by {section}[{first[k]}]"))
        else:
            first[k] = i
    return problems


def _url_key(url: str) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path.rstrip('/')}?{parts.query}"


def _unknown_feed(name: str, names: Iterable[str]) -> str:
    names = list(names)
    message = f'unknown feed "{name}"'
    if name == "story":
        return message + '; to follow the story write subscribe = "story" (not a list)'
    if not names:
        return message + " (no [[feeds]] are defined)"
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    return message + (f'; did you mean "{close[0]}"?' if close else f"; feeds are: {', '.join(names)}")
