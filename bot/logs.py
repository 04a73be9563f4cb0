"""Logging setup: one line per event, plain or JSON, with secrets redacted from every message."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Iterable
from datetime import datetime, timezone

# Shapes of secrets that must never reach a log line, whatever logged them. Only the secret part is replaced:
# the optional `pre` and `post` groups are kept so the line still says what was there.
_SECRET_PATTERNS = [
    re.compile(r"xox[a-z]-[A-Za-z0-9-]{8,}"),  # Slack bot/user/refresh tokens (xoxb-, xoxp-, xoxe-, ...)
    re.compile(r"xapp-[A-Za-z0-9-]{8,}"),  # Slack app-level tokens
    re.compile(r"(?P<pre>hooks\.slack\.com/(?:services|workflows|triggers)/)[\w/-]+"),  # Slack webhook URLs
    re.compile(r"(?P<pre>discord(?:app)?\.com/api/webhooks/\d+/)[\w-]+"),  # Discord webhook URLs
    re.compile(r"[A-Za-z\d_-]{23,28}\.[A-Za-z\d_-]{6,7}\.[A-Za-z\d_-]{27,}"),  # Discord bot tokens
    re.compile(r"""(?i)(?P<pre>\bauthorization["']?\s*[:=]\s*["']?(?:(?:bearer|bot|basic|token|digest)\s+)?)"""
               r"""[^\s"',;}]+"""),  # Authorization headers, also as printed inside a dict or JSON
    re.compile(r"(?P<pre>\b[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:)[^@\s/]+(?P<post>@)"),  # user:password@ in URLs
    re.compile(r"""(?i)(?P<pre>\bpassword\s*=\s*)(?:'[^']*'|"[^"]*"|[^\s'"]+)"""),  # libpq DSN password=...
]
_SECRET_ENV = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "DISCORD_BOT_TOKEN")
_extra_env: set[str] = set()  # names from the configuration (e.g. [slack] bot_token_env), set by `configure`


def redact(text: str) -> str:
    """`text` with every known secret shape and every secret environment value replaced by ***."""
    for name in (*_SECRET_ENV, *sorted(_extra_env)):
        value = os.environ.get(name)
        if value and len(value) >= 8:
            text = text.replace(value, "***")
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(_keep_context, text)
    return text


def _keep_context(match: re.Match[str]) -> str:
    groups = match.groupdict()
    return (groups.get("pre") or "") + "***" + (groups.get("post") or "")


class _Redacting(logging.Formatter):
    def __init__(self, as_json: bool) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.as_json = as_json

    def format(self, record: logging.LogRecord) -> str:
        message = redact(record.getMessage())
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        extra = "\n".join(redact(t) for t in (record.exc_text, record.stack_info) if t) or None
        if self.as_json:
            data = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(),
                    "level": record.levelname, "logger": record.name, "message": message}
            if extra:
                data["exception"] = extra
            return json.dumps(data, ensure_ascii=False)
        # One line per event: a newline inside a message (an error text, a feed's title) must not start a line
        # that reads like another event.
        message = message.replace("\r", "\\r").replace("\n", "\\n")
        line = f"{self.formatTime(record)} {record.levelname} {record.name}: {message}"
        return line + ("\n" + extra if extra else "")


def configure(level: str = "INFO", *, as_json: bool = False, secret_env: Iterable[str] = ()) -> None:
    """Send every log record to stderr, one line each (a traceback follows only its own line).

    `secret_env` names further environment variables whose values are redacted (the configured token names).
    """
    _extra_env.clear()
    _extra_env.update(name for name in secret_env if name)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Redacting(as_json))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "apscheduler", "alembic", "urllib3", "asyncio"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
