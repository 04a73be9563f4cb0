"""Parse typed text or slash-command options into the same `Command` object."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .spec import COMMANDS, CommandSpec, Param

_ALIASES = {"quote": "quotes", "feed": "feeds", "sub": "subscribe", "unsub": "unsubscribe", "?": "help"}
_MAX_TEXT = 300


class CommandError(ValueError):
    """A command that cannot run as typed; `str()` is a one-line message ending in the usage line."""

    def __init__(self, message: str, spec: CommandSpec | None = None):
        self.spec = spec
        usage = f" Usage: {spec.usage}" if spec else " Try: help"
        super().__init__(message.rstrip(".") + "." + usage)


@dataclass(frozen=True)
class Command:
    """A parsed command: its spec name (e.g. "feeds.add") and typed arguments."""

    name: str
    args: dict[str, Any] = field(default_factory=dict)

    @property
    def spec(self) -> CommandSpec:
        return COMMANDS[self.name]


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def _lookup(words: list[str]) -> tuple[CommandSpec, list[str]]:
    if not words:
        raise CommandError("No command given")
    head = _ALIASES.get(words[0].lower(), words[0].lower())
    if len(words) > 1 and f"{head}.{words[1].lower()}" in COMMANDS:
        return COMMANDS[f"{head}.{words[1].lower()}"], words[2:]
    if head not in COMMANDS:
        raise CommandError(f"Unknown command {words[0][:40]!r}")
    return COMMANDS[head], words[1:]


def _convert(spec: CommandSpec, param: Param, raw: Any) -> Any:
    if param.kind == "int":
        try:
            value = int(str(raw).strip())
        except ValueError:
            raise CommandError(f"{param.name} must be a whole number, not {str(raw)[:20]!r}", spec) from None
        if param.minimum is not None and value < param.minimum or param.maximum is not None and value > param.maximum:
            raise CommandError(f"{param.name} must be between {param.minimum} and {param.maximum}", spec)
        return value
    text = " ".join(str(raw).split())
    if not text:
        raise CommandError(f"{param.name} is empty", spec)
    if len(text) > _MAX_TEXT:
        raise CommandError(f"{param.name} is too long (at most {_MAX_TEXT} characters)", spec)
    if param.kind == "url":
        parts = urlsplit(text)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise CommandError(f"{param.name} must be an http(s) URL", spec)
    if param.kind == "word" and " " in text:
        raise CommandError(f"{param.name} must be one word", spec)
    return text


def _bind(spec: CommandSpec, words: list[str]) -> dict[str, Any]:
    args: dict[str, Any] = {}
    params = list(spec.params)
    # A trailing number belongs to an optional int parameter that follows a text one ("quotes Zelensky 10").
    if params and params[-1].kind == "int" and len(params) > 1 and len(words) > 1 and words[-1].isdigit():
        args[params[-1].name] = _convert(spec, params[-1], words.pop())
        params = params[:-1]
    for i, param in enumerate(params):
        if param.kind == "text":
            rest = words if i == len(params) - 1 else words[:1]
            words = [] if i == len(params) - 1 else words[1:]
            if rest:
                args[param.name] = _convert(spec, param, " ".join(rest))
        elif words:
            args[param.name] = _convert(spec, param, words.pop(0))
    if words:
        raise CommandError(f"Unexpected {' '.join(words)[:40]!r}", spec)
    return _defaults(spec, args)


def _defaults(spec: CommandSpec, args: dict[str, Any]) -> dict[str, Any]:
    for param in spec.params:
        if param.name not in args:
            if param.required:
                raise CommandError(f"Missing {param.name}", spec)
            if param.default is not None:
                args[param.name] = param.default
    return args


def parse_text(text: str) -> Command:
    """Parse a typed command line such as "quotes Zelensky 3" or "feeds add https://…"."""
    words = _split(text.strip())
    spec, rest = _lookup(words)
    return Command(spec.name, _bind(spec, rest))


def parse_options(name: str, options: dict[str, Any]) -> Command:
    """Build a command from a slash command's name ("feeds add" or "feeds.add") and its typed options."""
    spec, rest = _lookup(name.split())
    if rest:
        raise CommandError(f"Unexpected {' '.join(rest)[:40]!r}", spec)
    known = {p.name: p for p in spec.params}
    unknown = [k for k in options if k not in known]
    if unknown:
        raise CommandError(f"Unknown option {unknown[0][:40]!r}", spec)
    args = {k: _convert(spec, known[k], v) for k, v in options.items() if v is not None and v != ""}
    return Command(spec.name, _defaults(spec, args))
