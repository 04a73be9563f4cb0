"""Load the configuration: a TOML file, environment overrides, and one message that lists every problem."""

from __future__ import annotations

import difflib
import json
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from bot.config.checks import secret_kind, secret_message
from bot.config.schema import Settings

CONFIG_ENV = "BRIEFBOT_CONFIG"
ENV_OVERRIDES: dict[str, tuple[str, str]] = {
    "BRIEFBOT_DATABASE_URL": ("store", "url"),
    "BRIEFBOT_DATA_DIR": ("store", "data_dir"),
    "BRIEFBOT_LOG_LEVEL": ("logging", "level"),
    "BRIEFBOT_LOG_JSON": ("logging", "json"),
    "BRIEFBOT_HEALTH_ENABLED": ("health", "enabled"),
    "BRIEFBOT_HEALTH_HOST": ("health", "host"),
    "BRIEFBOT_HEALTH_PORT": ("health", "port"),
}
_TOML_AT_RE = re.compile(r"^(?P<what>.*?)\s*\(at (?:line (?P<line>\d+), column (?P<col>\d+)|end of document)\)$", re.S)
_UNION_TAG_RE = re.compile(r"^[a-z][a-z-]*\[.*\]$")  # pydantic's union branch names, e.g. "list[str]"
_BARE_KEY_RE = re.compile(r"^[A-Za-z0-9_-]+$")
_SHOULD_RE = re.compile(r"^(?:Input|String|List|Value|Dictionary|Tuple|Set|Float|Integer|Decimal|Object) should ")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the configuration: where (a key path such as `feeds[1].url`) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ConfigError(Exception):
    """The configuration cannot be used; str() is one message listing every problem, one per line."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__("\n".join([f"invalid configuration in {source} ({count}):",
                                    *(f"  - {problem}" for problem in problems)]))


def load_settings(path: str | Path | None = None) -> Settings:
    """Read, override from the environment and validate the configuration; raises ConfigError.

    `path` None means $BRIEFBOT_CONFIG if set, else the built-in defaults (a console channel following the
    story, no feeds). Environment variables in ENV_OVERRIDES replace their keys (e.g. $BRIEFBOT_DATABASE_URL
    replaces store.url).
    """
    path = path if path is not None else os.environ.get(CONFIG_ENV) or None
    if path is None:
        data: dict[str, Any] = {}
        base, source, file = Path.cwd(), "built-in defaults", None
    else:
        file = Path(path).expanduser()
        data, base, source = _read(file), file.absolute().parent, str(file)
    from_env = _apply_env(data)
    try:
        settings = Settings.model_validate(data, context={"base_dir": base, "from_env": set(from_env)})
    except ValidationError as exc:
        raise ConfigError(source, _problems(exc, from_env)) from None
    settings._source = file
    return settings


def _read(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(str(path), [Problem("", "file not found")]) from None
    except IsADirectoryError:
        raise ConfigError(str(path), [Problem("", "is a directory, not a TOML file")]) from None
    except OSError as exc:
        raise ConfigError(str(path), [Problem("", f"cannot read the file: {exc.strerror or exc}")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(str(path), [Problem("", f"line {line}: not UTF-8 text (TOML files must be UTF-8)")]) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), [Problem("", _toml_message(str(exc)))]) from None


def _toml_message(message: str) -> str:
    match = _TOML_AT_RE.match(message)
    if match is None:
        return f"TOML syntax error: {message}"
    where = f"line {match['line']}, column {match['col']}" if match["line"] else "end of file"
    return f"TOML syntax error at {where}: {match['what']}"


def _apply_env(data: dict[str, Any]) -> dict[str, str]:
    from_env: dict[str, str] = {}
    for name, (section, key) in ENV_OVERRIDES.items():
        value = os.environ.get(name)
        table = data.setdefault(section, {}) if value else None
        if not isinstance(table, dict):
            continue
        table[key] = str(Path(value).expanduser().absolute()) if key == "data_dir" else value
        from_env[f"{section}.{key}"] = name
    return from_env


def _problems(exc: ValidationError, from_env: dict[str, str]) -> list[Problem]:
    problems: list[Problem] = []
    for err in sorted(exc.errors(include_url=False), key=lambda e: _order(tuple(e["loc"]))):
        loc = tuple(err["loc"])
        path = _path(loc)
        if path in from_env:
            path += f" (from ${from_env[path]})"
        problem = Problem(path, _message(err, loc))
        if problem not in problems:
            problems.append(problem)
    return problems


def _order(loc: tuple[str | int, ...]) -> tuple[int, int]:
    """Sort key grouping problems by section (in schema order), then by table number in [[feeds]]/[[channels]]."""
    sections = list(Settings.model_fields)
    section = sections.index(loc[0]) if loc and loc[0] in sections else len(sections)
    return section, loc[1] if len(loc) > 1 and isinstance(loc[1], int) else -1


def _path(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not _UNION_TAG_RE.match(part):
            key = part if _BARE_KEY_RE.match(part) else json.dumps(part, ensure_ascii=False)
            out += f".{key}" if out else key
    return out


def _message(err: Any, loc: tuple[str | int, ...]) -> str:
    kind, message = err["type"], err["msg"]
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        return _unknown_key(loc, err.get("input"))
    if kind == "list_type" and loc in (("feeds",), ("channels",)):
        return f"must be a list of tables: start each one with its own [[{loc[0]}]] header"
    if kind == "path_type":
        return "must be a path (a string)"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"must be a table ([{loc[0]}])" if len(loc) == 1 else "must be a table"
    message = re.sub(r"^(?:Value|Assertion) error, ", "", message)
    return _SHOULD_RE.sub("must ", message)


def _unknown_key(loc: tuple[str | int, ...], value: Any) -> str:
    known = _known_keys(loc[:-1])
    close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
    if close:
        message = f'unknown key (did you mean "{close[0]}"?)'
    else:
        message = f"unknown key (known keys: {', '.join(known)})" if known else "unknown key"
    kind = secret_kind(value)
    return f"{message}; also, {secret_message(kind)}" if kind else message


def _known_keys(loc: tuple[str | int, ...]) -> list[str]:
    model: type[BaseModel] | None = Settings
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        field = next((f for name, f in model.model_fields.items() if (f.alias or name) == part), None)
        model = _model_in(field.annotation) if field is not None else None
    return [f.alias or name for name, f in model.model_fields.items()] if model is not None else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next((model for arg in get_args(annotation) if (model := _model_in(arg))), None)
