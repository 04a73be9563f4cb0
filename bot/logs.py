"""Logging setup: one line per event, plain or JSON, with secrets redacted from every message."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from datetime import datetime, timezone

# Tokens that must never reach a log line, whatever logged them.
_SECRET_PATTERNS = [
    re.compile(r"xox[abposr]-[A-Za-z0-9-]{8,}"),  # Slack bot/user/app tokens
    re.compile(r"xapp-[A-Za-z0-9-]{8,}"),
    re.compile(r"[MNO][A-Za-z\d_-]{23,27}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,40}"),  # Discord bot tokens
    re.compile(r"(?i)(authorization:\s*(?:bearer|bot)\s+)\S+"),
    re.compile(r"(?i)(postgres(?:ql)?(?:\+\w+)?://[^:/@\s]+:)[^@\s]+(@)"),
]
_SECRET_ENV = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "DISCORD_BOT_TOKEN")


def redact(text: str) -> str:
    """`text` with every known secret shape and every secret environment value replaced by ***."""
    for value in (os.environ.get(name) for name in _SECRET_ENV):
        if value and len(value) >= 8:
            text = text.replace(value, "***")
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.lastindex else "") + "***" + (
            m.group(2) if m.lastindex and m.lastindex >= 2 else ""), text)
    return text


class _Redacting(logging.Formatter):
    def __init__(self, as_json: bool) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.as_json = as_json

    def format(self, record: logging.LogRecord) -> str:
        message = redact(record.getMessage())
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        extra = redact(record.exc_text) if record.exc_text else None
        if self.as_json:
            data = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(),
                    "level": record.levelname, "logger": record.name, "message": message}
            if extra:
                data["exception"] = extra
            return json.dumps(data, ensure_ascii=False)
        line = f"{self.formatTime(record)} {record.levelname} {record.name}: {message}"
        return line + ("\n" + extra if extra else "")


def configure(level: str = "INFO", *, as_json: bool = False) -> None:
    """Send every log record to stderr, one line each (a traceback follows only its own line)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Redacting(as_json))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "apscheduler", "alembic", "urllib3", "asyncio"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
